"""Store reads answered from memory while the files they come from have not changed.

Why: every pool lookup asked :class:`~knowledge.store.AsyncStore` twice (``pools``,
``provenance``), and each call is a hop to the store's worker thread and back, where
``Store._view`` reads ``summary.json`` again to see whether it changed. On a bot pinned to one
core that hop (a thread wake-up, the GIL handed over and back) cost more than the answer.

:class:`MemoizedAsyncStore` is an ``AsyncStore`` whose ``pools`` and ``provenance`` remember
their last answers per tenant (and month and day), stamped with the ``os.stat`` of the tenant's
``summary.json``: inode, size, modification and change times in nanoseconds. A call whose file
still has the same stamp gets the remembered answer on the event loop (one ``stat`` of a small
local file, microseconds); any other goes to the store as before. Every import commit renames a
new summary into place, a new inode with new times, so the stamp changes with each commit. The
stamp is taken *before* the store reads the file, so an answer is never kept under a stamp
older than what it was computed from; at worst a commit that lands in between costs one more
read. ``pools_and_provenance`` answers both from one stamp: a pool card and a number check show
them together, and a ``stat`` costs 5-18 us of CPU amid a turn's work (2 us only in a loop).

The same holds for the reads every turn makes before it answers (each was one more hop to the
worker thread, ~47 us on one core): ``tenants`` (which tenant's data answers the turn, every
turn) and ``find_user`` / ``users`` (a number check), the tenant's roster being named by its
summary. ``tenants`` is stamped with the ``os.stat`` of the tenants folder, which changes when a
tenant folder is added, removed or renamed; its answer is kept only when every folder there named
like a tenant is one (has a summary), since a summary appearing later in a new tenant's folder
does not change the tenants folder. "Today" and "this month" come from the store's clock on every call, as in
:meth:`~knowledge.store.Store.pools`. Residual risk, on file systems with coarse timestamps
only: three commits within one timestamp tick, the third reusing the first's inode at the same
size. For a local ``DATA_DIR`` (a store kept elsewhere has no such file to stat).

Within :func:`one_look` (one turn's reads: a number check reads the named user, then the pool
its verdict draws on), each tenant's summary is stated once, not once a read: its answers are
told apart by that one stamp (a ``stat`` amid a turn's work is 5-18 us of CPU). A read the
memo cannot answer takes a new stamp before the store reads the file, as outside the block, so
an answer is still never kept under a stamp older than its file; the rest of the block uses it.
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from datetime import date
from typing import Any

from knowledge import pools
from knowledge.clock import month_of
from knowledge.pools import PoolBalance
from knowledge.provenance import DataProvenance
from knowledge.store import AsyncStore, Store
from knowledge.store.layout import StoreError, check_month, is_tenant_id, normalize_tenant_id
from knowledge.store.records import UserRecord
from knowledge.store.usage_store import UserIndex

#: Remembered answers at most; all are dropped when there are more (tenants x months x days).
MAX_ENTRIES = 512

Stamp = tuple[int, int, int, int]

#: The stamps taken within :func:`one_look`, by tenant; None outside the block.
_LOOKED: ContextVar[dict[str, Stamp | None] | None] = ContextVar("callplan_memo_looked", default=None)


class one_look:
    """Each tenant's summary stated once for the reads within the block (one turn's: see the
    module docstring). Nested blocks share the outer one's stamps. Any store may be used within
    it; only :class:`MemoizedAsyncStore` reads the stamps. A class, not ``@contextmanager``
    (1.1 against 3.7 us a block in a loop, for a ``stat`` of ~7 us saved)."""

    __slots__ = ("_token",)

    def __enter__(self) -> None:
        self._token = _LOOKED.set({}) if _LOOKED.get() is None else None

    def __exit__(self, *exc: object) -> None:
        if self._token is not None:
            _LOOKED.reset(self._token)


class MemoizedAsyncStore(AsyncStore):
    """``AsyncStore`` whose pool and provenance reads skip the worker thread while the
    tenant's ``summary.json`` is unchanged."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._memo: dict[tuple[Any, ...], tuple[Stamp, Any]] = {}
        self.hits = 0
        #: Each tenant's summary.json as a string, kept: building the ``Path`` cost more than
        #: the ``stat`` itself, several times a turn. Bounded like the answers.
        self._summary_paths: dict[str, str] = {}

    def _stamp(self, tenant_id: str) -> Stamp | None:
        looked = _LOOKED.get()
        if looked is not None and tenant_id in looked:
            return looked[tenant_id]
        path = self._summary_paths.get(tenant_id)
        if path is None:
            path = str(self.sync.layout.summary_path(tenant_id))
            if len(self._summary_paths) >= MAX_ENTRIES:
                self._summary_paths.clear()
            self._summary_paths[tenant_id] = path
        stamp = _stat_stamp(path)
        if looked is not None:
            looked[tenant_id] = stamp
        return stamp

    def _stamp_before_read(self, tenant_id: str, stamp: Stamp | None) -> Stamp | None:
        """The stamp a read's answer is kept under, taken before the store reads the file:
        ``stamp`` itself outside :func:`one_look`; within it, a new one (the block's may be
        older than the file, which can change between two reads of a turn)."""
        looked = _LOOKED.get()
        if looked is None:
            return stamp
        looked.pop(tenant_id, None)
        return self._stamp(tenant_id)

    def _recall(self, key: tuple[Any, ...], stamp: Stamp | None) -> Any | None:
        remembered = self._memo.get(key)
        if stamp is not None and remembered is not None and remembered[0] == stamp:
            self.hits += 1
            return remembered[1]
        return None

    def _keep(self, key: tuple[Any, ...], stamp: Stamp | None, value: Any) -> None:
        if stamp is None:
            return
        if len(self._memo) >= MAX_ENTRIES:
            self._memo.clear()
        self._memo[key] = (stamp, value)

    async def pools(
        self, tenant_id: str, month: str | None = None, as_of: date | None = None
    ) -> list[pools.PoolBalance]:
        try:
            tenant = normalize_tenant_id(tenant_id)
            key = self._pools_key(tenant, month, as_of)
        except StoreError:  # a bad tenant id or month: the store says why, as before
            return await super().pools(tenant_id, month, as_of)
        stamp = self._stamp(tenant)
        remembered = self._recall(key, stamp)
        if remembered is not None:
            return list(remembered)
        stamp = self._stamp_before_read(tenant, stamp)
        balances = await super().pools(tenant_id, month, as_of)
        self._keep(key, stamp, tuple(balances))  # PoolBalance is frozen: sharing it is safe
        return balances

    def _pools_key(self, tenant: str, month: str | None, as_of: date | None) -> tuple[Any, ...]:
        """The pools' memo key: "today" and "this month" from the store's clock on every call,
        as in :meth:`~knowledge.store.Store.pools` (raises StoreError for a bad month)."""
        today = self.clock().date()
        return ("pools", tenant, check_month(month) if month else month_of(today), as_of or today)

    async def pools_and_provenance(
        self, tenant_id: str, month: str | None = None
    ) -> tuple[list[PoolBalance], DataProvenance]:
        """Both answers under one stamp: they come from the same ``summary.json``, so one
        ``stat`` tells whether both still hold (a pool card or a number check stated the file
        twice, each ``stat`` 2 us in a loop but 5-18 us between the turn's other work)."""
        try:
            tenant = normalize_tenant_id(tenant_id)
            pools_key = self._pools_key(tenant, month, None)
        except StoreError:
            return await super().pools_and_provenance(tenant_id, month)
        provenance_key = ("provenance", tenant)
        stamp = self._stamp(tenant)
        balances = self._recall(pools_key, stamp)
        provenance = self._recall(provenance_key, stamp)
        if balances is not None and provenance is not None:
            return list(balances), provenance
        stamp = self._stamp_before_read(tenant, stamp)
        read, provenance = await super().pools_and_provenance(tenant_id, month)
        self._keep(pools_key, stamp, tuple(read))
        self._keep(provenance_key, stamp, provenance)
        return read, provenance

    async def provenance(self, tenant_id: str) -> DataProvenance:
        try:
            tenant = normalize_tenant_id(tenant_id)
        except StoreError:
            return await super().provenance(tenant_id)
        key = ("provenance", tenant)
        stamp = self._stamp(tenant)
        remembered = self._recall(key, stamp)
        if remembered is not None:
            return remembered
        stamp = self._stamp_before_read(tenant, stamp)
        provenance = await super().provenance(tenant_id)
        self._keep(key, stamp, provenance)
        return provenance

    async def tenants(self) -> list[str]:
        key = ("tenants",)
        stamp = _stat_stamp(self.sync.layout.tenants_dir)
        remembered = self._recall(key, stamp)
        if remembered is not None:
            return list(remembered)
        tenants, complete = await self.call(_tenants_and_completeness, self.sync)
        if complete:
            self._keep(key, stamp, tuple(tenants))
        return tenants

    async def find_user(self, tenant_id: str, query: str) -> UserRecord | None:
        if not (query or "").strip():
            return None
        index = await self._user_index(tenant_id)
        return index.find(query) if index is not None else await super().find_user(tenant_id, query)

    async def users(self, tenant_id: str) -> list[UserRecord]:
        index = await self._user_index(tenant_id)
        return list(index.users) if index is not None else await super().users(tenant_id)

    async def _user_index(self, tenant_id: str) -> UserIndex | None:
        """The tenant's roster, from memory while its summary is unchanged; None for a bad
        tenant id (the store then answers, and says why)."""
        try:
            tenant = normalize_tenant_id(tenant_id)
        except StoreError:
            return None
        key = ("users", tenant)
        stamp = self._stamp(tenant)
        remembered = self._recall(key, stamp)
        if remembered is not None:
            return remembered
        stamp = self._stamp_before_read(tenant, stamp)
        index: UserIndex = await self.call(self.sync.user_index, tenant)
        self._keep(key, stamp, index)  # never changed once built: sharing it is safe
        return index


def _stat_stamp(path: os.PathLike[str] | str) -> Stamp | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _tenants_and_completeness(store: Store) -> tuple[list[str], bool]:
    """The store's tenants, and whether every folder named like a tenant is one (has its
    summary): only then may the list be kept while the tenants folder is unchanged."""
    tenants = store.tenants()
    folder = store.layout.tenants_dir
    try:
        named = {entry.name for entry in os.scandir(folder) if is_tenant_id(entry.name)}
    except OSError:
        return tenants, False
    return tenants, named == set(tenants)
