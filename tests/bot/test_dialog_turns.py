"""Issue 12 items 2-4, second round, over HTTP in English and French: several answers at one
prompt, a request for another dialog while one runs (it switches and says what it left), "ok"
and "thanks" after an answer, a person named after a purchase, a person typed at the caller's
country question, usage stated without a figure, typos at the fuzzy floor, and a foreign number
typed in national format with its country named.

Same harness as ``test_followups.py``: real activities POSTed to the real app factory over the
demo tenant, in the admin's Teams locale. Expected answers are computed with the knowledge layer
(``recommend``, ``check_call``) and the string tables, never written out.
"""

from __future__ import annotations

from typing import Any

import pytest

from dialogs.cards import purchase_summary_card, verdict_card
from dialogs.nlu.i18n import t
from dialogs.nlu.render import country_name
from knowledge.advisor import AdviceRequest, recommend
from knowledge.numbers import check_call
from testkit.cards import card_texts
from testkit.chat import Chat
from testkit.check import caller_line

LANGS = pytest.mark.parametrize("lang", ["en", "fr"])
LOCALE = {"en": "en-US", "fr": "fr-FR"}


class LocaleChat(Chat):
    """A conversation in the admin's Teams locale (French admins' clients send fr-FR)."""

    def __init__(self, client, h, lang: str) -> None:
        super().__init__(client, h, conversation_id=f"a:dialog-turns-{lang}")
        self.lang = lang

    async def say(self, text: str | None, **extra: Any) -> list[dict]:
        return await super().say(text, **{"locale": LOCALE[self.lang], **extra})


def summary_text(lang: str, **request: Any) -> str:
    return purchase_summary_card(recommend(AdviceRequest(**request)), lang).text


def said(replies: list[dict]) -> list[str]:
    return [r["said"] for r in replies]


SEVERAL = {
    "en": ("I want to buy calling plans", "France, 40 users, E5"),
    "fr": ("je veux acheter des forfaits d'appels", "France, 40 utilisateurs, E5"),
}


@LANGS
async def test_several_answers_at_one_prompt_fill_every_slot_they_name(demo_bot, h, lang):
    chat = LocaleChat(demo_bot, h, lang)
    start, answer = SEVERAL[lang]
    assert said(await chat.say(start))[-1] == t(lang, "prompt.countries")
    # Not "How many users in France?" next: the count and the licence were in the answer.
    assert said(await chat.say(answer)) == [summary_text(lang, countries=["FR"], users=40, base_licence="E5")]


SCOPE_AT_COUNT = {
    "en": ("which plan for our users in Italy", "25 users, they call abroad"),
    "fr": ("quel forfait pour nos utilisateurs en Italie", "25 utilisateurs, ils appellent l'étranger"),
}


@LANGS
async def test_a_count_answer_that_gives_the_scope_too_is_not_asked_the_scope(demo_bot, h, lang):
    chat = LocaleChat(demo_bot, h, lang)
    first, answer = SCOPE_AT_COUNT[lang]
    assert said(await chat.say(first))[-1] == t(lang, "prompt.users_in", country="Italie" if lang == "fr" else "Italy")
    assert said(await chat.say(answer)) == [summary_text(lang, countries=["IT"], users=25, international=True)]


SWITCH = {
    "en": ("can alice call", "which plan for 40 E5 users in France?"),
    "fr": ("alice peut-elle appeler", "quel forfait pour 40 utilisateurs E5 en France ?"),
}


@LANGS
async def test_a_purchase_typed_during_a_number_check_says_it_left_the_check(demo_bot, h, lang):
    chat = LocaleChat(demo_bot, h, lang)
    check, purchase = SWITCH[lang]
    assert said(await chat.say(check))[-1] == t(lang, "prompt.number")
    replies = await chat.say(purchase)
    assert said(replies) == [
        t(lang, "switched", left=t(lang, "dialog.check")),
        summary_text(lang, countries=["FR"], users=40, base_licence="E5"),
    ]
    # The check is gone: a number now is no answer to it.
    assert (
        said(await chat.say("+44 20 7946 0958"))[-1]
        != verdict_card(check_call("+44 20 7946 0958", "FR", "MCOPSTN1", upn="alice.martin@contoso.com"), lang).text
    )


ACK = {"en": ["ok", "thanks!", "great, thank you"], "fr": ["ok merci", "parfait", "d'accord"]}


@LANGS
async def test_ok_and_thanks_after_an_answer_get_one_short_line_not_the_menu(demo_bot, h, lang):
    chat = LocaleChat(demo_bot, h, lang)
    await chat.say(SWITCH[lang][1])
    for text in ACK[lang]:
        assert said(await chat.say(text)) == [t(lang, "ack")], text


PERSON_AFTER_PURCHASE = {"en": "and for alice?", "fr": "et pour alice ?"}


