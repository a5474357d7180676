"""The calling-plan store: tenants, users, call records and minute pools, under ``DATA_DIR/store``.

:class:`Store` is the synchronous API (CLI, tests); :class:`AsyncStore` wraps it for the bot
and runs every call in one worker thread, so file work never blocks the event loop. On-disk
layout and the commit protocol are described in :mod:`knowledge.store.layout` and
:mod:`knowledge.store.writer`.

Reads take no lock. They follow the tenant's ``summary.json`` and cache what they parsed,
keyed on that file's content: every commit renames a new summary into place, so a cached
answer is exactly as fresh as the last commit. A pool lookup therefore costs one read of a
small file when nothing changed, and never reads call records.
"""

from __future__ import annotations

import asyncio
import functools
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from knowledge import pools
from knowledge.clock import Clock, month_of, system_clock
from knowledge.importers.detect import ImportFileError, detect_sources
from knowledge.importers.summary import FileImport, ImportSummary, RowError
from knowledge.pools import PoolBalance
from knowledge.provenance import DataProvenance
from knowledge.store.importing import run_import
from knowledge.store.layout import (
    DEFAULT_TENANT_ID,
    Layout,
    StoreError,
    TenantSummary,
    check_month,
    normalize_tenant_id,
    parse_summary,
)
from knowledge.store.lock import tenant_lock
from knowledge.store.records import CallRecord, UserRecord
from knowledge.store.writer import CALLS_TABLE, USERS_TABLE, TenantWriter, read_table

__all__ = [
    "DEFAULT_TENANT_ID",
    "AsyncStore",
    "FileImport",
    "ImportFileError",
    "ImportSummary",
    "RowError",
    "Store",
    "StoreError",
]

T = TypeVar("T")

#: A reader may race a writer that deletes files a newer summary replaced: read again.
_READ_ATTEMPTS = 5


@dataclass
class _TenantView:
    """What one committed summary gives readers, parsed once."""

    raw: bytes
    summary: TenantSummary
    sizes: dict[str, tuple[dict[pools.PoolKey, pools.PoolSize], str | None]] = field(default_factory=dict)
    usage: dict[str, dict[pools.PoolKey, pools.UsageTotal]] = field(default_factory=dict)
    results: dict[tuple[str, date], list[pools.PoolBalance]] = field(default_factory=dict)
    etag: str | None = None  # the summary's version on an object store (knowledge.store.shared)


@dataclass
class UserIndex:
    """A tenant's roster sorted by UPN, and its users by lookup key (never changed once built)."""

    users: list[UserRecord]
    by_key: dict[str, UserRecord]  # upn, mail nickname, display name (casefolded), first wins

    def find(self, query: str | None) -> UserRecord | None:
        """:meth:`Store.find_user`'s answer from this roster."""
        key = (query or "").strip().casefold()
        return self.by_key.get(key) if key else None


