"""Issue 14 (round 2): a turn's message is scored for its language once
(``dialogs.turn.turn_language_score``): ``TurnLanguage.decide`` and the recognizer (the router's,
or a dialog's interruption check) read the same evidence; it was computed twice on every typed
turn. Real activities POSTed to the real app factory over the demo tenant; every
``french_score`` call of the process is counted with the text it was given (the function
wrapped in every module that holds it), so a new scoring anywhere counts.
"""

from __future__ import annotations

import sys
from collections import Counter

import pytest

from dialogs.nlu import i18n
from dialogs.nlu.i18n import t
from testkit.chat import Chat

CHECK_EN = "can alice.martin@contoso.com call 01 23 45 67 89?"  # the bench's number check
WARM_UP = "what does the Domestic Calling Plan include?"  # dialogs.api.warm_understanding's
CHECK_FR = "est-ce que alice.martin@contoso.com peut appeler le 01 23 45 67 89 ?"


@pytest.fixture
def scored(monkeypatch) -> Counter[str]:
    """The texts ``dialogs.nlu.i18n.french_score`` is called with, counted."""
    seen: Counter[str] = Counter()
    original = i18n.french_score

    def counted(text: str) -> tuple[int, int]:
        seen[text] += 1
        return original(text)

    holders = [m for name, m in list(sys.modules.items()) if name.startswith("dialogs") and m is not None]
    patched = [m for m in holders if getattr(m, "french_score", None) is original]
    assert i18n in patched  # (and dialogs.turn, which scores a turn once)
    for module in patched:
        monkeypatch.setattr(module, "french_score", counted)
    return seen


def said(replies: list[dict]) -> list[str]:
    return [r["said"] for r in replies]


@pytest.mark.parametrize(("text", "lang"), [(CHECK_EN, "en"), (CHECK_FR, "fr")])
async def test_a_number_check_scores_its_message_once(demo_bot, h, scored, text, lang):
    chat = Chat(demo_bot, h, conversation_id=f"a:lang-scored-once-{lang}")
    replies = await chat.say(text, locale="en-US")
    assert scored[text] == 1
    assert len(replies) == 1 and replies[0]["attachments"]  # the verdict card, one message
    # the caller's line, in the language the message was written in
    between = t(lang, "check.user", user="<U>", country="<C>", plan="<P>").split("<U>")[1].split("<C>")[0]
    assert f"alice.martin@contoso.com{between}" in replies[0]["said"]


async def test_each_turn_scores_its_own_message(demo_bot, h, scored):
    """The score lives as long as its turn: the same text in the next turn is scored again,
    and a click (no text) scores nothing."""
    chat = Chat(demo_bot, h, conversation_id="a:lang-scored-turns")
    for _ in range(2):
        scored.clear()
        await chat.say("pool balance")
        assert scored["pool balance"] == 1
    await chat.say("which calling plan should we buy?")
    scored.clear()
    await chat.click("France")
    # the app's start-up warm-up (dialogs.api.warm_understanding) may still be running
    assert set(scored) <= {WARM_UP}


async def test_an_answer_inside_a_dialog_is_scored_once(demo_bot, h, scored):
    """A typed answer to an open question: the language is decided, and the dialog's
    interruption check recognizes the text, from one score (a French turn's recognizer needs
    none: the decided "fr" wins before any text is read)."""
    chat = Chat(demo_bot, h, conversation_id="a:lang-scored-dialog")
    assert said(await chat.say("which calling plan should we buy?"))[-1] == t("en", "prompt.countries")
    scored.clear()
    replies = await chat.say("France and Belgium please")
    assert scored["France and Belgium please"] == 1
    asked = t("en", "prompt.users_each", countries="<C>").split("<C>")[0]  # "How many users in each country ("
    assert len(replies) == 1 and said(replies)[0].startswith(asked)
