"""Fact cards: every fact renders in both languages with nothing left unfilled, ends with its
one Source line, and a "did you mean" card's buttons carry what answers the chosen fact."""
from __future__ import annotations

import pytest

from dialogs.cards import source_line
from dialogs.facts import clicked_fact, fact_reply, suggestions_reply
from dialogs.i18n import format_number, placeholders
from knowledge.catalog import load_catalog
from knowledge.facts import FactQuery, load_facts
from testkit.cards import card_texts, submits

#: Entities that reach each template of the computed facts: nothing (missing), sold/callable
#: (answer), not sold/not callable (answer_no).
QUERIES = [{}, {"countries": ["DE"], "user_count": 40}, {"countries": ["GB"], "plan": "MCOPSTN2", "user_count": 3},
           {"countries": ["BR"], "user_count": 1}, {"countries": ["AQ"]}, {"countries": ["US"], "plan": "MCOPSTN5"}]
FACTS = [fact.id for fact in load_facts().facts]


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("fact_id", FACTS)
def test_every_fact_renders_filled_with_its_source_line_last(fact_id, lang):
    seen = set()
    for query in QUERIES:
        reply = fact_reply(fact_id, query, lang)
        texts = card_texts(reply.card)
        assert "{" not in reply.text and "}" not in reply.text, reply.text
        assert texts[0] == load_facts().by_id[fact_id].title[lang]
        answer = load_facts().answer(fact_id, FactQuery(**query))
        assert texts[-1] == source_line(answer.sources, lang)["text"]
        assert reply.card["fallbackText"] == reply.text
        seen.add(answer.template)
    if load_facts().by_id[fact_id].compute:
        assert "missing" in seen and "answer" in seen


@pytest.mark.parametrize("fact_id", FACTS)
def test_both_languages_fill_the_same_parameters(fact_id):
    fact = load_facts().by_id[fact_id]
    for field in ("answer", "answer_no", "missing"):
        text = getattr(fact, field)
        if text is not None:
            assert placeholders(text.en) == placeholders(text.fr), (fact_id, field)


def test_a_did_you_mean_button_carries_the_fact_and_the_questions_entities():
    reply = suggestions_reply(["pool_size", "pool_how"], {"countries": ["FR"], "user_count": 20}, "en")
    data = submits(reply.card)
    assert [d["fact_id"] for d in data] == ["pool_size", "pool_how"]
    fact_id, entities = clicked_fact(data[0])
    assert fact_id == "pool_size" and entities == {"countries": ["FR"], "user_count": 20}
    pool = 20 * load_catalog().plan("MCOPSTN1").minutes_for("FR")
    assert f"{format_number(pool, 'en')} minutes" in fact_reply(fact_id, entities, "en").text
    assert clicked_fact({"intent": "pool"}) is None and clicked_fact("fact") is None