@LANGS
async def test_a_person_named_after_a_purchase_shows_that_person(demo_bot, h, lang):
    chat = LocaleChat(demo_bot, h, lang)
    await chat.say(SWITCH[lang][1])
    replies = await chat.say(PERSON_AFTER_PURCHASE[lang])
    assert len(replies) == 1
    texts = card_texts(replies[0]["attachments"][0]["content"])
    assert t(lang, "users.title", count=1) in texts
    assert any("alice.martin@contoso.com" in text for text in texts)
    assert not any("bastien.durand@contoso.com" in text for text in texts)


UNKNOWN_THEN_KNOWN = {
    "en": ("can alice call +44 20 7946 0958?", "what about bob?", "keith"),
    "fr": ("alice peut-elle appeler le +44 20 7946 0958 ?", "et pour bob ?", "keith"),
}


@LANGS
async def test_a_person_typed_at_the_callers_country_question_is_the_caller(demo_bot, h, lang):
    chat = LocaleChat(demo_bot, h, lang)
    first, bob, keith = UNKNOWN_THEN_KNOWN[lang]
    await chat.say(first)
    replies = await chat.say(bob)
    assert said(replies)[0] == t(lang, "user_unknown", user="bob")
    assert said(replies)[-1] == t(lang, "prompt.caller_country")
    replies = await chat.say(keith)  # not "I don't know 'keith' as a country"
    verdict = check_call("+44 20 7946 0958", "GB", "MCOPSTN1", upn="keith.smith@contoso.com")
    assert verdict.verdict == "included"  # keith is in the UK: a domestic call (alice, in France, pays per minute)
    assert said(replies)[-1].startswith(verdict_card(verdict, lang).text)  # then the pool's minutes left


USAGE = {
    "en": ("which plan for 20 E5 users in Italy who mostly receive calls", "which plan for 30 E5 users in Spain"),
    "fr": (
        "quel forfait pour 20 utilisateurs E5 en Italie qui reçoivent surtout des appels",
        "quel forfait pour 30 utilisateurs E5 en Espagne",
    ),
}
USAGE_FOLLOW_UP = {"en": "what if they only receive calls?", "fr": "et s'ils reçoivent uniquement des appels ?"}


@LANGS
async def test_usage_stated_without_a_figure_changes_the_plan(demo_bot, h, lang):
    chat = LocaleChat(demo_bot, h, lang)
    few, spain = USAGE[lang]
    # Few outbound calls, no figure: pay-as-you-go where it is sold (no included minutes, every
    # outbound minute billed), not a guessed figure's 120-minute plan.
    request = {"countries": ["IT"], "users": 20, "base_licence": "E5", "few_outbound": True}
    assert (recommend(AdviceRequest(**request)).calling_plan or "").startswith("MCOPSTN_PAYG")
    replies = await chat.say(few)
    assert said(replies)[-1] == summary_text(lang, **request)
    await chat.say(spain)
    replies = await chat.say(USAGE_FOLLOW_UP[lang])  # 0 outbound minutes: pay-as-you-go
    request = {"countries": ["ES"], "users": 30, "base_licence": "E5", "minutes_per_user": 0}
    assert (recommend(AdviceRequest(**request)).calling_plan or "").startswith("MCOPSTN_PAYG")
    assert said(replies)[-1] == summary_text(lang, **request)


TYPOS = {
    "en": [("which plan for 20 E5 users in Itlay", "IT"), ("which plan for 15 E5 users in Polland", "PL")],
    "fr": [
        ("quel forfait pour 20 utilisateurs E5 en Itlaie", "IT"),
        ("quel forfait pour 15 utilisateurs E5 en Polgne", "PL"),
    ],
}


@LANGS
async def test_typos_at_the_fuzzy_floor_and_ties_read_the_right_country(demo_bot, h, lang):
    for text, country in TYPOS[lang]:
        chat = LocaleChat(demo_bot, h, lang)
        users = 20 if country == "IT" else 15
        assert said(await chat.say(text)) == [summary_text(lang, countries=[country], users=users, base_licence="E5")]


NATIONAL_FORMAT = {
    "en": "can keith call the French number 01 42 68 53 00?",
    "fr": "est-ce que keith peut appeler le numéro français 01 42 68 53 00 ?",
}


@LANGS
async def test_a_foreign_number_in_national_format_is_read_in_the_country_named(demo_bot, h, lang):
    chat = LocaleChat(demo_bot, h, lang)
    replies = await chat.say(NATIONAL_FORMAT[lang])
    verdict = check_call("+33142685300", "GB", "MCOPSTN1", upn="keith.smith@contoso.com")
    assert verdict.verdict == "per_minute"  # a UK Domestic plan calling France, not "not in use"
    found = caller_line(lang, "keith.smith@contoso.com", "GB", "MCOPSTN1")  # said in the card
    assert said(replies) == [verdict_card(verdict, lang, caller_line=found).text]


