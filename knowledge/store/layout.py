"""Where the store keeps things on disk, and the tenant summary (the commit record).

Layout, all under ``DATA_DIR/store/``::

    locks/<tenant id>.lock                 fcntl lock files: one writer per tenant (lock.py)
    tenants/<tenant id>/summary.json       small: pool sizes, monthly usage totals, manifest
    tenants/<tenant id>/users-<gen>.json   TinyDB, table "users"
    tenants/<tenant id>/calls/<YYYY-MM>/c<gen>-<n>.json   TinyDB, table "calls", <= 10k docs
    tenants/<tenant id>/calls/<YYYY-MM>/c<gen>-<n>.ids    the chunk's call ids, then its match keys
    tenants/<tenant id>/imports.json       TinyDB, table "imports": the import log

Why this shape: TinyDB re-reads and rewrites a whole file on every operation, so call records
are cut per tenant, per month and into chunks of at most ``CHUNK_ROWS`` documents, and a pool
lookup reads only ``summary.json`` (a few KB whatever the number of calls).

Why the summary is the commit record: data files are never modified in place. A batch writes
*new* files (a chunk that grows is copied to a new name), then replaces ``summary.json``
atomically; the summary lists the files that are part of the store. A crash before that rename
leaves the old summary, which does not know the new files: they are orphans, removed by the
next writer. So the store is always exactly the state after some whole batch. The tenant id is
a path component, so no read can reach another tenant's files.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from knowledge.store.atomic import atomic_write_bytes

#: The tenant the demo and a first import use when none is named and the store is empty.
DEFAULT_TENANT_ID = "demo-tenant"

#: At most this many call documents per TinyDB file ("at ease up to ~10k documents").
CHUNK_ROWS = 10_000

SUMMARY_NAME = "summary.json"
IMPORT_LOG_NAME = "imports.json"
SUMMARY_VERSION = 1

_TENANT_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,127}$")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class StoreError(Exception):
    """A problem the user can fix (bad tenant id, ambiguous tenant, unreadable store)."""


def is_tenant_id(name: str) -> bool:
    """``name`` is a tenant folder's name (what :meth:`Layout.tenant_ids` lists, given a summary)."""
    return _TENANT_ID.match(name) is not None


def normalize_tenant_id(tenant_id: str) -> str:
    """Tenant ids are Entra GUIDs or domain names: lower-cased, and safe as a folder name."""
    value = (tenant_id or "").strip().lower()
    if not _TENANT_ID.match(value):
        raise StoreError(
            f"{tenant_id!r} is not a tenant id: use a GUID or a domain name (letters, digits, '.', '-', '_')"
        )
    return value


def check_month(month: str) -> str:
    if not _MONTH.match(month or ""):
        raise StoreError(f"{month!r} is not a month: use YYYY-MM, e.g. 2025-06")
    return month


class Chunk(BaseModel):
    """One TinyDB file of call records, and its id sidecar (same stem, ``.ids``)."""

    name: str  # file name inside calls/<month>/, e.g. c00000012-0.json
    rows: int


class TenantSummary(BaseModel):
    """Everything a pool lookup needs, plus the list of data files that are committed."""

    version: int = SUMMARY_VERSION
    tenant_id: str
    generation: int = 0  # +1 per committed batch; new files carry it in their name
    updated_at: datetime | None = None
    users_file: str | None = None
    user_count: int = 0
    #: PoolKey str -> PoolSize: the one roster of a store written before roster history (read
    #: only; new stores keep their sizes in ``roster_sizes``).
    pool_sizes: dict[str, dict[str, Any]] = Field(default_factory=dict)
    #: Pool sizes as the last roster import of each month (UTC) left them: month -> key -> size.
    #: A month's pools use the newest snapshot not after it (see :meth:`sizes_for`).
    roster_sizes: dict[str, dict[str, dict[str, Any]]] = Field(default_factory=dict)
    usage: dict[str, dict[str, dict[str, Any]]] = Field(default_factory=dict)  # month -> key -> UsageTotal
    chunks: dict[str, list[Chunk]] = Field(default_factory=dict)  # month -> chunks
    #: What the data rests on, kept at import time so a lookup reads no other file (see
    #: :mod:`knowledge.provenance`): the kinds of file imported ("pstn_csv", "graph", "roster"),
    #: the start of the newest call stored, and when data was last added (``updated_at``).
    source_kinds: list[str] = Field(default_factory=list)
    newest_call: datetime | None = None

    def sizes_for(self, month: str) -> tuple[dict[str, dict[str, Any]], str | None]:
        """The pool sizes for ``month`` and the month of the roster they come from.

        The newest roster snapshot of ``month`` or before; for a month before the first roster
        import, the first snapshot (the best there is: the answer says the roster is later). A
        store written before roster history has only ``pool_sizes``: month unknown (None).
        """
        if not self.roster_sizes:
            return self.pool_sizes, None
        months = sorted(self.roster_sizes)
        chosen = max((m for m in months if m <= month), default=months[0])
        return self.roster_sizes[chosen], chosen

    def call_count(self, month: str | None = None) -> int:
        months = [month] if month else list(self.chunks)
        return sum(chunk.rows for m in months for chunk in self.chunks.get(m, ()))

    def files(self) -> set[str]:
        """Every committed data file, relative to the tenant folder."""
        names = {self.users_file} if self.users_file else set()
        for month, chunks in self.chunks.items():
            for chunk in chunks:
                names.add(f"calls/{month}/{chunk.name}")
                names.add(f"calls/{month}/{ids_name(chunk.name)}")
        return names


def ids_name(chunk_name: str) -> str:
    return chunk_name.removesuffix(".json") + ".ids"


class Layout:
    """Paths of one store; the only place that knows them."""

    def __init__(self, data_dir: Path | str) -> None:
        self.data_dir = Path(data_dir)
        self.root = self.data_dir / "store"
        self.tenants_dir = self.root / "tenants"

    def tenant_dir(self, tenant_id: str) -> Path:
        return self.tenants_dir / normalize_tenant_id(tenant_id)

    def summary_path(self, tenant_id: str) -> Path:
        return self.tenant_dir(tenant_id) / SUMMARY_NAME

    def tenant_ids(self) -> list[str]:
        if not self.tenants_dir.is_dir():
            return []
        return sorted(
            entry.name
            for entry in self.tenants_dir.iterdir()
            if (entry / SUMMARY_NAME).is_file() and is_tenant_id(entry.name)
        )


def read_summary(path: Path, tenant_id: str) -> TenantSummary:
    """The committed summary, or an empty one for a tenant that has none yet."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raw = b""
    return parse_summary(raw, path, tenant_id)


def parse_summary(raw: bytes, path: Path, tenant_id: str) -> TenantSummary:
    if not raw:
        return TenantSummary(tenant_id=tenant_id)
    try:
        return TenantSummary.model_validate(json.loads(raw))
    except ValueError as exc:
        raise StoreError(f"{path} is damaged ({exc.__class__.__name__}); restore it from a backup") from None


def write_summary(path: Path, summary: TenantSummary, now: datetime) -> None:
    """The commit point of a batch: one atomic rename. ``now``: the writer's clock."""
    summary.updated_at = now
    atomic_write_bytes(path, summary.model_dump_json().encode("utf-8"))
