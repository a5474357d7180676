"""Questions of fact over HTTP through the real app factory, in English and in French.

The expected answers are read from the fact base and the catalog (never typed here): a fact
card's summary is the fact's answer text, a computed answer carries the catalog's figure, and
the Source line links the Microsoft Learn pages of the fact's source keys.
"""

from __future__ import annotations

from typing import Any

import pytest

from dialogs.cards import source_line
from dialogs.facts import fact_reply
from dialogs.nlu.i18n import format_number, t
from dialogs.nlu.render import country_name
from knowledge.catalog import load_catalog
from knowledge.facts import load_facts
from testkit.cards import card_texts, shown_once, submits
from testkit.fact_questions import BETWEEN_FACTS
from testkit.narrow import present

LANGS = pytest.mark.parametrize("lang", ["en", "fr"])

ASK = {
    "en": {
        "includes": "What does the Domestic Calling Plan include?",
        "minutes_de": "How many minutes per user on the Domestic plan in Germany?",
        "unsure": BETWEEN_FACTS["en"],
        "country_fact": "does E5 include Teams Phone for our users in France?",
        "purchase": "which plan should we buy?",
        "country": "France",
    },
    "fr": {
        "includes": "Que comprend le forfait d'appels nationaux ?",
        "minutes_de": "Combien de minutes par utilisateur avec le forfait national en Allemagne ?",
        "unsure": BETWEEN_FACTS["fr"],
        "country_fact": "est-ce que E5 inclut Teams Phone pour nos utilisateurs en France ?",
        "purchase": "quel forfait acheter ?",
        "country": "France",
    },
}


class Chat:
    def __init__(self, client, h, conversation_id: str) -> None:
        self.client, self.h, self.conversation_id = client, h, conversation_id

    async def say(self, text: str | None, lang: str, **extra: Any) -> list[dict]:
        extra.setdefault("locale", "fr-FR" if lang == "fr" else "en-US")
        activity = self.h.activity(text, conversation_id=self.conversation_id, **extra)
        replies = await self.h.replies(self.client, activity)
        assert replies, f"no reply to {text!r}"
        for reply in replies:
            reply["said"] = shown_once(reply)
        return replies

    async def click(self, data: dict, lang: str) -> list[dict]:
        """An Action.Submit click as Teams sends it: value only, no text, locale en-US."""
        return await self.say(None, lang, value=data, locale="en-US")


def fact_summary(fact_id: str, lang: str) -> str:
    return load_facts().by_id[fact_id].answer[lang]


def card(reply: dict) -> dict:
    return reply["attachments"][0]["content"]


@LANGS
async def test_a_fact_question_is_one_card_with_its_answer_and_source(demo_bot, h, lang):
    replies = await Chat(demo_bot, h, f"a:fact-{lang}").say(ASK[lang]["includes"], lang)
    assert len(replies) == 1
    fact = load_facts().by_id["domestic_plan_includes"]
    assert replies[0]["said"] == fact.answer[lang]
    texts = card_texts(card(replies[0]))
    assert texts[0] == fact.title[lang]
    assert texts[-1] == present(source_line(fact.sources, lang))["text"]
    assert "https://learn.microsoft.com/" in texts[-1]
    assert sum("learn.microsoft.com" in text for text in texts) == 1  # one Source line, once


@LANGS
async def test_a_computed_fact_gives_the_catalogs_figure(demo_bot, h, lang):
    replies = await Chat(demo_bot, h, f"a:computed-{lang}").say(ASK[lang]["minutes_de"], lang)
    said = replies[0]["said"]
    minutes = load_catalog().plan("MCOPSTN1").minutes_for("DE")
    assert f"{format_number(minutes, lang)} minutes" in said
    assert country_name("DE", lang) in said
    assert card_texts(card(replies[0]))[0] == load_facts().by_id["minutes_per_user"].title[lang]


@LANGS
async def test_unsure_offers_the_closest_questions_and_a_click_answers(demo_bot, h, lang):
    chat = Chat(demo_bot, h, f"a:unsure-{lang}")
    replies = await chat.say(ASK[lang]["unsure"], lang)
    assert [r["said"] for r in replies] == [t(lang, "fact.did_you_mean")]
    buttons = submits(card(replies[0]))
    assert 2 <= len(buttons) <= 3
    assert all(b["intent"] == "fact" and b["fact_id"] in load_facts().by_id for b in buttons)
    chosen = buttons[1]["fact_id"]  # not the first: the click decides, not the retrieval
    replies = await chat.click(buttons[1], lang)
    assert [r["said"] for r in replies] == [fact_reply(chosen, buttons[1]["entities"], lang).text]


@LANGS
async def test_a_fact_question_naming_a_country_does_not_start_the_purchase(demo_bot, h, lang):
    chat = Chat(demo_bot, h, f"a:country-fact-{lang}")
    replies = await chat.say(ASK[lang]["country_fact"], lang)
    # The answer for the licence asked about (E5 includes Teams Phone), not the general one.
    assert [r["said"] for r in replies] == [fact_reply("teams_phone_required", {"base_licence": "E5"}, lang).text]
    # No dialog was started: a number now is not an answer to a purchase question.
    replies = await chat.say("40", lang)
    scope_question = t(lang, "prompt.international").split("{")[0]  # "Do these users in ..."
    assert not any(r["said"].startswith(scope_question) for r in replies)


@LANGS
async def test_a_fact_question_inside_the_purchase_is_answered_and_the_dialog_goes_on(demo_bot, h, lang):
    chat = Chat(demo_bot, h, f"a:interrupt-{lang}")
    replies = await chat.say(ASK[lang]["purchase"], lang)
    assert replies[-1]["said"] == t(lang, "prompt.countries")
    replies = await chat.say(ASK[lang]["includes"], lang)
    assert [r["said"] for r in replies] == [fact_summary("domestic_plan_includes", lang), t(lang, "prompt.countries")]
    replies = await chat.say(ASK[lang]["country"], lang)
    assert replies[-1]["said"] == t(lang, "prompt.users_in", country=country_name("FR", lang))


FOLLOW_UP = {
    "en": ("how many minutes per user does the Domestic Calling Plan give in Germany?", "and in Spain?"),
    "fr": ("combien de minutes par utilisateur donne le forfait d'appels nationaux en Allemagne ?", "et en Espagne ?"),
}


@LANGS
async def test_a_computed_fact_then_a_follow_up_naming_another_country(demo_bot, h, lang):
    """ "and in Spain?" asks the same computed fact again with the country changed: the
    figure is the catalog's for Spain, in the same fact card, not the fallback."""
    chat = Chat(demo_bot, h, f"a:fact-follow-{lang}")
    catalog, title = load_catalog(), load_facts().by_id["minutes_per_user"].title[lang]
    first, follow = FOLLOW_UP[lang]
    for text, country in ((first, "DE"), (follow, "ES")):
        replies = await chat.say(text, lang)
        assert len(replies) == 1, [r["said"] for r in replies]
        said = replies[0]["said"]
        assert f"{format_number(catalog.plan('MCOPSTN1').minutes_for(country), lang)} minutes" in said
        assert country_name(country, lang) in said
        assert card_texts(card(replies[0]))[0] == title