NUMBER_AND_CALLER = {
    "en": ("check", "+44 20 7946 0958, the caller is in France on the Domestic plan"),
    "fr": ("vérifier un numéro", "+44 20 7946 0958, l'appelant est en France avec le forfait national"),
}


@LANGS
async def test_a_number_answer_that_names_the_callers_country_and_plan_is_not_asked_them(demo_bot, h, lang):
    chat = LocaleChat(demo_bot, h, lang)
    check, answer = NUMBER_AND_CALLER[lang]
    assert said(await chat.say(check))[-1] == t(lang, "prompt.number")
    replies = await chat.say(answer)
    assert said(replies) == [verdict_card(check_call("+44 20 7946 0958", "FR", "MCOPSTN1"), lang).text]


CORRECTION_AT_YES_NO = {
    "en": ("which plan for 20 users in Spain", "no sorry, Italy", "sorry, Portugal, and they call abroad"),
    "fr": (
        "quel forfait pour 20 utilisateurs en Espagne",
        "non pardon, l'Italie",
        "pardon, le Portugal, et ils appellent l'étranger",
    ),
}


@LANGS
async def test_a_correction_at_a_yes_no_question_changes_its_slot_and_answers_only_what_it_says(demo_bot, h, lang):
    chat = LocaleChat(demo_bot, h, lang)
    first, italy, portugal = CORRECTION_AT_YES_NO[lang]
    assert said(await chat.say(first))[-1] == t(lang, "prompt.international", countries=country_name("ES", lang))
    replies = await chat.say(italy)  # the "no" is the correction's, not "they do not call abroad"
    assert said(replies)[0].startswith(t(lang, "corrected", facts="").rstrip(" ."))
    assert said(replies)[-1] == t(lang, "prompt.international", countries=country_name("IT", lang))
    replies = await chat.say(portugal)  # a correction that also answers the question
    assert said(replies)[-1] == summary_text(lang, countries=["PT"], users=20, international=True)


LEAD_IN = {
    "en": ("which plan for 40 E5 users in France", "ok and for 80 users?"),
    "fr": ("quel forfait pour 40 utilisateurs E5 en France", "merci, et pour 80 personnes ?"),
}
PLAN_AFTER_CHECK = {
    "en": ("can bastien call +1 212 555 0100", "and with the D&I plan?"),
    "fr": ("bastien peut-il appeler le +1 212 555 0100", "et avec le forfait national et international ?"),
}


@LANGS
async def test_follow_ups_after_an_acknowledgement_and_a_plan_after_a_check(demo_bot, h, lang):
    chat = LocaleChat(demo_bot, h, lang)
    first, again = LEAD_IN[lang]
    await chat.say(first)
    assert said(await chat.say(again)) == [summary_text(lang, countries=["FR"], users=80, base_licence="E5")]
    first, again = PLAN_AFTER_CHECK[lang]
    await chat.say(first)
    replies = await chat.say(again)  # the same call on the D&I plan, not a new purchase
    verdict = check_call("+1 212 555 0100", "FR", "MCOPSTN2", upn="bastien.durand@contoso.com")
    assert verdict.verdict == "included"
    assert said(replies)[-1].startswith(verdict_card(verdict, lang).text)


NUMBER_NOT_PURCHASE = {
    "en": "is calling +33 1 23 45 67 89 from the UK included in the D&I plan?",
    "fr": "appeler le +33 1 23 45 67 89 depuis le Royaume-Uni, c'est inclus dans le forfait international ?",
}


@LANGS
async def test_a_question_naming_a_number_and_no_user_is_a_number_check_not_a_purchase(demo_bot, h, lang):
    chat = LocaleChat(demo_bot, h, lang)
    replies = await chat.say(NUMBER_NOT_PURCHASE[lang])
    verdict = check_call("+33 1 23 45 67 89", "GB", "MCOPSTN2")
    assert verdict.verdict == "included"
    assert said(replies)[-1].startswith(verdict_card(verdict, lang).text)


NEW_PURCHASE_IN_A_PURCHASE = {
    "en": ("which plan for our users in France", "30", "which plan for 20 E5 users in Spain?"),
    "fr": ("quel forfait pour nos utilisateurs en France", "30", "quel forfait pour 20 utilisateurs E5 en Espagne ?"),
}


@LANGS
async def test_a_complete_purchase_request_typed_in_a_purchase_starts_it_over(demo_bot, h, lang):
    chat = LocaleChat(demo_bot, h, lang)
    first, count, again = NEW_PURCHASE_IN_A_PURCHASE[lang]
    await chat.say(first)
    assert said(await chat.say(count))[-1] == t(lang, "prompt.international", countries="France")
    # Not "please answer yes or no", and not France kept: the new request, answered at once.
    assert said(await chat.say(again)) == [summary_text(lang, countries=["ES"], users=20, base_licence="E5")]


