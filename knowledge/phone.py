"""Parse what admins paste as a phone number into something the rules can reason about.

One place turns free text into a :class:`ParsedNumber`: E.164, national format in the caller's
country, ``00`` or ``+`` prefixes, spaces, dashes, dots, brackets, and masked exports
(``+33 1 23 45 ****``, the usage report hides the last 3-4 digits). Masked digits are replaced
by a digit (``number_rules.json``: masking) so the country and the number type can still be
classified; ``masked`` says it happened. Never raises: a bad input comes back with ``error``.

Only the core ``phonenumbers`` module is imported: the geocoder, carrier and timezone modules
cost 0.4 s and 100 MB and tell us nothing the rules need.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import phonenumbers
from phonenumbers import PhoneNumberType

from knowledge.catalog import load_catalog

NumberKind = Literal[
    "fixed_line",
    "mobile",
    "fixed_line_or_mobile",
    "toll_free",
    "premium_rate",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
    "unknown",
]
ParseError = Literal["empty", "not_a_number", "unparseable", "too_short", "too_long", "impossible", "invalid"]

_TYPES: dict[int, NumberKind] = {
    PhoneNumberType.FIXED_LINE: "fixed_line",
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.PREMIUM_RATE: "premium_rate",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.PERSONAL_NUMBER: "personal_number",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "uan",
    PhoneNumberType.VOICEMAIL: "voicemail",
}

#: Separators people type inside numbers (NBSP and thin spaces included).
_SEPARATORS = re.compile(r"[\s\-\.\(\)\[\]/\u00a0\u2009\u202f\u2010-\u2015]+")
_MASK_CHARS = "*•#"
_TRAILING_X = re.compile(r"(?<=\d)[xX]+$")
_ALLOWED = re.compile(r"^\+?[0-9]*$")
#: Keep pathological inputs cheap: no real number is this long.
_MAX_INPUT = 64


@dataclass(frozen=True, slots=True)
class ParsedNumber:
    """A dialled number, cleaned and classified (a plain dataclass: `callplan check` loads no pydantic)."""

    raw: str
    cleaned: str = ""
    masked: bool = False
    masked_digits: int = 0
    error: ParseError | None = None
    e164: str | None = None
    region: str | None = None  # ISO alpha-2 as libphonenumber says (BQ, CW...), None if non-geographic
    national_number: str = ""
    kind: NumberKind = "unknown"
    calling_code: int | None = None  # the country calling code (44 for +44 7911 ...)

    @property
    def ok(self) -> bool:
        return self.error is None


def strip_separators(text: str) -> str:
    """The number as typed without spaces, dashes, dots, brackets or a ``tel:`` prefix."""
    text = text.strip()
    if text.lower().startswith("tel:"):
        text = text[4:]
    return _SEPARATORS.sub("", text)


def clean_number(text: str) -> tuple[str, int]:
    """Strip separators and prefixes; return (digits with optional leading +, masked digit count)."""
    text = strip_separators(text)
    # Most numbers end in a digit: the regex (which scans the whole text) only for an x at the end.
    match = _TRAILING_X.search(text) if text[-1:] in ("x", "X") else None
    if match:  # "+33 1 23 45 xxxx": a masked export, not an extension
        text = text[: match.start()] + "*" * len(match.group(0))
    masked = sum(text.count(ch) for ch in _MASK_CHARS)
    if text.startswith("00"):
        text = "+" + text[2:]
    return text, masked


def parse_number(text: object, default_region: str | None = None) -> ParsedNumber:
    """Classify ``text`` as dialled by a user located in ``default_region``. Never raises."""
    raw = text if isinstance(text, str) else ""
    if not raw.strip():
        return ParsedNumber(raw=raw, error="empty")
    if len(raw) > _MAX_INPUT:
        return ParsedNumber(raw=raw[:_MAX_INPUT], error="too_long")
    cleaned, masked = clean_number(raw)
    if masked:
        digit = load_catalog().number_rules.masking.replacement_digit
        cleaned = "".join(digit if ch in _MASK_CHARS else ch for ch in cleaned)
    if not cleaned or not _ALLOWED.match(cleaned) or cleaned == "+":
        return ParsedNumber(raw=raw, cleaned=cleaned, masked=bool(masked), masked_digits=masked, error="not_a_number")
    region = (default_region or "").upper() or None
    if not cleaned.startswith("+") and region is None:
        return ParsedNumber(raw=raw, cleaned=cleaned, masked=bool(masked), masked_digits=masked, error="unparseable")
    try:
        number = phonenumbers.parse(cleaned, None if cleaned.startswith("+") else region)
    except phonenumbers.NumberParseException as exc:
        error: ParseError = (
            "too_short"
            if exc.error_type
            in (
                phonenumbers.NumberParseException.TOO_SHORT_NSN,
                phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD,
            )
            else "too_long"
            if exc.error_type == phonenumbers.NumberParseException.TOO_LONG
            else "unparseable"
        )
        return ParsedNumber(raw=raw, cleaned=cleaned, masked=bool(masked), masked_digits=masked, error=error)
    except Exception:  # a library bug must not reach the user as a traceback
        return ParsedNumber(raw=raw, cleaned=cleaned, masked=bool(masked), masked_digits=masked, error="unparseable")
    national = phonenumbers.national_significant_number(number)
    # What ``format_number(number, E164)`` returns for a number parsed without its raw input:
    # "+", the calling code, the national significant number (no formatting; it worked the
    # national number out again, ~1.5 us a parse). tests/knowledge/test_phone_one_type_match.py
    # holds it to format_number over every example number.
    e164 = f"+{number.country_code}{national}"
    problem: ParseError | None = None
    region_code: str | None = None
    kind: NumberKind = "unknown"
    calling_code: int | None = None
    if not phonenumbers.is_possible_number(number):
        problem = "impossible"
    else:
        # Valid = libphonenumber's type matcher finds a type in the metadata of the number's
        # region: ``is_valid_number_for_region(number, found)`` and ``number_type(number)`` each
        # ran it; the type, UNKNOWN for an invalid number, answers both (see _valid_type).
        found = phonenumbers.region_code_for_number(number)
        number_type = _valid_type(number, found)
        if number_type is None:  # = not is_valid_number(number)
            problem = "invalid"
        else:
            region_code = found if found and found != phonenumbers.UNKNOWN_REGION and found != "001" else None
            kind = _TYPES.get(number_type, "unknown")
            calling_code = number.country_code
    return ParsedNumber(
        raw=raw,
        cleaned=cleaned,
        masked=bool(masked),
        masked_digits=masked,
        error=problem,
        e164=e164,
        region=region_code,
        national_number=national,
        kind=kind,
        calling_code=calling_code,
    )


def _valid_type(number: phonenumbers.PhoneNumber, found: str | None) -> int | None:
    """``number_type(number)`` if ``is_valid_number_for_region(number, found)``, else None, where
    ``found`` is ``region_code_for_number(number)``; one run of the type matcher, not two.

    Why the same: for that region, ``is_valid_number_for_region`` is "the metadata exists, the
    region's calling code is the number's, and the matcher over the national number finds a
    type"; ``number_type`` looks the same region up, runs the same matcher on the same metadata
    and national number, and says UNKNOWN when there is no metadata. A region that
    ``region_code_for_number`` gives for a calling code always has that code (libphonenumber's
    region table; ``tests/knowledge/test_phone_one_type_match.py`` checks it, and every example
    number of every region and type against the two calls)."""
    if found is None:
        return None
    number_type: int = phonenumbers.number_type(number)
    return None if number_type == PhoneNumberType.UNKNOWN else number_type


def main_region_of_code(calling_code: int) -> str | None:
    """The region libphonenumber names first for a calling code (GB for +44, US for +1, RU for
    +7, FI for +358): the one the others share it with (Guernsey, Jamaica, Kazakhstan, Åland)."""
    found = phonenumbers.region_code_for_country_code(calling_code)
    return found if found and found not in (phonenumbers.UNKNOWN_REGION, "001") else None
