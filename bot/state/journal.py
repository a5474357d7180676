"""The local backend's journal: what this process knows of each key (:class:`Entry`), and the
segment files a group commit writes (``state/journal/<seq>.json``: one per batch of changes,
each value base64 of its :mod:`~bot.state.codec` encoding) and recovery reads back."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path

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