COUNT_AFTER_CUE = {
    "en": ("which plan for 40 E5 users in France?", "no, actually 45", "what about 60?"),
    "fr": ("quel forfait pour 40 utilisateurs E5 en France ?", "non, en fait 45", "et pour 60 ?"),
}


@LANGS
async def test_a_bare_number_after_a_cue_is_the_seat_count(demo_bot, h, lang):
    chat = LocaleChat(demo_bot, h, lang)
    first, corrected, again = COUNT_AFTER_CUE[lang]
    await chat.say(first)
    assert said(await chat.say(corrected)) == [summary_text(lang, countries=["FR"], users=45, base_licence="E5")]
    assert said(await chat.say(again)) == [summary_text(lang, countries=["FR"], users=60, base_licence="E5")]


POOL_FOLLOW_UPS = {
    "en": ("minutes left in France", "and last month?", "and for the D&I plan?"),
    "fr": ("minutes restantes en France", "et le mois dernier ?", "et pour le forfait national et international ?"),
}


@LANGS
async def test_pool_follow_ups_name_last_month_or_a_plan_and_stay_pool_lookups(demo_bot, h, lang):
    chat = LocaleChat(demo_bot, h, lang)
    first, last_month, plan = POOL_FOLLOW_UPS[lang]
    this_month = card_texts((await chat.say(first))[0]["attachments"][0]["content"])
    replies = await chat.say(last_month)
    assert len(replies) == 1 and replies[0].get("attachments")  # the pool card again, not the fallback
    last = card_texts(replies[0]["attachments"][0]["content"])
    assert last[0] != this_month[0]  # the heading names the month: last month's, not this one's
    replies = await chat.say(plan)  # not a purchase ("In which countries...?")
    assert len(replies) == 1 and said(replies)[0] != t(lang, "prompt.countries")
    texts = " ".join(card_texts(replies[0]["attachments"][0]["content"]))
    plan_name = {"en": "Domestic and International Calling Plan", "fr": "Forfait d'appels nationaux et internationaux"}
    assert plan_name[lang] in texts


COUNT_QUESTION = {
    "en": ("which plan for our users in Italy", "40"),
    "fr": ("quel forfait pour nos utilisateurs en Italie", "40"),
}


@LANGS
async def test_a_typed_answer_is_read_once_per_turn(demo_bot, h, lang, monkeypatch):
    """A continued dialog reads the answer to tell it from an interruption, then the prompt
    reads it to end with it: the second read is the first one's (``AnswerPrompt.read``)."""
    import dialogs.nlu.answers

    real, calls = dialogs.nlu.answers.read_users, []

    def counted(answer, countries=None):
        calls.append(answer.text)
        return real(answer, countries)

    chat = LocaleChat(demo_bot, h, lang)
    first, count = COUNT_QUESTION[lang]
    assert said(await chat.say(first))[-1] == t(lang, "prompt.users_in", country="Italie" if lang == "fr" else "Italy")
    monkeypatch.setattr(dialogs.nlu.answers, "read_users", counted)
    assert said(await chat.say(count))[-1] == t(
        lang, "prompt.international", countries="Italie" if lang == "fr" else "Italy"
    )
    assert calls == ["40"]


def test_an_answer_is_read_again_when_its_question_changed_in_the_turn(monkeypatch):
    """A correction changes the open question's spec in place ("actually, Austria" at "How many
    users in France?"): the answer is read again against the new spec, not taken from before."""
    from botbuilder.core import TurnContext
    from botbuilder.core.adapters import TestAdapter
    from botbuilder.dialogs import PromptOptions
    from botbuilder.schema import Activity

    import dialogs.nlu.answers
    from dialogs.nlu.answers import Answer
    from dialogs.prompts import QUESTIONS, AnswerPrompt

    real, calls = dialogs.nlu.answers.read_users, []

    def counted(answer, countries=None):
        calls.append(countries)
        return real(answer, countries)

    monkeypatch.setattr(dialogs.nlu.answers, "read_users", counted)
    context = TurnContext(TestAdapter(), Activity(type="message", text="40 in France, 10 in Spain"))
    prompt = AnswerPrompt(QUESTIONS["users"])
    options = PromptOptions(validations={"countries": ["FR", "ES"]})
    first = prompt.read(context, options)
    assert prompt.read(context, options) is first and calls == [["FR", "ES"]]
    options.validations["countries"] = ["AT"]
    again = prompt.read(context, options)
    assert calls == [["FR", "ES"], ["AT"]]
    assert again == real(Answer(value=None, text="40 in France, 10 in Spain"), ["AT"])
    assert first == real(Answer(value=None, text="40 in France, 10 in Spain"), ["FR", "ES"])
