"""The local backend's journal: what this process knows of each key (:class:`Entry`), and the
segment files a group commit writes (``state/journal/<seq>.json``: one per batch of changes,
each value base64 of its :mod:`~bot.state.codec` encoding) and recovery reads back."""

from __future__ import annotations

import base64
import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from knowledge.store.atomic import fsync_dir

JOURNAL = "journal"

#: ``Entry.seq`` values that are not journal segments.
CLEAN = 0  # what the key file holds
PENDING = -1  # accepted, its segment not yet on disk
FAILED = -2  # its segment could not be written: never on disk


@dataclass(slots=True, eq=False)
class Entry:
    """What this process knows of one key: its e_tag and encoded value (:func:`bot.state.codec.encode`), or absent."""

    e_tag: str | None
    state: bytes | None  # None: no such key (never written, or deleted)
    seq: int = CLEAN  # the journal segment holding it, or one of the markers above
    previous: Entry | None = None  # what it replaced, restored if its segment fails


def segment_bytes(seq: int, batch: dict[str, Entry]) -> bytes:
    """One journal segment; each value is serialized once, when it was staged."""
    changes = []
    for key, entry in batch.items():
        if entry.state is None:
            changes.append(f'{{"key":{json.dumps(key)},"deleted":true}}')
        else:
            value = base64.b64encode(entry.state).decode("ascii")
            changes.append(f'{{"key":{json.dumps(key)},"e_tag":"{entry.e_tag}","value":"{value}"}}')
    return f'{{"seq":{seq},"changes":[{",".join(changes)}]}}'.encode()


def write_segment(path: Path, payload: bytes) -> None:
    """Write a new segment in place, durably: create it (never over an existing file), write,
    fsync, then fsync the folder so that its name is on disk too.

    Why not a temporary file renamed into place (``knowledge.store.atomic.atomic_write_bytes``,
    which every other file here uses): a segment is always a new name, never a replacement, so
    the rename buys nothing but its cost, and a commit pays it on every state-changing turn
    (ext4, a 3 KB segment: 0.45 ms CPU written in place vs 0.7-0.9 ms through a temporary file).
    What a crash mid-write can leave is a torn segment: only ever the newest one (one commit is
    written at a time), whose write never returned, so no turn was told it was saved; it does not
    parse (a prefix of a JSON object never does), and opening the folder drops it
    (:func:`is_torn_segment`, :meth:`bot.state.local.TinyDBStorage._recover`). A write that
    fails (disk full, the file's or the folder's fsync) removes what it wrote; if even that
    fails (the disk remounted read-only) it raises :class:`SegmentLeftBehind`: a segment, maybe
    whole, of a commit that failed is on disk, and opening the folder would replay it.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        try:
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        fsync_dir(path.parent)
    except BaseException as exc:
        try:
            remove_segment(path)
        except OSError as cleanup:
            raise SegmentLeftBehind(path, exc, cleanup) from exc
        raise


class SegmentLeftBehind(OSError):
    """A segment write failed and its file could not be removed (``path``): until it is, no
    later commit may be acknowledged (:meth:`bot.state.local.TinyDBStorage._commit_batches`)."""

    def __init__(self, path: Path, failure: BaseException, cleanup: OSError) -> None:
        super().__init__(
            cleanup.errno,
            f"journal segment {path.name} failed ({failure}) and could not be removed ({cleanup.strerror or cleanup})",
        )
        self.path = path


def remove_segment(path: Path) -> None:
    """Remove ``path`` (if it is there) durably: the folder fsynced after."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    fsync_dir(path.parent)


def is_torn_segment(payload: bytes, seq: int) -> bool:
    """Whether ``payload``, which does not parse, is what a crash in the middle of writing
    segment ``seq`` leaves: nothing yet, or the start of that very segment (NULs where data had
    not reached the disk), short of its end. Anything else (another segment's bytes, text that is
    no segment, a whole segment damaged inside) is damage, not a cut-short commit."""
    data = payload.rstrip(b"\0")
    head = f'{{"seq":{seq},"changes":['.encode()
    return (data.startswith(head) and not data.endswith(b"]}")) or head.startswith(data)


def segment_path(journal: Path, seq: int) -> Path:
    return journal / f"{seq:012d}.json"


def segments(journal: Path) -> list[Path]:
    """The journal's segments, oldest first."""
    return sorted(p for p in journal.glob("*.json") if p.stem.isdigit())


def parse_segment(payload: bytes) -> dict[str, tuple[str | None, bytes | None]]:
    """key -> (e_tag, encoded value, or None for a delete). Raises ValueError, KeyError or
    TypeError on a segment that does not parse."""
    return {
        change["key"]: (
            change.get("e_tag"),
            None if change.get("deleted") else base64.b64decode(change["value"], validate=True),
        )
        for change in json.loads(payload)["changes"]
    }
