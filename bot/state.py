"""Bot state (dialog stacks, per-user data) in small TinyDB files under ``DATA_DIR/state``.

Why one file per storage key: a turn reads and writes its own conversation's and user's
state only. With a single TinyDB file every write would re-serialize every conversation
(TinyDB rewrites the whole file), so the 10,000th conversation would be slow; here a write
touches one small file whatever the number of conversations (``bench/bench_turn.py``
measures it). Files are spread over 256 sub-folders by the first byte of the key's SHA-256,
so no folder grows huge.

Why :class:`~knowledge.atomic.AtomicJSONStorage`: each write goes to a temporary file that is
fsynced and renamed over the old one, so a crash or kill mid-write leaves the previous state
readable, never half a file.

Why a dedicated thread pool: file I/O and fsync block; running them on the event loop would
stall every other conversation. Writes of one key are serialized by a lock so the e_tag check
and the write are atomic (within this process: one bot process owns a ``DATA_DIR``).

Values are flattened with jsonpickle, as the SDK's own Cosmos DB and Blob storages do, so the
``DialogState`` objects ``ConversationState`` holds survive a restart. Only this process
writes these files: treat ``DATA_DIR`` as trusted (its owner can already run code as the bot).

Concurrency follows the SDK's contract (``botbuilder.testing.StorageBaseTests``): every write
gets a new ``e_tag``; a write carrying an ``e_tag`` other than ``*`` that no longer matches
the stored one raises :class:`ETagConflictError`; an empty ``e_tag`` is refused.
"""
from __future__ import annotations

import asyncio
import copy
import hashlib
import os
import threading
import uuid
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from botbuilder.core import Storage
from jsonpickle.pickler import Pickler
from jsonpickle.unpickler import Unpickler
from tinydb import TinyDB
from tinydb.table import Document

from knowledge.atomic import AtomicJSONStorage, fsync_dir

#: The one document of each state file.
_DOC_ID = 1
_TABLE = "state"
_LOCK_STRIPES = 64


class ETagConflictError(KeyError):
    """The item changed since it was read (optimistic concurrency). A KeyError like MemoryStorage's."""


class TinyDBStorage(Storage):
    """A botbuilder ``Storage``: one TinyDB file per key under ``folder``.

    ``close()`` (await it) stops the worker threads; the files stay.
    """

    def __init__(self, folder: str | os.PathLike[str], *, max_workers: int = 4) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="bot-state")
        self._locks = [threading.Lock() for _ in range(_LOCK_STRIPES)]

    # --- botbuilder Storage API ----------------------------------------------------------

    async def read(self, keys: Iterable[str]) -> dict[str, Any]:
        if keys is None:
            raise Exception("Keys are required when reading")  # the wording StorageBaseTests expects
        keys = list(keys)
        if not keys:
            return {}
        return await self._run(self._read_sync, keys)

    async def write(self, changes: Mapping[str, Any]) -> None:
        if changes is None:
            raise Exception("Changes are required when writing")
        if not changes:
            return
        new_tags = await self._run(self._write_sync, dict(changes))
        # Give the caller's object its new e_tag: BotState keeps the dict it saved, and a
        # second save in the same turn must not conflict with the first one.
        for key, e_tag in new_tags.items():
            _set_e_tag(changes[key], e_tag)

    async def delete(self, keys: Iterable[str]) -> None:
        keys = list(keys or ())
        if keys:
            await self._run(self._delete_sync, keys)

    async def close(self) -> None:
        self._executor.shutdown(wait=True)

    # --- paths --------------------------------------------------------------------------

    def path_for(self, key: str) -> Path:
        """The file that holds ``key`` (any string: it is hashed, never used as a name)."""
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        return self.folder / digest[:2] / f"{digest}.json"

    # --- blocking work, on the executor --------------------------------------------------

    async def _run(self, func: Any, *args: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, func, *args)

    def _lock(self, path: Path) -> threading.Lock:
        return self._locks[int(path.stem[:8], 16) % _LOCK_STRIPES]

    @staticmethod
    def _load(path: Path) -> dict[str, Any] | None:
        if not path.exists():
            return None
        db = TinyDB(path, storage=AtomicJSONStorage)
        return db.table(_TABLE).get(doc_id=_DOC_ID)

    def _read_sync(self, keys: list[str]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for key in keys:
            doc = self._load(self.path_for(key))
            if doc is None or doc.get("key") != key:
                continue
            item = Unpickler().restore(doc["state"])
            _set_e_tag(item, doc["e_tag"])
            found[key] = item
        return found

    def _write_sync(self, changes: dict[str, Any]) -> dict[str, str]:
        new_tags: dict[str, str] = {}
        for key, change in changes.items():
            wanted = _get_e_tag(change)
            if wanted == "":
                raise ValueError(f"state write for {key!r}: empty e_tag")
            path = self.path_for(key)
            with self._lock(path):
                old = self._load(path)
                if old is not None and wanted not in (None, "*") and wanted != old.get("e_tag"):
                    raise ETagConflictError(
                        f"state for {key!r} changed since it was read (e_tag {wanted!r}, now {old.get('e_tag')!r})"
                    )
                e_tag = uuid.uuid4().hex
                doc = {"key": key, "e_tag": e_tag, "state": Pickler().flatten(_without_e_tag(change))}
                table = TinyDB(path, storage=AtomicJSONStorage).table(_TABLE)
                if old is None:
                    table.insert(Document(doc, doc_id=_DOC_ID))
                else:
                    table.update(doc, doc_ids=[_DOC_ID])
            new_tags[key] = e_tag
        return new_tags

    def _delete_sync(self, keys: list[str]) -> None:
        for key in keys:
            path = self.path_for(key)
            with self._lock(path):
                try:
                    path.unlink()
                except FileNotFoundError:
                    continue
                fsync_dir(path.parent)


def _get_e_tag(item: Any) -> str | None:
    if isinstance(item, Mapping):
        return item.get("e_tag")
    return getattr(item, "e_tag", None)


def _set_e_tag(item: Any, e_tag: str) -> None:
    if isinstance(item, dict):
        item["e_tag"] = e_tag
    elif item is not None and not isinstance(item, (str, int, float, bool, list, tuple)):
        try:
            item.e_tag = e_tag
        except AttributeError:  # pragma: no cover - objects with __slots__
            pass


def _without_e_tag(item: Any) -> Any:
    if isinstance(item, Mapping):
        return {k: v for k, v in item.items() if k != "e_tag"}
    if hasattr(item, "__dict__") and "e_tag" in vars(item):
        clone = copy.copy(item)
        del clone.e_tag
        return clone
    return item
