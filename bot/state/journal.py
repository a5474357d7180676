"""The local backend's journal: what this process knows of each key (:class:`Entry`), and the
files a group commit appends to (``state/journal/<seq>.json``, named after the first commit they
hold: one record per batch of changes, a line each, each value base64 of its
:mod:`~bot.state.codec` encoding) and recovery reads back."""

from __future__ import annotations

import base64
import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from knowledge.store.atomic import fsync_dir

JOURNAL = "journal"

#: ``Entry.seq`` values that are not journal records.
CLEAN = 0  # what the key file holds
PENDING = -1  # accepted, its record not yet on disk
FAILED = -2  # its record could not be written: never on disk

#: One change set: key -> (e_tag, encoded value, or None for a delete).
Changes = dict[str, tuple[str | None, bytes | None]]


@dataclass(slots=True, eq=False)
class Entry:
    """What this process knows of one key: its e_tag and encoded value (:func:`bot.state.codec.encode`), or absent."""

    e_tag: str | None
    state: bytes | None  # None: no such key (never written, or deleted)
    seq: int = CLEAN  # the journal record holding it, or one of the markers above
    previous: Entry | None = None  # what it replaced, restored if its record fails


def segment_bytes(seq: int, batch: dict[str, Entry]) -> bytes:
    """One commit's record (without its line end); each value is serialized once, when it was
    staged. ``json.dumps`` escapes every control character and base64 has none: a record never
    holds a newline, so records are lines."""
    changes = []
    for key, entry in batch.items():
        if entry.state is None:
            changes.append(f'{{"key":{json.dumps(key)},"deleted":true}}')
        else:
            value = base64.b64encode(entry.state).decode("ascii")
            changes.append(f'{{"key":{json.dumps(key)},"e_tag":"{entry.e_tag}","value":"{value}"}}')
    return f'{{"seq":{seq},"changes":[{",".join(changes)}]}}'.encode()


@dataclass(slots=True, eq=False)
class JournalFile:
    """The journal file commits are appended to. ``size``: the bytes of its whole, acknowledged
    records, ``commits`` how many; ``fd``: open while commits go to it (the storage threads only)."""

    path: Path
    fd: int | None = None
    size: int = 0
    commits: int = 0


