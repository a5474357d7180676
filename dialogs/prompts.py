"""The questions the dialogs ask, as one botbuilder ``Prompt`` that takes a click OR typed text.

WHY not ``ChoicePrompt``/``ConfirmPrompt``: on ``msteams`` they send a Hero card with imBack
buttons, which the Agents Playground (our end-to-end client) does not deliver. Every choice is
an Adaptive Card with ``Action.Submit`` buttons here (``dialogs.cards``), whose click arrives as
a message with ``value = {"value": ...}`` and no text; typed answers are read with the same
entity extraction as first messages (``dialogs.nlu.answers``). A bad answer gets the question again
with a sentence saying what is expected.

Each prompt's card is rendered when it is sent, in the turn's language, from a small JSON spec
kept in the dialog state (``PromptOptions.validations``): nothing language-specific or
non-serializable is stored, so a conversation resumes after a restart, in the language it has
by then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.dialogs import PromptOptions
from botbuilder.dialogs.prompts import Prompt, PromptRecognizerResult
from botbuilder.schema import Activity, InputHints

from dialogs.cards import CardReply, countries_choice, plan_choice, shared_card, yes_no_choice
from dialogs.nlu import answers
from dialogs.nlu.answers import Answer
from dialogs.nlu.i18n import t
from dialogs.nlu.render import join, localize_params
from dialogs.turn import lang_of, turn_extraction
from knowledge.advisor import SentenceMemo

Spec = dict[str, Any]


@dataclass(frozen=True)
class Question:
    """One kind of question: how it is asked, how an answer is read, what a retry says."""

    id: str
    reprompt_key: str
    render: Callable[[str, Spec], CardReply | str]
    read: Callable[[Answer, Spec], dict[str, Any] | None]
    #: Why a bad answer is not one (a locale key and its parameters), said before the retry.
    why: Callable[[Answer], tuple[str, dict[str, Any]] | None] = lambda answer: None
    #: Whether ``render`` makes a card (built once per language and spec: :func:`rendered_question`).
    card: bool = True


def _slot(name: str, reader: Callable[[Answer], Any]) -> Callable[[Answer, Spec], dict[str, Any] | None]:
    def read(answer: Answer, spec: Spec) -> dict[str, Any] | None:
        value = reader(answer)
        return None if value is None else {name: value}

    return read


def _read_international(answer: Answer, spec: Spec) -> dict[str, Any] | None:
    """Yes or no, or calls to countries other than the users' own (``spec["countries"]``)."""
    said = answers.read_calls_abroad(answer, spec.get("countries") or [])
    return None if said is None else {"international": said}


def _said(key: str, params: dict[str, Any], lang: str) -> str:
    """A locale string whose params may be lists of ``[key, params]`` parts, each said the same
    way and joined ("So far: caller in France, calling Spain.")."""
    parts = {
        name: join((_said(k, p, lang) for k, p in value), lang)
        for name, value in params.items()
        if isinstance(value, list) and all(isinstance(v, list) and len(v) == 2 for v in value)
    }
    return t(lang, key, **{**localize_params(params, lang), **parts})


def _text(spec: Spec, lang: str) -> str:
    return t(lang, spec["text_key"], **localize_params(spec.get("params", {}), lang))


QUESTIONS: dict[str, Question] = {
    q.id: q
    for q in (
        Question(
            "countries",
            "reprompt.countries",
            lambda lang, spec: countries_choice(lang, spec.get("choices")),
            lambda answer, spec: answers.read_countries(answer),
            answers.why_not_countries,
        ),
        Question(
            "users",
            "reprompt.users",
            lambda lang, spec: _text(spec, lang),
            lambda answer, spec: answers.read_users(answer, spec.get("countries")),
            answers.why_not_users,
            card=False,
        ),
        Question(
            "international",
            "reprompt.yes_no",
            lambda lang, spec: yes_no_choice(
                lang, "prompt.international", **localize_params({"countries": spec.get("countries", [])}, lang)
            ),
            _read_international,
        ),
        Question(
            "number",
            "reprompt.number",
            lambda lang, spec: _text(spec, lang) if spec.get("text_key") else t(lang, "prompt.number"),
            _slot("number", answers.read_number),
            card=False,
        ),
        Question(
            "caller_country",
            "reprompt.countries",
            lambda lang, spec: countries_choice(lang, spec.get("choices"), question_key="prompt.caller_country"),
            _slot("caller_country", answers.read_country),
            answers.why_not_countries,
        ),
        Question(
            "plan",
            "reprompt.plan",
            lambda lang, spec: plan_choice(lang, spec["plans"]) if spec.get("plans") else plan_choice(lang),
            _slot("plan", answers.read_plan),
        ),
    )
}


def ask(question: str, **spec: Any) -> PromptOptions:
    """The options to start the prompt ``question`` with (``spec``: JSON-able details)."""
    if question not in QUESTIONS:
        raise KeyError(f"no question {question!r}")
    return PromptOptions(validations=dict(spec))


#: Spec keys that do not change what :attr:`Question.render` makes (the notice is put on after).
_NOT_RENDERED = frozenset({"notice"})


