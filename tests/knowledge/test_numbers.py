"""check_call: every rule of fact sheet §5, table-driven, plus "never raises" properties."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.numbers import CallVerdict, check_call
from knowledge.phone import parse_number

# (number, caller country, plan, keyword arguments) -> (verdict, reason, destination, scope, pool key)
CASES: list[
    tuple[str, tuple[str, str, str | None, dict[str, Any]], tuple[str, str, str | None, str | None, str | None]]
] = [
    # US / PR / CA: one domestic area, US and PR one pool.
    (
        "us to us",
        ("+1 212 555 0123", "US", "MCOPSTN1", {}),
        ("included", "domestic_included", "US", "domestic", "US|MCOPSTN1|domestic"),
    ),
    (
        "us to pr",
        ("+1 787 555 0123", "US", "MCOPSTN1", {}),
        ("included", "domestic_included", "PR", "domestic", "US|MCOPSTN1|domestic"),
    ),
    (
        "pr to us",
        ("+1 212 555 0123", "PR", "MCOPSTN1", {}),
        ("included", "domestic_included", "US", "domestic", "US|MCOPSTN1|domestic"),
    ),
    (
        "us to ca",
        ("+1 604 555 0123", "US", "MCOPSTN1", {}),
        ("included", "domestic_included", "CA", "domestic", "US|MCOPSTN1|domestic"),
    ),
    (
        "ca to us",
        ("+1 212 555 0123", "CA", "MCOPSTN1", {}),
        ("included", "domestic_included", "US", "domestic", "CA|MCOPSTN1|domestic"),
    ),
    (
        "us national",
        ("(212) 555-0123", "US", "MCOPSTN1", {}),
        ("included", "domestic_included", "US", "domestic", "US|MCOPSTN1|domestic"),
    ),
    (
        "us 011 idd",
        ("011 33 1 23 45 67 89", "US", "MCOPSTN2", {}),
        ("included", "international_included", "FR", "international", "US|MCOPSTN2|international"),
    ),
    (
        "us to mx",
        ("+52 55 1234 5678", "US", "MCOPSTN1", {}),
        ("per_minute", "international_needs_credits", "MX", "international", None),
    ),
    # EU 1200 countries.
    (
        "fr to fr",
        ("+33 1 23 45 67 89", "FR", "MCOPSTN1", {}),
        ("included", "domestic_included", "FR", "domestic", "FR|MCOPSTN1|domestic"),
    ),
    (
        "fr to de",
        ("+49 30 123456", "FR", "MCOPSTN1", {}),
        ("per_minute", "international_needs_credits", "DE", "international", None),
    ),
    (
        "fr to de credits",
        ("+49 30 123456", "FR", "MCOPSTN1", {"has_credits": True}),
        ("per_minute", "international_via_credits", "DE", "international", None),
    ),
    (
        "fr to de overage",
        ("+49 30 123456", "FR", "MCOPSTN1", {"overage": True}),
        ("per_minute", "international_via_credits", "DE", "international", None),
    ),
    (
        "de 120 plan",
        ("030 123456", "DE", "MCOPSTN5", {}),
        ("included", "domestic_included", "DE", "domestic", "DE|MCOPSTN5|domestic"),
    ),
    (
        "de 240 plan",
        ("030 123456", "DE", "MCOPSTN6", {}),
        ("included", "domestic_included", "DE", "domestic", "DE|MCOPSTN6|domestic"),
    ),
    (
        "it by name",
        ("06 1234 5678", "Italie", "MCOPSTN1", {}),
        ("included", "domestic_included", "IT", "domestic", "IT|MCOPSTN1|domestic"),
    ),
    # Both lines of Domestic and International.
    (
        "d&i domestic",
        ("+49 30 123456", "DE", "MCOPSTN2", {}),
        ("included", "domestic_included", "DE", "domestic", "DE|MCOPSTN2|domestic"),
    ),
    (
        "d&i international",
        ("+33 1 23 45 67 89", "DE", "MCOPSTN2", {}),
        ("included", "international_included", "FR", "international", "DE|MCOPSTN2|international"),
    ),
    (
        "d&i south sudan",
        ("+211 955 123 456", "DE", "MCOPSTN2", {}),
        ("included", "international_included", "SS", "international", "DE|MCOPSTN2|international"),
    ),
    (
        "d&i not listed",
        ("+53 7 8123456", "DE", "MCOPSTN2", {}),
        ("not_callable", "destination_not_included", "CU", "international", None),
    ),
    # Not on the callable list: never, even with Communications Credits (issue 11's not_callable).
    (
        "not listed credits",
        ("+53 7 8123456", "DE", "MCOPSTN2", {"has_credits": True}),
        ("not_callable", "destination_not_included", "CU", "international", None),
    ),
    (
        "non geographic",
        ("+800 1234 5678", "DE", "MCOPSTN2", {}),
        ("not_callable", "destination_not_included", None, "international", None),
    ),
    # Mexico.
    (
        "mx sku",
        ("+52 55 1234 5678", "MX", "Microsoft_Teams_Domestic_Calling_Plan_(Mexico)", {}),
        ("included", "domestic_included", "MX", "domestic", "MX|MCOPSTN1|domestic"),
    ),
    (
        "mx generic",
        ("55 1234 5678", "MX", "MCOPSTN1", {}),
        ("included", "domestic_included", "MX", "domestic", "MX|MCOPSTN1|domestic"),
    ),
    # Partner countries.
    (
        "au telstra",
        ("02 9876 5432", "AU", "TELSTRA_CALLING", {}),
        ("included", "domestic_partner_plan", "AU", "domestic", None),
    ),
    (
        "au telstra abroad",
        ("+33 1 23 45 67 89", "AU", "TELSTRA_CALLING", {}),
        ("not_callable", "international_partner_terms", "FR", "international", None),
    ),
    (
        "au microsoft plan",
        ("02 9876 5432", "AU", "MCOPSTN1", {}),
        ("not_callable", "plan_not_in_country", "AU", "domestic", None),
    ),
    (
        "jp softbank",
        ("03-1234-5678", "JP", "SOFTBANK_CALLING", {}),
        ("included", "domestic_partner_plan", "JP", "domestic", None),
    ),
    (
        "telstra outside au",
        ("+33 1 23 45 67 89", "FR", "TELSTRA_CALLING", {}),
        ("not_callable", "plan_not_in_country", "FR", "domestic", None),
    ),
    # A country without Calling Plans.
    (
        "br plan",
        ("+55 11 3123 4567", "BR", "MCOPSTN1", {}),
        ("not_callable", "no_calling_plans_in_country", "BR", "domestic", None),
    ),
    (
        "br carrier",
        ("+55 11 3123 4567", "BR", None, {"carrier": "direct_routing"}),
        ("included", "via_carrier", "BR", "domestic", None),
    ),
    ("br nothing", ("+55 11 3123 4567", "BR", None, {}), ("not_callable", "no_pstn_option", "BR", "domestic", None)),
    (
        "oc abroad",
        ("+49 30 123456", "FR", None, {"carrier": "operator_connect"}),
        ("included", "via_carrier", "DE", "international", None),
    ),
    (
        "licence without plan",
        ("+33 1 23 45 67 89", "FR", "SPE_E5", {}),
        ("not_callable", "no_pstn_option", "FR", "domestic", None),
    ),
    # PAYG.
    (
        "payg unfunded",
        ("020 7946 0018", "GB", "MCOPSTN_PAYG_1", {}),
        ("per_minute", "payg_needs_funding", "GB", "domestic", None),
    ),
    (
        "payg credits",
        ("020 7946 0018", "GB", "MCOPSTN_PAYG_1", {"has_credits": True}),
        ("per_minute", "payg_per_minute", "GB", "domestic", None),
    ),
    (
        "payg abroad",
        ("+33 1 23 45 67 89", "GB", "MCOPSTN_PAYG_1", {"overage": True}),
        ("per_minute", "payg_per_minute", "FR", "international", None),
    ),
    # Bundle, per-user plan, international add-on.
    (
        "bundle",
        ("+1 212 555 0123", "US", "MCOTEAMS_ESSENTIALS", {}),
        ("included", "domestic_included", "US", "domestic", "US|MCOPSTN1|domestic"),
    ),
    (
        "per user",
        ("030 123456", "DE", "MCOPSTN8", {"upn": "Bob@Contoso.com"}),
        ("included", "domestic_included", "DE", "domestic", "DE|MCOPSTN8|domestic|bob@contoso.com"),
    ),
    (
        "e5 with minutes",
        ("030 123456", "DE", "SPE_E5_CALLINGMINUTES", {"upn": "bob@contoso.com"}),
        ("included", "domestic_included", "DE", "domestic", "DE|MCOPSTN8|domestic|bob@contoso.com"),
    ),
    (
        "intl addon abroad",
        ("+33 1 23 45 67 89", "US", "MCOPSTN9", {}),
        ("included", "international_included", "FR", "international", None),
    ),
    (
        "intl addon home",
        ("+1 212 555 0123", "US", "MCOPSTN9", {}),
        ("not_callable", "domestic_needs_domestic_plan", "US", "domestic", None),
    ),
    # Premium and shared cost.
    (
        "uk 09 blocked",
        ("0911 123 4567", "GB", "MCOPSTN1", {"has_credits": True}),
        ("not_callable", "premium_blocked", "GB", "domestic", None),
    ),
    (
        "uk 0845 no credits",
        ("0845 123 4567", "GB", "MCOPSTN1", {}),
        ("per_minute", "premium_needs_credits", "GB", "domestic", None),
    ),
    (
        "uk 0845 credits",
        ("0845 123 4567", "GB", "MCOPSTN1", {"has_credits": True}),
        ("per_minute", "premium_via_credits", "GB", "domestic", None),
    ),
    (
        "uk 0843",
        ("+44 843 123 4567", "GB", "MCOPSTN1", {"has_credits": True}),
        ("per_minute", "premium_via_credits", "GB", "domestic", None),
    ),
    (
        "uk 0844",
        ("+44 844 123 4567", "GB", "MCOPSTN1", {"has_credits": True}),
        ("per_minute", "premium_via_credits", "GB", "domestic", None),
    ),
    (
        "uk 0870",
        ("0870 123 4567", "GB", "MCOPSTN1", {"has_credits": True}),
        ("per_minute", "premium_via_credits", "GB", "domestic", None),
    ),
    (
        "uk 0871",
        ("0871 123 4567", "GB", "MCOPSTN1", {"has_credits": True}),
        ("per_minute", "premium_via_credits", "GB", "domestic", None),
    ),
    (
        "uk 0872",
        ("0872 123 4567", "GB", "MCOPSTN1", {"has_credits": True}),
        ("per_minute", "premium_via_credits", "GB", "domestic", None),
    ),
    # The UK page names six shared-cost prefixes and 9XX; it is silent on 0842: "not documented", not "blocked".
    (
        "uk 0842 other",
        ("0842 123 4567", "GB", "MCOPSTN1", {"has_credits": True}),
        ("not_callable", "premium_undocumented", "GB", "domestic", None),
    ),
    (
        "uk 0843 no credits",
        ("+44 843 123 4567", "GB", "MCOPSTN1", {}),
        ("per_minute", "premium_needs_credits", "GB", "domestic", None),
    ),
    (
        "de shared cost silent",
        ("+49 180 1234567", "DE", "MCOPSTN1", {}),
        ("not_callable", "premium_undocumented", "DE", "domestic", None),
    ),
    (
        "jp premium silent",
        ("+81 990 123 456", "JP", "SOFTBANK_CALLING", {}),
        ("not_callable", "premium_undocumented", "JP", "domestic", None),
    ),
    (
        "br premium silent",
        ("+55 900 123 4567", "FR", "MCOPSTN2", {}),
        ("not_callable", "premium_undocumented", "BR", "international", None),
    ),
    (
        "uk 0845 from fr",
        ("+44 845 123 4567", "FR", "MCOPSTN2", {}),
        ("per_minute", "premium_needs_credits", "GB", "international", None),
    ),
    (
        "fr premium",
        ("08 99 12 34 56", "FR", "MCOPSTN1", {}),
        ("per_minute", "premium_needs_credits", "FR", "domestic", None),
    ),
    (
        "fr premium credits",
        ("08 99 12 34 56", "FR", "MCOPSTN1", {"has_credits": True}),
        ("per_minute", "premium_via_credits", "FR", "domestic", None),
    ),
    (
        "fr shared cost",
        ("0810 12 34 56", "FR", "MCOPSTN1", {"has_credits": True}),
        ("per_minute", "premium_via_credits", "FR", "domestic", None),
    ),
    (
        "at premium allowed",
        ("0900 123456", "AT", "MCOPSTN1", {}),
        ("included", "domestic_included", "AT", "domestic", "AT|MCOPSTN1|domestic"),
    ),
    (
        "de premium blocked",
        ("+49 900 1234567", "DE", "MCOPSTN1", {"has_credits": True}),
        ("not_callable", "premium_blocked", "DE", "domestic", None),
    ),
    # Dial-out policies.
    (
        "policy domestic abroad",
        ("+49 30 123456", "FR", "MCOPSTN2", {"dial_out": "domestic"}),
        ("not_callable", "international_blocked_by_policy", "DE", "international", None),
    ),
    (
        "policy domestic us-ca",
        ("+1 604 555 0123", "US", "MCOPSTN1", {"dial_out": "domestic"}),
        ("not_callable", "international_blocked_by_policy", "CA", "domestic", None),
    ),
    (
        "policy domestic home",
        ("+33 1 23 45 67 89", "FR", "MCOPSTN1", {"dial_out": "domestic"}),
        ("included", "domestic_included", "FR", "domestic", "FR|MCOPSTN1|domestic"),
    ),
    (
        "policy none",
        ("+33 1 23 45 67 89", "FR", "MCOPSTN1", {"dial_out": "none"}),
        ("not_callable", "blocked_by_dial_out_policy", "FR", "domestic", None),
    ),
    # Teams users.
    (
        "teams flag",
        ("+33 1 23 45 67 89", "FR", None, {"teams_user": True}),
        ("included", "teams_to_teams_free", None, "teams", None),
    ),
    ("teams upn", ("alice@contoso.com", "FR", None, {}), ("included", "teams_to_teams_free", None, "teams", None)),
    # Bad input.
    ("empty", ("", "FR", "MCOPSTN1", {}), ("not_callable", "empty_number", None, None, None)),
    ("letters", ("call me maybe", "FR", "MCOPSTN1", {}), ("not_callable", "not_a_number", None, None, None)),
    ("too short", ("+33 1", "FR", "MCOPSTN1", {}), ("not_callable", "impossible_number", None, None, None)),
    ("invalid range", ("+1 555 555 5555", "US", "MCOPSTN1", {}), ("not_callable", "invalid_number", None, None, None)),
    (
        "unknown country",
        ("+33 1 23 45 67 89", "Atlantis", "MCOPSTN1", {}),
        ("not_callable", "unknown_caller_country", None, None, None),
    ),
    ("unknown plan", ("+33 1 23 45 67 89", "FR", "MCOPSTN77", {}), ("not_callable", "unknown_plan", None, None, None)),
    (
        "unknown carrier",
        ("+33 1 23 45 67 89", "FR", None, {"carrier": "pigeon"}),
        ("not_callable", "unknown_carrier", None, None, None),
    ),
]


@pytest.mark.parametrize("args, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_check_call_rules(args, expected) -> None:
    number, country, plan, kwargs = args
    verdict = check_call(number, country, plan, **kwargs)
    got = (
        verdict.verdict,
        verdict.reason,
        verdict.destination_country,
        verdict.scope,
        verdict.pool.as_str() if verdict.pool else None,
    )
    assert got == expected, verdict.message
    assert verdict.callable == (verdict.verdict == "included")  # callable only for "included"
    assert verdict.message and "{" not in verdict.message  # every code has an English text, fully rendered


@pytest.mark.parametrize(
    "number, country",
    [
        ("112", "FR"),
        ("15", "FR"),
        ("17", "FR"),
        ("18", "FR"),
        ("112", "DE"),
        ("911", "US"),
        ("911", "CA"),
        ("999", "GB"),
        ("112", "GB"),
        ("000", "AU"),
        ("911", "PR"),
        ("1 1 2", "FR"),
    ],
)
def test_emergency_numbers_are_always_allowed(number: str, country: str) -> None:
    plan = "TELSTRA_CALLING" if country == "AU" else "MCOPSTN1"
    options: tuple[dict[str, Any], ...] = ({}, {"dial_out": "none"})
    for kwargs in options:
        verdict = check_call(number, country, plan, **kwargs)
        assert (verdict.verdict, verdict.reason, verdict.scope) == ("included", "emergency_allowed", "emergency")
    assert check_call(number, country, None, carrier="direct_routing").reason == "emergency_allowed"


def test_emergency_edge_cases() -> None:
    japan = check_call("110", "JP", "SOFTBANK_CALLING")
    assert (japan.verdict, japan.reason) == ("not_callable", "emergency_not_supported")
    assert check_call("110", "JP", None, carrier="direct_routing").callable
    nothing = check_call("112", "FR", None)
    assert (nothing.verdict, nothing.reason, nothing.needs) == (
        "not_callable",
        "no_pstn_option",
        ["calling_plan_or_carrier"],
    )
    # Said why, since the sheet's "always allowed" rule would suggest otherwise.
    assert nothing.notes == ["emergency_needs_pstn"]
    assert check_call("+33 1 23 45 67 89", "FR", None).notes == []
    assert "emergency_routed_by_partner" in check_call("000", "AU", "TELSTRA_CALLING").notes
    assert "emergency_routed_by_carrier" in check_call("112", "FR", None, carrier="operator_connect").notes
    # 999 is not an emergency number in France: it is just too short a number there.
    assert check_call("999", "FR", "MCOPSTN1").reason == "impossible_number"


@pytest.mark.parametrize(
    "number, country",
    [
        ("+33 1 23 45 67 89", "DE"),
        ("+33123456789", "DE"),
        ("0033 1 23 45 67 89", "DE"),
        ("00 33 1 23 45 67 89", "DE"),
        ("+33-1-23-45-67-89", "DE"),
        ("+33.1.23.45.67.89", "DE"),
        ("+33 (0)1 23 45 67 89", "DE"),
        ("(+33) 1 23 45 67 89", "DE"),
        ("01 23 45 67 89", "FR"),
        ("01-23-45-67-89", "FR"),
        ("01.23.45.67.89", "FR"),
        ("(01) 23 45 67 89", "FR"),
        ("0123456789", "FR"),
        ("tel:+33123456789", "DE"),
        ("\u00a0+33\u00a01 23 45 67 89 ", "DE"),
    ],
)
def test_number_formats_all_normalize_to_the_same_e164(number: str, country: str) -> None:
    verdict = check_call(number, country, "MCOPSTN2")
    assert verdict.normalized == "+33123456789"
    assert verdict.destination_country == "FR"
    assert verdict.callable


@pytest.mark.parametrize(
    "number, country, digits, e164, destination",
    [
        ("+33 1 23 45 ****", "FR", 4, "+33123450000", "FR"),
        ("+49 30 123xxx", "FR", 3, "+4930123000", "DE"),
        ("+4930123•••", "FR", 3, "+4930123000", "DE"),
        ("01 23 45 ****", "FR", 4, "+33123450000", "FR"),
    ],
)
def test_masked_numbers_are_classified_and_flagged(
    number: str, country: str, digits: int, e164: str, destination: str
) -> None:
    parsed = parse_number(number, country)
    assert (parsed.masked, parsed.masked_digits, parsed.e164) == (True, digits, e164)
    verdict = check_call(number, country, "MCOPSTN2")
    assert verdict.masked and "masked_number" in verdict.notes
    assert (verdict.destination_country, verdict.normalized, verdict.callable) == (destination, e164, True)


@pytest.mark.parametrize(
    "number, country", [("0800 123 456", "FR"), ("1-800-555-0199", "US"), ("+1 800 555 0199", "FR")]
)
def test_toll_free_numbers_get_the_caveat(number: str, country: str) -> None:
    verdict = check_call(number, country, "MCOPSTN2")
    assert verdict.number_type == "toll_free"
    assert "toll_free_may_fail" in verdict.notes


def test_us_canada_note_and_needs_codes() -> None:
    assert "us_canada_domestic" in check_call("+1 604 555 0123", "US", "MCOPSTN1").notes
    assert "us_canada_domestic" not in check_call("+1 212 555 0123", "US", "MCOPSTN1").notes
    needs = check_call("+49 30 123456", "FR", "MCOPSTN1").needs
    assert needs == ["communications_credits", "overage", "domestic_and_international_plan"]
    assert check_call("+55 11 3123 4567", "BR", "MCOPSTN1").needs == ["operator_connect_or_direct_routing"]


# Numbers whose calling code another region shares (libphonenumber names the region): the
# region's own verdict, never the main country's; one not on Microsoft's list names the listed
# country whose code it shares (fact sheet §5 "Not in the list", §8).
SHARED_CODES = [
    ("+44 7911 123456", "FR", "MCOPSTN2", "not_callable", "destination_shares_code", "GG", "GB"),
    ("+44 1534 712345", "US", "MCOPSTN2", "not_callable", "destination_shares_code", "JE", "GB"),
    ("+44 7624 123456", "GB", "MCOPSTN1", "not_callable", "destination_shares_code", "IM", "GB"),
    ("+358 18 123456", "DE", "MCOPSTN2", "not_callable", "destination_shares_code", "AX", "FI"),
    ("+44 20 7946 0958", "FR", "MCOPSTN2", "included", "international_included", "GB", None),
    ("+1 876 927 1234", "US", "MCOPSTN2", "included", "international_included", "JM", None),
    ("+1 876 927 1234", "US", "MCOPSTN1", "per_minute", "international_needs_credits", "JM", None),
    ("+7 701 123 4567", "FR", "MCOPSTN2", "included", "international_included", "KZ", None),
    ("+7 495 123 4567", "FR", "MCOPSTN2", "included", "international_included", "RU", None),
    ("+53 7 8123456", "FR", "MCOPSTN2", "not_callable", "destination_not_included", "CU", None),
]


@pytest.mark.parametrize(("number", "caller", "plan", "value", "reason", "destination", "shares"), SHARED_CODES)
def test_shared_calling_codes_name_the_region(number, caller, plan, value, reason, destination, shares) -> None:
    verdict = check_call(number, caller, plan)
    assert (verdict.verdict, verdict.reason, verdict.destination_country) == (value, reason, destination)
    assert verdict.params.get("shares_with_iso") == shares
    if shares:
        assert verdict.params["calling_code"] == number.split()[0]
        assert verdict.scope == "international" and not verdict.needs  # credits are not promised
        assert {"EN_OUTBOUND", "FR_CC_WHAT"} <= set(verdict.sources)  # the list, and what the docs say


def test_verdict_is_json_ready() -> None:
    data = check_call("+49 30 123456", "FR", "MCOPSTN2").to_json()
    assert data["pool"] == {"country": "FR", "plan": "MCOPSTN2", "line": "international", "upn": None}
    assert {"callable", "reason", "destination_country", "scope"} <= set(data)


# --- never raises ------------------------------------------------------------------------------

_countries = st.one_of(
    st.sampled_from(["FR", "US", "PR", "CA", "GB", "AU", "JP", "BR", "MX", "AT", "ZA", "XX", ""]), st.text(max_size=12)
)
_plans = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "MCOPSTN1",
            "MCOPSTN2",
            "MCOPSTN5",
            "MCOPSTN8",
            "MCOPSTN9",
            "MCOPSTN_PAYG_1",
            "MCOTEAMS_ESSENTIALS",
            "TELSTRA_CALLING",
            "SPE_E5",
            "NOPE",
        ]
    ),
    st.text(max_size=12),
)
_numbers = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="0123456789+()-. *x#", max_size=30),
    st.from_regex(r"\+?[0-9 ]{1,20}", fullmatch=True),
    st.text(min_size=60, max_size=200),
)


@settings(max_examples=300, deadline=None)
@given(
    number=_numbers,
    country=_countries,
    plan=_plans,
    credits=st.booleans(),
    carrier=st.sampled_from([None, "direct_routing", "operator_connect", "on_premises", "bogus"]),
    dial_out=st.sampled_from(["international", "domestic", "none", "weird"]),
)
def test_check_call_never_raises(
    number: str, country: str, plan: str | None, credits: bool, carrier: str | None, dial_out: str
) -> None:
    verdict = check_call(number, country, plan, has_credits=credits, carrier=carrier, dial_out=dial_out)
    assert isinstance(verdict, CallVerdict)
    assert verdict.reason != "internal_error"
    if verdict.callable:
        assert verdict.scope is not None and not verdict.needs
    assert verdict.message and verdict.message != verdict.reason  # every code has an English text


@settings(max_examples=50, deadline=None)
@given(junk=st.one_of(st.none(), st.integers(), st.floats(), st.lists(st.integers()), st.binary()))
def test_check_call_survives_wrong_types(junk: Any) -> None:
    verdict = check_call(junk, junk, junk, carrier=junk, dial_out=junk, upn=junk)
    assert isinstance(verdict, CallVerdict)
    assert not verdict.callable


#: Reasons that answer a malformed question, not a domain fact: they cite no source.
_QUESTION_REASONS = {
    "empty_number",
    "not_a_number",
    "unknown_caller_country",
    "unknown_plan",
    "unknown_carrier",
    "unknown_dial_out_policy",
    "internal_error",
}


@pytest.mark.parametrize("args, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_every_domain_answer_carries_its_source_keys(args, expected) -> None:
    from knowledge.catalog import load_catalog

    number, country, plan, kwargs = args
    verdict = check_call(number, country, plan, **kwargs)
    if verdict.reason in _QUESTION_REASONS:
        assert verdict.sources == []
    else:
        assert verdict.sources, verdict.reason
        assert set(verdict.sources) <= set(load_catalog().sources)
        assert verdict.sources[0] in load_catalog().number_rules.reasons[verdict.reason].sources
