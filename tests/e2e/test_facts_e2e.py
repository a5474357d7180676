"""Questions of fact in the Agents Playground, with the real bot (issue 12).

A fact question answered by one card (its heading, the answer, the Source line linking
Microsoft Learn), and a follow-up the fact answer itself supports: a question the bot is
unsure of gets a "did you mean" card whose button answers the chosen fact. The same in French.
The expected texts come from the fact base (knowledge/data/facts.json), never from the bot.
Screenshots: ``artifacts/e2e/<test>/``.
"""

from __future__ import annotations

import re

import pytest

from knowledge.facts import load_facts
from testkit.fact_questions import BETWEEN_FACTS

pytestmark = pytest.mark.e2e

LEFTOVERS = re.compile(r"\{\w+\}|\*\*|\]\(|\\n|&[a-z]+;|\bNone\b|\bnan\b|\bundefined\b")


def collapse(text: str) -> str:
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


def assert_fact_card(chat, fact_id: str, lang: str) -> None:
    fact = load_facts().by_id[fact_id]
    blocks = [collapse(b) for b in chat.card_blocks()]
    assert blocks[0] == collapse(fact.title[lang])
    assert collapse(fact.answer[lang]) in blocks
    assert blocks[-1].startswith("Source")  # the same word in English and French
    assert chat._card(-1).locator("a[href^='https://learn.microsoft.com/']").count() >= 1
    assert not [m.group() for b in blocks for m in LEFTOVERS.finditer(b)]
    assert chat.playground_warnings() == []
    assert chat.answers_shown_twice() == [], "an answer shown twice (text beside its card)"


def test_a_question_of_fact_then_a_did_you_mean_click(real_chat):
    chat = real_chat
    chat.wait_for_card("Assistant")  # the welcome, in the language the playground's user last spoke
    chat.send("What does the Domestic Calling Plan include?")
    chat.wait_for_card(load_facts().by_id["domestic_plan_includes"].title["en"])
    assert_fact_card(chat, "domestic_plan_includes", "en")
    chat.screenshot("fact answer")

    chat.send(BETWEEN_FACTS["en"])  # a question between facts (the HTTP test asks the same)
    chat.wait_for_card("Did you mean")
    buttons = chat.card_buttons()
    assert 2 <= len(buttons) <= 3
    titles = {fact.title["en"]: fact.id for fact in load_facts().facts}
    assert all(b in titles for b in buttons)
    chat.screenshot("did you mean")
    chat.click_card_button(buttons[1])
    chat.wait_for_card(buttons[1])
    assert_fact_card(chat, titles[buttons[1]], "en")
    chat.screenshot("chosen fact")


def test_a_question_of_fact_in_french(real_chat):
    chat = real_chat
    chat.wait_for_card("Assistant")
    chat.send_activity("Que se passe-t-il quand le pool de minutes est épuisé ?", locale="fr-FR")
    chat.wait_for_card(load_facts().by_id["pool_exhausted"].title["fr"])
    assert_fact_card(chat, "pool_exhausted", "fr")
    chat.screenshot("question de fait")
    # The playground's user is the same in every test and its language is remembered: an
    # English question switches back (and leaves the next tests an English welcome).
    chat.send("What does the Domestic Calling Plan include?")
    chat.wait_for_card(load_facts().by_id["domestic_plan_includes"].title["en"])
    assert_fact_card(chat, "domestic_plan_includes", "en")


def test_a_computed_fact_then_a_follow_up_for_another_country(real_chat):
    """ "and in Spain?" after a computed fact asks the same fact for Spain: a second fact card
    with the catalog's figure for Spain (the follow-up of dialogs/root.py, in the browser)."""
    from dialogs.nlu.i18n import format_number
    from dialogs.nlu.render import country_name
    from knowledge.catalog import load_catalog

    chat = real_chat
    chat.wait_for_card("Assistant")
    plan = load_catalog().plan("MCOPSTN1")
    for step, text, country in (
        ("fact for Germany", "how many minutes per user does the Domestic Calling Plan give in Germany?", "DE"),
        ("follow-up for Spain", "and in Spain?", "ES"),
    ):
        chat.send(text)
        figure = f"{format_number(plan.minutes_for(country), 'en')} minutes"
        shown = collapse(chat.wait_for_card(country_name(country, "en")))
        assert figure in shown, shown
        blocks = [collapse(b) for b in chat.card_blocks()]
        assert blocks[0] == collapse(load_facts().by_id["minutes_per_user"].title["en"])
        assert blocks[-1].startswith("Source")
        assert not [m.group() for b in blocks for m in LEFTOVERS.finditer(b)]
        assert chat.answers_shown_twice() == []
        chat.screenshot(step)
