"""Issue 14 (branch checkcost2): ``parse_number`` runs libphonenumber's type matcher once.

``is_valid_number_for_region`` and ``number_type`` each ran it on the same metadata and number
(validity is "the matcher finds a type"); ``knowledge.phone._valid_type`` asks ``number_type``
alone (public API only) and takes UNKNOWN as invalid. These tests hold every field of every parse
equal to what the two calls give, over the example numbers of every region and number type
libphonenumber knows (dialled from abroad, at home, from another country, one digit short or
long), check the region table the reasoning rests on, and count the matcher (the function
libphonenumber's public calls run, counted from the outside; ``knowledge.phone`` never names it).
"""

from __future__ import annotations

from dataclasses import replace

import phonenumbers
import pytest
from phonenumbers import PhoneNumberFormat, PhoneNumberType, phonenumberutil

from knowledge import phone
from knowledge.phone import ParsedNumber, parse_number

_TYPES = [v for k, v in vars(PhoneNumberType).items() if k.isupper() and v != PhoneNumberType.UNKNOWN]


def _public(parsed: ParsedNumber, default_region: str | None) -> ParsedNumber:
    """``parsed`` with its validity, region, kind and calling code decided again by the public
    calls (``is_valid_number``, ``number_type``), as ``parse_number`` did before this round."""
    if parsed.error not in (None, "invalid"):
        return parsed
    cleaned = parsed.cleaned
    number = phonenumbers.parse(cleaned, None if cleaned.startswith("+") else default_region)
    base = replace(parsed, error=None, region=None, kind="unknown", calling_code=None)
    if not phonenumbers.is_valid_number(number):
        return replace(base, error="invalid")
    found = phonenumbers.region_code_for_number(number)
    region = found if found and found not in (phonenumbers.UNKNOWN_REGION, "001") else None
    kind = phone._TYPES.get(phonenumbers.number_type(number), "unknown")
    return replace(base, region=region, kind=kind, calling_code=number.country_code)


def _corpus() -> list[tuple[str, str | None]]:
    """(text, default region): every region's example numbers of every type, in E.164, in
    national format at home and from another region, with a digit more and a digit less; the
    invalid examples; the non-geographic entities' examples."""
    cases: list[tuple[str, str | None]] = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        numbers = [phonenumbers.example_number_for_type(region, kind) for kind in _TYPES]
        numbers.append(phonenumbers.invalid_example_number(region))
        for number in filter(None, numbers):
            e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
            national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
            cases += [(e164, None), (e164 + "5", None), (e164[:-1], None)]
            cases += [(national, region), (national, "US" if region != "US" else "FR")]
    for code in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS):
        example = phonenumbers.example_number_for_non_geo_entity(code)
        if example is not None:
            cases.append((phonenumbers.format_number(example, PhoneNumberFormat.E164), None))
    return cases


def test_a_region_found_for_a_calling_code_has_that_code():
    """What makes ``number_type``'s UNKNOWN the same as ``is_valid_number_for_region``'s False
    for the region ``region_code_for_number`` found: that region's calling code is the number's."""
    table = phonenumberutil.COUNTRY_CODE_TO_REGION_CODE
    assert sum(len(regions) for regions in table.values()) > 240
    for code, regions in table.items():
        for region in regions:
            if region != phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY:
                assert phonenumbers.country_code_for_valid_region(region) == code, (code, region)


def test_every_parse_says_what_the_public_calls_say():
    cases = _corpus()
    assert len(cases) > 5000  # the example numbers are there (not an empty loop)
    kinds, errors = set(), set()
    for text, region in cases:
        parsed = parse_number(text, region)
        assert parsed == _public(parsed, region), (text, region)
        kinds.add(parsed.kind)
        errors.add(parsed.error)
    # the corpus reaches every outcome the matcher decides
    assert {"fixed_line", "mobile", "toll_free", "premium_rate", "voip", "fixed_line_or_mobile"} <= kinds
    assert {None, "invalid", "impossible"} <= errors


def test_e164_is_what_format_number_says():
    """``parse_number`` writes the E.164 form from the number's calling code and national
    significant number instead of asking ``format_number`` (which works the national number out
    again): the same text for every parse that reaches libphonenumber, valid or not."""
    checked = 0
    for text, region in _corpus():
        parsed = parse_number(text, region)
        if parsed.e164 is None:
            continue
        cleaned = parsed.cleaned
        number = phonenumbers.parse(cleaned, None if cleaned.startswith("+") else region)
        assert parsed.e164 == phonenumbers.format_number(number, PhoneNumberFormat.E164), (text, region)
        checked += 1
    assert checked > 5000


@pytest.mark.parametrize(
    ("text", "region", "kind", "found"),
    [
        ("01 23 45 67 89", "FR", "fixed_line", "FR"),  # the bench's number, national format
        ("+44 20 7946 0958", None, "fixed_line", "GB"),
        ("+1 202 555 0123", None, "fixed_line_or_mobile", "US"),  # a code many regions share
        ("+44 1481 256789", None, "fixed_line", "GG"),  # Guernsey on +44
        ("+33 1 23 45", None, None, None),  # too short: impossible, no type asked
    ],
)
def test_a_parse_runs_the_type_matcher_once(monkeypatch, text, region, kind, found):
    """Once on the number's own region, plus what the two region lookups run (parse_number's and
    number_type's: over the regions sharing a calling code, +1 or +44; nothing for a code of one
    region). Before: twice on the number's region (main: 2 * lookup + 2)."""
    calls = []
    original = phonenumberutil._number_type_helper

    def counted(national, metadata):
        calls.append(national)
        return original(national, metadata)

    monkeypatch.setattr(phonenumberutil, "_number_type_helper", counted)
    cleaned = phone.clean_number(text)[0]
    phonenumbers.region_code_for_number(phonenumbers.parse(cleaned, region))
    lookup = len(calls)  # what the region lookup alone runs (0 for a code of one region)
    calls.clear()
    parsed = parse_number(text, region)
    assert parsed.region == found and (parsed.kind == kind if kind else not parsed.ok)
    assert len(calls) == (2 * lookup + 1 if kind else 0)
