"""``callplan sync`` and the bot's scheduled sync: Graph users, licences and PSTN calls into the store.

What goes through which code (one way to do each thing):

* calls: each getPstnCalls page's ``value`` goes through :func:`knowledge.importers.graph.read_graph_rows`
  (the importer a Graph JSON *file* import uses, with its row validation) and then
  :meth:`TenantWriter.add_calls` (the store's de-duplication on id and on the match key), in
  batches of ``BATCH_ROWS`` under the tenant's import lock. A call synced and later imported
  from a Teams admin center file therefore counts once, and re-reading a window adds nothing;
* users: ``/users`` + ``/subscribedSkus`` become :class:`UserRecord` s and one
  :meth:`TenantWriter.merge_users` (a roster import: a snapshot that sizes this month's pools).

Incremental: ``DATA_DIR/sync/<tenant>.json`` (or ``sync/<tenant>.json`` of the shared object
store, :class:`SyncMarks`) keeps ``synced_until``, the end of the last
window read completely. The next sync starts ``OVERLAP`` before it (Graph records arrive
late); the overlap is re-read and de-duplicated. A sync killed mid-window has not advanced
``synced_until``, so the next one reads that window again: committed batches come back as
duplicates, nothing is counted twice. The first sync starts at ``since`` (default: the first
day of the current month, what the pools need).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from knowledge.clock import Clock
from knowledge.graph.client import GraphClient, GraphError, windows
from knowledge.importers.fields import country_code, reason_for
from knowledge.importers.graph import read_graph_rows
from knowledge.importers.summary import MAX_ROW_ERRORS, RowError
from knowledge.store import Store
from knowledge.store.atomic import atomic_write_bytes
from knowledge.store.importing import BATCH_ROWS
from knowledge.store.layout import StoreError, normalize_tenant_id
from knowledge.store.objects import ObjectStore, PreconditionFailed
from knowledge.store.records import CallRecord, UserRecord

#: Re-read this much before the end of the last sync: Graph call records can arrive late.
OVERLAP = timedelta(days=2)

#: Progress callback: (tenant, what happened) for the CLI; the bot logs instead.
Progress = Callable[[str, str], None]


class SyncState(BaseModel):
    """How far one tenant was synced (``DATA_DIR/sync/<tenant>.json``)."""

    tenant_id: str
    synced_until: datetime | None = None  # end of the last window read completely
    newest_call: datetime | None = None  # start of the newest call ever synced
    last_run: datetime | None = None
    last_error: str | None = None


class SyncResult(BaseModel):
    """What one tenant's sync did: the CLI's summary line and the bot's log line."""

    tenant_id: str
    users: int = 0
    users_changed: int = 0
    calls: int = 0  # rows read from Graph
    new: int = 0
    duplicates: int = 0
    rejected: int = 0
    errors: list[RowError] = Field(default_factory=list)
    windows: int = 0
    requests: int = 0
    error: str | None = None
    #: The months whose pools this sync changed (alerts look at these).
    months: list[str] = Field(default_factory=list)

    def reject(self, error: RowError) -> None:
        self.rejected += 1
        if len(self.errors) < MAX_ROW_ERRORS:
            self.errors.append(error)

    @property
    def ok(self) -> bool:
        return self.error is None and self.rejected == 0

    def line(self) -> str:
        text = (
            f"tenant {self.tenant_id}: {self.users} users, {self.calls} calls, {self.new} new, "
            f"{self.duplicates} duplicates, {self.rejected} rejected rows"
        )
        return f"{text}; FAILED: {self.error}" if self.error else text


def state_path(data_dir: Path | str, tenant_id: str) -> Path:
    return Path(data_dir) / "sync" / f"{normalize_tenant_id(tenant_id)}.json"


#: Tries of one mark write against another writer on an object store.
MARK_ATTEMPTS = 5


