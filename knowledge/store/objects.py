"""An object store (named blobs with ETags) as the calling-plan store sees it, free of any SDK.

Several bot replicas share one usage store on an object store (Azure Blob Storage in
production, :mod:`bot.blob_objects`; the store itself is :mod:`knowledge.store.shared`). This
module is the small contract between them: ``get`` returns the bytes and their ETag, ``put``
writes conditionally (``if_match`` an ETag, or ``if_none_match="*"`` to create only), ``list``
names under a prefix, ``delete`` one name. Failures are typed so the store decides what they
mean, whatever the SDK: :class:`PreconditionFailed` (HTTP 412: someone else wrote first; the
writer re-reads and merges again), :class:`NotModified` (a conditional read found the same
ETag: no body was sent) and :class:`ObjectStoreUnavailable` (the service does not answer; the
bot apologizes and ``/healthz`` says degraded). They are :class:`StoreError` s, which the
dialogs and the command line already turn into an apology or a one-line message.

The documents are still TinyDB: :class:`ObjectJSONStorage` is a TinyDB ``Storage`` whose
document is one object, read with its ETag and written back only if that ETag still holds.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any, Protocol

from tinydb.storages import Storage

from knowledge.store.layout import StoreError


class ObjectStoreError(StoreError):
    """A request to the object store failed (see the subclasses)."""


class PreconditionFailed(ObjectStoreError):
    """A conditional write lost: the object changed (If-Match) or exists (If-None-Match: *)."""


class NotModified(ObjectStoreError):
    """A conditional read (If-None-Match: <etag>) found the object unchanged: no body."""


class ObjectStoreUnavailable(ObjectStoreError):
    """The object store did not answer in time or failed on its side (the message says which)."""


@dataclass(frozen=True)
class StoredObject:
    data: bytes
    etag: str


class ObjectStore(Protocol):
    """Named objects with ETags. Every call is bounded in time by the implementation."""

    def get(self, name: str, *, if_none_match: str | None = None) -> StoredObject | None:
        """The object, or None when there is none; :class:`NotModified` when ``if_none_match``
        is its current ETag."""
        ...

    def put(self, name: str, data: bytes, *, if_match: str | None = None, if_none_match: str | None = None) -> str:
        """Write ``data``; returns the new ETag. ``if_match``: only over that version;
        ``if_none_match="*"``: only if absent. Otherwise :class:`PreconditionFailed`."""
        ...

    def list(self, prefix: str, *, shallow: bool = False) -> list[str]:
        """Names starting with ``prefix``, sorted. ``shallow``: only one level below it, each
        deeper name cut after its next ``/`` (a "folder", listed once, ending with ``/``)."""
        ...

    def delete(self, name: str) -> None:
        """Remove ``name`` (no error when it is already gone)."""
        ...


class CountingObjects:
    """Wraps an :class:`ObjectStore` and counts its requests by kind (``get``, ``get_body``,
    ``not_modified``, ``put``, ``list``, ``delete``): how the benchmark and the tests see what
    a lookup or an import costs in round trips."""

    def __init__(self, inner: ObjectStore) -> None:
        self.inner = inner
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def _count(self, kind: str) -> None:
        with self._lock:
            self.counts[kind] += 1

    def get(self, name: str, *, if_none_match: str | None = None) -> StoredObject | None:
        self._count("get")
        try:
            found = self.inner.get(name, if_none_match=if_none_match)
        except NotModified:
            self._count("not_modified")
            raise
        if found is not None:
            self._count("get_body")
        return found

    def put(self, name: str, data: bytes, *, if_match: str | None = None, if_none_match: str | None = None) -> str:
        self._count("put")
        return self.inner.put(name, data, if_match=if_match, if_none_match=if_none_match)

    def list(self, prefix: str, *, shallow: bool = False) -> list[str]:
        self._count("list")
        return self.inner.list(prefix, shallow=shallow)

    def delete(self, name: str) -> None:
        self._count("delete")
        self.inner.delete(name)

    def close(self) -> None:
        close = getattr(self.inner, "close", None)
        if callable(close):
            close()


class ObjectJSONStorage(Storage):
    """A TinyDB storage over one object: read keeps the ETag, write is conditional on it.

    ``TinyDB(objects, name, storage=ObjectJSONStorage)``. A write after a read replaces only
    the version that was read (If-Match); a write with nothing read before creates only
    (If-None-Match: *). Either raises :class:`PreconditionFailed` when another writer got
    there first: the caller reads again and redoes its change (see ``store_shared``).
    """

    def __init__(self, objects: ObjectStore, name: str, **_: Any) -> None:
        self.objects = objects
        self.name = name
        self.etag: str | None = None

    def read(self) -> dict[str, dict[str, Any]] | None:
        found = self.objects.get(self.name)
        if found is None:
            self.etag = None
            return None
        self.etag = found.etag
        if not found.data.strip():
            return None
        data: dict[str, dict[str, Any]] = json.loads(found.data)
        return data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        payload = json.dumps(data, separators=(",", ":")).encode("utf-8")
        if self.etag is None:
            self.etag = self.objects.put(self.name, payload, if_none_match="*")
        else:
            self.etag = self.objects.put(self.name, payload, if_match=self.etag)

    def close(self) -> None:
        """Nothing stays open between operations."""