class Store:
    """Tenants, users, calls and pools of one ``data_dir`` (files under ``data_dir/store``).

    ``clock`` (:mod:`knowledge.clock`) is the store's "now": the default month and day of a
    pool lookup, the month a roster import sizes, and the time stamped on imports.
    """

    def __init__(self, data_dir: Path | str, clock: Clock = system_clock) -> None:
        self.layout = Layout(data_dir)
        self.clock = clock
        self._views: dict[str, _TenantView] = {}
        self._users: dict[tuple[str, str], UserIndex] = {}
        self._cache_lock = threading.Lock()

    # --- health and tenants ------------------------------------------------------------------

    def ping(self) -> bool:
        """The store can be read (or, when still empty, created): for ``/healthz``."""
        try:
            root = self.layout.root
            if not root.exists():
                parent = next(p for p in root.parents if p.exists())
                return os.access(parent, os.W_OK | os.X_OK)
            for tenant_id in self.layout.tenant_ids():
                self._view(tenant_id)
            return os.access(root, os.R_OK | os.X_OK)
        except (OSError, StoreError, StopIteration):
            return False

    def is_empty(self) -> bool:
        return not self.layout.tenant_ids()

    def tenants(self) -> list[str]:
        return self.layout.tenant_ids()

    def resolve_tenant(self, tenant_id: str | None) -> str:
        """The tenant to use: the one named, else the only one, else ``DEFAULT_TENANT_ID``.

        Raises :class:`StoreError` when none is named and the store holds several.
        """
        if tenant_id:
            return normalize_tenant_id(tenant_id)
        tenants = self.tenants()
        if len(tenants) == 1:
            return tenants[0]
        if not tenants:
            return DEFAULT_TENANT_ID
        raise StoreError(f"the store holds {len(tenants)} tenants ({', '.join(tenants)}): name one with --tenant")

    # --- users --------------------------------------------------------------------------------

    def users(self, tenant_id: str) -> list[UserRecord]:
        return list(self._user_index(tenant_id).users)

    def find_user(self, tenant_id: str, query: str) -> UserRecord | None:
        """A user by UPN, mail nickname (the UPN before ``@``) or display name, any case.

        A UPN match wins over a nickname, a nickname over a display name; two users with the
        same display name resolve to the first by UPN.
        """
        if not (query or "").strip():
            return None
        return self._user_index(tenant_id).find(query)

    def user_index(self, tenant_id: str) -> UserIndex:
        """The tenant's committed roster with its lookup keys (what :meth:`users` and
        :meth:`find_user` answer from), for a caller that keeps it while the summary is unchanged."""
        return self._user_index(tenant_id)

    def _user_index(self, tenant_id: str) -> UserIndex:
        tenant_id = normalize_tenant_id(tenant_id)

        def load() -> UserIndex:
            summary = self._view(tenant_id).summary
            if not summary.users_file:
                return UserIndex([], {})
            cache_key = (tenant_id, summary.users_file)
            with self._cache_lock:
                cached = self._users.get(cache_key)
            if cached is not None:
                return cached
            docs = self._read_docs(tenant_id, summary.users_file, USERS_TABLE)
            users = [UserRecord.model_validate(doc) for doc in docs]
            users.sort(key=lambda u: u.upn)
            by_key: dict[str, UserRecord] = {}
            for extract in (lambda u: u.upn, lambda u: u.upn.partition("@")[0], lambda u: u.display_name):
                for user in users:
                    by_key.setdefault(extract(user).strip().casefold(), user)
            by_key.pop("", None)
            index = UserIndex(users, by_key)
            with self._cache_lock:
                self._users = {k: v for k, v in self._users.items() if k[0] != tenant_id}
                self._users[cache_key] = index
            return index

        return self._retry(load)

    # --- calls ----------------------------------------------------------------------------------

    def months(self, tenant_id: str) -> list[str]:
        """Months (``YYYY-MM``) with call records, oldest first."""
        return sorted(self._view(normalize_tenant_id(tenant_id)).summary.chunks)

    def call_count(self, tenant_id: str, month: str | None = None) -> int:
        return self._view(normalize_tenant_id(tenant_id)).summary.call_count(month)

    def calls(self, tenant_id: str, month: str) -> Iterator[CallRecord]:
        """Every stored call of one month, chunk by chunk (for tools and checks, not turns).

        Streams from the chunk list committed when it starts; an import running at the same
        time may replace the month's last chunk, and this then raises FileNotFoundError: retry.
        """
        tenant_id = normalize_tenant_id(tenant_id)
        summary = self._view(tenant_id).summary
        folder = f"calls/{check_month(month)}"
        for chunk in summary.chunks.get(month, ()):
            for doc in self._read_docs(tenant_id, f"{folder}/{chunk.name}", CALLS_TABLE):
                yield CallRecord.model_validate(doc)

    # --- pools ------------------------------------------------------------------------------------

    def pools(self, tenant_id: str, month: str | None = None, as_of: date | None = None) -> list[pools.PoolBalance]:
        """Minute pool balances (``PoolBalance``) for ``month`` (default: the current UTC month).

        Reads only the tenant's summary; repeated lookups for the same month and day are
        answered from memory until the next commit.
        """
        tenant_id = normalize_tenant_id(tenant_id)
        today = self.clock().date()
        month = check_month(month) if month else month_of(today)
        as_of = as_of or today
        view = self._view(tenant_id)
        cached = view.results.get((month, as_of))
        if cached is None:
            sized = view.sizes.get(month)
            if sized is None:
                raw_sizes, roster_month = view.summary.sizes_for(month)
                sized = view.sizes[month] = (
                    {
                        pools.PoolKey.from_str(key): pools.PoolSize.model_validate(size)
                        for key, size in raw_sizes.items()
                    },
                    roster_month,
                )
            usage = view.usage.get(month)
            if usage is None:
                usage = view.usage[month] = {
                    pools.PoolKey.from_str(key): pools.UsageTotal.model_validate(total)
                    for key, total in view.summary.usage.get(month, {}).items()
                }
            cached = pools.compute_pools(sized[0], usage, month, as_of, roster_month=sized[1])
            if len(view.results) > 64:
                view.results.clear()
            view.results[(month, as_of)] = cached
        return list(cached)

    def provenance(self, tenant_id: str) -> DataProvenance:
        """What the tenant's pools rest on (source kinds, newest call, last import, demo), from
        the summary a pool lookup reads anyway."""
        return DataProvenance.from_summary(self._view(normalize_tenant_id(tenant_id)).summary)

    # --- import -------------------------------------------------------------------------------------

    def import_paths(
        self,
        paths: Sequence[Path | str],
        tenant_id: str | None = None,
        progress: bool = False,
        on_wait: Callable[[str], None] | None = None,
    ) -> ImportSummary:
        """Import exports (files, zips, folders; detected by content) into one tenant.

        Every path is checked before anything is written: a missing or unrecognized file raises
        :class:`ImportFileError` and imports nothing. Row problems are reported in the summary
        while the good rows import. ``progress`` shows a bar on stderr when it is a terminal.
        ``on_wait(tenant)`` is called when another import of the same tenant is running (this
        one waits for it, then raises :class:`StoreError` after ``knowledge.store.lock.LOCK_WAIT_SECONDS``).
        """
        sources = detect_sources(paths)
        tenant = self.resolve_tenant(tenant_id)
        return run_import(self.layout, sources, tenant, progress, on_wait, self.clock)

    @contextmanager
    def writer(self, tenant_id: str, on_wait: Callable[[str], None] | None = None) -> Iterator[TenantWriter]:
        """A writer of one tenant, for rows that come from no file (a Graph sync): holds the
        tenant's lock here; on an object store, merges with concurrent writers instead."""
        tenant_id = normalize_tenant_id(tenant_id)
        with tenant_lock(self.layout, tenant_id, on_wait):
            writer = TenantWriter(self.layout, tenant_id, self.clock)
            try:
                yield writer
            finally:
                writer.close()

    def close(self) -> None:
        """Drop the caches (nothing else stays open between calls)."""
        with self._cache_lock:
            self._views.clear()
            self._users.clear()

    # --- internals ------------------------------------------------------------------------------------

    def _read_docs(self, tenant_id: str, name: str, table: str) -> list[dict[str, Any]]:
        """The documents of a committed TinyDB file (``name``: relative to the tenant folder)."""
        return read_table(self.layout.tenant_dir(tenant_id) / name, table)

    def _view(self, tenant_id: str) -> _TenantView:
        """The tenant's committed summary, parsed once per distinct content.

        Keyed on the file's bytes rather than its mtime: two commits within the file system's
        timestamp granularity can reuse an inode and keep the size, but never the content
        (the generation counter is in it). Reading a few KB costs microseconds.
        """
        path = self.layout.summary_path(tenant_id)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raw = b""
        with self._cache_lock:
            view = self._views.get(tenant_id)
        if view is not None and view.raw == raw:
            return view
        view = _TenantView(raw, parse_summary(raw, path, tenant_id))
        with self._cache_lock:
            self._views[tenant_id] = view
        return view

    def _retry(self, load: Callable[[], T]) -> T:
        for attempt in range(_READ_ATTEMPTS):
            try:
                return load()
            except FileNotFoundError:
                if attempt == _READ_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover


