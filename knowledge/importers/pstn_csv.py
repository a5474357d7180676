"""The Teams admin center PSTN usage export: ``PSTN.calls.[UTC date].csv`` (fact sheet §9.2).

RFC 4180 with a header row, UTC ISO 8601 times, masked external numbers (``+3312345****``).
Columns are found by name, so an export with the columns in another order or with extra
columns still reads. The file is streamed row by row (constant memory whatever its size), and
each row becomes a validated :class:`CallRecord` or a :class:`RowError` with its line number.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from operator import itemgetter
from typing import TextIO

from knowledge.importers.call_record import CallFields, build_call
from knowledge.importers.csv_rows import open_csv
from knowledge.importers.fields import code_for, reason_for
from knowledge.importers.summary import RowError
from knowledge.store.records import CallRecord

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

#: The column of each call fact (also the name an error message uses).
PSTN_FIELDS = CallFields(
    id="UsageId",
    call_type="Call Type",
    start="Start Time",
    end="End Time",
    duration="Duration Seconds",
    call_id="Call ID",
    user_id="AAD ObjectId",
    upn="UPN",
    user_display_name="User Display Name",
    usage_location="User Location",
    capability="Capability",
    destination_context="Domestic/International",
    destination_name="Destination Dialed",
    caller="Caller ID",
    callee="Destination Number",
    charge="Charge",
    connection_fee="Connection Fee",
    currency="Currency",
)

#: Headers that identify the file (detection) ...
SIGNATURE = frozenset({"usageid", "call type", "start time", "duration seconds"})
#: ... and the columns a pool balance cannot do without (a file lacking one is refused).
REQUIRED = SIGNATURE | {"user location", "upn", "capability"}

#: The Direct Routing export that sits beside it in the zip (not Calling Plan minutes).
DIRECT_ROUTING_SIGNATURE = frozenset({"correlationid", "invite time", "sbc fqdn"})


def looks_like_pstn(header: Iterable[str]) -> bool:
    return set(header) >= SIGNATURE


def looks_like_direct_routing(header: Iterable[str]) -> bool:
    return set(header) >= DIRECT_ROUTING_SIGNATURE


def missing_columns(index: dict[str, int]) -> list[str]:
    return [name for name in PSTN_COLUMNS if name.casefold() in REQUIRED and name.casefold() not in index]


def read_pstn_csv(text: TextIO, tenant_id: str) -> Iterator[CallRecord | RowError]:
    """Yield one :class:`CallRecord` or :class:`RowError` per data row; blank lines are skipped.

    Raises ``ValueError`` for a file-level problem (no header, required columns missing).
    """
    rows, index = open_csv(text)
    missing = missing_columns(index)
    if missing:
        raise ValueError(f"not a PSTN usage export: missing columns {', '.join(missing)}")

    # A missing optional column reads as the empty cell appended to every row.
    width = max(index.values()) + 1
    cells = itemgetter(*(index.get(name.casefold(), width) for name in PSTN_FIELDS))

    # The hot loop of a 100k-row import: one C-level pick of the cells, one pydantic
    # validation per row (the boundary), no per-row closures.
    for line, row in rows:
        if len(row) < width:
            yield RowError(line=line, reason=f"expected {width} fields, found {len(row)}", code="field_count")
            continue
        row.append("")
        try:
            yield build_call(cells(row), PSTN_FIELDS, "pstn_csv", tenant_id)
        except ValueError as exc:
            yield RowError(line=line, reason=reason_for(exc), code=code_for(exc))
