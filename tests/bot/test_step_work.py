"""Issue 14 (``bench/records/issue14_stepcost2.md``): what a purchase step no longer does, over
real HTTP turns into the real app factory with the demo tenant.

* A short typed answer the open question reads ("40" at the count question) is not run through
  the recognizer by the interruption check (``dialogs.base.InterruptibleDialog._short_answer``);
  a message that could be something else (a cue, a command, a sentence) still is.
* The purchase summary card's sentences are made once per code, params and language
  (``dialogs.cards._item_text``, ``knowledge.advisor._Builder._text``) when their params are
  codes only: the card sent is the one rendered with no memo at all, and a second purchase
  renders again only the items with a number (the seat count typed, "24 hours"), never kept.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

import dialogs.base
import dialogs.cards
import knowledge.advisor
from dialogs.nlu.i18n import t
from testkit.chat import Chat, buttons


@pytest.fixture
def recognized(monkeypatch) -> Counter[str]:
    """The texts the interruption check (``dialogs.base``) hands the recognizer, counted."""
    seen: Counter[str] = Counter()
    original = dialogs.base.recognize

    def counted(text: str, *args: Any, **kwargs: Any):
        seen[text] += 1
        return original(text, *args, **kwargs)

    monkeypatch.setattr(dialogs.base, "recognize", counted)
    return seen


@pytest.fixture
def rendered(monkeypatch) -> Counter[tuple[str, bool]]:
    """The knowledge items the summary card renders (``render_item`` in ``dialogs.cards``), by
    code and whether their params hold a number."""
    seen: Counter[tuple[str, bool]] = Counter()
    original = dialogs.cards.render_item

    def counted(item: Any, lang: str) -> str:
        seen[item.code, holds_a_number(item.params)] += 1
        return original(item, lang)

    monkeypatch.setattr(dialogs.cards, "render_item", counted)
    return seen


def holds_a_number(value: Any) -> bool:
    if isinstance(value, dict):
        return any(holds_a_number(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(holds_a_number(v) for v in value)
    return isinstance(value, int | float) and not isinstance(value, bool)


def forget_sentences() -> None:
    """Every memo of the summary's sentences emptied (as in a new process)."""
    dialogs.cards._ITEM_TEXTS.clear()
    dialogs.cards._ITEM_LINES.clear()
    for memo in (dialogs.cards._said_once, dialogs.cards._bullet):
        memo.cache_clear()
    knowledge.advisor._TEXTS.clear()


async def at_count_question(chat: Chat) -> None:
    await chat.say("which calling plan should we buy?")
    replies = await chat.click("FR")
    assert replies[-1]["said"] == t("en", "prompt.users_in", country="France")


async def test_a_typed_count_is_taken_without_the_recognizer(demo_bot, h, recognized):
    chat = Chat(demo_bot, h, conversation_id="a:step-work-count")
    await at_count_question(chat)
    recognized.clear()
    replies = await chat.say("40")
    assert recognized == Counter()  # on main: {"40": 1}
    assert buttons(replies[-1]) == [True, False]  # taken: do they call abroad?


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("cancel", lambda: t("en", "cancelled")),  # a command the question cannot read
        ("help", lambda: t("en", "help.purchase")),
    ],
)
async def test_a_short_message_the_question_cannot_read_is_still_recognized(demo_bot, h, recognized, text, said):
    chat = Chat(demo_bot, h, conversation_id=f"a:step-work-{text}")
    await at_count_question(chat)
    recognized.clear()
    replies = await chat.say(text)
    assert recognized == Counter({text: 1})
    assert replies[0]["said"] == said()


async def test_a_cue_or_a_sentence_still_goes_through_the_recognizer(demo_bot, h, recognized):
    chat = Chat(demo_bot, h, conversation_id="a:step-work-cue")
    await at_count_question(chat)
    recognized.clear()
    replies = await chat.say("actually 45")  # a correction cue: the recognizer decides
    assert recognized == Counter({"actually 45": 1})
    assert buttons(replies[-1]) == [True, False]  # still the answer 45
    chat = Chat(demo_bot, h, conversation_id="a:step-work-sentence")
    await at_count_question(chat)
    recognized.clear()
    await chat.say("about 40 users there")
    assert recognized == Counter({"about 40 users there": 1})


async def summary_walk(chat: Chat) -> dict[str, Any]:
    await at_count_question(chat)
    await chat.say("40")
    replies = await chat.click(True)
    cards = [a["content"] for r in replies for a in r.get("attachments", [])]
    assert len(cards) == 1
    return {"card": cards[0], "said": replies[-1]["said"]}


async def test_the_summary_is_the_card_rendered_without_memos_and_rendered_once(demo_bot, h, rendered, monkeypatch):
    forget_sentences()
    first = await summary_walk(Chat(demo_bot, h, conversation_id="a:step-work-summary-1"))
    items = sum(rendered.values())
    assert items >= 10 and rendered["dial_pad_delay", True] == 1  # steps, reasons, caveats: each once
    assert rendered["buy_teams_phone", True] == 1  # the first step, in the steps and the summary's text
    with_numbers = Counter({key: n for key, n in rendered.items() if key[1]})
    assert rendered["buy_calling_plan", True] == 1  # the seat count typed ("40")
    assert dialogs.cards._ITEM_LINES and not any("40" in repr(key) for key in dialogs.cards._ITEM_LINES)
    rendered.clear()
    again = await summary_walk(Chat(demo_bot, h, conversation_id="a:step-work-summary-2"))
    assert rendered == with_numbers  # the second purchase renders again only the items with a number
    assert json.dumps(again, sort_keys=True) == json.dumps(first, sort_keys=True)
    # Every sentence made from scratch, no memo kept: the very same card.
    monkeypatch.setattr(dialogs.cards, "code_params", lambda params: False)
    monkeypatch.setattr(knowledge.advisor, "code_params", lambda params: False)
    forget_sentences()
    rendered.clear()
    fresh = await summary_walk(Chat(demo_bot, h, conversation_id="a:step-work-summary-3"))
    assert sum(rendered.values()) == items
    assert json.dumps(fresh, sort_keys=True) == json.dumps(first, sort_keys=True)
    assert dialogs.cards._ITEM_TEXTS == {} and dialogs.cards._ITEM_LINES == {} and knowledge.advisor._TEXTS == {}


async def test_the_last_answer_is_summarized_in_the_step_it_resumes(demo_bot, h, monkeypatch):
    """The purchase's assumptions are made in its summary step, not a waterfall step of their
    own before it: the answer to its last question runs one purchase step (the summary), and a
    conversation waiting at that question resumes at the same step index as before."""
    from botbuilder.dialogs import WaterfallDialog

    chat = Chat(demo_bot, h, conversation_id="a:step-work-last-step")
    await at_count_question(chat)
    await chat.say("40")
    steps: list[str] = []
    original = WaterfallDialog.on_step

    async def counted(self, step_context):
        steps.append(f"{self.id}:{step_context.index}")
        return await original(self, step_context)

    monkeypatch.setattr(WaterfallDialog, "on_step", counted)
    replies = await chat.click(True)
    assert [a["content"] for r in replies for a in r.get("attachments", [])]  # the summary card
    assert [s for s in steps if s.startswith("purchase_steps:")] == ["purchase_steps:3"]
