"""Applies import batches to one tenant: new data files first, the summary rename last.

Order of a batch (see :mod:`knowledge.store.layout` for why):

1. drop calls whose id or match key is already committed (the per-chunk ``.ids`` sidecars) or
   repeated in the batch: the id catches a file imported twice, the match key
   (:attr:`CallRecord.match_key`) the same call imported from the TAC export and from Graph;
2. write the new calls as *new* TinyDB chunk files (a partly full chunk is copied with the new
   rows to a new name, never modified) and their ``.ids`` sidecars, each atomically;
3. add the batch's usage to the monthly totals (:func:`knowledge.pools.usage_from_calls`);
4. replace ``summary.json`` atomically: the commit. Only now do the new files count;
5. delete the files the new summary no longer lists.

A kill before step 4 leaves orphan files that no summary names; :meth:`TenantWriter.__init__`
removes them (it runs under the writer lock, so no other writer is mid-batch). Readers never
see half a batch: they follow the summary, which is either the old one or the new one.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter
from tinydb import TinyDB

from knowledge import pools
from knowledge.clock import Clock, system_clock
from knowledge.clock import month_of as month_string
from knowledge.store.atomic import AtomicJSONStorage, atomic_write_bytes
from knowledge.store.key_index import KeyIndex
from knowledge.store.layout import (
    CHUNK_ROWS,
    Chunk,
    Layout,
    TenantSummary,
    ids_name,
    read_summary,
    write_summary,
)
from knowledge.store.records import CallRecord, UserRecord

CALLS_TABLE = "calls"
USERS_TABLE = "users"
#: The line of a ``.ids`` sidecar between the ids and the match keys (a space: never an id).
_MATCH_MARKER = "# match keys"

#: Test hook: ``CALLPLAN_STORE_KILL_AT=before-commit:3`` SIGKILLs the process the third time
#: a batch is about to commit (its data files written, its summary not yet). Lets a test kill a
#: real import at the worst moment, deterministically.
KILL_AT_ENV = "CALLPLAN_STORE_KILL_AT"
_checkpoint_counts: dict[str, int] = defaultdict(int)


def checkpoint(name: str) -> None:
    """A named point in a batch, for crash tests (env hook above, or monkeypatch this)."""
    target = os.environ.get(KILL_AT_ENV)
    if not target:
        return
    point, _, count = target.partition(":")
    if point != name:
        return
    _checkpoint_counts[name] += 1
    if _checkpoint_counts[name] >= int(count or 1):
        os.kill(os.getpid(), signal.SIGKILL)


_CHUNK_FILE = TypeAdapter(dict[str, dict[str, CallRecord]])


def calls_document(calls: list[CallRecord]) -> bytes:
    """A new chunk: TinyDB's format (table ``calls``, doc ids 1..n), as bytes.

    Why not ``Table.insert_multiple``: for a *new* file TinyDB would only build this same dict
    and hand it to the storage; serializing the models straight to JSON in one pydantic-core
    pass is 4x cheaper than model -> dict -> TinyDB -> JSON, and the import's hot path is
    here. Reads go through TinyDB (:func:`read_table`).
    """
    document = {CALLS_TABLE: {str(n): call for n, call in enumerate(calls, start=1)}}
    return _CHUNK_FILE.dump_json(document, exclude_none=True)


def write_calls(path: Path, calls: list[CallRecord]) -> None:
    """A new chunk file (:func:`calls_document`), written atomically."""
    atomic_write_bytes(path, calls_document(calls))


def month_of(call: CallRecord) -> str:
    """``call.month`` without ``strftime`` (this runs once per imported row)."""
    start = call.start
    return f"{start.year:04d}-{start.month:02d}"


def write_table(path: Path, table: str, docs: list[dict[str, Any]]) -> None:
    """A new TinyDB file holding ``docs``, written in one atomic replace."""
    db = TinyDB(path, storage=AtomicJSONStorage)
    try:
        db.table(table).insert_multiple(docs)
    finally:
        db.close()


def read_table(path: Path, table: str) -> list[dict[str, Any]]:
    """Every document of a TinyDB file (raises FileNotFoundError if it is gone)."""
    if not path.is_file():
        raise FileNotFoundError(path)
    db = TinyDB(path, storage=AtomicJSONStorage)
    try:
        return [dict(doc) for doc in db.table(table).all()]
    finally:
        db.close()


def _keys(calls: Iterable[CallRecord], matches: dict[str, str] | None = None) -> list[str]:
    """A chunk's sidecar lines: every id, the marker, every match key (from ``matches`` when
    the duplicate check already computed it)."""
    calls = list(calls)
    known = matches or {}
    keys = [k for call in calls if (k := known.get(call.id) or call.match_key)]
    return [call.id for call in calls] + [_MATCH_MARKER] + keys


class TenantWriter:
    """Batches for one tenant. Create it, and use it, only while holding the writer lock.

    Files are named relative to the tenant folder (``calls/<month>/<chunk>``); the methods
    under "storage" are the only ones that touch them, so the same batch logic also commits to
    an object store (:class:`knowledge.store.shared.SharedTenantWriter`).
    """

    def __init__(self, layout: Layout, tenant_id: str, clock: Clock = system_clock) -> None:
        self.dir = layout.tenant_dir(tenant_id)
        self.summary_path = layout.summary_path(tenant_id)
        self._start(tenant_id, clock)

    def _start(self, tenant_id: str, clock: Clock) -> None:
        self.tenant_id = tenant_id
        #: Stamps commits and decides the month a roster import sizes (the store's clock).
        self.clock = clock
        self.summary = self._load_summary()
        self._keys = KeyIndex(self._committed_keys)
        self.collect_garbage()

    def close(self) -> None:
        """Free the duplicate-check index (a temporary database once an import is large)."""
        self._keys.close()

    # --- calls ---------------------------------------------------------------------------

    def add_calls(self, calls: Iterable[CallRecord]) -> tuple[int, int]:
        """Commit one batch of calls; returns (imported, duplicates)."""
        keyed = [(call, month_of(call), call.match_key) for call in calls]
        wanted: dict[str, list[str]] = defaultdict(list)
        for call, month, match in keyed:
            wanted[month].append(call.id)
            if match is not None:
                wanted[month].append(match)
        committed = {month: self._keys.present(month, keys) for month, keys in wanted.items()}

        fresh: dict[str, dict[str, CallRecord]] = defaultdict(dict)
        matches: dict[str, str] = {}  # id -> match key, of the calls kept
        batch_keys: set[str] = set()
        duplicates = 0
        for call, month, match in keyed:
            ident = call.id
            known = committed[month]
            if ident in known or ident in fresh[month]:
                duplicates += 1
                continue
            if match is not None:
                if match in known or match in batch_keys:
                    duplicates += 1
                    continue
                batch_keys.add(match)
                matches[ident] = match
            fresh[month][ident] = call
        fresh = {month: batch for month, batch in fresh.items() if batch}
        if not fresh:
            return 0, duplicates

        summary = self.summary.model_copy(deep=True)
        summary.generation += 1
        replaced: list[str] = []
        newest = max(call.start for batch in fresh.values() for call in batch.values())
        summary.newest_call = max(newest, summary.newest_call) if summary.newest_call else newest
        _note_kinds(summary, {call.source for batch in fresh.values() for call in batch.values()})
        for month, batch in sorted(fresh.items()):
            replaced += self._write_month(summary, month, list(batch.values()), matches)
            month_usage = summary.usage.setdefault(month, {})
            for key, total in pools.usage_from_calls(batch.values(), month).items():
                name = key.as_str()
                if name in month_usage:
                    total = pools.UsageTotal.model_validate(month_usage[name]).merge(total)
                month_usage[name] = total.model_dump(mode="json")

        self._commit(summary, replaced)
        for month, batch in fresh.items():
            self._keys.add(month, _keys(batch.values(), matches))
        return sum(len(batch) for batch in fresh.values()), duplicates

    def _write_month(
        self, summary: TenantSummary, month: str, calls: list[CallRecord], matches: dict[str, str]
    ) -> list[str]:
        """Write ``calls`` into new chunk files of ``month``; returns the files they replace."""
        folder = f"calls/{month}"
        chunks = summary.chunks.setdefault(month, [])
        replaced: list[str] = []
        part = 0
        if chunks and chunks[-1].rows < CHUNK_ROWS:
            last = chunks.pop()
            room = CHUNK_ROWS - last.rows
            old_name = f"{folder}/{last.name}"
            old_calls = [CallRecord.model_validate(doc) for doc in self._read_docs(old_name, CALLS_TABLE)]
            chunk = self._write_chunk(folder, summary.generation, part, old_calls + calls[:room], matches)
            chunks.append(chunk)
            replaced += [old_name, f"{folder}/{ids_name(last.name)}"]
            calls, part = calls[room:], part + 1
        for start in range(0, len(calls), CHUNK_ROWS):
            chunks.append(
                self._write_chunk(folder, summary.generation, part, calls[start : start + CHUNK_ROWS], matches)
            )
            part += 1
        return replaced

    def _write_chunk(
        self, folder: str, generation: int, part: int, calls: list[CallRecord], matches: dict[str, str]
    ) -> Chunk:
        name = self._chunk_name(generation, part)
        self._write_new(f"{folder}/{name}", calls_document(calls))
        self._write_new(f"{folder}/{ids_name(name)}", "\n".join(_keys(calls, matches)).encode("utf-8"))
        return Chunk(name=name, rows=len(calls))

    def _committed_keys(self, month: str) -> Iterator[str]:
        """Ids and match keys already committed for ``month``, from the chunks' sidecars (read
        once per writer, by :class:`KeyIndex`). A sidecar written before match keys existed (no
        marker line) lists ids only: its chunk's keys are computed from the calls, so old
        imports still match new ones."""
        folder = f"calls/{month}"
        for chunk in self.summary.chunks.get(month, ()):
            lines = self._read_bytes(f"{folder}/{ids_name(chunk.name)}").decode("utf-8").split("\n")
            if _MATCH_MARKER not in lines:
                docs = self._read_docs(f"{folder}/{chunk.name}", CALLS_TABLE)
                lines = _keys(CallRecord.model_validate(doc) for doc in docs)
            yield from lines

    # --- users ---------------------------------------------------------------------------

    def current_users(self) -> dict[str, UserRecord]:
        if not self.summary.users_file:
            return {}
        docs = self._read_docs(self.summary.users_file, USERS_TABLE)
        return {doc["upn"]: UserRecord.model_validate(doc) for doc in docs}

    def merge_users(self, users: Iterable[UserRecord]) -> tuple[int, int]:
        """Add or update users by UPN in one commit; returns (new or changed, unchanged).

        A roster is applied whole (one batch), so pool sizes never reflect half a roster.
        Users missing from a later roster are kept: a roster may cover part of a tenant. An
        empty display name or object id (the plain roster has neither) keeps the known one.
        """
        merged = self.current_users()
        changed = unchanged = 0
        for user in users:
            known = merged.get(user.upn)
            if known is not None:
                # A plain roster has no name or object id columns: keep what we know.
                user = user.model_copy(
                    update={
                        "display_name": user.display_name or known.display_name,
                        "object_id": user.object_id or known.object_id,
                    }
                )
            if known == user:
                unchanged += 1
            else:
                merged[user.upn] = user
                changed += 1
        if not changed:
            return 0, unchanged

        summary = self.summary.model_copy(deep=True)
        summary.generation += 1
        name = self._users_name(summary.generation)
        ordered = sorted(merged.values(), key=lambda u: u.upn)
        self._write_users(name, [u.model_dump(mode="json") for u in ordered])
        replaced = [summary.users_file] if summary.users_file else []
        summary.users_file = name
        summary.user_count = len(ordered)
        # History: this month's pools are sized by this roster; earlier months keep theirs.
        summary.roster_sizes[month_string(self.clock())] = {
            key.as_str(): size.model_dump(mode="json") for key, size in pools.pool_sizes(ordered).items()
        }
        _note_kinds(summary, {"roster"})
        self._commit(summary, replaced)
        return changed, unchanged

    # --- storage: names, reads, writes, the commit (overridden by the object-store writer) ----

    def _chunk_name(self, generation: int, part: int) -> str:
        return f"c{generation:08d}-{part}.json"

    def _users_name(self, generation: int) -> str:
        return f"users-{generation:08d}.json"

    def _load_summary(self) -> TenantSummary:
        return read_summary(self.summary_path, self.tenant_id)

    def _read_docs(self, name: str, table: str) -> list[dict[str, Any]]:
        return read_table(self.dir / name, table)

    def _read_bytes(self, name: str) -> bytes:
        return (self.dir / name).read_bytes()

    def _write_new(self, name: str, payload: bytes) -> None:
        atomic_write_bytes(self.dir / name, payload)

    def _write_users(self, name: str, docs: list[dict[str, Any]]) -> None:
        write_table(self.dir / name, USERS_TABLE, docs)

    def _remove(self, name: str) -> None:
        _unlink(self.dir / name)

    def _commit(self, summary: TenantSummary, replaced: list[str]) -> None:
        checkpoint("before-commit")
        write_summary(self.summary_path, summary, self.clock())
        self.summary = summary
        for name in replaced:
            self._remove(name)

    def collect_garbage(self) -> None:
        """Remove files no committed summary lists: leftovers of a killed batch."""
        if not self.dir.is_dir():
            return
        keep = self.summary.files()
        for path in self.dir.glob("users-*.json"):
            if path.name not in keep:
                _unlink(path)
        for path in self.dir.glob(".*.tmp"):
            _unlink(path)
        calls_dir = self.dir / "calls"
        if calls_dir.is_dir():
            for month_dir in calls_dir.iterdir():
                for path in month_dir.iterdir():
                    if f"calls/{month_dir.name}/{path.name}" not in keep:
                        _unlink(path)
                if month_dir.name not in self.summary.chunks:
                    with contextlib.suppress(OSError):
                        month_dir.rmdir()


def _note_kinds(summary: TenantSummary, kinds: set[str]) -> None:
    """Add the kinds of file a batch came from to the summary's provenance."""
    summary.source_kinds = sorted(set(summary.source_kinds) | kinds)


def _unlink(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
