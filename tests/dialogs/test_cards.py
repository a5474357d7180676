"""Adaptive Cards: structure (1.5, Action.Submit only, no empty text) and language."""
from __future__ import annotations

import json
from typing import Any, Iterator

import pytest
from botbuilder.core import CardFactory

from dialogs.cards import CardReply, welcome_card, welcome_reply
from dialogs.i18n import LANGUAGES, format_number, is_clearly_french, strings

NNBSP = "\u202f"


def walk(node: Any) -> Iterator[dict]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def texts(card: dict) -> list[str]:
    found = []
    for element in walk(card):
        if element.get("type") == "TextBlock":
            found.append(element["text"])
        elif element.get("type") == "FactSet":
            for fact in element["facts"]:
                found += [fact["title"], fact["value"]]
        elif element.get("type") == "TextRun":
            found.append(element["text"])
    return found


def assert_valid_card(attachment) -> dict:
    """Structural checks every card must pass; returns the card JSON."""
    assert attachment.content_type == CardFactory.content_types.adaptive_card
    card = attachment.content
    json.dumps(card)  # serializable as is
    assert card["type"] == "AdaptiveCard"
    assert card["version"] == "1.5"
    assert isinstance(card["body"], list) and card["body"]
    for element in walk(card):
        kind = element.get("type", "")
        if kind.startswith("Action."):
            assert kind == "Action.Submit", f"{kind} is not allowed"
            assert element["title"].strip()
            assert isinstance(element["data"], dict) and element["data"]
        if kind in ("TextBlock", "TextRun"):
            assert isinstance(element["text"], str) and element["text"].strip(), element
        if kind == "FactSet":
            assert element["facts"]
            for fact in element["facts"]:
                assert fact["title"].strip() and fact["value"].strip(), fact
    return card


def assert_no_raw_keys(card: dict, reply_text: str) -> None:
    keys = set(strings("en"))
    for text in texts(card) + [reply_text]:
        assert text not in keys, f"raw key {text!r} in a card"
        assert "{" not in text and "}" not in text, f"unfilled placeholder in {text!r}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_welcome_card_structure_and_menu(lang):
    card = assert_valid_card(welcome_card(lang))
    intents = [a["data"]["intent"] for a in card["actions"]]
    assert intents == ["purchase", "check", "pool", "help"]
    assert_no_raw_keys(card, welcome_reply(lang).text)


def test_welcome_card_speaks_the_language():
    fr = welcome_reply("fr")
    en = welcome_reply("en")
    assert is_clearly_french(" ".join(texts(fr.card)))
    assert is_clearly_french(fr.text)
    assert not is_clearly_french(" ".join(texts(en.card)))
    assert texts(fr.card) != texts(en.card)
    assert [a["title"] for a in fr.card["actions"]] != [a["title"] for a in en.card["actions"]]


def test_card_reply_becomes_one_message_with_text_and_card():
    reply = welcome_reply("en")
    assert isinstance(reply, CardReply)
    activity = reply.to_activity()
    assert activity.type == "message"
    assert activity.text == reply.text
    assert activity.attachments == [reply.attachment]


# --- cards from real knowledge results ---------------------------------------------------------

from datetime import date, datetime, timezone  # noqa: E402

from dialogs.cards import (  # noqa: E402
    CARRIER_CHOICES,
    carrier_choice,
    choice_card,
    countries_choice,
    licence_choice,
    plan_choice,
    pool_table_card,
    purchase_summary_card,
    recommendation_card,
    unknown_reply,
    verdict_card,
    yes_no_choice,
)
from dialogs.i18n import placeholders  # noqa: E402
from dialogs.render import country_name, plan_name, render, render_item  # noqa: E402
from knowledge.advisor import AdviceRequest, recommend  # noqa: E402
from knowledge.catalog import load_catalog  # noqa: E402
from knowledge.numbers import check_call  # noqa: E402
from knowledge.pools import pools_for_month  # noqa: E402
from knowledge.records import CallRecord, UserRecord  # noqa: E402


def all_text(reply) -> str:
    return " ".join(texts(reply.card)) + " " + reply.text


def assert_card_reply(reply, lang):
    card = assert_valid_card(reply.attachment)
    assert reply.text.strip()
    assert_no_raw_keys(card, reply.text)
    if lang == "fr":
        assert is_clearly_french(all_text(reply)), all_text(reply)[:300]
    else:
        assert not is_clearly_french(all_text(reply))
    return card


