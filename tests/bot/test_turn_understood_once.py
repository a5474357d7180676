"""Issue 14: a turn's message is extracted once (``dialogs.turn.turn_extraction``), and the
recognizer, the open question's read of a typed answer and the dialog's ``also_said`` read that
one extraction. Real activities POSTed to the real app factory over the demo tenant; every
``extract`` call of the process is counted with the text it was given (the function wrapped in
every module that holds it, ``extract_entities`` included), so a new extraction anywhere counts.
"""

from __future__ import annotations

from collections import Counter

from dialogs.cards import purchase_summary_card
from dialogs.nlu.i18n import t
from dialogs.nlu.render import country_name
from knowledge.advisor import AdviceRequest, recommend
from testkit.chat import Chat


def said(replies: list[dict]) -> list[str]:
    return [r["said"] for r in replies]


async def test_a_typed_count_is_extracted_once_where_it_was_three_times(demo_bot, h, extracted):
    chat = Chat(demo_bot, h, conversation_id="a:understood-once-count")
    assert said(await chat.say("which calling plan should we buy?"))[-1] == t("en", "prompt.countries")
    await chat.say("France")
    extracted.clear()
    replies = await chat.say("40")  # recognized (an interruption?), read by the prompt, also_said
    assert extracted == Counter({"40": 1})
    assert said(replies)[-1] != t("en", "prompt.users_in", country=country_name("FR", "en"))  # taken


async def test_an_answer_that_says_more_is_extracted_once_and_fills_every_slot(demo_bot, h, extracted):
    chat = Chat(demo_bot, h, conversation_id="a:understood-once-several")
    await chat.say("I want to buy calling plans")
    extracted.clear()
    replies = await chat.say("France, 40 users, E5")
    assert extracted["France, 40 users, E5"] == 1  # parts of it may be read on their own
    summary = purchase_summary_card(recommend(AdviceRequest(countries=["FR"], users=40, base_licence="E5")), "en")
    assert said(replies) == [summary.text]


async def test_each_turn_extracts_its_own_message(demo_bot, h, extracted):
    """The extraction lives as long as its turn: the same text in the next turn is read again,
    and a click (no text) extracts nothing."""
    chat = Chat(demo_bot, h, conversation_id="a:understood-once-turns")
    for _ in range(2):
        extracted.clear()
        await chat.say("pool balance")
        assert extracted == Counter({"pool balance": 1})
    await chat.say("which calling plan should we buy?")
    extracted.clear()
    await chat.click("France")
    assert extracted == Counter()
