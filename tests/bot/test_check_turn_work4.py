"""Issue 14 (branch fastplumb): a number check the message completes is answered from the
slots routing built (``dialogs.root.Begin`` keeps the ``CheckSlots`` model), not from a JSON
dump of them validated back; a check that asks a question still begins with its slots.

Real activities POSTed to the real app factory over the demo tenant (a real store on disk).
"""

from __future__ import annotations

import pytest

from dialogs.nlu.i18n import t
from dialogs.nlu.slots import CheckSlots
from testkit.chat import Chat

CHECK_EN = "can alice.martin@contoso.com call 01 23 45 67 89?"  # the bench's number check


@pytest.fixture
def validated(monkeypatch) -> list[object]:
    """Every ``CheckSlots.model_validate`` call of the process (what it was given)."""
    calls: list[object] = []
    original = CheckSlots.model_validate.__func__  # type: ignore[attr-defined]

    def counted(cls, obj, *args, **kwargs):
        calls.append(obj)
        return original(cls, obj, *args, **kwargs)

    monkeypatch.setattr(CheckSlots, "model_validate", classmethod(counted))
    return calls


async def test_a_complete_check_validates_no_slots_and_answers_the_verdict(demo_bot, h, validated):
    """The bench's check: the verdict card, with no slots validated back (main: one)."""
    replies = await Chat(demo_bot, h, conversation_id="a:check-work4-once").say(CHECK_EN)
    assert validated == []
    assert len(replies) == 1 and replies[0]["attachments"]  # the verdict card, one message
    assert "alice.martin@contoso.com" in replies[0]["said"]


async def test_a_check_that_asks_still_begins_with_its_slots(demo_bot, h):
    """A number alone: the caller's country asked (the opened slots handed to the dialog stack
    as the model), then the plan, and the verdict is on the number routing read."""
    chat = Chat(demo_bot, h, conversation_id="a:check-work4-asks")
    asked = await chat.say("can we call +44 20 7946 0958?")
    assert len(asked) == 1 and t("en", "prompt.caller_country") in str(asked[0])
    (plan,) = await chat.say("France")
    assert "Calling Plan" in plan["said"]  # the plan asked next: the country taken
    (answered,) = await chat.say("Domestic Calling Plan")
    assert answered["attachments"] and "+44 20 7946 0958" in answered["said"]  # the verdict on that number