def append_record(log: JournalFile, record: bytes) -> None:
    """Append one commit's record (a line) to ``log``, durably, on a storage thread.

    Why one file for many commits, not a new file per commit (as until issue 14's ``turnpath``
    round): creating a file costs far more CPU than writing to one on this ext4 (a 3 KB commit,
    400 in a row: create + write + fsync + folder fsync 1.1-1.2 ms, append + fsync 0.07-0.09
    ms), and a state-changing turn (every purchase step) paid it. The first record of a file
    creates it (never over an existing name) and fsyncs its folder too, so that the name is on
    disk; the others are written at its end and fsynced.

    What a crash mid-write can leave is a torn last line: only ever in the newest file (one
    commit is written at a time), whose write never returned, so no turn was told it was saved;
    it does not parse (a prefix of a JSON object never does), and opening the folder drops it
    (:func:`is_torn_segment`, :meth:`bot.state.local.TinyDBStorage._recover`). A write that fails
    (disk full, the fsync) takes back what it wrote: the file cut back to its acknowledged size
    (or removed if the record was its first), the file closed (the next commit starts a new
    one: no write follows a failed fsync in the same file). If even that fails (the disk
    remounted read-only) it raises :class:`SegmentLeftBehind`: a record, maybe whole, of a
    commit that failed is on disk, and opening the folder would replay it.
    """
    new = log.fd is None
    if new:
        log.fd = os.open(log.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    fd = log.fd
    assert fd is not None
    try:
        view = memoryview(record)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
        if new:
            fsync_dir(log.path.parent)
    except BaseException as exc:
        log.fd = None
        try:
            try:
                if log.size:
                    os.ftruncate(fd, log.size)
                    os.fsync(fd)
            finally:
                os.close(fd)
            if not log.size:
                remove_segment(log.path)
        except OSError as cleanup:
            raise SegmentLeftBehind(log.path, log.size, exc, cleanup) from exc
        raise
    log.size += len(record)


def close_file(log: JournalFile) -> None:
    """Close ``log``'s descriptor if it is open (a storage thread)."""
    fd, log.fd = log.fd, None
    if fd is not None:
        os.close(fd)


class SegmentLeftBehind(OSError):
    """A record's write failed and could not be taken back: ``path`` holds more than its
    acknowledged ``size`` (0: the file should not exist). Until :func:`cut_back` succeeds, no
    later commit may be acknowledged (:meth:`bot.state.local.TinyDBStorage._commit_batches`)."""

    def __init__(self, path: Path, size: int, failure: BaseException, cleanup: OSError) -> None:
        super().__init__(
            cleanup.errno,
            f"journal file {path.name}: a commit failed ({failure}) and could not be removed "
            f"({cleanup.strerror or cleanup})",
        )
        self.path = path
        self.size = size


def cut_back(path: Path, size: int) -> None:
    """Take back what a failed commit left in ``path``: cut it to ``size`` bytes (durably), or
    remove it if that is 0. A file already gone (a checkpoint dropped it) needs nothing."""
    if not size:
        remove_segment(path)
        return
    try:
        fd = os.open(path, os.O_WRONLY)
    except FileNotFoundError:
        return
    try:
        os.ftruncate(fd, size)
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_segment(path: Path) -> None:
    """Remove ``path`` (if it is there) durably: the folder fsynced after."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    fsync_dir(path.parent)


def is_torn_segment(payload: bytes, seq: int) -> bool:
    """Whether ``payload`` (a journal file's last line, unterminated and not parsing) is what a
    crash in the middle of writing record ``seq`` leaves: nothing yet, or the start of that very
    record (NULs where data had not reached the disk), short of its end. Anything else (another
    record's bytes, text that is no record, a whole record damaged inside) is damage, not a
    cut-short commit."""
    data = payload.rstrip(b"\0")
    head = f'{{"seq":{seq},"changes":['.encode()
    return (data.startswith(head) and not data.endswith(b"]}")) or head.startswith(data)


def segment_path(journal: Path, seq: int) -> Path:
    return journal / f"{seq:012d}.json"


def segments(journal: Path) -> list[Path]:
    """The journal's files, oldest first."""
    return sorted(p for p in journal.glob("*.json") if p.stem.isdigit())


def parse_segment(payload: bytes) -> Changes:
    """One record's changes. Raises ValueError, KeyError or TypeError on a record that does not
    parse."""
    return parse_record(payload)[1]


def parse_record(payload: bytes) -> tuple[int, Changes]:
    """(seq, changes) of one record. Raises ValueError, KeyError or TypeError if it does not parse."""
    record = json.loads(payload)
    changes = {
        change["key"]: (
            change.get("e_tag"),
            None if change.get("deleted") else base64.b64decode(change["value"], validate=True),
        )
        for change in record["changes"]
    }
    seq = record["seq"]
    if type(seq) is not int:
        raise TypeError(f"seq {seq!r} is not a number")
    return seq, changes


@dataclass(slots=True)
class ReadBack:
    """A journal file read back: its whole records in order, its unterminated last line if that
    does not parse (a torn commit, or damage), and the first damage among its lines."""

    records: list[tuple[int, Changes]]
    tail: bytes | None
    damage: str | None


def read_journal_file(payload: bytes) -> ReadBack:
    """Every record of a journal file. A last line without its line end that parses is whole (an
    older version wrote one record per file, unterminated); one that does not is ``tail``."""
    lines = payload.split(b"\n")
    last = lines.pop()
    records: list[tuple[int, Changes]] = []
    damage = None
    for line in lines:
        try:
            records.append(parse_record(line))
        except (ValueError, KeyError, TypeError) as exc:
            damage = damage or f"record {len(records) + 1}: {exc}"
    tail = None
    if last:
        try:
            records.append(parse_record(last))
        except (ValueError, KeyError, TypeError):
            tail = last
    return ReadBack(records, tail, damage)
