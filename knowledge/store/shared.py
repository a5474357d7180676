"""The calling-plan store on an object store (Azure Blob Storage), shared by several replicas.

The same layout as the local store (:mod:`knowledge.store.layout`), as object names::

    tenants/<tenant>/summary.json                       the commit record (small)
    tenants/<tenant>/users-<gen>-<writer>.json          TinyDB, table "users"
    tenants/<tenant>/calls/<YYYY-MM>/c<gen>-<writer>-<n>.json / .ids
    tenants/<tenant>/imports.json                       TinyDB, table "imports"

The same batch logic too (:class:`knowledge.store.writer.TenantWriter`); only the storage
differs, and the lock. There is no lock across machines: writers are optimistic.

- A batch writes new objects under names no other writer uses (the generation it read plus a
  random writer token, created with If-None-Match: *), then commits by a conditional put of
  the summary: If-Match the ETag it read, or If-None-Match: * for a tenant's first batch.
- A concurrent writer that committed first makes that put fail with 412
  (:class:`~knowledge.store.objects.PreconditionFailed`): this writer deletes what it wrote,
  reads the new summary and the committed keys again, and redoes its merge (duplicates by
  call id or match key are found against the other writer's rows), at most
  :data:`MERGE_ATTEMPTS` times. Nothing is lost, nothing counted twice.
- A writer killed mid-batch leaves objects no summary lists. The next writer removes those
  whose generation is not above the committed one: a batch can commit only over the summary
  it read, so a leftover of an older generation can never be committed any more, while a
  batch still in flight (generation above the committed one) is left alone.

Readers follow the summary, as locally. A pool lookup asks for it with If-None-Match: the
ETag of the copy in memory: unchanged, the service sends no body (304) and the parsed
summary and computed pools are reused.
"""

from __future__ import annotations

import contextlib
import logging
import random
import re
import secrets
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from tinydb import TinyDB

from knowledge.clock import Clock, system_clock
from knowledge.importers.detect import detect_sources
from knowledge.importers.summary import FileImport, ImportSummary
from knowledge.store.importing import import_sources, log_entry
from knowledge.store.layout import (
    _TENANT_ID,
    IMPORT_LOG_NAME,
    SUMMARY_NAME,
    StoreError,
    TenantSummary,
    normalize_tenant_id,
    parse_summary,
)
from knowledge.store.objects import (
    NotModified,
    ObjectJSONStorage,
    ObjectStore,
    ObjectStoreError,
    PreconditionFailed,
)
from knowledge.store.records import CallRecord, UserRecord
from knowledge.store.usage_store import Store, _TenantView
from knowledge.store.writer import USERS_TABLE, TenantWriter

T = TypeVar("T")
log = logging.getLogger(__name__)

#: Tries of one batch against concurrent writers of the same tenant (then a clear error).
MERGE_ATTEMPTS = 10
#: Object a health check writes and reads back.
PROBE_NAME = ".probe"

_GENERATION = re.compile(r"^(?:users-|calls/\d{4}-\d{2}/c)(\d{8})-")


def tenant_prefix(tenant_id: str) -> str:
    return f"tenants/{normalize_tenant_id(tenant_id)}/"


