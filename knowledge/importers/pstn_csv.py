"""The Teams admin center PSTN usage export: ``PSTN.calls.[UTC date].csv`` (fact sheet §9.2).

RFC 4180 with a header row, UTC ISO 8601 times, masked external numbers (``+3312345****``).
Columns are found by name, so an export with the columns in another order or with extra
columns still reads. The file is streamed row by row (constant memory whatever its size), and
each row becomes a validated :class:`CallRecord` or a :class:`RowError` with its line number.
"""
from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import TextIO

from knowledge.importers.fields import (
    country_code,
    header_index,
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

#: The 20 documented columns, in export order.
PSTN_COLUMNS = (
    "UsageId",
    "Call ID",
    "Conference ID",
    "User Location",
    "AAD ObjectId",
    "UPN",
    "User Display Name",
    "Caller ID",
    "Call Type",
    "Number Type",
    "Domestic/International",
    "Destination Dialed",
    "Destination Number",
    "Start Time",
    "End Time",
    "Duration Seconds",
    "Connection Fee",
    "Charge",
    "Currency",
    "Capability",
)

#: Headers that identify the file (detection) ...
SIGNATURE = frozenset({"usageid", "call type", "start time", "duration seconds"})
#: ... and the columns a pool balance cannot do without (a file lacking one is refused).
REQUIRED = SIGNATURE | {"user location", "upn", "capability"}

#: The Direct Routing export that sits beside it in the zip (not Calling Plan minutes).
DIRECT_ROUTING_SIGNATURE = frozenset({"correlationid", "invite time", "sbc fqdn"})


def looks_like_pstn(header: Iterable[str]) -> bool:
    return SIGNATURE <= set(header)


def looks_like_direct_routing(header: Iterable[str]) -> bool:
    return DIRECT_ROUTING_SIGNATURE <= set(header)


def missing_columns(index: dict[str, int]) -> list[str]:
    return [name for name in PSTN_COLUMNS if name.casefold() in REQUIRED and name.casefold() not in index]


def read_pstn_csv(text: TextIO, tenant_id: str) -> Iterator[CallRecord | RowError]:
    """Yield one :class:`CallRecord` or :class:`RowError` per data row; blank lines are skipped.

    Raises ``ValueError`` for a file-level problem (no header, required columns missing).
    """
    reader = csv.reader(text)
    header = next(reader, None)
    if header is None:
        raise ValueError("the file is empty (no header row)")
    index = header_index(header)
    missing = missing_columns(index)
    if missing:
        raise ValueError(f"not a PSTN usage export: missing columns {', '.join(missing)}")

    width = max(index.values()) + 1

    def column(name: str) -> int:
        # A missing optional column reads as the empty cell appended to every row.
        return index.get(name.casefold(), width)

    usage_id, call_id, location = column("UsageId"), column("Call ID"), column("User Location")
    object_id, upn, display = column("AAD ObjectId"), column("UPN"), column("User Display Name")
    caller, call_type, scope = column("Caller ID"), column("Call Type"), column("Domestic/International")
    dest_name, dest_number = column("Destination Dialed"), column("Destination Number")
    start, end, duration = column("Start Time"), column("End Time"), column("Duration Seconds")
    fee, charge, currency = column("Connection Fee"), column("Charge"), column("Currency")
    capability = column("Capability")

    # The hot loop of a 100k-row import: plain indexing and str methods, one pydantic
    # validation per row (the boundary), no per-row closures.
    last_line = reader.line_num
    for row in reader:
        line = last_line + 1
        last_line = reader.line_num
        if len(row) < width:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            yield RowError(line=line, reason=f"expected {width} fields, found {len(row)}")
            continue
        row.append("")
        try:
            kind = row[call_type].strip().lower()
            if not kind:
                raise ValueError("Call Type is empty")
            yield CallRecord(
                id=parse_id(row[usage_id], "UsageId"),
                tenant_id=tenant_id,
                source="pstn_csv",
                call_type=kind,
                start=parse_utc(row[start], "Start Time"),
                end=parse_optional_utc(row[end], "End Time"),
                duration_seconds=parse_seconds(row[duration], "Duration Seconds"),
                call_id=row[call_id].strip() or None,
                user_id=row[object_id].strip().lower() or None,
                upn=row[upn].strip().lower() or None,
                user_display_name=row[display].strip() or None,
                usage_location=country_code(row[location], "User Location"),
                capability=row[capability].strip().upper() or None,
                destination_context=row[scope].strip() or None,
                destination_name=row[dest_name].strip() or None,
                number=other_party_number(is_outbound(kind), row[caller], row[dest_number]),
                charge=parse_money(row[charge], "Charge"),
                connection_fee=parse_money(row[fee], "Connection Fee"),
                currency=row[currency].strip() or None,
            )
        except ValueError as exc:
            yield RowError(line=line, reason=reason_for(exc))
