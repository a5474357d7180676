"""Microsoft Graph ``getPstnCalls``: a response page, a plain array of rows, or a folder of pages.

A page is ``{"@odata.context": ..., "value": [pstnCallLogRow, ...], "@odata.nextLink": ...}``
with at most 1000 rows (fact sheet §9.3), so a page is parsed whole; a folder of pages is read
page by page. We never follow ``@odata.nextLink`` (no network): save every page and import the
folder. Row errors report the row's 1-based position in the array.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from knowledge.importers.call_record import CallFields, build_call
from knowledge.importers.fields import RowRejected, code_for, reason_for
from knowledge.importers.summary import RowError
from knowledge.store.records import CallRecord

#: Keys every pstnCallLogRow has; enough to tell it from other Graph rows.
ROW_SIGNATURE = frozenset({"id", "callType", "startDateTime", "duration"})
#: A directRoutingLogRow (getDirectRoutingCalls): not Calling Plan minutes, skipped.
DIRECT_ROUTING_SIGNATURE = frozenset({"correlationId", "inviteDateTime"})
#: The pstnCallLogRow key of each call fact.
GRAPH_FIELDS = CallFields(
    id="id",
    call_type="callType",
    start="startDateTime",
    end="endDateTime",
    duration="duration",
    call_id="callId",
    user_id="userId",
    upn="userPrincipalName",
    user_display_name="userDisplayName",
    usage_location="usageCountryCode",
    capability="licenseCapability",
    destination_context="destinationContext",
    destination_name="destinationName",
    caller="callerNumber",
    callee="calleeNumber",
    charge="charge",
    connection_fee="connectionCharge",
    currency="currency",
)


def graph_rows(document: Any) -> list[Any] | None:
    """The row list of a Graph page or plain array, or None when the JSON is something else."""
    if isinstance(document, dict) and isinstance(document.get("value"), list):
        rows = document["value"]
        if rows or "pstn" in str(document.get("@odata.context", "")).lower():
            return rows
        return None
    if isinstance(document, list):
        return document
    return None


def classify(document: Any) -> str | None:
    """``graph`` for getPstnCalls, ``direct_routing`` for getDirectRoutingCalls, else None."""
    rows = graph_rows(document)
    if rows is None:
        return None
    sample = [row for row in rows[:50] if isinstance(row, dict)]
    if not sample:
        return "graph" if isinstance(document, dict) else None
    if any(row.keys() >= ROW_SIGNATURE for row in sample):
        return "graph"
    if any(row.keys() >= DIRECT_ROUTING_SIGNATURE for row in sample):
        return "direct_routing"
    return None


def next_link(document: Any) -> str | None:
    return document.get("@odata.nextLink") if isinstance(document, dict) else None


def parse_graph_row(row: Any, tenant_id: str) -> CallRecord:
    """One ``pstnCallLogRow`` dict as a validated :class:`CallRecord`.

    Raises ``ValueError`` (a :class:`~knowledge.importers.fields.RowRejected` with a reason
    code where there is one) for a row that cannot be imported. Used for saved pages and by
    anything that gets rows straight from Graph.
    """
    if not isinstance(row, dict):
        raise RowRejected("not_an_object", "the row is not a JSON object")
    return build_call([row.get(key) for key in GRAPH_FIELDS], GRAPH_FIELDS, "graph", tenant_id)


def read_graph_rows(rows: Iterable[Any], tenant_id: str) -> Iterator[CallRecord | RowError]:
    """Yield one :class:`CallRecord` or :class:`RowError` per row of a page, array or stream."""
    for position, row in enumerate(rows, start=1):
        try:
            yield parse_graph_row(row, tenant_id)
        except ValueError as exc:
            yield RowError(line=position, reason=reason_for(exc), code=code_for(exc))