class SharedTenantWriter(TenantWriter):
    """:class:`TenantWriter` on an object store: no lock, a conditional commit, merge retries."""

    def __init__(
        self,
        objects: ObjectStore,
        tenant_id: str,
        clock: Clock = system_clock,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.objects = objects
        self.prefix = tenant_prefix(tenant_id)
        self.sleep = sleep
        self.token = secrets.token_hex(4)  # this writer's names never collide with another's
        self.retries = 0  # batches redone after losing to another writer (for tests and logs)
        self._etag: str | None = None
        self._written: list[str] = []
        self._start(normalize_tenant_id(tenant_id), clock)

    # --- one batch, redone until it commits -----------------------------------------------

    def add_calls(self, calls: Iterable[CallRecord]) -> tuple[int, int]:
        batch = list(calls)
        return self._merge(lambda: TenantWriter.add_calls(self, batch))

    def merge_users(self, users: Iterable[UserRecord]) -> tuple[int, int]:
        roster = list(users)
        return self._merge(lambda: TenantWriter.merge_users(self, roster))

    def _merge(self, apply: Callable[[], T]) -> T:
        for attempt in range(1, MERGE_ATTEMPTS + 1):
            try:
                return apply()
            except (PreconditionFailed, FileNotFoundError):
                # Another writer committed first (412), or replaced a chunk this batch was
                # copying: start again from its summary.
                self._discard_written()
                if attempt == MERGE_ATTEMPTS:
                    break
                self.retries += 1
                log.info(
                    "tenant %s: another writer committed first; merging this batch again (%d)", self.tenant_id, attempt
                )
                self.sleep(random.uniform(0.01, 0.05) * attempt)
                self._reload()
        raise StoreError(
            f"tenant {self.tenant_id}: {MERGE_ATTEMPTS} concurrent imports committed before "
            "this one could; run it again (what was committed is kept)"
        )

    def _reload(self) -> None:
        self.summary = self._load_summary()
        self._keys.close()
        self._keys = type(self._keys)(self._committed_keys)

    def _discard_written(self) -> None:
        written, self._written = self._written, []
        for name in written:
            with contextlib.suppress(ObjectStoreError):  # an orphan: the next writer's clean-up removes it
                self._remove(name)

    # --- storage ------------------------------------------------------------------------------

    def _chunk_name(self, generation: int, part: int) -> str:
        return f"c{generation:08d}-{self.token}-{part}.json"

    def _users_name(self, generation: int) -> str:
        return f"users-{generation:08d}-{self.token}.json"

    def _load_summary(self) -> TenantSummary:
        found = self.objects.get(self.prefix + SUMMARY_NAME)
        if found is None:
            self._etag = None
            return TenantSummary(tenant_id=self.tenant_id)
        self._etag = found.etag
        return parse_summary(found.data, Path(self.prefix + SUMMARY_NAME), self.tenant_id)

    def _read_docs(self, name: str, table: str) -> list[dict[str, Any]]:
        return read_object_table(self.objects, self.prefix + name, table)

    def _read_bytes(self, name: str) -> bytes:
        found = self.objects.get(self.prefix + name)
        if found is None:
            raise FileNotFoundError(self.prefix + name)
        return found.data

    def _write_new(self, name: str, payload: bytes) -> None:
        self._written.append(name)
        self.objects.put(self.prefix + name, payload, if_none_match="*")

    def _write_users(self, name: str, docs: list[dict[str, Any]]) -> None:
        self._written.append(name)
        db = TinyDB(self.objects, self.prefix + name, storage=ObjectJSONStorage)
        try:
            db.table(USERS_TABLE).insert_multiple(docs)
        finally:
            db.close()

    def _remove(self, name: str) -> None:
        self.objects.delete(self.prefix + name)

    def _commit(self, summary: TenantSummary, replaced: list[str]) -> None:
        from knowledge.store.writer import checkpoint

        checkpoint("before-commit")
        summary.updated_at = self.clock()
        payload = summary.model_dump_json().encode("utf-8")
        name = self.prefix + SUMMARY_NAME
        if self._etag is None:
            self._etag = self.objects.put(name, payload, if_none_match="*")
        else:
            self._etag = self.objects.put(name, payload, if_match=self._etag)
        self.summary = summary
        self._written.clear()
        for old in replaced:
            self._remove(old)

    def collect_garbage(self) -> None:
        """Remove objects of killed batches (see the module doc for why this is safe)."""
        keep = self.summary.files()
        for full in self.objects.list(self.prefix):
            name = full[len(self.prefix) :]
            found = _GENERATION.match(name)
            if found and name not in keep and int(found.group(1)) <= self.summary.generation:
                self._remove(name)


def read_object_table(objects: ObjectStore, name: str, table: str) -> list[dict[str, Any]]:
    """Every document of a TinyDB object (FileNotFoundError if it is gone, as for a file)."""
    db = TinyDB(objects, name, storage=ObjectJSONStorage)
    try:
        docs = [dict(doc) for doc in db.table(table).all()]
        storage = db.storage
        if isinstance(storage, ObjectJSONStorage) and storage.etag is None:
            raise FileNotFoundError(name)
        return docs
    finally:
        db.close()


class SharedStore(Store):
    """:class:`Store` whose tenants live in ``objects``; ``data_dir`` keeps only local things
    (the demo's export files). Same methods, same answers."""

    def __init__(self, objects: ObjectStore, data_dir: Path | str, clock: Clock = system_clock) -> None:
        super().__init__(data_dir, clock)
        self.objects = objects
        self._confirmed: set[str] = set()

    def ping(self) -> bool:
        """The object store answers a write and a read (what imports and lookups need)."""
        try:
            etag = self.objects.put(PROBE_NAME, b"ok")
            found = self.objects.get(PROBE_NAME)
            return found is not None and found.etag == etag
        except ObjectStoreError:
            return False

    def is_empty(self) -> bool:
        return not self.tenants()

    def tenants(self) -> list[str]:
        """Tenants with a committed summary. Asked on every turn, so one shallow listing (the
        tenant folders), plus a summary check the first time a folder is seen (a tenant whose
        first import was killed before its commit has a folder and no summary yet)."""
        found = []
        for folder in self.objects.list("tenants/", shallow=True):
            tenant = folder.removeprefix("tenants/").rstrip("/")
            if not folder.endswith("/") or not _TENANT_ID.match(tenant):
                continue
            if tenant not in self._confirmed:
                if self.objects.get(tenant_prefix(tenant) + SUMMARY_NAME) is None:
                    continue
                self._confirmed.add(tenant)  # summaries are replaced, never deleted
            found.append(tenant)
        return sorted(found)

    def import_paths(
        self,
        paths: Sequence[Path | str],
        tenant_id: str | None = None,
        progress: bool = False,
        on_wait: Callable[[str], None] | None = None,
    ) -> ImportSummary:
        """As :meth:`Store.import_paths`; concurrent imports of a tenant merge (no waiting)."""
        sources = detect_sources(paths)
        tenant = self.resolve_tenant(tenant_id)
        writer = SharedTenantWriter(self.objects, tenant, self.clock)
        return import_sources(writer, sources, progress, lambda result: self._log(tenant, result))

    @contextmanager
    def writer(self, tenant_id: str, on_wait: Callable[[str], None] | None = None) -> Iterator[TenantWriter]:
        writer = SharedTenantWriter(self.objects, normalize_tenant_id(tenant_id), self.clock)
        try:
            yield writer
        finally:
            writer.close()

    def close(self) -> None:
        super().close()
        close = getattr(self.objects, "close", None)
        if callable(close):
            close()

    def _log(self, tenant_id: str, result: FileImport) -> None:
        """Append to the tenant's import log: a TinyDB insert, redone if another writer's landed first."""
        entry = log_entry(result, self.clock)
        for _ in range(MERGE_ATTEMPTS):
            db = TinyDB(self.objects, tenant_prefix(tenant_id) + IMPORT_LOG_NAME, storage=ObjectJSONStorage)
            try:
                db.table("imports").insert(entry)
                return
            except PreconditionFailed:
                continue
            finally:
                db.close()

    def _read_docs(self, tenant_id: str, name: str, table: str) -> list[dict[str, Any]]:
        return read_object_table(self.objects, tenant_prefix(tenant_id) + name, table)

    def _view(self, tenant_id: str) -> _TenantView:
        """The committed summary: a conditional GET with the ETag of the copy in memory, so an
        unchanged summary costs one request and no body."""
        name = tenant_prefix(tenant_id) + SUMMARY_NAME
        with self._cache_lock:
            view = self._views.get(tenant_id)
        try:
            found = self.objects.get(name, if_none_match=view.etag if view is not None and view.etag else None)
        except NotModified:
            assert view is not None
            return view
        raw, etag = (found.data, found.etag) if found is not None else (b"", None)
        view = _TenantView(raw, parse_summary(raw, Path(name), tenant_id), etag=etag)
        with self._cache_lock:
            self._views[tenant_id] = view
        return view
