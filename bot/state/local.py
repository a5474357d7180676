"""Bot state (dialog stacks, per-user data): small TinyDB files under ``DATA_DIR/state``, fed
through a group-commit journal.

Layout::

    state/.lock                 fcntl lock: one bot process owns this folder
    state/journal/<seq>.json    committed changes not yet copied to their key files: one
                                line (record) per commit, the file named after its first one
    state/<xx>/<sha256>.json    one TinyDB file per storage key (conversation, user)

Why one file per key: a turn reads and writes its own conversation's and user's state only.
With a single TinyDB file every write would re-serialize every conversation (TinyDB rewrites
the whole file), so the 10,000th conversation would be slow; here a write touches one small
file whatever the number of conversations (``bench/bench_turn.py`` measures it). Files are
spread over 256 sub-folders by the first byte of the key's SHA-256, so no folder grows huge.

Why a journal (group commit): a turn must not answer before its state is durable, and making
a file durable costs an fsync, which the disk serializes. Writing each key's file on every
turn made the fsync the turn's largest cost and capped throughput whatever the concurrency.
Here the changes of all turns that write while a commit is in flight wait for the next one and
go to disk together: one record appended to the journal file and fsynced
(:func:`bot.state.journal.append_record`: no new file per commit, whose creation cost 15x the
append on this ext4); a crash mid-write can only tear the newest file's last line, whose write
never returned, and opening the folder drops it (no turn was told it was saved).
``write()`` returns only once its record is on disk. In the background (every 256 commits,
8 MB of journal, or 5 s after the last commit: a quiet bot's key files catch up soon after
its load stops), a checkpoint copies
the newest committed value of each changed key to its key file (written the same atomic way)
and only then deletes the journal files it covered (the next commit starts a new one; a file a
commit is being appended to meanwhile waits for the next checkpoint); opening the folder
replays whatever commits a crash left behind. A key file therefore always holds a whole,
committed state, and the journal holds whatever is newer.

State that cannot be read (a key file truncated or edited by hand) is set aside as
``<name>.bad`` and the key reads as absent: that conversation starts over (the host says so:
:meth:`TinyDBStorage.take_set_aside`) instead of failing on every turn. A journal record that
cannot be written is remembered (:attr:`TinyDBStorage.write_problem`) until a write succeeds,
so ``/healthz`` can report a full or read-only disk; :meth:`TinyDBStorage.probe` tries a write.

Why a cache: this process is the folder's only writer (the lock makes sure), so the state it
last wrote is the state on disk. Reads of keys it knows cost no file I/O; a key it does not
know is read from its file on the storage threads. Entries not yet checkpointed stay cached;
the others are dropped oldest first beyond ``cache_size``.

File I/O and fsync run on a small thread pool, never on the event loop.

Two encodings, for two jobs. Key files hold values flattened with jsonpickle, as the SDK's own
Cosmos DB and Blob storages do: readable JSON in which the ``DialogState`` objects
``ConversationState`` holds survive a restart. But jsonpickle costs ~0.25 ms per turn for a
dialog's state (flatten on write, restore on read), a quarter of a dialog turn's CPU; so the
hot path (the cache and the journal, which a turn touches) keeps values pickled (~0.01 ms),
and only a checkpoint flattens, once per changed key rather than once per turn. A value pickle
refuses is kept jsonpickle-flattened instead. jsonpickle runs with ``keys=True`` so
that non-string dict keys (``{1: ...}``) come back as they went in, as pickle gives them: a
value reads the same from memory as after a restart (property-tested). Both formats can build any object: treat
``DATA_DIR`` as trusted (its owner can already run code as the bot).

Concurrency follows the SDK's contract (``botbuilder.testing.StorageBaseTests``): every write
gets a new ``e_tag``; a write carrying an ``e_tag`` other than ``*`` that no longer matches
the stored one raises :class:`ETagConflictError` and changes nothing (:data:`NEW_KEY_E_TAG`
matches no stored e_tag: a key created since it was read as absent conflicts); an empty
``e_tag`` is refused. The checks and the staging of a write happen after its last await, so
two racing writes cannot both pass against the same e_tag.
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

from jsonpickle.unpickler import Unpickler

from bot.state import keyfiles
from bot.state.base import (
    ETagConflictError,
    StateStorage,
    StateUnavailableError,
    get_e_tag,
    set_e_tag,
)
from bot.state.codec import decode, encode, encode_state
from bot.state.journal import (
    CLEAN,
    FAILED,
    JOURNAL,
    PENDING,
    Changes,
    Entry,
    JournalFile,
    SegmentLeftBehind,
    append_record,
    close_file,
    cut_back,
    is_torn_segment,
    read_journal_file,
    segment_bytes,
    segment_path,
)
from bot.state.journal import segments as journal_segments
from bot.state.lock import lock_folder
from knowledge.logsafe import clean
from knowledge.store.atomic import atomic_write_bytes, fsync_dir

log = logging.getLogger(__name__)


def _item(entry: Entry) -> Any:
    """A new copy of a stored state, with its e_tag."""
    item = decode(entry.state)  # type: ignore[arg-type]
    set_e_tag(item, entry.e_tag)
    return item


class TimerHandle(Protocol):
    def cancel(self) -> None: ...


#: Schedules ``callback`` after ``delay`` seconds; the default is the running loop's
#: ``call_later``. Tests inject one they fire by hand (no sleeping on the wall clock).
Timer = Callable[[float, Callable[[], None]], TimerHandle]


def _loop_timer(delay: float, callback: Callable[[], None]) -> TimerHandle:
    return asyncio.get_running_loop().call_later(delay, callback)


class TinyDBStorage(StateStorage):
    """A botbuilder ``Storage``: one TinyDB file per key under ``folder``, written through a
    group-commit journal.

    Opening replays what a crash left in the journal; ``close()`` (await it) checkpoints the
    journal into the key files, stops the worker threads and releases the folder.
    """

    def __init__(
        self,
        folder: str | os.PathLike[str],
        *,
        max_workers: int = 4,
        cache_size: int = 4096,
        checkpoint_segments: int = 256,
        checkpoint_bytes: int = 8 << 20,
        checkpoint_idle_s: float = 5.0,
        timer: Timer = _loop_timer,
    ) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.journal = self.folder / JOURNAL
        self.journal.mkdir(exist_ok=True)
        self._lock_fd = lock_folder(self.folder)
        self.cache_size = cache_size
        self.checkpoint_segments = checkpoint_segments
        self.checkpoint_bytes = checkpoint_bytes
        self.checkpoint_idle_s = checkpoint_idle_s
        self._timer = timer
        self._idle_timer: TimerHandle | None = None
        self._cache: OrderedDict[str, Entry] = OrderedDict()
        self._batch: dict[str, Entry] = {}
        self._batch_done: asyncio.Future[None] | None = None
        self._committer: asyncio.Task[None] | None = None
        self._checkpointer: asyncio.Task[None] | None = None
        self._checkpoint_lock = asyncio.Lock()
        self._committed_seq = 0
        self._journal_segments = 0
        self._journal_bytes = 0
        self._closed = False
        self.set_aside: set[str] = set()
        #: Why the last journal write failed (disk full, read-only...), None once one succeeds.
        self.write_problem: str | None = None
        #: A failed commit's record that could not be taken back (the file and its acknowledged
        #: size); no commit succeeds until it is.
        self._left_behind: tuple[Path, int] | None = None
        #: The journal file commits are appended to (None: the next commit starts one), whether
        #: a commit is being written to it, and whether a checkpoint asked for a new one after it.
        self._log: JournalFile | None = None
        self._log_busy = False
        self._rotate = False
        #: Journal files no commit goes to any more: a checkpoint deletes them.
        self._sealed: list[JournalFile] = []
        try:
            self._next_seq = self._recover() + 1
        except BaseException:
            os.close(self._lock_fd)
            raise
        self._executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="bot-state")

    # --- botbuilder Storage API ----------------------------------------------------------

    async def read(self, keys: Iterable[str]) -> dict[str, Any]:
        if keys is None:
            raise Exception("Keys are required when reading")
        entries = await self._entries(list(keys))
        return {key: _item(entry) for key, entry in entries.items() if entry.state is not None}

    async def read_encoded(self, key: str) -> tuple[Any, bytes]:
        """``key``'s state (None if absent) and its encoding without its e_tag, as stored:
        a scope compares it with the state's encoding at save, nothing encoded at load."""
        entry = (await self._entries([key]))[key]
        if entry.state is None:
            return None, encode({})
        return _item(entry), entry.state

    async def write(self, changes: Mapping[str, Any]) -> None:
        if changes is None:
            raise Exception("Changes are required when writing")
        if changes:
            await self._write(changes, {})

    async def write_encoded(self, key: str, item: Any, encoded: bytes) -> None:
        """``write({key: item})`` given the encoding of ``item`` without its e_tag, which the
        scope saving it already took to see whether it changed: encoded once, not twice."""
        await self._write({key: item}, {key: encoded})

    async def _write(self, changes: Mapping[str, Any], encoded: Mapping[str, bytes]) -> None:
        self._check_open()
        for key, change in changes.items():
            if get_e_tag(change) == "":
                raise ValueError(f"state write for {key!r}: empty e_tag")
        current = await self._entries(list(changes))
        # Check every key before changing any, so a conflict leaves the whole write undone.
        for key, change in changes.items():
            wanted, stored = get_e_tag(change), current[key]
            if stored.state is not None and wanted not in (None, "*") and wanted != stored.e_tag:
                # NEW_KEY_E_TAG included: the key was created since it was read as absent.
                raise ETagConflictError(
                    f"state for {key!r} changed since it was read (e_tag {wanted!r}, now {stored.e_tag!r})"
                )
        new_tags = {}
        for key, change in changes.items():
            blob = encoded.get(key)
            entry = Entry(uuid.uuid4().hex, blob if blob is not None else encode_state(change))
            self._stage(key, entry, previous=current[key])
            new_tags[key] = entry.e_tag
        await self._commit()
        # Give the caller's object its new e_tag: BotState keeps the dict it saved, and a
        # second save in the same turn must not conflict with the first one.
        for key, e_tag in new_tags.items():
            set_e_tag(changes[key], e_tag)

    async def delete(self, keys: Iterable[str]) -> None:
        keys = list(keys or ())
        if not keys:
            return
        self._check_open()
        current = await self._entries(keys)
        present = [key for key in keys if current[key].state is not None]
        for key in present:
            self._stage(key, Entry(None, None), previous=current[key])
        if present:
            await self._commit()

    async def close(self) -> None:
        """Finish the commits in flight, checkpoint the journal, stop the threads, unlock."""
        if self._closed:
            return
        self._closed = True
        if self._idle_timer is not None:
            self._idle_timer.cancel()
        try:
            for task in (self._committer, self._checkpointer):
                if task is not None:
                    await asyncio.gather(task, return_exceptions=True)
            await self.checkpoint()
        finally:
            self._executor.shutdown(wait=True)
            for journal_file in [*self._sealed, *([self._log] if self._log is not None else [])]:
                close_file(journal_file)
            os.close(self._lock_fd)

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("the bot-state storage is closed")

    # --- paths ----------------------------------------------------------------------------

    def path_for(self, key: str) -> Path:
        """The key file of ``key`` (any string, even one with lone surrogates: it is hashed,
        never used as a name)."""
        return keyfiles.path_for(self.folder, key)

    def take_set_aside(self, key: str) -> bool:
        """True (once) if ``key``'s file could not be read and was set aside since the last call."""
        if key in self.set_aside:
            self.set_aside.discard(key)
            return True
        return False

    async def probe(self) -> str | None:
        """Try a small durable write in the folder: None if it worked, else why not. A success
        also clears :attr:`write_problem` (the disk has room again)."""
        try:
            await self._run(atomic_write_bytes, self.folder / ".probe", b"ok")
        except OSError as exc:
            self.write_problem = f"bot state cannot be written: {exc.strerror or exc}"
            return self.write_problem
        self.write_problem = None
        return None

    @property
    def cached_keys(self) -> int:
        """How many keys this process holds in memory (for tests and diagnostics)."""
        return len(self._cache)

    def segments(self) -> list[Path]:
        """The journal's files, oldest first (each holds one or more commits)."""
        return journal_segments(self.journal)

    # --- the cache ------------------------------------------------------------------------

    async def _entries(self, keys: list[str]) -> dict[str, Entry]:
        """What is stored under each key: from the cache, else from the key files (one trip to
        the storage threads for all the missing keys)."""
        missing = [key for key in keys if key not in self._cache]
        while missing:
            try:
                loaded = await self._run(self._load_entries, missing)
            except OSError as exc:  # the disk or its permissions, not damage: nothing to set aside
                raise StateUnavailableError(f"bot state read failed: {exc.strerror or exc}") from exc
            for key in missing:
                # Another turn may have cached (or written) the key while the file was read:
                # the cache is always the newer of the two.
                if key not in self._cache:
                    self._cache[key] = loaded[key]
            # Another request's eviction may have dropped a (clean) key of ours meanwhile.
            missing = [key for key in keys if key not in self._cache]
        # Every entry is taken AFTER the last await: one taken before it could have been
        # replaced by a write meanwhile, and an e_tag check against it would accept a stale
        # write (the lost-update race of issue 16). The caller checks and stages without
        # awaiting in between.
        found: dict[str, Entry] = {}
        for key in keys:
            self._cache.move_to_end(key)
            found[key] = self._cache[key]
        self._evict()  # only now: no key of this request leaves the cache before it is taken
        return found

    def _evict(self) -> None:
        """Forget the oldest entries whose key file is up to date, beyond ``cache_size``."""
        excess = len(self._cache) - self.cache_size
        if excess <= 0:
            return
        victims = []
        for key, entry in self._cache.items():
            if entry.seq == CLEAN:
                victims.append(key)
                if len(victims) == excess:
                    break
        for key in victims:
            del self._cache[key]

    # --- group commit ---------------------------------------------------------------------

    def _stage(self, key: str, entry: Entry, *, previous: Entry) -> None:
        if self._batch.get(key) is previous:
            # Written twice before one commit: the first value never reaches the disk alone,
            # so a failed commit must go back to what was there before both.
            previous = previous.previous  # type: ignore[assignment]
        entry.seq, entry.previous = PENDING, previous
        self._cache[key] = entry
        self._cache.move_to_end(key)
        self._batch[key] = entry

    async def _commit(self) -> None:
        """Wait until what is staged is on disk, committing it with everything staged meanwhile."""
        if self._batch_done is None:
            self._batch_done = asyncio.get_running_loop().create_future()
        done = self._batch_done
        if self._committer is None:
            self._committer = asyncio.ensure_future(self._commit_batches())
        # shield: a cancelled turn must not cancel the batch other turns wait for.
        await asyncio.shield(done)

    async def _commit_batches(self) -> None:
        """One record per batch; a batch is what was staged while the previous one was written."""
        loop = asyncio.get_running_loop()
        try:
            while self._batch:
                batch, done = self._batch, self._batch_done
                self._batch, self._batch_done = {}, None
                seq = self._next_seq
                self._next_seq += 1
                record = segment_bytes(seq, batch) + b"\n"
                try:
                    if self._left_behind is not None:
                        # Why first: acknowledged commits after it would be replayed on top of a
                        # batch whose turns were told it failed. Refused until it is gone.
                        await loop.run_in_executor(self._executor, cut_back, *self._left_behind)
                        self._left_behind = None
                    if self._log is None:
                        self._log = JournalFile(self._segment_path(seq))
                    # No await between taking the file and marking it busy: a checkpoint seals
                    # (and may delete) only a file no commit is being written to.
                    log_file, self._log_busy = self._log, True
                    try:
                        await loop.run_in_executor(self._executor, append_record, log_file, record)
                    finally:
                        self._log_busy = False
                except Exception as exc:
                    if isinstance(exc, SegmentLeftBehind):
                        self._left_behind = (exc.path, exc.size)
                    if self._log is not None and self._log.fd is None:
                        # The failed write closed it: the next commit starts a new file; what
                        # this one holds (acknowledged commits) goes at the next checkpoint.
                        if self._log.size:
                            self._sealed.append(self._log)
                        self._log, self._rotate = None, False
                    log.error("bot state: could not write journal record %s: %s", seq, clean(exc))
                    self.write_problem = f"bot state cannot be written: {getattr(exc, 'strerror', None) or exc}"
                    self._roll_back(batch)
                    assert done is not None
                    done.set_exception(exc)
                    continue
                if self._rotate:
                    self._rotate = False
                    self._sealed.append(log_file)
                    self._log = None
                self.write_problem = None
                for entry in batch.values():
                    entry.seq, entry.previous = seq, None
                self._committed_seq = seq
                log_file.commits += 1
                self._journal_segments += 1
                self._journal_bytes += len(record)
                assert done is not None
                done.set_result(None)
                if self._closed:
                    continue
                if self._journal_segments >= self.checkpoint_segments or self._journal_bytes >= self.checkpoint_bytes:
                    self._start_checkpoint()
                else:
                    self._arm_idle_timer()
        finally:
            self._committer = None

    def _roll_back(self, batch: dict[str, Entry]) -> None:
        """A batch that never reached the disk: its keys go back to what they held before."""
        for key, entry in batch.items():
            entry.seq = FAILED
            if self._cache.get(key) is entry:
                previous = entry.previous
                while previous is not None and previous.seq == FAILED:
                    previous = previous.previous
                self._cache[key] = previous if previous is not None else Entry(None, None)

    def _segment_path(self, seq: int) -> Path:
        return segment_path(self.journal, seq)

    # --- checkpoints ------------------------------------------------------------------------

    def _arm_idle_timer(self) -> None:
        """Checkpoint ``checkpoint_idle_s`` after the last commit. A quiet bot (an admin's few
        questions a day) gets its key files up to date soon, not at the 256th commit or at
        shutdown; re-armed on every commit, and after a checkpoint that left segments behind
        (commits that landed while it ran), so the journal never stays unchecked once load stops."""
        if self._closed:
            return
        if self._idle_timer is not None:
            self._idle_timer.cancel()
        self._idle_timer = self._timer(self.checkpoint_idle_s, self._idle_checkpoint)

    def _idle_checkpoint(self) -> None:
        self._idle_timer = None
        if not self._closed:
            self._start_checkpoint()

    def _start_checkpoint(self) -> None:
        if self._idle_timer is not None:
            self._idle_timer.cancel()
            self._idle_timer = None
        if self._checkpointer is None:
            self._checkpointer = asyncio.ensure_future(self._checkpoint_logged())

    async def _checkpoint_logged(self) -> None:
        done = False
        try:
            await self.checkpoint()
            done = True
        except Exception as exc:
            log.error("bot state: checkpoint failed, the journal keeps the changes: %s", clean(exc))
        finally:
            self._checkpointer = None
            if self._journal_segments and not self._closed:
                # Commits that landed while it ran could not start one; if they filled the
                # journal again, go on now rather than at the idle timer (a failed one waits).
                # Not while the file it had to keep is still being written to (``_rotate``): that
                # commit starts the next checkpoint when it lands (the journal is full), rather
                # than checkpoints finding the same busy file over and over meanwhile.
                full = (
                    self._journal_segments >= self.checkpoint_segments or self._journal_bytes >= self.checkpoint_bytes
                )
                if done and full and not self._rotate:
                    self._start_checkpoint()
                else:
                    self._arm_idle_timer()

    async def checkpoint(self) -> None:
        """Copy every committed change to its key file, then drop the journal files it covered."""
        async with self._checkpoint_lock:
            upto = self._committed_seq
            dirty = []
            for key, cached in self._cache.items():
                # The newest *committed* value: a write staged or in flight on top of it is not
                # on disk yet, and the file holding this one is about to be deleted.
                entry: Entry | None = cached
                while entry is not None and entry.seq < CLEAN:
                    entry = entry.previous
                if entry is not None and CLEAN < entry.seq <= upto:
                    dirty.append((key, entry))
            if self._log is not None:
                if self._log_busy:
                    # A commit (newer than ``upto``) is being appended to it: it stays until the
                    # next checkpoint, and the commit after that one starts a new file.
                    self._rotate = True
                else:
                    self._sealed.append(self._log)
                    self._log = None
            files = list(self._sealed)
            if not dirty and not files:
                return
            await self._run(self._checkpoint_sync, dirty, files)
            self._sealed = [f for f in self._sealed if f not in files]
            # What the journal still holds on disk: a file kept for a commit in flight counts
            # until a checkpoint drops it (at once when it is full: ``_checkpoint_logged``).
            self._journal_segments -= sum(f.commits for f in files)
            self._journal_bytes -= sum(f.size for f in files)
            for key, entry in dirty:
                if self._cache.get(key) is entry:
                    entry.seq = CLEAN
            self._evict()

    def _checkpoint_sync(self, dirty: list[tuple[str, Entry]], files: list[JournalFile]) -> None:
        for key, entry in dirty:
            self._write_key_file(key, entry.e_tag, entry.state)
        # Every record of these files is at most ``upto``: each was sealed while no commit was
        # being written to it, so all it holds was acknowledged (or taken back) by then.
        for journal_file in files:
            close_file(journal_file)
            journal_file.path.unlink(missing_ok=True)
        fsync_dir(self.journal)

    # --- files, on the storage threads (or at open) ------------------------------------------

    async def _run(self, func: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._executor, func, *args)

    def _load_entries(self, keys: list[str]) -> dict[str, Entry]:
        loaded = {}
        for key in keys:
            path = self.path_for(key)
            try:
                doc = keyfiles.load(path)
                if doc is None or doc.get("key") != key:
                    loaded[key] = Entry(None, None)
                else:
                    loaded[key] = Entry(doc["e_tag"], encode(Unpickler(keys=True).restore(doc["state"])))
            except OSError:
                raise  # not damage: the disk or its permissions; the turn fails and says so
            except Exception as exc:
                self._set_aside_file(key, path, exc)
                loaded[key] = Entry(None, None)
        return loaded

    def _set_aside_file(self, key: str, path: Path, exc: Exception) -> None:
        aside = path.with_name(f"{path.name}.bad")
        os.replace(path, aside)
        fsync_dir(path.parent)
        self.set_aside.add(key)
        log.error(
            "bot state: the file of key %s is unreadable (%s: %s); set aside as %s, the key starts over",
            clean(key),
            type(exc).__name__,
            clean(exc),
            aside.name,
        )

    def _write_key_file(self, key: str, e_tag: str | None, state: bytes | None) -> None:
        keyfiles.write_key_file(self.path_for(key), key, e_tag, state)

    def _recover(self) -> int:
        """Replay the commits a crash left in the journal into the key files; return the last seq.

        A record whose write returned is whole (fsynced before the commit was acknowledged), so
        it replays as is; a leftover temporary file (a key file's, or a segment's as an earlier
        version wrote them) never was one and goes. The newest file's last line torn by a crash
        mid-commit (:func:`bot.state.journal.append_record`,
        :func:`bot.state.journal.is_torn_segment`) was never acknowledged: dropped, with a
        warning. A file with any other line that does not parse is set aside as ``bad-<name>``
        (its whole records replayed) and logged rather than blocking the bot's start.
        """
        segments = self.segments()
        # Temporary files are what a kill left mid-write (in the journal, or in a key folder
        # mid-checkpoint, which only an unclean stop leaves): never a segment or a key file.
        for leftover in self.journal.glob(".*.tmp"):
            leftover.unlink()
        if segments:
            for leftover in self.folder.glob("[0-9a-f][0-9a-f]/.*.tmp"):
                leftover.unlink()
        newest: Changes = {}
        last_seq, commits = 0, 0
        for segment in segments:
            read = read_journal_file(segment.read_bytes())
            for seq, changes in read.records:
                newest.update(changes)
                last_seq = max(last_seq, seq)
            commits += len(read.records)
            last_seq = max(last_seq, int(segment.stem))
            damage = read.damage
            if read.tail is not None and damage is None:
                expected = read.records[-1][0] + 1 if read.records else int(segment.stem)
                if segment == segments[-1] and is_torn_segment(read.tail, expected):
                    log.warning(
                        "bot state: journal file %s: its last commit was cut short by an unclean stop; "
                        "dropped (it never returned: no turn was told it was saved)",
                        segment.name,
                    )
                    continue  # unlinked below with the others
                damage = "its last line is no whole record"
            if damage is not None:
                log.error("bot state: journal file %s is unreadable (%s); set aside", segment.name, damage)
                segment.rename(segment.with_name(f"bad-{segment.name}"))
        for key, (e_tag, state) in newest.items():
            self._write_key_file(key, e_tag, state)
        for segment in segments:
            segment.unlink(missing_ok=True)
        if segments:
            fsync_dir(self.journal)
            log.warning(
                "bot state: replayed %d journal commit(s) from %d file(s), %d key(s), left by an unclean stop",
                commits,
                len(segments),
                len(newest),
            )
        return last_seq
