"""Every card that states a domain fact ends with one "Source:" line of Microsoft Learn links;
the verdict card's headline follows the three-valued verdict; the bundle states no invented minutes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from dialogs.cards import (
    choice_card,
    pool_table_card,
    purchase_summary_card,
    recommendation_card,
    source_line,
    verdict_card,
    welcome_reply,
)
from dialogs.nlu.i18n import LANGUAGES, format_date, has_string, t
from dialogs.nlu.render import plan_name, render
from knowledge.advisor import AdviceRequest, recommend
from knowledge.learn import source_link
from knowledge.numbers import check_call
from knowledge.pools import pools_for_month
from knowledge.store.records import CallRecord, UserRecord
from testkit.cards import card_texts
from testkit.narrow import present

LINK = re.compile(r"\[([^\]]+)\]\((https://[^)\s]+)\)")


def source_lines(card: dict, lang: str) -> list[str]:
    prefix = t(lang, "source.line", links="")
    return [text for text in card_texts(card) if text.startswith(prefix)]


def assert_one_source_line(card: dict, lang: str) -> list[tuple[str, str]]:
    """Exactly one Source line, the last element of the body, with markdown links; returns them."""
    lines = source_lines(card, lang)
    assert len(lines) == 1, lines
    assert card["body"][-1]["text"] == lines[0]
    links = LINK.findall(lines[0])
    assert links, lines[0]
    assert links[0][1].startswith("https://learn.microsoft.com/")
    return links


VERDICTS = [  # (number, country, plan) -> verdict value
    (("+33 1 23 45 67 89", "FR", "MCOPSTN1"), "included"),
    (("+49 30 123456", "FR", "MCOPSTN1"), "per_minute"),
    (("+44 843 123 4567", "GB", "MCOPSTN1"), "per_minute"),  # UK shared cost: via credits, per the sheet
    (("+44 909 879 0000", "GB", "MCOPSTN1"), "not_callable"),
    (("+53 7 8123456", "DE", "MCOPSTN2"), "not_callable"),  # not on the callable list
]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("args, value", VERDICTS, ids=[v for _, v in VERDICTS])
def test_verdict_card_headline_text_and_one_source_line(args, value, lang):
    verdict = check_call(*args)
    assert verdict.verdict == value
    reply = verdict_card(verdict, lang)
    texts = card_texts(reply.card)
    title = f"verdict.title.{verdict.reason}"  # a reason the headline says more precisely has its own
    assert texts[0] == t(lang, title if has_string(lang, title) else f"verdict.{value}")
    assert reply.text.startswith(t(lang, f"verdict.text_{value}", number=verdict.number, reason="").strip()[:12])
    if value == "per_minute":  # the body says credits make it possible: the headline never says "not callable"
        assert texts[0] != t(lang, "verdict.not_callable")
        assert render("communications_credits", {}, lang) in " ".join(texts)
    assert_one_source_line(reply.card, lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_silent_sheet_is_said_so_not_blocked(lang):
    verdict = check_call("+49 180 1234567", "DE", "MCOPSTN1")  # German shared cost: the sheet names premium only
    assert (verdict.verdict, verdict.reason) == ("not_callable", "premium_undocumented")
    reply = verdict_card(verdict, lang)
    assert card_texts(reply.card)[0] == t(lang, "verdict.title.premium_undocumented")
    assert render("premium_blocked", verdict.params, lang) not in " ".join(card_texts(reply.card))
    assert_one_source_line(reply.card, lang)


def test_source_line_links_the_french_page_in_french_with_the_docs_date():
    verdict = check_call("+33 1 23 45 67 89", "FR", "MCOPSTN1")
    assert "FR_CP" in verdict.sources
    fr = dict((url, title) for title, url in assert_one_source_line(verdict_card(verdict, "fr").card, "fr"))
    en = dict((url, title) for title, url in assert_one_source_line(verdict_card(verdict, "en").card, "en"))
    assert "https://learn.microsoft.com/fr-fr/microsoftteams/calling-plans-for-office-365" in fr
    assert "https://learn.microsoft.com/en-us/microsoftteams/calling-plans-for-office-365" in en
    line_fr = source_lines(verdict_card(verdict, "fr").card, "fr")[0]
    line_en = source_lines(verdict_card(verdict, "en").card, "en")[0]
    assert format_date(date(2023, 1, 11), "fr") in line_fr and format_date(date(2023, 1, 11), "en") in line_en
    assert line_fr.startswith("Source : ") and line_en.startswith("Source: ")


def test_source_line_prefers_learn_pages_and_skips_keys_without_a_page():
    block = present(source_line(["DECISION", "LIBPHONENUMBER", "FR_DIALOUT_POLICY"], "en"))
    links = LINK.findall(block["text"])
    assert links[0][1] == source_link("FR_DIALOUT_POLICY").url
    assert "DECISION" not in block["text"] and len(links) == 2
    assert source_line(["DECISION"], "en") is None


@pytest.mark.parametrize("lang", LANGUAGES)
def test_recommendation_and_summary_cards_end_with_one_source_line(lang):
    rec = recommend(AdviceRequest(countries=["FR", "GB"], users=40, international=True, base_licence="E5"))
    assert rec.sources
    for reply in (recommendation_card(rec, lang), purchase_summary_card(rec, lang)):
        assert_one_source_line(reply.card, lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pool_card_ends_with_one_source_line_of_its_pooling_facts(lang):
    start = datetime(2026, 11, 2, 10, tzinfo=UTC)
    users = [
        UserRecord(tenant_id="t", upn=f"u{i}@contoso.com", usage_location="FR", licenses=("MCOPSTN1",))
        for i in range(3)
    ]
    calls = [
        CallRecord(
            id="c1",
            tenant_id="t",
            source="pstn_csv",
            call_type="user_out",
            start=start,
            duration_seconds=600,
            usage_location="FR",
            capability="MCOPSTN1",
            destination_context="Domestic",
            upn="u1@contoso.com",
        )
    ]
    balances = pools_for_month(users, calls, "2026-11", date(2026, 11, 10))
    assert balances and all(b.sources for b in balances)
    assert "sources" in balances[0].model_dump()  # pools --json carries them too
    links = assert_one_source_line(pool_table_card(balances, lang).card, lang)
    assert any("calling-plans-for-office-365" in url for _, url in links)
    assert source_lines(pool_table_card([], lang).card, lang) == []  # no pool, no fact, no source


@pytest.mark.parametrize("lang", LANGUAGES)
def test_cards_without_domain_facts_have_no_source_line(lang):
    assert source_lines(welcome_reply(lang).card, lang) == []
    assert source_lines(choice_card("?", [("a", 1)], lang).card, lang) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_bundle_states_no_minutes_and_joins_the_domestic_pool(lang):
    rec = recommend(AdviceRequest(countries=["FR"], users=40, base_licence="E3"))
    assert rec.calling_plan == "MCOTEAMS_ESSENTIALS"
    [pool] = rec.pools
    assert pool.minutes is None and pool.plan == "MCOPSTN1"
    for reply in (recommendation_card(rec, lang), purchase_summary_card(rec, lang)):
        texts = " ".join(card_texts(reply.card))
        assert t(lang, "pool.undocumented", users=40) in texts
        assert {"en": "not documented by Microsoft", "fr": "non documentées par Microsoft"}[lang] in texts
        # One answer on the pool: the country's Domestic Calling Plan pool, never a bundle pool.
        assert f"· {plan_name('MCOPSTN1', lang)} ·" in texts
        assert f"· {plan_name('MCOTEAMS_ESSENTIALS', lang)} ·" not in texts
        assert "1,200" not in texts and "1 200" not in texts.replace("\u202f", " ")
    verdict = check_call("+33 1 23 45 67 89", "FR", "MCOTEAMS_ESSENTIALS")
    assert verdict.pool is not None and verdict.pool.plan == "MCOPSTN1"
    assert "bundle_minutes_undocumented" in verdict.notes
