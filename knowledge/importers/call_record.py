"""One :class:`CallRecord` from one export row, whatever the format: the rules in one place.

The Teams admin center CSV export and Graph ``getPstnCalls`` carry the same facts under other
names (``UPN`` / ``userPrincipalName``...). Each importer says where each fact sits in its
format (a :class:`CallFields`: column or key names, also the names its error messages use) and
hands over the raw values in that order; :func:`build_call` applies the normalization (ids and
UPNs lower-cased, capability upper-cased, the other party's number chosen by direction), so
the two formats cannot drift apart and the same call gives the same record from either.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, NamedTuple

from knowledge.importers.fields import (
    RowRejected,
    clean,
    country_code,
    is_outbound,
    other_party_number,
    parse_id,
    parse_money,
    parse_optional_utc,
    parse_seconds,
    parse_utc,
)
from knowledge.store.records import CallRecord

#: The longest call we accept, in seconds: 24 hours. Teams ends calls long before a day has
#: passed, so a row over it (99,999,999 s was seen) is a damaged export, not usage to bill.
MAX_CALL_SECONDS = 24 * 3600


class CallFields(NamedTuple):
    """Where each fact of a call sits in one format, in the order :func:`build_call` reads."""

    id: str
    call_type: str
    start: str
    end: str
    duration: str
    call_id: str
    user_id: str
    upn: str
    user_display_name: str
    usage_location: str
    capability: str
    destination_context: str
    destination_name: str
    caller: str
    callee: str
    charge: str
    connection_fee: str
    currency: str


def build_call(
    values: Sequence[object], fields: CallFields, source: Literal["pstn_csv", "graph"], tenant_id: str
) -> CallRecord:
    """The call in ``values`` (raw cells or JSON values, in :class:`CallFields` order).

    Raises ``ValueError`` naming the field (by ``fields``) for the first bad value, a
    :class:`~knowledge.importers.fields.RowRejected` with its reason code for a call that
    cannot be real: over :data:`MAX_CALL_SECONDS`, a user call with no user, an end before
    its start.
    """
    (
        ident,
        kind,
        start,
        end,
        duration,
        call_id,
        user_id,
        upn,
        display,
        location,
        capability,
        scope,
        destination,
        caller,
        callee,
        charge,
        fee,
        currency,
    ) = values
    ident = parse_id(ident, fields.id)
    kind = clean(kind)
    if kind is None:
        raise ValueError(f"{fields.call_type} is empty")
    kind = kind.lower()
    user_id, upn, capability = clean(user_id), clean(upn), clean(capability)
    seconds = parse_seconds(duration, fields.duration)
    if seconds > MAX_CALL_SECONDS:
        raise RowRejected(
            "duration_over_limit",
            f"{fields.duration} {seconds} is over 24 hours ({MAX_CALL_SECONDS} s): not a real call",
        )
    if kind.startswith("user") and not user_id and not upn:
        raise RowRejected(
            "no_user", f"neither {fields.upn} nor {fields.user_id} is set: a {kind} call must name its user"
        )
    begin = parse_utc(start if start.__class__ is str else str(start or ""), fields.start)
    finish = parse_optional_utc(end, fields.end)  # type: ignore[arg-type]
    if finish is not None and finish < begin:
        raise RowRejected(
            "end_before_start", f"{fields.end} {finish.isoformat()} is before {fields.start} {begin.isoformat()}"
        )
    return CallRecord(
        id=ident,
        tenant_id=tenant_id,
        source=source,
        call_type=kind,
        start=begin,
        end=finish,
        duration_seconds=seconds,
        call_id=clean(call_id),
        user_id=user_id.lower() if user_id else None,
        upn=upn.lower() if upn else None,
        user_display_name=clean(display),
        usage_location=country_code(clean(location), fields.usage_location),
        capability=capability.upper() if capability else None,
        destination_context=clean(scope),
        destination_name=clean(destination),
        number=other_party_number(is_outbound(kind), caller, callee),  # type: ignore[arg-type]
        charge=parse_money(charge, fields.charge),
        connection_fee=parse_money(fee, fields.connection_fee),
        currency=clean(currency),
    )
