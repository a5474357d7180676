"""Fact cards: every fact renders in both languages with nothing left unfilled, ends with its
one Source line, and a "did you mean" card's buttons carry what answers the chosen fact."""

from __future__ import annotations

from typing import Any

import pytest
from botbuilder.core import TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity

from dialogs.cards import source_line
from dialogs.facts import answer_fact, answered_fact, clicked_fact, fact_reply, suggestions_reply
from dialogs.nlu.i18n import format_number, placeholders, t
from knowledge.catalog import load_catalog
from knowledge.facts import FactQuery, load_facts
from testkit.cards import card_texts, submits
from testkit.narrow import present

#: Entities that reach each template of the computed facts: nothing (missing), sold/callable
#: (answer), not sold/not callable (answer_no).
QUERIES: list[dict[str, Any]] = [
    {},
    {"countries": ["DE"], "user_count": 40},
    {"countries": ["GB"], "plan": "MCOPSTN2", "user_count": 3},
    {"countries": ["BR"], "user_count": 1},
    {"countries": ["AQ"]},
    {"countries": ["US"], "plan": "MCOPSTN5"},
    {"countries": ["AU"], "user_count": 5},
    {"countries": ["FR"], "plan": "PAYG", "user_count": 5},
    {"countries": ["US"], "plan": "MCOTEAMS_ESSENTIALS", "user_count": 5},
    {"countries": ["GB"], "plan": "MCOPSTN8", "user_count": 5},
    {"countries": ["AT"]},  # premium-rate numbers supported there
    {"licence": "G5"},  # a base licence that includes Teams Phone
    {"licence": "E3", "countries": ["FR"]},  # one that does not (the bundle is offered)
    {"plan": "MCOPSTN5", "user_count": 100},  # a seat count, no country: one figure where sold
    {"user_count": 100},  # the Domestic plan's two figures, and where each applies
    {"plan": "MCOPSTN8", "user_count": 10},  # a plan that is not pooled, no country
    {"countries": ["FR"], "plan": "MCOPSTN5"},  # a plan sold in the country named
    # the same cases without a seat count: the minutes per user answer them itself (with two or
    # more seats it answers with the pool: its ``for_seats`` fact)
    {"countries": ["AU"]},
    {"countries": ["FR"], "plan": "PAYG"},
    {"countries": ["US"], "plan": "MCOTEAMS_ESSENTIALS"},
    {"countries": ["GB"], "plan": "MCOPSTN8"},
]
FACTS = [fact.id for fact in load_facts().facts]


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("fact_id", FACTS)
def test_every_fact_renders_filled_with_its_source_line_last(fact_id, lang):
    seen = set()
    for query in QUERIES:
        reply = fact_reply(fact_id, query, lang)
        texts = card_texts(reply.card)
        assert "{" not in reply.text and "}" not in reply.text, reply.text
        # A general fact asked for a country the catalog knows answers with its figure there.
        shown, specific = load_facts().specific(fact_id, FactQuery(**query))
        assert texts[0] == load_facts().by_id[shown].title[lang]
        answer = load_facts().answer(shown, specific)
        assert texts[-1] == present(source_line(answer.sources, lang))["text"]
        assert reply.card["fallbackText"] == reply.text
        seen.add(answer.template if shown == fact_id else "answer")
    fact = load_facts().by_id[fact_id]
    if fact.compute:
        assert "missing" in seen and "answer" in seen
        assert set(fact.variants) <= seen  # every variant rendered at least once


def test_a_general_fact_asked_for_a_country_gives_that_countrys_figure():
    base = load_facts()
    general = fact_reply("international_plan_includes", {}, "en").text
    italy = fact_reply("international_plan_includes", {"countries": ["IT"]}, "en").text
    assert "3,000" in general and "1,200" in general  # both figures, no country
    assert italy == fact_reply("minutes_per_user", {"countries": ["IT"], "plan": "MCOPSTN2"}, "en").text
    assert "1,200" in italy and "600" in italy and "3,000" not in italy
    canada = fact_reply("domestic_plan_includes", {"countries": ["CA"]}, "fr").text
    assert canada == fact_reply("minutes_per_user", {"countries": ["CA"]}, "fr").text
    # A plan named in the message wins over the entry's plan; an unknown code is no country.
    assert base.specific("international_plan_includes", FactQuery(countries=["DE"], plan="MCOPSTN1"))[1].plan == (
        "MCOPSTN1"
    )
    assert base.specific("international_plan_includes", FactQuery(countries=["XX"]))[0] == "international_plan_includes"


@pytest.mark.parametrize("fact_id", FACTS)
def test_both_languages_fill_the_same_parameters(fact_id):
    fact = load_facts().by_id[fact_id]
    for field in ("answer", "answer_no", "missing", *fact.variants):
        text = fact.template(field) if field in fact.variants or getattr(fact, field, None) else None
        if text is not None:
            assert placeholders(text.en) == placeholders(text.fr), (fact_id, field)


def test_a_did_you_mean_button_carries_the_fact_and_the_questions_entities():
    reply = suggestions_reply(["pool_size", "pool_how"], {"countries": ["FR"], "user_count": 20}, "en")
    data = submits(reply.card)
    assert [d["fact_id"] for d in data] == ["pool_size", "pool_how"]
    fact_id, entities = present(clicked_fact(data[0]))
    assert fact_id == "pool_size" and entities == {"countries": ["FR"], "user_count": 20}
    pool = 20 * present(load_catalog().plan("MCOPSTN1").minutes_for("FR"))
    assert f"{format_number(pool, 'en')} minutes" in fact_reply(fact_id, entities, "en").text
    assert clicked_fact({"intent": "pool"}) is None and clicked_fact("fact") is None


# --- the entry point the conversation context calls (contract with w2-dialogs) -----------------


def _context(text: str | None) -> TurnContext:
    activity = Activity(type="message", text=text, channel_id="msteams", locale="en-US")
    return TurnContext(TestAdapter(), activity)


async def test_answer_fact_records_the_fact_and_a_forced_fact_takes_new_entities():
    """A follow-up ("and for Spain?") re-asks the last fact with other entities: passing its
    id answers that fact whatever the text says; the answered id is in the turn state."""
    minutes = load_catalog().plan("MCOPSTN1")
    first = _context("How many minutes per user on the Domestic plan in Germany?")
    [reply] = await answer_fact(first, first.activity.text, {"countries": ["DE"]}, "en")
    assert answered_fact(first) == "minutes_per_user"
    assert f"{format_number(minutes.minutes_for('DE'), 'en')} minutes" in reply.summary
    follow_up = _context("and for Canada?")
    [reply] = await answer_fact(
        follow_up, follow_up.activity.text, {"countries": ["CA"]}, "en", fact_id=answered_fact(first)
    )
    assert answered_fact(follow_up) == "minutes_per_user"
    assert f"{format_number(minutes.minutes_for('CA'), 'en')} minutes" in reply.summary


async def test_answer_fact_below_the_floors_is_not_a_fact():
    context = _context("zzz qqq")
    [reply] = await answer_fact(context, "zzz qqq", None, "en")
    assert answered_fact(context) is None
    assert reply.summary == t("en", "unknown.text")
