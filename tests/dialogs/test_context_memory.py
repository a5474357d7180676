"""The conversation memory's record (dialogs/context.py): what :func:`remember` writes is
:class:`LastAnswer`'s JSON form, and :func:`recall` reads it back (issue 14: written as the
plain dict, without building the model only to dump it)."""

from __future__ import annotations

import pytest
from botbuilder.core import ConversationState, MemoryStorage, TurnContext

from dialogs.context import CONTEXT_PROPERTY, ConversationMemory, LastAnswer, corrects_in_passing, recall, remember
from dialogs.nlu.entities import extract_entities, key
from dialogs.nlu.i18n import read_locale_json
from dialogs.nlu.slots import check_slots
from testkit.turns import message_context

CHECK_TEXT = "can alice.martin@contoso.com call 01 23 45 67 89?"


async def _stored(state: ConversationState, context: TurnContext) -> object:
    return await state.create_property(CONTEXT_PROPERTY).get(context)


@pytest.mark.parametrize(
    ("intent", "entities", "fact_id"),
    [
        ("pool", extract_entities("pool balance in France for March").model_dump(mode="json"), None),
        ("fact", extract_entities("which plan for 40 E5 users in Belgium?").model_dump(mode="json"), "pool_size"),
        ("check", check_slots(CHECK_TEXT, extract_entities(CHECK_TEXT)).model_dump(mode="json"), None),
        ("help", None, None),
    ],
)
async def test_remember_writes_the_last_answers_json_form(intent, entities, fact_id):
    state = ConversationState(MemoryStorage())
    context = message_context()
    ConversationMemory(state).attach(context)
    await remember(context, intent, entities, fact_id=fact_id)
    stored = await _stored(state, context)
    expected = LastAnswer(intent=intent, entities=entities or {}, fact_id=fact_id).model_dump(mode="json")
    assert stored == expected
    assert list(stored) == list(expected)  # the same keys in the same order (the state's hash reads them)
    assert await recall(context) == LastAnswer.model_validate(expected)


async def test_remember_keeps_its_own_copy_of_the_entities():
    state = ConversationState(MemoryStorage())
    context = message_context()
    ConversationMemory(state).attach(context)
    entities = extract_entities("pool balance in France").model_dump(mode="json")
    await remember(context, "pool", entities)
    entities["countries"] = ["DE"]  # the caller's dict changed afterwards: not the record
    last = await recall(context)
    assert last is not None and last.entities["countries"] == ["FR"]


async def test_without_conversation_state_nothing_is_remembered():
    context = message_context()
    ConversationMemory(None).attach(context)
    await remember(context, "pool", {"countries": ["FR"]})
    assert await recall(context) is None


# --- corrections in passing, read by first word (issue 14) --------------------------------------


def _corrects_by_every_mark(text: str) -> bool:
    """The reading before the marks were indexed: every mark tried at every position."""
    words = read_locale_json("slots.json")
    marks = {tuple(key(m).split()) for m in words["correction_marks"]} - {()}
    found = key(text[:200]).split()
    if not found or len(found) > int(words["correction_words"]):
        return False
    return any(tuple(found[i : i + len(m)]) == m for m in marks for i in range(len(found) - len(m) + 1))


def _passing_texts() -> list[str]:
    marks = read_locale_json("slots.json")["correction_marks"]
    texts = ["help", "pool balance", "", "we're 45 actually", "45 not 40", "no, 45 users", "on est plutôt 45"]
    texts += ["la Roumanie, pas la France", "can alice.martin@contoso.com call 01 23 45 67 89?"]
    for mark in marks:  # every mark alone, first, last, cut short and past the length limit
        texts += [mark, f"{mark} 45", f"40 users {mark}", " ".join(mark.split()[:-1]) or "x"]
        texts.append(f"{mark} " + "one more word than a correction has " * 3)
    return texts


@pytest.mark.parametrize("text", _passing_texts())
def test_corrects_in_passing_reads_what_every_mark_reads(text):
    assert corrects_in_passing(text) is _corrects_by_every_mark(text)


def test_the_passing_examples_cover_both_answers():
    assert {corrects_in_passing(text) for text in _passing_texts()} == {True, False}
