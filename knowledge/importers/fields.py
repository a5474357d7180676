"""Field parsers shared by the importers: times, durations, money, countries, phone numbers.

Each one raises ``ValueError`` with a message that names the value, so a bad row is reported
as "Start Time '2025-13-01' is not an ISO 8601 date-time" rather than a traceback. They are
plain functions on the hot path of a 100k-row import: no regexes where a slice will do.
"""

from __future__ import annotations

from datetime import UTC, datetime

from knowledge.catalog import load_catalog


class RowRejected(ValueError):
    """A row-level ``ValueError`` with its reason code (a key of ``summary.REJECTION_REASONS``)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def code_for(exc: ValueError) -> str:
    """The reason code of a row error: ours when we raised it, else ``invalid_value``."""
    return getattr(exc, "code", None) or "invalid_value"


def parse_upn(value: object, field: str) -> str:
    """A user principal name: an address ``name@domain.tld``, lower-cased.

    Entra UPNs are ``alias@verified-domain``; anything else (``bad-row-no-at``) is a typo or
    another column, and would create a user no call can ever be matched to.
    """
    text = clean(value) or ""
    if not text:
        raise RowRejected("bad_upn", f"{field} is empty")
    local, _, domain = text.lower().partition("@")
    if (
        not local
        or "." not in domain
        or "@" in domain
        or domain.startswith(".")
        or domain.endswith(".")
        or ".." in domain
        or len(text) > 256
        or any(ch.isspace() for ch in text)
        or not text.isprintable()
    ):
        raise RowRejected("bad_upn", f"{field} {text[:60]!r} is not an address (name@domain)")
    return text.lower()


def parse_utc(value: str, field: str) -> datetime:
    """An ISO 8601 date-time as aware UTC; a time without an offset is taken as UTC.

    Microsoft's exports write UTC (``2025-06-03T09:15:27Z`` or with 7 fractional digits);
    Python 3.11's ``fromisoformat`` reads both and any explicit offset, which is converted.
    """
    text = value.strip()
    if not text:
        raise ValueError(f"{field} is empty")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{field} {text!r} is not an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_optional_utc(value: str | None, field: str) -> datetime | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    return parse_utc(text, field) if text.strip() else None


def parse_seconds(value: object, field: str) -> int:
    """A whole, non-negative number of seconds (``"125"``, ``125`` or ``"125.0"``)."""
    if value.__class__ is str:
        try:
            seconds = int(value)  # the common case, spaces allowed
        except ValueError:
            pass
        else:
            if seconds < 0:
                raise ValueError(f"{field} {seconds} is negative")
            return seconds
    if isinstance(value, bool):
        raise ValueError(f"{field} {value!r} is not a number of seconds")
    if isinstance(value, int):
        seconds = value
    else:
        text = str(value).strip() if value is not None else ""
        if not text:
            raise ValueError(f"{field} is empty")
        try:
            seconds = int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                raise ValueError(f"{field} {text!r} is not a number of seconds") from None
            if number != number or not number.is_integer():
                raise ValueError(f"{field} {text!r} is not a whole number of seconds") from None
            seconds = int(number)
    if seconds < 0:
        raise ValueError(f"{field} {seconds} is negative")
    return seconds


def parse_money(value: object, field: str) -> float | None:
    """An amount (``"0.12"``, ``0.12``), or None when the export leaves it empty."""
    if value.__class__ is str:
        try:
            return float(value)  # the common case, spaces allowed
        except ValueError:
            pass
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{field} {text!r} is not an amount") from None


def parse_id(value: object, field: str) -> str:
    """A row's unique id (UsageId, Graph id): the de-duplication key, compared lower-cased."""
    text = value.strip() if isinstance(value, str) else clean(value)
    if not text:
        raise ValueError(f"{field} is empty")
    if len(text) > 128 or " " in text or not text.isprintable():
        raise ValueError(f"{field} {text[:40]!r} is not an id (spaces, or over 128 characters)")
    return text.lower()


def clean(value: object) -> str | None:
    """A stripped string, or None for an empty cell or a JSON null."""
    if value.__class__ is str:  # the common case, on the hot path of every import
        return value.strip() or None
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def is_outbound(call_type: str) -> bool:
    """``user_out``, ``user_out_transfer``, ``conf_out``, ``ucap_out``... (direction is in the name)."""
    lowered = call_type.lower()
    return "_out" in lowered or lowered.endswith("out")


def is_masked(number: str | None) -> bool:
    return bool(number) and number.endswith("*")  # type: ignore[union-attr]


def other_party_number(outbound: bool, caller: str | None, callee: str | None) -> str | None:
    """The external party's number of a call, from the two number fields of an export.

    Microsoft's docs disagree on what ``callerNumber``/``calleeNumber`` (Graph) and ``Caller
    ID``/``Destination Number`` (TAC) hold (see the fact sheet §9.3). One thing is stable:
    Microsoft masks the last digits of the *external* party's number in every export. So when
    exactly one of the two is masked, it is the other party. Otherwise we follow the v1.0
    text: for an outbound call the callee is the number dialled, for an inbound call the
    caller is the external number.
    """
    caller, callee = clean(caller), clean(callee)
    caller_masked, callee_masked = is_masked(caller), is_masked(callee)
    if caller_masked != callee_masked:
        return caller if caller_masked else callee
    if outbound:
        return callee or caller
    return caller or callee


#: Raw cell -> code, for the few distinct values a million-row export repeats.
_COUNTRY_CODES: dict[str, str] = {}


def country_code(value: str | None, field: str) -> str | None:
    """An ISO alpha-2 code from a code (``fr``) or a name (``France``); None if empty.

    The admin center's user export writes the usage location either way depending on how the
    export was made, so the roster importer accepts both. Names are the catalog's (English,
    French and common aliases), the same the bot understands in chat. The catalog lists every
    ISO 3166-1 country, so anything else (``ZZ``) is refused rather than kept as a pool key.
    """
    code = _COUNTRY_CODES.get(value)  # type: ignore[arg-type]
    if code is not None:
        return code
    text = (value or "").strip()
    if not text:
        return None
    catalog = load_catalog()
    country = catalog.country(text) if len(text) == 2 else None
    if country is None:
        country = catalog.country_by_name(text)
    if country is None:
        raise RowRejected("unknown_country", f"{field} {text[:40]!r} is not a country the catalog knows")
    if len(_COUNTRY_CODES) < 4096:
        _COUNTRY_CODES[value] = country.iso  # type: ignore[index]
    return country.iso


def reason_for(exc: ValueError) -> str:
    """A one-line reason from our own ``ValueError`` or a pydantic ``ValidationError``."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        parts = []
        for item in errors():
            where = ".".join(str(part) for part in item.get("loc", ()))
            message = str(item.get("msg", "invalid")).removeprefix("Value error, ")
            parts.append(f"{where}: {message}" if where else message)
        return "; ".join(parts) or str(exc)
    return str(exc)


def header_index(header: list[str]) -> dict[str, int]:
    """Column positions by casefolded name (a UTF-8 BOM or stray spaces do not matter)."""
    index: dict[str, int] = {}
    for position, name in enumerate(header):
        key = name.strip().lstrip("\ufeff").strip().casefold()
        if key and key not in index:
            index[key] = position
    return index