class SyncMarks:
    """Where each tenant's :class:`SyncState` is kept: ``DATA_DIR/sync/<tenant>.json``, or the
    object ``sync/<tenant>.json`` of ``objects`` (several replicas: a new leader goes on from
    the marks of the old one instead of re-reading the month from Graph).

    Only the elected replica writes, but a lease can change hands mid-sync: on an object store
    a write is conditional on the ETag read (If-None-Match: * for a first mark) and, when it
    loses (412), merges with the other writer's marks (the later ``synced_until`` and
    ``newest_call`` win) and tries again."""

    def __init__(self, data_dir: Path | str, objects: ObjectStore | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.objects = objects
        self._etags: dict[str, str | None] = {}

    @staticmethod
    def object_name(tenant_id: str) -> str:
        return f"sync/{normalize_tenant_id(tenant_id)}.json"

    def read(self, tenant_id: str) -> SyncState:
        tenant = normalize_tenant_id(tenant_id)
        if self.objects is None:
            try:
                raw: bytes | None = state_path(self.data_dir, tenant).read_bytes()
            except FileNotFoundError:
                raw = None
        else:
            found = self.objects.get(self.object_name(tenant))
            raw = found.data if found is not None else None
            self._etags[tenant] = found.etag if found is not None else None
        try:
            if raw is not None:
                return SyncState.model_validate_json(raw)
        except ValueError:
            pass  # unreadable: start afresh. Safe, since re-reading calls adds nothing.
        return SyncState(tenant_id=tenant)

    def write(self, state: SyncState) -> None:
        if self.objects is None:
            path = state_path(self.data_dir, state.tenant_id)
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(path, state.model_dump_json(indent=1).encode("utf-8"))
            return
        tenant = normalize_tenant_id(state.tenant_id)
        name = self.object_name(tenant)
        if tenant not in self._etags:
            self.read(tenant)
        for _ in range(MARK_ATTEMPTS):
            etag = self._etags.get(tenant)
            payload = state.model_dump_json(indent=1).encode("utf-8")
            try:
                if etag is None:
                    self._etags[tenant] = self.objects.put(name, payload, if_none_match="*")
                else:
                    self._etags[tenant] = self.objects.put(name, payload, if_match=etag)
                return
            except PreconditionFailed:
                other = self.read(tenant)  # another writer's marks: keep the furthest of both
                state.synced_until = _latest(state.synced_until, other.synced_until)
                state.newest_call = _latest(state.newest_call, other.newest_call)
        raise StoreError(f"tenant {tenant}: the sync marks kept changing under {MARK_ATTEMPTS} tries")


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    return max(a, b) if a is not None and b is not None else a or b


def read_state(data_dir: Path | str, tenant_id: str, objects: ObjectStore | None = None) -> SyncState:
    return SyncMarks(data_dir, objects).read(tenant_id)


def write_state(data_dir: Path | str, state: SyncState, objects: ObjectStore | None = None) -> None:
    SyncMarks(data_dir, objects).write(state)


def start_of_month(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def sync_tenant(
    data_dir: Path | str,
    client: GraphClient,
    now: Clock,
    *,
    since: datetime | None = None,
    users: bool = True,
    progress: Progress | None = None,
    store: Store | None = None,
    marks: SyncMarks | None = None,
) -> SyncResult:
    """Sync one tenant; a :class:`GraphError` ends it with ``result.error`` set (not raised).

    ``store``: where the rows go (default: the local store of ``data_dir``); ``marks``: where
    the sync state is kept (default: files in ``data_dir``)."""
    tenant_id = normalize_tenant_id(client.tenant_id)
    target = store if store is not None else Store(data_dir)
    marks = marks if marks is not None else SyncMarks(data_dir)
    result = SyncResult(tenant_id=tenant_id)
    state = marks.read(tenant_id)
    end = now().astimezone(UTC)
    if since is not None:
        start = since.astimezone(UTC)
    elif state.synced_until is not None:
        start = state.synced_until - OVERLAP
    else:
        start = start_of_month(end)
    say = progress or (lambda tenant, message: None)
    try:
        if users:
            _sync_users(target, client, result)
            say(tenant_id, f"{result.users} users ({result.users_changed} new or changed)")
        months: set[str] = set()
        for window_start, window_end in windows(start, end):
            _sync_window(target, client, window_start, window_end, result, state, months, say)
            result.windows += 1
            state.synced_until = max(state.synced_until or window_end, window_end)
            marks.write(state)
        result.months = sorted(months)
    except GraphError as exc:
        result.error = str(exc).removeprefix(f"tenant {tenant_id}: ")
    result.requests = client.requests_made
    state.last_run = end
    state.last_error = result.error
    marks.write(state)
    return result


def _sync_users(target: Store, client: GraphClient, result: SyncResult) -> None:
    skus = client.subscribed_skus()
    records: list[UserRecord] = []
    for position, row in enumerate(client.users(), start=1):
        result.users += 1
        try:
            records.append(user_record(row, skus, result.tenant_id))
        except ValueError as exc:
            result.reject(RowError(line=position, reason=f"user: {reason_for(exc)}"))
    with target.writer(result.tenant_id) as writer:
        result.users_changed, _ = writer.merge_users(records)


def user_record(row: Any, skus: dict[str, str], tenant_id: str) -> UserRecord:
    """A Graph user (``$select`` of :data:`USER_FIELDS`) as the roster importer's record."""
    if not isinstance(row, dict):
        raise ValueError("the row is not a JSON object")
    licenses = []
    for item in row.get("assignedLicenses") or ():
        sku_id = str(item.get("skuId", "")).lower() if isinstance(item, dict) else ""
        if sku_id in skus:
            licenses.append(skus[sku_id].upper())
    location = row.get("usageLocation")
    return UserRecord(
        tenant_id=tenant_id,
        upn=str(row.get("userPrincipalName") or ""),
        object_id=str(row.get("id") or "").lower() or None,
        display_name=str(row.get("displayName") or ""),
        usage_location=country_code(location, "usageLocation") if location else None,
        licenses=tuple(sorted(set(licenses))),
    )


def _sync_window(
    target: Store,
    client: GraphClient,
    start: datetime,
    end: datetime,
    result: SyncResult,
    state: SyncState,
    months: set[str],
    say: Progress,
) -> None:
    batch: list[CallRecord] = []
    for page in client.pstn_call_pages(start, end):
        rows = page.get("value")
        if not isinstance(rows, list):
            raise GraphError(result.tenant_id, "a getPstnCalls page has no 'value' list")
        offset = result.calls
        result.calls += len(rows)
        for item in read_graph_rows(rows, result.tenant_id):
            if isinstance(item, RowError):
                result.reject(RowError(line=offset + item.line, reason=item.reason))
            else:
                batch.append(item)
        if len(batch) >= BATCH_ROWS:
            _commit(target, batch, result, state, months)
            say(result.tenant_id, f"{result.calls} calls read, {result.new} new")
    _commit(target, batch, result, state, months)
    say(result.tenant_id, f"{start:%Y-%m-%d}..{end:%Y-%m-%d}: {result.calls} calls read, {result.new} new")


def _commit(target: Store, batch: list[CallRecord], result: SyncResult, state: SyncState, months: set[str]) -> None:
    if not batch:
        return
    with target.writer(result.tenant_id) as writer:
        imported, duplicates = writer.add_calls(batch)
    result.new += imported
    result.duplicates += duplicates
    newest = max(call.start for call in batch)
    state.newest_call = max(state.newest_call or newest, newest)
    months.update(call.month for call in batch)
    batch.clear()


def sync_tenants(
    data_dir: Path | str,
    clients: Iterable[GraphClient],
    now: Clock,
    *,
    since: datetime | None = None,
    progress: Progress | None = None,
    store: Store | None = None,
    marks: SyncMarks | None = None,
) -> list[SyncResult]:
    """Each tenant in turn; one failing (even with an unexpected error) never stops the others."""
    results = []
    marks = marks if marks is not None else SyncMarks(data_dir)
    for client in clients:
        try:
            results.append(sync_tenant(data_dir, client, now, since=since, progress=progress, store=store, marks=marks))
        except Exception as exc:  # reported per tenant, the others still run
            failed = SyncResult(tenant_id=client.tenant_id, error=f"{exc.__class__.__name__}: {exc}")
            results.append(failed)
            _record_failure(marks, failed, now)
        finally:
            client.close()
    return results


def _record_failure(marks: SyncMarks, result: SyncResult, now: Clock) -> None:
    """An unexpected failure still counts as a run: the scheduler waits an interval, no storm."""
    try:
        state = marks.read(result.tenant_id)
        state.last_run, state.last_error = now(), result.error
        marks.write(state)
    except (OSError, ValueError, StoreError):
        pass


def results_json(results: list[SyncResult]) -> str:
    return json.dumps([r.model_dump(mode="json") for r in results], indent=1)
