"""The local backend's key files: one TinyDB database per key (``state/<xx>/<sha256>.json``,
one document: the key, its e_tag and its value as jsonpickle JSON), written atomically (temp
file, fsync, rename, folder fsync) by checkpoints and recovery."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.table import Document

from bot.state.codec import flatten
from knowledge.store.atomic import AtomicJSONStorage, fsync_dir

#: The one document of each key file.
_DOC_ID = 1
_TABLE = "state"


def path_for(folder: Path, key: str) -> Path:
    """The key file of ``key`` (any string, even one with lone surrogates: it is hashed,
    never used as a name)."""
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    return folder / digest[:2] / f"{digest}.json"


def load(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    return TinyDB(path, storage=AtomicJSONStorage).table(_TABLE).get(doc_id=_DOC_ID)


def write_key_file(path: Path, key: str, e_tag: str | None, state: bytes | None) -> None:
    """The key's committed value (None: deleted) in its file."""
    if state is None:
        try:
            path.unlink()
        except FileNotFoundError:
            return
        fsync_dir(path.parent)
        return
    doc = {"key": key, "e_tag": e_tag, "state": flatten(state)}
    table = TinyDB(path, storage=AtomicJSONStorage).table(_TABLE)
    if table.contains(doc_id=_DOC_ID):
        table.update(doc, doc_ids=[_DOC_ID])
    else:
        table.insert(Document(doc, doc_id=_DOC_ID))
