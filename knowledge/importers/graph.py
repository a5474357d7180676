"""Microsoft Graph ``getPstnCalls``: a response page, a plain array of rows, or a folder of pages.

A page is ``{"@odata.context": ..., "value": [pstnCallLogRow, ...], "@odata.nextLink": ...}``
with at most 1000 rows (fact sheet §9.3), so a page is parsed whole; a folder of pages is read
page by page. We never follow ``@odata.nextLink`` (no network): save every page and import the
folder. Row errors report the row's 1-based position in the array.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from knowledge.importers.fields import (
    clean,
    country_code,
    is_outbound,
    other_party_number,
    parse_money,
    parse_id,
    parse_optional_utc,
    parse_seconds,
    parse_utc,
    reason_for,
)
from knowledge.importers.summary import RowError
from knowledge.records import CallRecord

#: Keys every pstnCallLogRow has; enough to tell it from other Graph rows.
ROW_SIGNATURE = frozenset({"id", "callType", "startDateTime", "duration"})
#: A directRoutingLogRow (getDirectRoutingCalls): not Calling Plan minutes, skipped.
DIRECT_ROUTING_SIGNATURE = frozenset({"correlationId", "inviteDateTime"})


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
    if any(ROW_SIGNATURE <= row.keys() for row in sample):
        return "graph"
    if any(DIRECT_ROUTING_SIGNATURE <= row.keys() for row in sample):
        return "direct_routing"
    return None


def next_link(document: Any) -> str | None:
    return document.get("@odata.nextLink") if isinstance(document, dict) else None


def read_graph_rows(rows: list[Any], tenant_id: str) -> Iterator[CallRecord | RowError]:
    """Yield one :class:`CallRecord` or :class:`RowError` per row of a page or array."""
    for position, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            yield RowError(line=position, reason="the row is not a JSON object")
            continue
        try:
            yield _call(row, tenant_id)
        except ValueError as exc:
            yield RowError(line=position, reason=reason_for(exc))


def _call(row: dict[str, Any], tenant_id: str) -> CallRecord:
    ident = parse_id(row.get("id"), "id")
    kind = clean(row.get("callType"))
    if kind is None:
        raise ValueError("callType is empty")
    kind = kind.lower()
    upn = clean(row.get("userPrincipalName"))
    capability = clean(row.get("licenseCapability"))
    return CallRecord(
        id=ident,
        tenant_id=tenant_id,
        source="graph",
        call_type=kind,
        start=parse_utc(str(row.get("startDateTime") or ""), "startDateTime"),
        end=parse_optional_utc(row.get("endDateTime"), "endDateTime"),
        duration_seconds=parse_seconds(row.get("duration"), "duration"),
        call_id=clean(row.get("callId")),
        user_id=(clean(row.get("userId")) or "").lower() or None,
        upn=upn.lower() if upn else None,
        user_display_name=clean(row.get("userDisplayName")),
        usage_location=country_code(clean(row.get("usageCountryCode")), "usageCountryCode"),
        capability=capability.upper() if capability else None,
        destination_context=clean(row.get("destinationContext")),
        destination_name=clean(row.get("destinationName")),
        number=other_party_number(
            is_outbound(kind), clean(row.get("callerNumber")), clean(row.get("calleeNumber"))
        ),
        charge=parse_money(row.get("charge"), "charge"),
        connection_fee=parse_money(row.get("connectionCharge"), "connectionCharge"),
        currency=clean(row.get("currency")),
    )