def rendered_question(question: Question, spec: Spec, lang: str) -> CardReply | str:
    """``question.render(lang, spec)``, a card built once per question, language and spec
    (:func:`dialogs.cards.shared_card`) and handed out again.

    WHY: every purchase or check step that asks a card question rebuilt the same card (the
    country buttons, the yes/no question, the plans: 20-35 us each with the host's dump of
    its JSON, ``bench/records/issue14_turncost2.md``), and the host walked and encoded its JSON
    again. A render depends only on the question, the language and the spec (locale strings
    and catalog names, fixed in a process), and a shared card is never changed
    (``CardReply.with_notice`` copies it; the host sends it without copying it and splices its
    JSON, encoded once). A text question's string is kept the same way (:data:`_TEXT_QUESTIONS`):
    "How many users in the United States?" filled its template with the country's name and the
    English articles pass at every count question (~15 us). The specs hold locale keys and
    catalog codes (a country's ISO code), never typed text; the memos are bounded all the same.
    """
    key = ("prompt", question.id, lang, repr({k: v for k, v in spec.items() if k not in _NOT_RENDERED}))
    if not question.card:
        return _TEXT_QUESTIONS.get_or_make(key, lambda: _text_of(question.render(lang, spec)))
    return shared_card(key, (), lambda: _card(question.render(lang, spec)))


#: A text question's string per question, language and spec (:func:`rendered_question`).
_TEXT_QUESTIONS = SentenceMemo(limit=512)


def _text_of(rendered: CardReply | str) -> str:
    if not isinstance(rendered, str):
        raise TypeError("a question marked card=False rendered a card")
    return rendered


def _card(rendered: CardReply | str) -> CardReply:
    if not isinstance(rendered, CardReply):
        raise TypeError("a question marked card=True rendered text")
    return rendered


def question_activity(
    question: Question, spec: Spec, lang: str, *, retry: bool, answer: Answer | None = None
) -> Activity:
    """The question as ONE activity: a text, or a card with no visible text beside it (its
    summary is the notification preview). A retry says what is expected: as the text of a
    text question, as the first line of a card question (the card itself is asked again);
    when the bad ``answer`` tells why it is not one, the retry says that first."""
    rendered = rendered_question(question, spec, lang)
    if not retry and spec.get("notice"):  # what the question is asked after, as its first line
        key, params = spec["notice"]
        notice = _said(key, params, lang)
        rendered = (
            f"{notice} {rendered}" if isinstance(rendered, str) else rendered.with_notice(notice, color="Default")
        )
    if retry:  # what is expected, said only by a retry
        expected = t(lang, question.reprompt_key)
        reason = question.why(answer) if answer is not None and not answer.empty else None
        if reason is not None:
            key, params = reason
            expected = f"{t(lang, key, **params)} {expected}"
        activity = (
            MessageFactory.text(expected) if isinstance(rendered, str) else rendered.with_notice(expected).to_activity()
        )
    else:
        activity = MessageFactory.text(rendered) if isinstance(rendered, str) else rendered.to_activity()
    activity.input_hint = InputHints.expecting_input
    return activity


#: Turn state: (question id, repr of its spec) -> the slots this turn's activity answers it with.
_READS_KEY = "dialogs.prompts.reads"


class AnswerPrompt(Prompt):
    """A prompt for one :class:`Question`; it ends with the slots the answer fills (a dict)."""

    def __init__(self, question: Question) -> None:
        super().__init__(question.id)
        self.question = question

    def read(self, context: TurnContext, options: PromptOptions | None) -> dict[str, Any] | None:
        """The slots this turn's activity answers, or None (also used to tell an answer from an
        interruption: a valid answer is never taken for "cancel" or a new request).

        Read once per turn and question spec: a continued dialog reads the answer to tell it
        from an interruption (``dialogs.base.BaseDialog._interrupt``), then the prompt reads it
        again to end with it (``on_recognize``), and a typed answer costs ~0.13 ms to read
        ("40" at the count question). The answer is the turn's activity, so what varies is the
        spec: a correction changes it in place between the two reads ("actually, Austria":
        the count question's country), which keys the memo by its ``repr``. The slots read are
        never changed by their readers."""
        answer = typed_answer(context)
        if answer.empty:
            return None
        spec = (options.validations if options is not None else None) or {}
        reads = context.turn_state.setdefault(_READS_KEY, {})
        key = (self.id, repr(spec))
        if key not in reads:
            reads[key] = self.question.read(answer, spec)
        return reads[key]

    async def on_prompt(
        self, turn_context: TurnContext, state: dict[str, object], options: PromptOptions, is_retry: bool
    ) -> None:
        spec = options.validations or {}
        answer = typed_answer(turn_context) if is_retry else None
        await turn_context.send_activity(
            question_activity(self.question, spec, lang_of(turn_context), retry=is_retry, answer=answer)
        )

    async def on_recognize(
        self, turn_context: TurnContext, state: dict[str, object], options: PromptOptions
    ) -> PromptRecognizerResult:
        slots = self.read(turn_context, options)
        return PromptRecognizerResult(succeeded=slots is not None, value=slots)


def typed_answer(context: TurnContext) -> Answer:
    """The turn's answer; a typed one carries the turn's extraction of its text (made once a
    turn, :func:`dialogs.turn.turn_extraction`), which its read and its retry's reason reuse."""
    answer = Answer.of(context.activity)
    if answer.value is None and answer.text:
        return Answer.of(context.activity, turn_extraction(context, answer.text))
    return answer


def all_prompts() -> list[AnswerPrompt]:
    """One prompt dialog per question, to add to a ComponentDialog."""
    return [AnswerPrompt(q) for q in QUESTIONS.values()]


__all__ = ["QUESTIONS", "AnswerPrompt", "Question", "all_prompts", "ask", "question_activity", "rendered_question"]