@pytest.fixture(scope="module")
def rec_fr_gb():
    return recommend(AdviceRequest(countries=["FR", "GB"], users=40, international=True, base_licence="E3"))


@pytest.fixture(scope="module")
def balances():
    start = datetime(2026, 11, 2, 10, tzinfo=timezone.utc)
    users = [UserRecord(tenant_id="t", upn=f"u{i}@contoso.com", usage_location="FR", licenses=("SPE_E5", "MCOPSTN5"))
             for i in range(100)]
    users += [UserRecord(tenant_id="t", upn=f"g{i}@contoso.com", usage_location="GB", licenses=("MCOPSTN2",))
              for i in range(2)]
    calls = [CallRecord(id=f"c{i}", tenant_id="t", source="pstn_csv", call_type="user_out", start=start,
                        duration_seconds=50 * 60, usage_location="FR", capability="MCOPSTN5",
                        destination_context="Domestic", upn="u1@contoso.com") for i in range(100)]
    calls += [CallRecord(id=f"d{i}", tenant_id="t", source="pstn_csv", call_type="user_out", start=start,
                         duration_seconds=700 * 60, usage_location="GB", capability="MCOPSTN2",
                         destination_context="International", upn="g1@contoso.com") for i in range(3)]
    return pools_for_month(users, calls, "2026-11", date(2026, 11, 10))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_recommendation_card(rec_fr_gb, lang):
    reply = recommendation_card(rec_fr_gb, lang)
    card = assert_card_reply(reply, lang)
    body = " ".join(texts(card))
    for advice in rec_fr_gb.countries:
        assert country_name(advice.country, lang) in body
    assert plan_name(rec_fr_gb.calling_plan, lang) in reply.text
    for reason in rec_fr_gb.reasons:
        assert render_item(reason, lang) in body
    pool_facts = [f for fs in walk(card) if fs.get("type") == "FactSet" for f in fs["facts"] if "min" in f["value"]]
    assert len(pool_facts) == len(rec_fr_gb.pools)
    assert "actions" not in card or all(a["type"] == "Action.Submit" for a in card["actions"])


def test_recommendation_card_french_numbers(rec_fr_gb):
    body = " ".join(texts(recommendation_card(rec_fr_gb, "fr").card))
    minutes = rec_fr_gb.pools[0].minutes
    assert minutes >= 1000
    assert f"{minutes // 1000}{NNBSP}{minutes % 1000:03d} min" in body
    assert f"{minutes // 1000},{minutes % 1000:03d} min" in " ".join(texts(recommendation_card(rec_fr_gb, "en").card))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_purchase_summary_has_ordered_steps_licences_pools_caveats(rec_fr_gb, lang):
    reply = purchase_summary_card(rec_fr_gb, lang)
    card = assert_card_reply(reply, lang)
    body = texts(card)
    numbered = [text for text in body if text[:1].isdigit() and ". " in text[:4]]
    assert numbered == [f"{n}. {render_item(step, lang)}" for n, step in enumerate(rec_fr_gb.steps, start=1)]
    bought = {s.params["sku"]: s.params["quantity"] for s in rec_fr_gb.steps if s.code in ("buy_teams_phone", "buy_calling_plan")}
    assert bought  # E3 in two countries: Teams Phone Standard and the D&I plan
    facts = {f["title"]: f["value"] for fs in walk(card) if fs.get("type") == "FactSet" for f in fs["facts"]}
    for sku, quantity in bought.items():
        assert facts[plan_name(sku, lang)] == format_number(quantity, lang)
    for caveat in rec_fr_gb.caveats:
        assert f"• {render_item(caveat, lang)}" in body
    assert render_item(rec_fr_gb.steps[0], lang) in reply.text


def test_summary_without_calling_plan_and_with_alternatives():
    rec = recommend(AdviceRequest(countries=["BR"], users=10))  # Calling Plans not sold in Brazil
    for lang in LANGUAGES:
        reply = purchase_summary_card(rec, lang)
        assert_card_reply(reply, lang)
        assert rec.calling_plan is None
        rec_reply = recommendation_card(rec, lang)
        assert_card_reply(rec_reply, lang)
        assert country_name("BR", lang) in rec_reply.text