class AsyncStore:
    """:class:`Store` for the bot: the same methods as coroutines, run in one worker thread.

    One thread keeps the store's work serialized and off the event loop. An import started
    from the bot would queue lookups behind it; imports normally come from ``callplan import``
    (another process), which the store's file lock makes safe.
    """

    def __init__(self, data_dir: Path | str, clock: Clock = system_clock, *, store: Store | None = None) -> None:
        #: ``store``: another kind of :class:`Store` (``knowledge.store.shared.SharedStore``).
        self.sync = store if store is not None else Store(data_dir, clock)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="callplan-store")

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run any blocking store work in the store's thread, e.g. at start-up
        ``await store.call(load_demo, store.sync)`` when ``await store.is_empty()``."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))

    @property
    def clock(self) -> Clock:
        """The store's clock (the dialogs' "today" too, so answers and lookups agree)."""
        return self.sync.clock

    async def ping(self) -> bool:
        return await self.call(self.sync.ping)

    async def is_empty(self) -> bool:
        return await self.call(self.sync.is_empty)

    async def tenants(self) -> list[str]:
        return await self.call(self.sync.tenants)

    async def resolve_tenant(self, tenant_id: str | None) -> str:
        return await self.call(self.sync.resolve_tenant, tenant_id)

    async def users(self, tenant_id: str) -> list[UserRecord]:
        return await self.call(self.sync.users, tenant_id)

    async def find_user(self, tenant_id: str, query: str) -> UserRecord | None:
        return await self.call(self.sync.find_user, tenant_id, query)

    async def pools(
        self, tenant_id: str, month: str | None = None, as_of: date | None = None
    ) -> list[pools.PoolBalance]:
        return await self.call(self.sync.pools, tenant_id, month, as_of)

    async def provenance(self, tenant_id: str) -> DataProvenance:
        return await self.call(self.sync.provenance, tenant_id)

    async def pools_and_provenance(
        self, tenant_id: str, month: str | None = None
    ) -> tuple[list[PoolBalance], DataProvenance]:
        # One hop to the store's thread, not two: each hop is a thread wake-up and the GIL
        # handed over and back, dearer on one core than either read.
        return await self.call(_pools_and_provenance, self.sync, tenant_id, month)

    async def import_paths(
        self, paths: Sequence[Path | str], tenant_id: str | None = None, progress: bool = False
    ) -> ImportSummary:
        return await self.call(self.sync.import_paths, list(paths), tenant_id, progress)

    def close(self) -> None:
        """Finish queued work, stop the worker thread and close the store."""
        self._executor.shutdown(wait=True)
        self.sync.close()


def _pools_and_provenance(store: Store, tenant_id: str, month: str | None) -> tuple[list[PoolBalance], DataProvenance]:
    """:meth:`Store.pools` then :meth:`Store.provenance`, on the store's thread."""
    return store.pools(tenant_id, month), store.provenance(tenant_id)
