"""Adaptive Cards: structure (1.5, Action.Submit only, no empty text) and language."""

from __future__ import annotations

import json
from functools import partial

import orjson
import pytest
from botbuilder.core import CardFactory

from dialogs.cards import CardReply, welcome_card, welcome_reply
from dialogs.nlu.i18n import LANGUAGES, format_date, format_number, format_percent, is_clearly_french, strings, t
from testkit.cards import card_texts, shown_once, walk

NNBSP = "\u202f"


def assert_valid_card(attachment) -> dict:
    """Structural checks every card must pass; returns the card JSON."""
    assert attachment.content_type == CardFactory.content_types.adaptive_card
    card = attachment.content
    json.dumps(card)  # serializable as is
    assert card["type"] == "AdaptiveCard"
    assert card["version"] == "1.5"
    assert isinstance(card["body"], list) and card["body"]
    # A client that cannot render the card shows its summary instead (never an empty bubble).
    assert isinstance(card.get("fallbackText"), str) and card["fallbackText"].strip()
    assert "{" not in card["fallbackText"], card["fallbackText"]
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
    for text in [*card_texts(card), reply_text]:
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
    assert is_clearly_french(" ".join(card_texts(fr.card)))
    assert is_clearly_french(fr.text)
    assert not is_clearly_french(" ".join(card_texts(en.card)))
    assert card_texts(fr.card) != card_texts(en.card)
    assert [a["title"] for a in fr.card["actions"]] != [a["title"] for a in en.card["actions"]]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_card_reply_becomes_one_message_with_the_card_alone(lang):
    """Shown once: no visible text beside the card; the summary is the activity's ``summary``
    (notification preview) and the card's ``fallbackText`` (clients without cards)."""
    reply = welcome_reply(lang)
    assert isinstance(reply, CardReply)
    activity = reply.to_activity()
    assert activity.type == "message"
    assert activity.text is None
    assert activity.summary == reply.text == t(lang, "welcome.text")
    assert activity.attachments == [reply.attachment]
    assert reply.card["fallbackText"] == reply.text
    assert shown_once(activity.serialize()) == reply.text  # the JSON Teams receives


def test_a_notice_goes_inside_the_card_and_becomes_its_summary():
    reply = welcome_reply("en")
    noticed = reply.with_notice("That question is already closed.")
    assert noticed.text == noticed.card["fallbackText"] == "That question is already closed."
    assert card_texts(noticed.card)[0] == "That question is already closed."
    assert card_texts(noticed.card)[1:] == card_texts(reply.card)
    assert reply.card["fallbackText"] == t("en", "welcome.text")  # the original is unchanged
    assert_valid_card(noticed.attachment)


# --- cards from real knowledge results ---------------------------------------------------------

from datetime import UTC, date, datetime  # noqa: E402

from dialogs.cards import (  # noqa: E402
    choice_card,
    countries_choice,
    plan_choice,
    pool_table_card,
    purchase_summary_card,
    recommendation_card,
    unknown_reply,
    verdict_card,
    yes_no_choice,
)
from dialogs.nlu.i18n import placeholders  # noqa: E402
from dialogs.nlu.render import country_name, plan_name, render, render_item  # noqa: E402
from knowledge.advisor import AdviceRequest, recommend  # noqa: E402
from knowledge.catalog import load_catalog  # noqa: E402
from knowledge.numbers import check_call  # noqa: E402
from knowledge.pools import pools_for_month  # noqa: E402
from knowledge.store.records import CallRecord, UserRecord  # noqa: E402


