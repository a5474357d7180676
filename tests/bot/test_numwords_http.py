"""Seat counts written as words, and a plain "no" at a question, over HTTP in English and French
(dialogs_dev5's fixes): "forty E5 users in Ireland" is answered in one turn; "vingt-cinq" at the
count question is 25; "120 minutes each" there is no count (the retry says why, never a pool
lookup); "no" at the country question is asked again with how to cancel.

Same harness as ``test_followups_round3.py``: real activities POSTed to the real app factory
over the demo tenant; expected cards are built from the knowledge layer, never written out.
"""

from __future__ import annotations

import pytest

from dialogs.cards import purchase_summary_card
from dialogs.nlu.i18n import t
from knowledge.advisor import AdviceRequest, recommend
from testkit.chat import Chat

LANGS = pytest.mark.parametrize("lang", ["en", "fr"])


def summary(lang: str, **request) -> str:
    return purchase_summary_card(recommend(AdviceRequest(**request)), lang).text


#: The card's first sentence: the plan and the quantity to buy ("Buy 40 x Domestic Calling Plan").
HEAD = 90

IN_WORDS = {"en": "forty E5 users in Ireland", "fr": "quarante utilisateurs E5 en Irlande"}


@LANGS
async def test_a_count_in_words_is_answered_in_one_turn(demo_bot, h, lang):
    replies = await Chat(demo_bot, h).say(IN_WORDS[lang])
    assert len(replies) == 1 and replies[0]["attachments"]
    assert replies[0]["said"][:HEAD] == summary(lang, countries=["IE"], users=40, base_licence="E5")[:HEAD]


AT_THE_COUNT = {
    "en": ("which plan for our E5 users in Spain", "twenty-five"),
    "fr": ("quel forfait pour nos utilisateurs E5 en Espagne", "vingt-cinq"),
}


@LANGS
async def test_a_count_in_words_at_the_count_question(demo_bot, h, lang):
    chat = Chat(demo_bot, h)
    first, count = AT_THE_COUNT[lang]
    replies = await chat.say(first)
    assert replies[-1]["said"] == t(lang, "prompt.users_in", country="Spain" if lang == "en" else "Espagne")
    replies = await chat.say(count)
    assert replies[-1]["said"][:HEAD] == summary(lang, countries=["ES"], users=25, base_licence="E5")[:HEAD]


MINUTES = {"en": "120 minutes each", "fr": "120 minutes chacun"}


@LANGS
async def test_minutes_at_the_count_question_are_no_count(demo_bot, h, lang):
    chat = Chat(demo_bot, h)
    await chat.say(AT_THE_COUNT[lang][0])
    replies = await chat.say(MINUTES[lang])
    assert [r["said"] for r in replies] == [
        f"{t(lang, 'reason.not_a_count', text=MINUTES[lang])} {t(lang, 'reprompt.users')}"
    ]  # said why, asked again: not 120 users, not a pool lookup
    replies = await chat.say("une douzaine" if lang == "fr" else "a dozen")
    assert replies[-1]["said"][:HEAD] == summary(lang, countries=["ES"], users=12, base_licence="E5")[:HEAD]


NO = {
    "en": ("I want to buy calling plans", "nope", "cancel"),
    "fr": ("je veux acheter des forfaits d'appels", "non", "annule"),
}


@LANGS
async def test_no_at_the_country_question_says_how_to_cancel(demo_bot, h, lang):
    chat = Chat(demo_bot, h)
    start, no, cancel = NO[lang]
    await chat.say(start)
    replies = await chat.say(no)
    assert [r["said"] for r in replies] == [f"{t(lang, 'reason.said_no')} {t(lang, 'reprompt.countries')}"]
    replies = await chat.say(cancel)
    assert [r["said"] for r in replies] == [t(lang, "cancelled")]
