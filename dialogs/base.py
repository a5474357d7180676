"""The base of every multi-turn dialog: "cancel" and "help" work at every step.

Like the BotBuilder samples' ``CancelAndHelpDialog``: before the active step sees a message,
:meth:`InterruptibleDialog.on_continue_dialog` checks whether it interrupts the dialog.

* A valid answer to the open question is always an answer ("no" to "do they call abroad?",
  "about 300 minutes"), so the question's own reader runs first.
* "cancel" (typed, or a card's ``{"intent": "cancel"}``) ends the dialog and says so.
* "help" explains what the dialog is doing and asks the open question again.
* A question of fact ("what does the Domestic plan include?") is answered, then the open
  question is asked again: the dialog goes on where it was.
* A question answered at once (pool balance, the users, alerts: :attr:`aside`, given by the root
  dialog) is answered, then the open question is asked again: the dialog resumes at its step.
* A correction ("actually, Austria", "en fait, 50 utilisateurs") updates the slot it names
  (:meth:`corrected`), says so, and asks the open question again.
* A different dialog request (typed "which plan for 40 users in France?" during a number check,
  or a welcome-card button) ends this dialog with a line saying so ("I left the number check.")
  and hands the message back to the root dialog, which starts that request instead.
* A typed answer that says more than the question asked ("France, 40 users, E5") fills every
  slot it names that is still empty (:meth:`InterruptibleDialog.also_said`).
* A message of one word or number never switches: it is an answer or a bad answer ("No" at the
  country question, "5000" at the user count), and the retry says why.
* Anything else is a bad answer: the prompt says what it expects and asks again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import cache
from typing import Any

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.dialogs import (
    ComponentDialog,
    Dialog,
    DialogContext,
    DialogTurnResult,
    DialogTurnStatus,
    WaterfallDialog,
    WaterfallStepContext,
)
from botbuilder.schema import ActivityTypes
from pydantic import BaseModel

from dialogs.context import cue_of, without_cue
from dialogs.nlu.answers import Answer
from dialogs.nlu.entities import MAX_CHARS, Entities, Extraction, first_integer, key
from dialogs.nlu.i18n import t
from dialogs.nlu.recognizer import Intent, Recognition, cue_scores, from_card_value, recognize
from dialogs.nlu.slots import slot_words
from dialogs.prompts import AnswerPrompt, all_prompts, ask
from dialogs.turn import lang_of, turn_extraction, turn_language_score

#: Requests that may interrupt a dialog in progress to start another one.
REQUEST_INTENTS = frozenset(
    {Intent.PURCHASE, Intent.CHECK, Intent.POOL, Intent.USERS, Intent.ALERT, Intent.ALERTS, Intent.ALERT_STOP}
)

#: Requests answered without a dialog: mid-dialog they are answered aside, then the dialog resumes.
ASIDE_INTENTS = frozenset({Intent.FACT, Intent.POOL, Intent.USERS, Intent.ALERT, Intent.ALERTS, Intent.ALERT_STOP})
#: A message readable as an answer is still taken for another request when it is a sentence
#: (at least this many words) and the recognizer is this sure: "how much is left in the France
#: pool?" at the country question is a pool question, not "France".
SENTENCE_WORDS = 4
SURE = 0.5

#: What an interrupted dialog ends with, for the root dialog.
CANCELLED = {"cancelled": True}
SWITCH = "switch_to"


#: A question of fact this long is never an answer to the open question ("is Japan callable?").
FACT_WORDS = 3


def is_question(text: str) -> bool:
    """Whether a message is shaped as a question: a "?" or a question word first ("how many
    minutes...", "combien de..."), from ``locales/slots.json`` ``question_starts``."""
    if "?" in text[:MAX_CHARS]:
        return True
    words = key(text[:200]).split()
    return bool(words) and words[0] in _question_starts()


#: Intents a question after a correction cue asks aside ("wait, how much is left in the UK
#: pool?", "attends, c'est quoi le SKU du forfait national ?"): answered, then the question again.
_ASIDE_INTENTS = frozenset({Intent.FACT, Intent.POOL, Intent.USERS, Intent.CHECK, Intent.ALERT, Intent.ALERTS})


def _asked_aside(text: str, recognition: Recognition, own: Intent | None) -> bool:
    """Whether a message opening with a correction cue ("wait", "attends") is a question of
    another kind rather than a correction: shaped as a question (a question mark), read as
    another request or a question of fact."""
    return text.rstrip().endswith("?") and recognition.intent in _ASIDE_INTENTS and recognition.intent != own


def _asks_aside(recognition: Recognition, text: str, words: int) -> bool:
    """A message no request reads (unknown intent) that is a question by its first word AND its
    question mark ("is Japan covered?") or by a word asking about a state ("le Japon est
    couvert ?"), and a sentence: "France and Spain?" stays an answer."""
    words_ = key(text[:200]).split()
    return (
        recognition.intent == Intent.UNKNOWN
        and words >= FACT_WORDS
        and text.rstrip().endswith("?")
        and (words_[0] in _question_starts() or not _state_words().isdisjoint(words_))
    )


@cache
def _state_words() -> frozenset[str]:
    return frozenset(slot_words()["state_words"])


def _question_starts() -> frozenset[str]:
    return frozenset(slot_words()["question_starts"])


class InterruptibleDialog(ComponentDialog):
    """A ComponentDialog with the answer prompts of :mod:`dialogs.prompts` and interruptions."""

    #: This dialog's own intent (typing it again mid-dialog is just a bad answer, not a restart).
    intent: Intent = Intent.UNKNOWN
    #: The locale key of the help sentence sent before asking the open question again.
    help_key: str = "help.purchase"
    #: What the dialog fills (a pydantic model; kept in the waterfall's values as plain JSON,
    #: so a dialog in progress survives a restart).
    slots_model: type[BaseModel]
    #: Answers a request that needs no dialog, True when it did (set by the root dialog).
    aside: Callable[[TurnContext, Recognition, str], Awaitable[bool]] | None = None
    #: A dialog that runs INSIDE this one as an aside (the number check inside the purchase),
    #: and the options it starts with for a message; when it ends, the open question is asked
    #: again (a botbuilder prompt re-asks when the dialog above it ends). See :meth:`nest`.
    nested: tuple[Dialog, Callable[[str, Recognition], dict[str, Any]]] | None = None

    def nest(self, dialog: Dialog, options: Callable[[str, Recognition], dict[str, Any]]) -> None:
        self.add_dialog(dialog)
        self.nested = (dialog, options)

    def __init__(self, dialog_id: str) -> None:
        super().__init__(dialog_id)
        for prompt in all_prompts():
            self.add_dialog(prompt)

    # --- slot filling ----------------------------------------------------------------------

    def start_slots(self, step: WaterfallStepContext, slots: BaseModel) -> None:
        step.values["slots"] = slots.model_dump(mode="json")

    def take(self, step: WaterfallStepContext, *, keep: bool = True) -> Any:
        """The slots, with the answer to the previous step's question (if one was asked) merged
        in, and whatever else the typed answer said for slots still empty ("France, 40 users,
        E5" at the country question fills the seat count and the licence too: the next question
        is not one the admin already answered).

        ``keep=False``: the merged slots are not written back to the waterfall's values, for a
        last step that ends the dialog this turn (the values end with it: the SDK's
        ``WaterfallDialog`` keeps them in its own instance state, popped by ``end_dialog``), so
        they are not dumped to JSON for nothing."""
        slots = self.slots_model.model_validate(step.values["slots"])
        if isinstance(step.result, dict):
            text = step.context.activity.text or ""
            typed = "done" not in step.result and text.strip()
            also = self.also_said(text, slots, turn_extraction(step.context, text)[1].entities) if typed else {}
            extra = {k: v for k, v in also.items() if k not in step.result and v is not None}
            slots = slots.model_copy(update={**extra, **step.result})
            if keep:
                self.start_slots(step, slots)
        return slots

    def also_said(self, text: str, slots: Any, entities: Entities) -> dict[str, Any]:
        """The slots a typed answer fills besides the one asked, only those still empty
        (:meth:`take`); none by default. ``entities``: those of ``text`` (the turn's, extracted
        once, :func:`dialogs.turn.turn_extraction`)."""
        return {}

    @staticmethod
    async def ask_if(step: WaterfallStepContext, missing: bool, question: str, **spec: Any) -> DialogTurnResult:
        """Ask ``question`` when its slot is still empty, else go straight to the next step."""
        if missing:
            return await step.prompt(question, ask(question, **spec))
        return await step.next(None)

    # --- interruptions ---------------------------------------------------------------------

    async def on_continue_dialog(self, inner_dc: DialogContext) -> DialogTurnResult:
        activity = inner_dc.context.activity
        if activity.type == ActivityTypes.message:
            result = await self._interrupt(inner_dc)
            if result is not None:
                return result
        return await super().on_continue_dialog(inner_dc)

    async def _open_answer(self, inner_dc: DialogContext, text: str | None = None) -> dict[str, Any] | None:
        """The slots this message (or ``text``, typed) answers the open question with, or None."""
        active = inner_dc.active_dialog
        if active is None:
            return None
        prompt = await self.find_dialog(active.id)
        if not isinstance(prompt, AnswerPrompt):
            return None
        options = active.state.get(AnswerPrompt.persisted_options)
        if text is None:
            return prompt.read(inner_dc.context, options)
        spec = (options.validations if options is not None else None) or {}
        return prompt.question.read(Answer(value=None, text=text), spec) if text.strip() else None

    async def _explained(self, inner_dc: DialogContext, text: str) -> bool:
        """Whether a short message with a number in it is one the open question says why it
        rejects ("120 minutes each" at the count question is minutes, not a number of users):
        it gets that retry, never a pool lookup or another request read from its few words."""
        active = inner_dc.active_dialog
        prompt = await self.find_dialog(active.id) if active is not None else None
        if not isinstance(prompt, AnswerPrompt) or first_integer(text) is None:
            return False
        return prompt.question.why(Answer(value=None, text=text.strip())) is not None

    def restart_with(self, text: str, recognition: Recognition) -> dict[str, Any] | None:
        """The options to start this dialog over with when the message is a whole new request of
        its own kind ("which plan for 20 E5 users in Spain?" in a purchase for France); None by
        default: it is read as an answer."""
        return None

    async def other_answer(self, inner_dc: DialogContext, text: str) -> DialogTurnResult | None:
        """A message the open question cannot read that still answers this dialog another way
        (a person of the roster typed at the caller's country question); None: not one."""
        return None

    def corrected(self, text: str, entities: Entities) -> dict[str, Any] | None:
        """The slots a correction changes ("actually, Austria"); None: this dialog has none."""
        return None

    async def _correct(self, inner_dc: DialogContext, change: dict[str, Any]) -> bool:
        """Apply a correction to the slots kept by the waterfall under the open question."""
        if len(inner_dc.stack) < 2:
            return False
        values = inner_dc.stack[1].state.get("values")
        if not isinstance(values, dict) or "slots" not in values:
            return False
        slots = self.slots_model.model_validate(values["slots"]).model_copy(update=change)
        values["slots"] = slots.model_dump(mode="json")
        spec = getattr(inner_dc.active_dialog.state.get(AnswerPrompt.persisted_options), "validations", None)
        countries = change.get("countries")
        if isinstance(spec, dict) and countries:  # "How many users in France?" now asks about Austria
            if isinstance(spec.get("params"), dict) and "country" in spec["params"]:
                spec["params"]["country"] = countries[0]
            if "countries" in spec:
                spec["countries"] = countries
        return True

    async def _correction(
        self, inner_dc: DialogContext, text: str, recognition: Recognition, read: dict[str, Any] | None
    ) -> DialogTurnResult | None:
        """A correction ("actually, Austria") or, mid-dialog, a follow-up ("and Belgium?") that
        is no answer to the open question: its slots are changed, said, and the question asked
        again. A correction that also answers the question ("no sorry, Italy" at "do they call
        abroad?") changes what it names beyond that answer, then the answer goes on as one. None:
        not a correction (the caller goes on)."""
        cue = cue_of(text)
        if cue is None or (cue == "follow_up" and read is not None):
            return None
        if _asked_aside(text, recognition, self.intent):
            return None  # "wait, does E5 include Teams Phone?": a question asked aside, not a correction
        if read is not None:  # "no sorry, Italy": the "no" is the cue's, not an answer to "do they call abroad?"
            read = await self._open_answer(inner_dc, without_cue(text))
        change = self.corrected(text, recognition.entities)
        if change and read is not None and not {k for k, v in change.items() if v is not None} - set(read):
            return None  # "actually 45 users" at the count question: just the answer
        if not change or not await self._correct(inner_dc, change):
            return None
        context = inner_dc.context
        await context.send_activity(t(lang_of(context), "corrected", facts=without_cue(text)))
        if read is not None:
            return await super().on_continue_dialog(inner_dc)  # the answer, read as usual
        await inner_dc.reprompt_dialog()
        return DialogTurnResult(DialogTurnStatus.Waiting)

    def _overrides_answer(self, recognition: Recognition, text: str, words: int) -> bool:
        """Whether a message the open question could read is another request all the same: a
        sentence the recognizer is sure asks for another dialog, or a question of fact shaped
        as a question (:func:`is_question`): "how many minutes does a user get in Germany?" at
        the country question is answered aside, then the country is asked again (it is not
        "Germany"), while "pay as you go" at the plan question stays an answer."""
        if recognition.intent == Intent.FACT:
            asks = is_question(text) or cue_scores(key(text[:200]).split()).get(Intent.FACT, 0.0) > 0
            return words >= FACT_WORDS and asks
        if words < SENTENCE_WORDS:
            return False
        return recognition.score >= SURE and recognition.intent in REQUEST_INTENTS and recognition.intent != self.intent

    async def _short_answer(self, inner_dc: DialogContext, text: str, extraction: Extraction) -> bool:
        """Whether a typed message is an answer to the open question whatever the recognizer
        would make of it, so the interruption check need not run it: fewer than
        :data:`FACT_WORDS` words ("40", "France"), no correction cue, no country guessed from a
        misspelt word (a roster name may win over it: :meth:`other_answer`), and the open
        question reads it. For such a message every rule of :meth:`_interrupt` lets the answer
        through: a restart needs a sentence, an answer is taken for a question or another request
        only from :data:`FACT_WORDS` words on, and a correction needs a cue.

        WHY: the recognizer cost ~80 us on a typed "40" at the count question, a purchase step
        (issue 14, ``bench/records/issue14_stepcost2.md``), to reach that same answer."""
        if len(key(text).split()) >= FACT_WORDS or extraction.entities.guessed_countries:
            return False
        if cue_of(text) is not None:
            return False
        return await self._open_answer(inner_dc) is not None

    async def _interrupt(self, inner_dc: DialogContext) -> DialogTurnResult | None:
        context = inner_dc.context
        activity = context.activity
        lang = lang_of(context)
        text = activity.text or ""
        active = inner_dc.active_dialog
        if active is not None and not isinstance(await self.find_dialog(active.id), (AnswerPrompt, WaterfallDialog)):
            return None  # a nested dialog is running: it reads its own answers and interruptions
        clicked = from_card_value(activity.value, lang)
        if clicked is not None:
            recognition = clicked
        elif not text.strip():
            return None
        else:
            extraction = turn_extraction(context, text)[1]
            if await self._short_answer(inner_dc, text, extraction):
                return None
            recognition = recognize(text, lang, extraction, score=turn_language_score(context, text))
            restart = self.restart_with(text, recognition)
            if restart is not None:  # a new request of this dialog's own kind, complete: it starts over
                await inner_dc.cancel_all_dialogs()
                return await inner_dc.begin_dialog(self.initial_dialog_id, restart)
            read = await self._open_answer(inner_dc)
            answers = read is not None
            if not answers or recognition.entities.guessed_countries:  # a roster name wins over a guessed country
                other = await self.other_answer(inner_dc, text)
                if other is not None:
                    return other
            corrected = await self._correction(inner_dc, text, recognition, read)
            if corrected is not None:
                return corrected
            words = len(key(text).split())
            if answers and _asks_aside(recognition, text, words):
                # "is Japan covered?" at the country question: a question, answered as one (then
                # the question again), never the answer Japan.
                recognition = recognition.model_copy(update={"intent": Intent.FACT})
            elif answers and not self._overrides_answer(recognition, text, words):
                return None
            if words < 2 and recognition.intent not in (Intent.CANCEL, Intent.HELP):
                return None  # one word or number: a bad answer ("No" at a country question), never a switch
            if not answers and words < SENTENCE_WORDS and await self._explained(inner_dc, text):
                return None  # "120 minutes each", "in 2027" at the count question: a bad answer, said why
        intent = recognition.intent

        if intent == Intent.CANCEL:
            await inner_dc.cancel_all_dialogs()
            await context.send_activity(t(lang, "cancelled"))
            return DialogTurnResult(DialogTurnStatus.Complete, dict(CANCELLED))
        if intent == Intent.HELP:
            await context.send_activity(MessageFactory.text(t(lang, self.help_key)))
            await inner_dc.reprompt_dialog()
            return DialogTurnResult(DialogTurnStatus.Waiting)
        if intent in ASIDE_INTENTS and self.aside is not None and await self.aside(context, recognition, lang):
            await inner_dc.reprompt_dialog()  # answered: back to the open question
            return DialogTurnResult(DialogTurnStatus.Waiting)
        if self.nested is not None and intent == getattr(self.nested[0], "intent", None) and clicked is None:
            dialog, options = self.nested
            return await inner_dc.begin_dialog(dialog.id, options(text, recognition))
        if intent in REQUEST_INTENTS and intent != self.intent:
            # Switch, and say what was left: a request typed mid-dialog never silently replaces it.
            await inner_dc.cancel_all_dialogs()
            await context.send_activity(t(lang, "switched", left=t(lang, f"dialog.{self.intent.value}")))
            return DialogTurnResult(DialogTurnStatus.Complete, {SWITCH: intent.value})
        return None