def all_text(reply) -> str:
    return " ".join(card_texts(reply.card)) + " " + reply.text


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
    start = datetime(2026, 11, 2, 10, tzinfo=UTC)
    users = [
        UserRecord(tenant_id="t", upn=f"u{i}@contoso.com", usage_location="FR", licenses=("SPE_E5", "MCOPSTN5"))
        for i in range(100)
    ]
    users += [
        UserRecord(tenant_id="t", upn=f"g{i}@contoso.com", usage_location="GB", licenses=("MCOPSTN2",))
        for i in range(2)
    ]
    calls = [
        CallRecord(
            id=f"c{i}",
            tenant_id="t",
            source="pstn_csv",
            call_type="user_out",
            start=start,
            duration_seconds=50 * 60,
            usage_location="FR",
            capability="MCOPSTN5",
            destination_context="Domestic",
            upn="u1@contoso.com",
        )
        for i in range(100)
    ]
    calls += [
        CallRecord(
            id=f"d{i}",
            tenant_id="t",
            source="pstn_csv",
            call_type="user_out",
            start=start,
            duration_seconds=700 * 60,
            usage_location="GB",
            capability="MCOPSTN2",
            destination_context="International",
            upn="g1@contoso.com",
        )
        for i in range(3)
    ]
    return pools_for_month(users, calls, "2026-11", date(2026, 11, 10))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_recommendation_card(rec_fr_gb, lang):
    reply = recommendation_card(rec_fr_gb, lang)
    card = assert_card_reply(reply, lang)
    body = " ".join(card_texts(card))
    for advice in rec_fr_gb.countries:
        assert country_name(advice.country, lang) in body
    assert plan_name(rec_fr_gb.calling_plan, lang) in reply.text
    for reason in rec_fr_gb.reasons:
        assert render_item(reason, lang) in body
    pool_facts = [f for fs in walk(card) if fs.get("type") == "FactSet" for f in fs["facts"] if "min" in f["value"]]
    assert len(pool_facts) == len(rec_fr_gb.pools)
    assert "actions" not in card or all(a["type"] == "Action.Submit" for a in card["actions"])