def test_summary_with_a_carrier():
    rec = recommend(AdviceRequest(countries=["DE"], users=25, carrier="direct_routing", base_licence="E5"))
    for lang in LANGUAGES:
        assert_card_reply(purchase_summary_card(rec, lang), lang)
        assert_card_reply(recommendation_card(rec, lang), lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_verdict_card_not_callable_says_why_and_what_would_help(lang):
    verdict = check_call("+44 20 7946 0958", "FR", "MCOPSTN1")
    assert not verdict.callable and verdict.needs
    reply = verdict_card(verdict, lang)
    card = assert_card_reply(reply, lang)
    body = " ".join(texts(card))
    assert texts(card)[0] == t_(lang, "verdict.not_callable")
    assert render(verdict.reason, verdict.params, lang) in body
    for need in verdict.needs:
        assert render(need, {}, lang) in body
    assert country_name("GB", lang) in body
    assert verdict.number in reply.text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_verdict_card_callable_with_pool_balance(lang, balances):
    verdict = check_call("01 23 45 67 89", "FR", "MCOPSTN5")
    assert verdict.callable and verdict.pool is not None
    balance = next(b for b in balances if b.key == verdict.pool)
    reply = verdict_card(verdict, lang, balance)
    card = assert_card_reply(reply, lang)
    body = " ".join(texts(card))
    assert texts(card)[0] == t_(lang, "verdict.callable")
    assert format_number(balance.remaining_minutes, lang) in body
    assert format_number(balance.total_minutes, lang) in body
    assert format_number(balance.remaining_minutes, lang) in reply.text
    if lang == "fr":
        assert f"7{NNBSP}000" in body


def test_verdict_card_for_every_kind_of_answer():
    cases = [
        ("112", "FR", "MCOPSTN1"), ("911", "US", None), ("+1 416 555 0199", "US", "MCOPSTN1"),
        ("+33 1 23 45 ****", "FR", "MCOPSTN2"), ("0800 123 4567", "GB", "MCOPSTN1"), ("09 123", "FR", "MCOPSTN1"),
        ("hello", "FR", "MCOPSTN1"), ("+44 909 879 0000", "GB", "MCOPSTN1"), ("+33 1 23 45 67 89", "ZZ", "MCOPSTN1"),
        ("+33 1 23 45 67 89", "FR", "NOT_A_PLAN"), ("alice@contoso.com", "FR", None),
        ("+81 3 1234 5678", "FR", "MCOPSTN_PAYG_2"),
    ]
    for number, country, plan in cases:
        verdict = check_call(number, country, plan)
        for lang in LANGUAGES:
            assert_valid_card(verdict_card(verdict, lang).attachment)
            reply = verdict_card(verdict, lang)
            assert_no_raw_keys(reply.card, reply.text)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pool_table(lang, balances):
    reply = pool_table_card(balances, lang, as_of=date(2026, 11, 10))
    card = assert_card_reply(reply, lang)
    table = next(e for e in walk(card) if e.get("type") == "Table")
    assert len(table["columns"]) == 8
    assert len(table["rows"]) == len(balances) + 1
    rows = [[cell["items"][0]["text"] for cell in row["cells"]] for row in table["rows"]]
    fr_pool = next(r for r, b in zip(rows[1:], balances) if b.country == "FR")
    assert fr_pool[0] == country_name("FR", lang)
    assert fr_pool[3:7] == [format_number(12000, lang), format_number(5000, lang), format_number(7000, lang),
                           "42%" if lang == "en" else "42\u00a0%"]
    assert fr_pool[7] == ("November 24, 2026" if lang == "en" else "24 novembre 2026")
    exhausted = next(row for row, b in zip(table["rows"][1:], balances) if b.exhausted)
    assert all(cell["items"][0].get("color") == "Attention" for cell in exhausted["cells"])
    assert len(reply.text.splitlines()) == len(balances)
    assert ("novembre 2026" if lang == "fr" else "November 2026") in texts(card)[0]
    if lang == "fr":
        assert f"12{NNBSP}000" in reply.text


def test_pool_table_empty():
    for lang in LANGUAGES:
        reply = pool_table_card([], lang, month="2026-11")
        assert_card_reply(reply, lang)
        assert reply.text == t_(lang, "pools.empty")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_unknown_reply_offers_the_menu(lang):
    reply = unknown_reply(lang)
    card = assert_card_reply(reply, lang)
    assert [a["data"]["intent"] for a in card["actions"]] == ["purchase", "check", "pool", "help"]


# --- choice cards ------------------------------------------------------------------------------


def submit_values(card: dict) -> list:
    return [e["data"]["value"] for e in walk(card) if e.get("type") == "Action.Submit"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_choice_cards(lang):
    countries = countries_choice(lang, ["FR", "DE", "GB"])
    assert submit_values(assert_valid_card(countries.attachment)) == ["FR", "DE", "GB"]
    assert countries.text == t_(lang, "prompt.countries")
    assert country_name("DE", lang) in texts(countries.card) or country_name("DE", lang) in [
        a["title"] for a in walk(countries.card) if a.get("type") == "Action.Submit"]

    yes_no = yes_no_choice(lang, "prompt.international")
    assert submit_values(assert_valid_card(yes_no.attachment)) == [True, False]

    licences = licence_choice(lang)
    values = submit_values(assert_valid_card(licences.attachment))
    families = {f.id for f in load_catalog().families}
    assert values[-1] == "unknown" and set(values[:-1]) <= families and "E5" in values
    for value in values[:-1]:
        assert AdviceRequest(countries=["FR"], users=1, base_licence=value).base_licence == value

    carriers = carrier_choice(lang)
    values = submit_values(assert_valid_card(carriers.attachment))
    assert values == list(CARRIER_CHOICES)
    for value in values[1:]:
        assert AdviceRequest(countries=["FR"], users=1, carrier=value).carrier == value

    plans = plan_choice(lang)
    for value in submit_values(assert_valid_card(plans.attachment)):
        assert load_catalog().find_plan(value) is not None

    for reply in (countries, yes_no, licences, carriers, plans):
        assert_card_reply(reply, lang)


def test_choice_buttons_wrap_into_rows():
    reply = choice_card("Pick", [(str(i), i) for i in range(10)], "en")
    sets = [e for e in walk(reply.card) if e.get("type") == "ActionSet"]
    assert [len(s["actions"]) for s in sets] == [4, 4, 2]
    assert submit_values(reply.card) == list(range(10))


# --- every knowledge code has words in both languages ------------------------------------------


def test_every_knowledge_code_has_a_string_in_both_languages_with_its_placeholders():
    from dialogs.render import code_key

    codes = load_catalog().texts
    assert len(codes) > 50
    for lang in LANGUAGES:
        table = strings(lang)
        missing = [c for c in codes if code_key(c) not in table]
        assert missing == [], f"{lang}: no string for {missing}"
        wrong = {c: (placeholders(codes[c]), placeholders(table[code_key(c)]))
                 for c in codes if placeholders(codes[c]) != placeholders(table[code_key(c)])}
        assert wrong == {}, f"{lang}: placeholders differ from knowledge/data/texts.json"


def test_every_code_the_advisor_and_number_check_emit_renders(rec_fr_gb):
    from dialogs.render import code_key

    emitted = set()
    requests = [
        AdviceRequest(countries=["FR", "GB"], users=40, international=True, base_licence="E3"),
        AdviceRequest(countries=["US", "PR", "CA"], users=5, minutes_per_user=5000, agreement="legacy"),
        AdviceRequest(countries=["MX", "ZA"], users=5, minutes_per_user=0, agreement="mca"),
        AdviceRequest(countries=["AU", "JP"], users=5, base_licence="E5"),
        AdviceRequest(countries=["DE"], users=5, minutes_per_user=100, international=True, international_minutes=900),
        AdviceRequest(countries=["BR"], users=5, carrier="operator_connect"),
        AdviceRequest(countries=["ES"], users=5, base_licence="BUSINESS_PREMIUM"),
    ]
    for request in requests:
        rec = recommend(request)
        for lang in LANGUAGES:
            for reply in (recommendation_card(rec, lang), purchase_summary_card(rec, lang)):
                assert_valid_card(reply.attachment)
                assert_no_raw_keys(reply.card, reply.text)
        for item in rec.steps + rec.caveats + rec.reasons:
            emitted.add(item.code)
            for lang in LANGUAGES:
                text = render_item(item, lang)
                assert text and "{" not in text
    assert emitted <= set(load_catalog().texts)
    assert all(code_key(c) in strings("fr") for c in emitted)


def t_(lang, key, **params):
    from dialogs.i18n import t

    return t(lang, key, **params)
