"""What this conversation last asked and got an answer to, so a follow-up can reuse it.

WHY: admins talk in ellipses. After "which plan for 40 E5 users in France?" they type "and
Belgium?", "what about 50 users?", "et pour 20 personnes ?", "same for the D&I plan", "and 112?"
or "actually, Austria". None of these is a request on its own; each is the LAST request with one
thing changed. So every answered question records its intent and the entities (or slots) it was
answered with (:func:`remember`), in CONVERSATION state (a follow-up belongs to the
conversation, not to the admin), and :func:`follow_up` reads a new message as a change to it.

The record is a small pydantic model kept as plain JSON, so it survives a restart like the rest
of the conversation state. A question of fact (intent ``fact``, answered by
``dialogs.facts.answer_fact``) records the fact id it answered, so a follow-up re-asks the same
fact with other entities.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from botbuilder.core import ConversationState, TurnContext
from pydantic import BaseModel, Field

from dialogs.nlu.entities import Entities, key
from dialogs.nlu.i18n import read_locale_json

CONTEXT_PROPERTY = "LastAnswer"
#: Where the root dialog puts the conversation-state accessor for this turn.
_ACCESSOR_KEY = "callplan.last_answer"


class LastAnswer(BaseModel):
    """The last answered question: its intent, what it was answered with, and (for a question
    of fact) the fact id."""

    intent: str
    entities: dict[str, Any] = Field(default_factory=dict)
    fact_id: str | None = None


class ConversationMemory:
    """The conversation-state property that holds the :class:`LastAnswer` (None in a bare test)."""

    def __init__(self, conversation_state: ConversationState | None) -> None:
        self._property = conversation_state.create_property(CONTEXT_PROPERTY) if conversation_state else None

    def attach(self, context: TurnContext) -> None:
        """Make :func:`remember`/:func:`recall` work for this turn (called by the root dialog)."""
        if self._property is not None:
            context.turn_state[_ACCESSOR_KEY] = self._property


async def remember(
    context: TurnContext, intent: str, entities: dict[str, Any] | None = None, fact_id: str | None = None
) -> None:
    """Record the question this turn answered (a no-op when the conversation has no state).

    The record is :class:`LastAnswer`'s JSON form, written as the plain dict it is: every
    caller hands entities it dumped in JSON mode already (issue 14: building the model only to
    dump it again cost ~10 us a lookup turn); :func:`recall` validates it on the way back."""
    prop = context.turn_state.get(_ACCESSOR_KEY)
    if prop is not None:
        await prop.set(context, {"intent": intent, "entities": dict(entities or {}), "fact_id": fact_id})


async def recall(context: TurnContext) -> LastAnswer | None:
    """The last answered question of this conversation, or None."""
    prop = context.turn_state.get(_ACCESSOR_KEY)
    if prop is None:
        return None
    value = await prop.get(context)
    try:
        return LastAnswer.model_validate(value) if value else None
    except ValueError:
        return None  # an older or damaged record: no context rather than a failed turn


# --- reading a follow-up ----------------------------------------------------------------------


#: Cue phrases (as word tuples) by their first word, longest first.
Cues = dict[str, tuple[tuple[str, ...], ...]]


@cache
def _cues() -> dict[str, Cues]:
    words = read_locale_json("slots.json")
    out: dict[str, Cues] = {}
    for name in ("follow_up_cues", "correction_cues", "cue_lead_ins"):
        phrases = sorted({tuple(key(p).split()) for p in words[name]} - {()}, key=len, reverse=True)
        by_first: dict[str, list[tuple[str, ...]]] = {}
        for phrase in phrases:
            by_first.setdefault(phrase[0], []).append(phrase)
        out[name] = {first: tuple(group) for first, group in by_first.items()}
    return out


def _starts_with(words: list[str], phrases: Cues) -> int:
    """How many first words of ``words`` are the longest of ``phrases`` they start with (0: none).
    Only the phrases that start with the first word are tried (each turn reads the cues)."""
    for phrase in phrases.get(words[0], ()) if words else ():
        if tuple(words[: len(phrase)]) == phrase:
            return len(phrase)
    return 0


def _lead_in(words: list[str]) -> int:
    """How many first words only acknowledge before a cue ("ok, and for 80 users?")."""
    return _starts_with(words, _cues()["cue_lead_ins"])


def cue_of(text: str | None) -> str | None:
    """``"correction"`` ("actually, Austria", "en fait, l'Autriche"), ``"follow_up"`` ("and
    Belgium?", "what about 50 users?", "et pour 20 personnes ?", "same for the D&I plan"), or
    None. Only the first words are read: a follow-up starts with its cue, after an
    acknowledgement at most ("ok and for 80 users?", "merci, et pour la Belgique ?")."""
    words = key((text or "")[:200]).split()[:10]
    words = words[_lead_in(words) :]
    if not words:
        return None
    if _starts_with(words, _cues()["correction_cues"]):
        return "correction"
    if _starts_with(words, _cues()["follow_up_cues"]):
        return "follow_up"
    return None


_RAW_WORD = re.compile(r"[^\W_]+")


def without_cue(text: str) -> str:
    """The message as typed, without its leading cue: "actually, Austria" -> "Austria"."""
    text = text[:200]
    words = key(text).split()
    lead = _lead_in(words)
    rest = words[lead:]
    count = max(_starts_with(rest, _cues()["correction_cues"]), _starts_with(rest, _cues()["follow_up_cues"]))
    count = count + lead if count else 0
    for match in _RAW_WORD.finditer(text):
        if count <= 0:
            return text[match.start() :].strip(" .!?")
        count -= len(key(match.group(0)).split())
    return text.strip(" .!?")


@cache
def _marks() -> tuple[Cues, int]:
    """The correction marks (as word tuples) by their first word, and the most words a message
    that corrects in passing has."""
    words = read_locale_json("slots.json")
    marks = sorted({tuple(key(m).split()) for m in words["correction_marks"]} - {()}, key=len, reverse=True)
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for mark in marks:
        by_first.setdefault(mark[0], []).append(mark)
    return {first: tuple(group) for first, group in by_first.items()}, int(words["correction_words"])


def corrects_in_passing(text: str | None) -> bool:
    """Whether a short message says it corrects something without starting with a cue: "we're
    45 actually", "45 not 40", "no, 45 users", "on est plutôt 45", "la Roumanie, pas la France"
    (``slots.json`` ``correction_marks``, anywhere in at most ``correction_words`` words). The
    caller decides what it may correct (see ``RootDialog._follow_up``)."""
    words = key((text or "")[:200]).split()
    marks, most = _marks()
    if not words or len(words) > most:
        return False
    # only the marks that start with a word of the message are tried (issue 14: every mark at
    # every position was ~10 us on each routed turn)
    return any(tuple(words[i : i + len(mark)]) == mark for i, word in enumerate(words) for mark in marks.get(word, ()))


def carries_change(entities: Entities) -> bool:
    """Whether a message names something a follow-up could change."""
    return bool(
        entities.countries
        or entities.user_count
        or entities.numbers
        or entities.users
        or entities.plan
        or entities.base_licence
        or entities.carrier
        or entities.line
        or entities.month
        or entities.unknown_places
    )


__all__ = [
    "ConversationMemory",
    "LastAnswer",
    "carries_change",
    "corrects_in_passing",
    "cue_of",
    "recall",
    "remember",
    "without_cue",
]