def test_recommendation_card_french_numbers(rec_fr_gb):
    body = " ".join(card_texts(recommendation_card(rec_fr_gb, "fr").card))
    minutes = rec_fr_gb.pools[0].minutes
    assert minutes >= 1000
    assert f"{minutes // 1000}{NNBSP}{minutes % 1000:03d} min" in body
    assert f"{minutes // 1000},{minutes % 1000:03d} min" in " ".join(
        card_texts(recommendation_card(rec_fr_gb, "en").card)
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_purchase_summary_has_ordered_steps_licences_pools_caveats(rec_fr_gb, lang):
    reply = purchase_summary_card(rec_fr_gb, lang)
    card = assert_card_reply(reply, lang)
    body = card_texts(card)
    numbered = [text for text in body if text[:1].isdigit() and ". " in text[:4]]
    assert numbered == [f"{n}. {render_item(step, lang)}" for n, step in enumerate(rec_fr_gb.steps, start=1)]
    bought = {
        s.params["sku"]: s.params["quantity"]
        for s in rec_fr_gb.steps
        if s.code in ("buy_teams_phone", "buy_calling_plan")
    }
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
def test_verdict_card_per_minute_says_why_and_what_would_help(lang):
    verdict = check_call("+44 20 7946 0958", "FR", "MCOPSTN1")
    assert verdict.verdict == "per_minute" and not verdict.callable and verdict.needs
    reply = verdict_card(verdict, lang)
    card = assert_card_reply(reply, lang)
    body = " ".join(card_texts(card))
    # The headline never says "not callable" over a body that says credits make it possible.
    assert card_texts(card)[0] == t_(lang, "verdict.per_minute") != t_(lang, "verdict.not_callable")
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
    body = " ".join(card_texts(card))
    assert card_texts(card)[0] == t_(lang, "verdict.included")
    assert format_number(balance.remaining_minutes, lang) in body
    assert format_number(balance.total_minutes, lang) in body
    assert format_number(balance.remaining_minutes, lang) in reply.text
    if lang == "fr":
        assert f"7{NNBSP}000" in body


def test_verdict_card_for_every_kind_of_answer():
    cases = [
        ("112", "FR", "MCOPSTN1"),
        ("911", "US", None),
        ("+1 416 555 0199", "US", "MCOPSTN1"),
        ("+33 1 23 45 ****", "FR", "MCOPSTN2"),
        ("0800 123 4567", "GB", "MCOPSTN1"),
        ("09 123", "FR", "MCOPSTN1"),
        ("hello", "FR", "MCOPSTN1"),
        ("+44 909 879 0000", "GB", "MCOPSTN1"),
        ("+33 1 23 45 67 89", "ZZ", "MCOPSTN1"),
        ("+33 1 23 45 67 89", "FR", "NOT_A_PLAN"),
        ("alice@contoso.com", "FR", None),
        ("+81 3 1234 5678", "FR", "MCOPSTN_PAYG_2"),
    ]
    for number, country, plan in cases:
        verdict = check_call(number, country, plan)
        for lang in LANGUAGES:
            assert_valid_card(verdict_card(verdict, lang).attachment)
            reply = verdict_card(verdict, lang)
            assert_no_raw_keys(reply.card, reply.text)


def pool_blocks(card: dict) -> list[dict]:
    """Each pool of a pool card as read from the card: its title line, its figures as
    ``{label: value}`` in display order, and the colours its texts use."""
    pools = []
    for element in card["body"]:
        if element.get("type") != "Container":
            continue
        title = element["items"][0]
        columns = next(e for e in element["items"] if e.get("type") == "ColumnSet")["columns"]
        figures = {column["items"][0]["text"]: column["items"][1]["text"] for column in columns}
        colours = {e.get("color") for e in walk(element) if e.get("type") == "TextBlock"}
        pools.append(
            {
                "title": title["text"],
                "figures": figures,
                "colours": colours,
                "subtle": [e["text"] for e in walk(element) if e.get("isSubtle")],
            }
        )
    return pools


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pool_card_shows_each_pool_with_total_used_percent_left_and_runs_out(lang, balances):
    reply = pool_table_card(balances, lang, as_of=date(2026, 11, 10))
    card = assert_card_reply(reply, lang)
    assert ("novembre 2026" if lang == "fr" else "November 2026") in card_texts(card)[0]
    assert ("Au 10 novembre 2026" if lang == "fr" else "As of November 10, 2026") in card_texts(card)
    pools = pool_blocks(card)
    assert [p["title"] for p in pools] == [
        f"{country_name(b.country, lang)} · {b.plan_names[lang]} · {t_(lang, f'line.{b.line}')}" for b in balances
    ]

    fr_pool = pools[next(i for i, b in enumerate(balances) if b.country == "FR")]
    percent = "42%" if lang == "en" else "42\u00a0%"
    assert fr_pool["figures"] == {
        t_(lang, "pools.col.total"): format_number(12000, lang),
        t_(lang, "pools.col.used"): f"{format_number(5000, lang)} ({percent})",
        t_(lang, "pools.col.remaining"): format_number(7000, lang),
        t_(lang, "pools.col.runs_out"): "November 24, 2026" if lang == "en" else "24 novembre 2026",
    }
    assert "Attention" not in fr_pool["colours"]
    assert "Warning" in fr_pool["colours"]  # it runs out this month: say so in the warning colour
    if lang == "fr":
        assert f"12{NNBSP}000" in fr_pool["figures"]["Total"]

    # The exhausted pool: in the attention colour, title and figures, and it says when it ran out.
    index, exhausted = next((i, b) for i, b in enumerate(balances) if b.exhausted)
    shown = pools[index]
    assert shown["colours"] >= {"Attention"}
    assert shown["figures"][t_(lang, "pools.col.ran_out")] == format_date(exhausted.runs_out_on, lang)
    assert shown["figures"][t_(lang, "pools.col.remaining")] == "0"
    assert shown["figures"][t_(lang, "pools.col.used")].startswith(format_number(exhausted.used_minutes, lang))

    # A pool that lasts the month says so, quietly.
    index = next(i for i, b in enumerate(balances) if b.runs_out_on is None)
    assert pools[index]["figures"][t_(lang, "pools.col.runs_out")] == t_(lang, "pools.not_this_month")
    assert t_(lang, "pools.not_this_month") in pools[index]["subtle"]

    # The plain-text summary: one line per pool, unchanged by the card's layout.
    assert reply.text.splitlines() == [
        t_(
            lang,
            "pools.text_line",
            country=country_name(b.country, lang),
            plan=b.plan_names[lang],
            line=t_(lang, f"line.{b.line}"),
            remaining=b.remaining_minutes,
            total=b.total_minutes,
            percent=format_percent(b.percent_used / 100, lang),
        )
        + (
            ""
            if b.runs_out_on is None
            else " " + t_(lang, "pools.text_ran_out" if b.exhausted else "pools.text_runs_out", date=b.runs_out_on)
        )
        for b in balances
    ]
    if lang == "fr":
        assert f"12{NNBSP}000" in reply.text


#: About what a quarter of a 400 px chat card holds at the card's font size. WHY: the old
#: eight-column table broke numbers and words mid-token ("4,8/00", "do/me/stic"); a figure or
#: label no longer than this wraps between words, if at all (the e2e screenshots show it).
QUARTER_CARD_CHARS = 11


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pool_card_figures_are_short_enough_not_to_break_mid_word(lang, balances):
    pools = pool_blocks(pool_table_card(balances, lang).card)
    words = [word for pool in pools for pair in pool["figures"].items() for text in pair for word in text.split(" ")]
    longest = max(words, key=len)
    assert len(longest) <= QUARTER_CARD_CHARS, longest


def test_pool_card_of_per_user_plans_and_the_longest_french_plan_name():
    start = datetime(2026, 11, 2, 10, tzinfo=UTC)
    users = [
        UserRecord(tenant_id="t", upn="alice@contoso.com", usage_location="FR", licenses=("MCOPSTN8",)),
        UserRecord(tenant_id="t", upn="bob@contoso.com", usage_location="FR", licenses=("SPE_E5", "MCOPSTN2")),
    ]
    calls = [
        CallRecord(
            id="c1",
            tenant_id="t",
            source="pstn_csv",
            call_type="user_out",
            start=start,
            duration_seconds=30 * 60,
            usage_location="FR",
            capability="MCOPSTN2",
            destination_context="International",
            upn="bob@contoso.com",
        )
    ]
    balances = pools_for_month(users, calls, "2026-11", date(2026, 11, 10))
    per_user = [b for b in balances if b.upn]
    assert per_user, "MCOPSTN8 makes a per-user pool"
    pools = pool_blocks(pool_table_card(balances, "fr").card)
    titles = [p["title"] for p in pools]
    assert "France · Forfait d'appels nationaux et internationaux · international" in titles
    assert any("(alice@contoso.com)" in title for title in titles)
    for pool in pools:
        assert list(pool["figures"])[:3] == ["Total", "Consommé", "Restant"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pool_card_says_when_a_past_month_is_sized_by_a_later_roster(lang, balances):
    current = pool_table_card(balances, lang, as_of=date(2026, 11, 10))
    note = t_(lang, "pools.roster_later", roster_month="novembre 2026" if lang == "fr" else "November 2026")
    assert note not in card_texts(current.attachment.content) and note not in current.text  # no roster month known

    same = [b.model_copy(update={"roster_month": "2026-11"}) for b in balances]
    assert note not in pool_table_card(same, lang).text  # this month's roster: nothing to say
    earlier = [b.model_copy(update={"month": "2026-09", "roster_month": "2026-11"}) for b in balances]
    reply = pool_table_card(earlier, lang)
    card = assert_card_reply(reply, lang)
    assert note in card_texts(card) and reply.text.endswith(note)
    assert len(pool_blocks(card)) == len(balances)


def test_pool_table_empty():
    for lang in LANGUAGES:
        reply = pool_table_card([], lang, month="2026-11")
        assert_card_reply(reply, lang)
        assert reply.text == t_(lang, "pools.empty")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_unknown_reply_offers_the_menu_without_greeting_again(lang):
    reply = unknown_reply(lang)
    card = assert_card_reply(reply, lang)
    shown = card_texts(card)
    assert shown[0] == t_(lang, "unknown.intro")
    for intent in ("purchase", "check", "pool"):
        assert t_(lang, f"welcome.{intent}.title") in shown
        assert t_(lang, f"welcome.{intent}.body") in shown
    assert t_(lang, "welcome.examples") in shown
    # Not the welcome card's title and greeting: "Here is what I can do" is said once.
    assert t_(lang, "welcome.title") not in shown and t_(lang, "welcome.intro") not in shown
    menu = t_(lang, "unknown.intro").split(". ")[-1]
    assert sum(text.count(menu) for text in shown) == 1
    assert [a["data"]["intent"] for a in card["actions"]] == ["purchase", "check", "pool", "help"]
    assert card["actions"] == welcome_reply(lang).card["actions"]


# --- choice cards ------------------------------------------------------------------------------


def submit_values(card: dict) -> list:
    return [e["data"]["value"] for e in walk(card) if e.get("type") == "Action.Submit"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_choice_cards(lang):
    countries = countries_choice(lang, ["FR", "DE", "GB"])
    assert submit_values(assert_valid_card(countries.attachment)) == ["FR", "DE", "GB"]
    assert countries.text == t_(lang, "prompt.countries")
    assert country_name("DE", lang) in card_texts(countries.card) or country_name("DE", lang) in [
        a["title"] for a in walk(countries.card) if a.get("type") == "Action.Submit"
    ]

    yes_no = yes_no_choice(lang, "prompt.international", countries="France")
    assert submit_values(assert_valid_card(yes_no.attachment)) == [True, False]

    plans = plan_choice(lang)
    for value in submit_values(assert_valid_card(plans.attachment)):
        assert load_catalog().find_plan(value) is not None

    for reply in (countries, yes_no, plans):
        assert_card_reply(reply, lang)


def test_choice_buttons_wrap_into_rows():
    reply = choice_card("Pick", [(str(i), i) for i in range(10)], "en")
    sets = [e for e in walk(reply.card) if e.get("type") == "ActionSet"]
    assert [len(s["actions"]) for s in sets] == [4, 4, 2]
    assert submit_values(reply.card) == list(range(10))


# --- every knowledge code has words in both languages ------------------------------------------


def test_every_knowledge_code_has_a_string_in_both_languages_with_its_placeholders():
    from dialogs.nlu.render import code_key

    codes = load_catalog().texts
    assert len(codes) > 50
    for lang in LANGUAGES:
        table = strings(lang)
        missing = [c for c in codes if code_key(c) not in table]
        assert missing == [], f"{lang}: no string for {missing}"
        wrong = {
            c: (placeholders(codes[c]), placeholders(table[code_key(c)]))
            for c in codes
            if placeholders(codes[c]) != placeholders(table[code_key(c)])
        }
        assert wrong == {}, f"{lang}: placeholders differ from knowledge/data/texts.json"


def test_every_code_the_advisor_and_number_check_emit_renders(rec_fr_gb):
    from dialogs.nlu.render import code_key

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
    from dialogs.nlu.i18n import t

    return t(lang, key, **params)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pool_card_words_are_reused_only_for_the_same_pool(lang, balances):
    """The pool table keeps each pool's words while the store hands out the same pool
    object: the same card as a first rendering, and a pool with other figures (a new object,
    as the store makes after an import) gets its own words, never the old ones."""
    from dialogs import cards

    cards._POOL_WORDS.clear()
    cards._SHARED.clear()  # the whole card too (test_pool_cards_are_shared_while_the_pools_are_the_same)
    first = pool_table_card(balances, lang, as_of=date(2026, 11, 10))
    assert len(cards._POOL_WORDS) == len(balances)
    again = pool_table_card(balances, lang, as_of=date(2026, 11, 10))
    assert json.dumps(again.attachment.content) == json.dumps(first.attachment.content) and again.text == first.text
    copies = [b.model_copy() for b in balances]
    assert json.dumps(pool_table_card(copies, lang, as_of=date(2026, 11, 10)).attachment.content) == json.dumps(
        first.attachment.content
    )
    changed = [balances[0].model_copy(update={"used_minutes": 4321, "remaining_minutes": 1}), *balances[1:]]
    reply = pool_table_card(changed, lang, as_of=date(2026, 11, 10))
    assert format_number(4321, lang) in all_text(reply) and reply.text != first.text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pool_cards_are_shared_while_the_pools_are_the_same(lang, balances):
    """The same pool objects (the store's, while its summary is unchanged), language, month and
    day: the very same card, its JSON encoded once. Equal pools in new objects (a re-read after
    an import), another day or another data line: a card of its own, built anew."""
    from dialogs.cards import shared_card_json
    from knowledge.provenance import DataProvenance

    data = DataProvenance(tenant_id="t", source_kinds=["pstn_csv"], newest_call=None, last_import=None, demo=False)
    first = pool_table_card(balances, lang, as_of=date(2026, 11, 10), data=data)
    assert pool_table_card(list(balances), lang, as_of=date(2026, 11, 10), data=data) is first
    text = shared_card_json(first.card)
    assert text is not None and json.loads(text) == first.card  # the card's JSON (UTF-8 bytes)
    assert text == orjson.dumps(first.card) and shared_card_json(first.card) is text  # orjson's, encoded once
    assert shared_card_json(json.loads(text)) is None  # an equal dict is not the shared card

    copies = [b.model_copy() for b in balances]
    rebuilt = pool_table_card(copies, lang, as_of=date(2026, 11, 10), data=data)
    assert rebuilt is not first and orjson.dumps(rebuilt.card) == text
    assert shared_card_json(rebuilt.card) == text
    assert pool_table_card(copies, lang, as_of=date(2026, 11, 11), data=data).card != rebuilt.card
    other = data.model_copy(update={"demo": True})
    assert pool_table_card(copies, lang, as_of=date(2026, 11, 10), data=other) is not rebuilt

    # A notice is a copy: the shared card is never changed.
    noticed = rebuilt.with_notice("nothing matched")
    assert orjson.dumps(rebuilt.card) == text and noticed.card["body"][0]["text"] == "nothing matched"


def test_shared_cards_are_bounded():
    from dialogs import cards

    cards._SHARED.clear()
    cards._SHARED_JSON.clear()

    def card(n: int) -> CardReply:
        return CardReply(attachment=CardFactory.adaptive_card({"n": n}), text="x")

    for n in range(cards.SHARED_CARDS_MAX + 5):
        cards.shared_card(("n", n), (), partial(card, n))
    assert len(cards._SHARED) <= cards.SHARED_CARDS_MAX and len(cards._SHARED_JSON) == len(cards._SHARED)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_menus_are_built_once_per_language(lang):
    from dialogs.cards import unknown_reply

    assert welcome_reply(lang) is welcome_reply(lang) and unknown_reply(lang) is unknown_reply(lang)
    assert welcome_card(lang).content is welcome_reply(lang).card


def test_source_lines_and_data_lines_are_kept_but_each_caller_gets_its_own_block():
    from dialogs.cards import source_line
    from dialogs.provenance import data_text
    from knowledge.provenance import DataProvenance

    keys = [key for key in load_catalog().sources][:3]
    first = source_line(iter(keys), "en")
    assert first is not None
    first["text"] = "changed by a caller"
    again = source_line(keys, "en")
    assert again is not None and again["text"] != "changed by a caller" and again == source_line(keys, "en")
    demo = DataProvenance(tenant_id="t", source_kinds=["pstn_csv"], newest_call=None, last_import=None, demo=True)
    real = demo.model_copy(update={"demo": False, "source_kinds": ["roster"]})
    assert data_text(demo, "en") != data_text(real, "en") and data_text(demo, "fr") != data_text(demo, "en")
    assert data_text(real, "en") == data_text(real.model_copy(), "en")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_new_pool_objects_replace_their_card_and_keep_the_menus(lang, balances):
    """Each import gives new pool objects: their card replaces the old one under the same key
    (one entry per table shown), so the shared cards never reach the bound that would drop
    the menus with them."""
    from dialogs import cards

    cards._SHARED.clear()
    cards._SHARED_JSON.clear()
    menu = welcome_reply(lang)
    first = pool_table_card(balances, lang, as_of=date(2026, 11, 10))
    for _ in range(cards.SHARED_CARDS_MAX + 5):
        latest = pool_table_card([b.model_copy() for b in balances], lang, as_of=date(2026, 11, 10))
    assert latest is not first and json.dumps(latest.card) == json.dumps(first.card)
    assert cards.shared_card_json(first.card) is None  # the replaced card's JSON went with it
    assert len(cards._SHARED) == 2 and len(cards._SHARED_JSON) == 2
    assert welcome_reply(lang) is menu


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize(
    ("number", "scope"),
    [
        ("+33 1 23 45 67 89", "domestic"),
        ("+44 20 7946 0958", "international"),
        ("112", "emergency"),
        ("bob@contoso.com", "teams"),
    ],
)
def test_a_verdict_cards_fixed_words_are_the_locales(lang, number, scope):
    """The verdict card's labels (each looked up once per language, ``cards._said_once``) and
    its scope's name are what the locale file says, for every scope."""
    verdict = check_call(number, "FR", "MCOPSTN2")
    assert verdict.scope == scope
    card = json.dumps(verdict_card(verdict, lang).card, ensure_ascii=False)
    for key in (f"scope.{scope}", "verdict.number", "verdict.scope"):
        assert json.dumps(t(lang, key), ensure_ascii=False)[1:-1] in card
