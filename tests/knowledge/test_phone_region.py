"""Issue 14: ``parse_number`` looks the number's region up twice, not three times (its own lookup
serves the validity check; ``number_type`` does its own), and classifies every number exactly as
libphonenumber's public ``is_valid_number`` / ``number_type`` / ``region_code_for_number`` do."""

from __future__ import annotations

import phonenumbers
import pytest
from phonenumbers import PhoneNumberType, phonenumberutil

from knowledge.phone import _TYPES, parse_number

_KINDS = [v for k, v in vars(PhoneNumberType).items() if k.isupper() and isinstance(v, int)]


def _examples() -> list[str]:
    """An example number of every type of every region libphonenumber knows, in E.164, plus
    invalid ones (a valid number with a digit dropped or added) and the non-geographic codes."""
    found: set[str] = set()
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in _KINDS:
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None:
                e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
                found.update({e164, e164[:-1], e164 + "7"})
    for code in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS):
        example = phonenumbers.example_number_for_non_geo_entity(code)
        if example is not None:
            found.add(phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164))
    return sorted(found)


EXAMPLES = _examples()


def _reference(text: str) -> tuple[str | None, str | None, str | None]:
    """(error, region, kind) by the public API, as parse_number did before issue 14."""
    number = phonenumbers.parse(text, None)
    if not phonenumbers.is_possible_number(number):
        return "impossible", None, "unknown"
    if not phonenumbers.is_valid_number(number):
        return "invalid", None, "unknown"
    found = phonenumbers.region_code_for_number(number)
    region = found if found and found != phonenumbers.UNKNOWN_REGION and found != "001" else None
    return None, region, _TYPES.get(phonenumbers.number_type(number), "unknown")


def test_the_examples_cover_shared_calling_codes_and_every_outcome():
    assert len(EXAMPLES) > 2000
    outcomes = {_reference(text)[0] for text in EXAMPLES}
    assert outcomes == {None, "invalid", "impossible"}
    assert any(text.startswith("+1") and _reference(text)[1] not in (None, "US") for text in EXAMPLES)  # +1 868 ...


def test_every_example_is_classified_as_by_the_public_api():
    wrong = []
    for text in EXAMPLES:
        parsed = parse_number(text)
        if (parsed.error, parsed.region, parsed.kind) != _reference(text):
            wrong.append((text, parsed.error, parsed.region, parsed.kind, _reference(text)))
    assert not wrong, wrong[:5]


def _e164(region: str) -> str:
    example = phonenumbers.example_number(region)
    assert example is not None
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)


# Trinidad (+1, shared with 24 other regions), the Isle of Man (+44), Kazakhstan (+7), France.
@pytest.mark.parametrize("region", ["TT", "IM", "KZ", "FR"])
def test_a_number_s_region_is_looked_up_twice_not_three_times(monkeypatch, region):
    text = _e164(region)
    calls: list[phonenumbers.PhoneNumber] = []
    lookup = phonenumberutil.region_code_for_number

    def counted(number: phonenumbers.PhoneNumber) -> str | None:
        calls.append(number)
        return lookup(number)

    # Both names: phone.py calls the package's, libphonenumber's own functions the module's.
    monkeypatch.setattr(phonenumberutil, "region_code_for_number", counted)
    monkeypatch.setattr(phonenumbers, "region_code_for_number", counted)
    parsed = parse_number(text, "FR")
    assert parsed.region == region and parsed.error is None
    assert len(calls) == 2
