"""The dialogs' question cards and texts, made once per question, language and spec (issue 14).

``dialogs.prompts.rendered_question`` hands out the card ``Question.render`` made the first
time (``dialogs.cards.shared_card``). What a question sends must not change: every card
question, with and without a notice, first ask and retry, in both languages, gives the same
activity JSON as a card rendered afresh, and a shared card is never changed by what is built
from it.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest

from bot.activity_json import dump_activity
from dialogs import cards, prompts
from dialogs.nlu.answers import Answer
from dialogs.nlu.i18n import LANGUAGES
from dialogs.prompts import QUESTIONS, Question, question_activity, rendered_question

#: Specs the dialogs ask card questions with (the purchase's countries and international
#: questions, the check's caller country and plan questions), with and without a notice.
NOTICE = ["check.have", {"facts": [["check.have.caller", {"country": "FR"}]]}]
CARD_SPECS: list[tuple[str, dict]] = [
    ("countries", {}),
    ("countries", {"choices": ["FR", "DE"]}),
    ("international", {"countries": ["FR"]}),
    ("international", {"countries": ["FR", "GB"]}),
    ("caller_country", {"choices": list(cards.DEFAULT_COUNTRY_CHOICES)}),
    ("caller_country", {"choices": list(cards.DEFAULT_COUNTRY_CHOICES), "notice": NOTICE}),
    ("plan", {"plans": ["MCOPSTN1", "MCOPSTN2"]}),
    ("plan", {"plans": ["MCOPSTN1"], "notice": NOTICE}),
    ("plan", {}),
]


def _as_before(question: Question, spec: dict, lang: str, monkeypatch, **kwargs):
    """``question_activity`` as it was before cards were shared: the question rendered afresh
    every time (``rendered_question`` swapped for ``Question.render`` for this one call)."""
    with monkeypatch.context() as patched:
        patched.setattr(prompts, "rendered_question", lambda q, sp, lg: q.render(lg, sp))
        return question_activity(question, spec, lang, **kwargs)


def _json(activity) -> str:
    return json.dumps(dump_activity(activity), sort_keys=True)


def _card(question: Question, spec: dict, lang: str) -> cards.CardReply:
    made = rendered_question(question, spec, lang)
    assert isinstance(made, cards.CardReply)
    return made


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("question_id", "spec"), CARD_SPECS)
def test_a_question_sends_what_a_fresh_render_sends(lang, question_id, spec, monkeypatch):
    question = QUESTIONS[question_id]
    typed = Answer(value=None, text="Wakanda")
    for _ in range(3):  # the first ask builds the card, the others share it
        assert _json(question_activity(question, spec, lang, retry=False)) == _json(
            _as_before(question, spec, lang, monkeypatch, retry=False)
        )
        assert _json(question_activity(question, spec, lang, retry=True, answer=typed)) == _json(
            _as_before(question, spec, lang, monkeypatch, retry=True, answer=typed)
        )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_card_question_is_built_once_per_language_and_spec(lang):
    question = QUESTIONS["international"]
    first = _card(question, {"countries": ["FR"]}, lang)
    assert _card(question, {"countries": ["FR"]}, lang) is first
    # the notice is put on afterwards (a copy): the card under it is the same one
    assert _card(question, {"countries": ["FR"], "notice": NOTICE}, lang) is first
    other = _card(question, {"countries": ["GB"]}, lang)
    assert other is not first and _json(other.to_activity()) != _json(first.to_activity())
    other_lang = next(x for x in LANGUAGES if x != lang)
    assert _card(question, {"countries": ["FR"]}, other_lang).card != first.card
    # the host sends it as a shared card: its JSON encoded once, spliced into the answers
    assert cards.shared_card_json(first.card) == orjson.dumps(first.card)


def test_what_is_built_from_a_shared_question_card_never_changes_it():
    question = QUESTIONS["caller_country"]
    spec: dict[str, Any] = {"choices": ["FR", "DE"]}
    shared = _card(question, spec, "en")
    before = json.dumps(shared.card, sort_keys=True)
    with_notice = question_activity(question, {**spec, "notice": NOTICE}, "en", retry=False)
    retried = question_activity(question, spec, "en", retry=True, answer=Answer(value=None, text="Wakanda"))
    for activity in (with_notice, retried):
        content = activity.attachments[0].content
        assert content is not shared.card
        content["body"].append({"type": "TextBlock", "text": "changed"})  # a later change to what was sent
    assert json.dumps(shared.card, sort_keys=True) == before
    assert question_activity(question, spec, "en", retry=False).attachments[0].content is shared.card


#: Specs the dialogs ask text questions with (the purchase's count question for one country and
#: for several, after a vague count; the check's number question, plain and in a country).
TEXT_SPECS: list[tuple[str, dict]] = [
    ("users", {"text_key": "prompt.users_in", "params": {"country": "US"}}),
    ("users", {"text_key": "prompt.users_in", "params": {"country": "FR"}}),
    (
        "users",
        {
            "text_key": "prompt.users_each",
            "countries": ["GB", "FR"],
            "params": {"countries": ["GB", "FR"]},
            "notice": ["reason.vague_count", {"text": "a few hundred"}],
        },
    ),
    ("number", {}),
    ("number", {"text_key": "prompt.number_in", "params": {"country": "ES"}}),
]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("question_id", "spec"), TEXT_SPECS)
def test_a_text_question_sends_what_a_fresh_render_sends(lang, question_id, spec, monkeypatch):
    question = QUESTIONS[question_id]
    typed = Answer(value=None, text="120 minutes each")
    for _ in range(3):  # the first ask makes the text, the others reuse it
        assert rendered_question(question, spec, lang) == question.render(lang, spec)
        assert _json(question_activity(question, spec, lang, retry=False)) == _json(
            _as_before(question, spec, lang, monkeypatch, retry=False)
        )
        assert _json(question_activity(question, spec, lang, retry=True, answer=typed)) == _json(
            _as_before(question, spec, lang, monkeypatch, retry=True, answer=typed)
        )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_text_question_is_made_once_per_language_and_spec_and_not_kept_as_a_card(lang):
    made: list[tuple[str, str]] = []
    real = QUESTIONS["users"]

    def render(lang_: str, spec: dict) -> str:
        made.append((lang_, spec["params"]["country"]))
        return str(real.render(lang_, spec))

    question = Question("users_counted", real.reprompt_key, render, real.read, real.why, card=False)
    kept = len(cards._SHARED)
    spec = {"text_key": "prompt.users_in", "params": {"country": "GB"}}
    first = rendered_question(question, spec, lang)
    assert first == real.render(lang, spec)
    assert rendered_question(question, dict(spec), lang) == first
    assert rendered_question(question, {**spec, "notice": ["reason.vague_count", {"text": "x"}]}, lang) == first
    assert made == [(lang, "GB")]
    other = rendered_question(question, {"text_key": "prompt.users_in", "params": {"country": "FR"}}, lang)
    assert other != first and made == [(lang, "GB"), (lang, "FR")]
    assert len(cards._SHARED) == kept


def test_every_card_question_renders_a_card_and_every_text_question_text():
    spec_of: dict[str, dict[str, Any]] = {
        "users": {"text_key": "prompt.users", "params": {}},
        "plan": {"plans": ["MCOPSTN1"]},
    }
    for question in QUESTIONS.values():
        made = question.render("en", spec_of.get(question.id, {}))
        assert isinstance(made, cards.CardReply) == question.card, question.id
