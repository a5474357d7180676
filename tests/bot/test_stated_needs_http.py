"""Issue 12, third round (dialogs_dev3), over HTTP in English and French: a stated need the
recommendation must follow (few outbound calls, a one-country scope), a seat count split
between countries, a licence-only request (its prerequisite AND the next question), a question
typed at a prompt (answered aside, never the answer), a restated need after an answer, an
emergency number without a verb, a caller described by their plan, and "the D&I users".

Same harness as ``test_dialog_turns.py``: real activities POSTed to the real app factory over
the demo tenant, in the admin's Teams locale. Expected answers come from the knowledge layer
(``recommend``, ``check_call``) and the string tables, never written out.
"""

from __future__ import annotations

from typing import Any

import pytest

from dialogs.cards import licence_note, purchase_summary_card, verdict_card
from dialogs.nlu.i18n import t
from dialogs.nlu.render import plan_name
from knowledge.advisor import AdviceRequest, recommend
from knowledge.catalog import load_catalog
from knowledge.numbers import check_call
from testkit.cards import card_texts
from testkit.chat import Chat

LANGS = pytest.mark.parametrize("lang", ["en", "fr"])
LOCALE = {"en": "en-US", "fr": "fr-FR"}


class LocaleChat(Chat):
    def __init__(self, client, h, lang: str, name: str) -> None:
        super().__init__(client, h, conversation_id=f"a:stated-needs-{name}-{lang}")
        self.lang = lang

    async def say(self, text: str | None, **extra: Any) -> list[dict]:
        return await super().say(text, **{"locale": LOCALE[self.lang], **extra})


def summary(**request: Any):
    return recommend(AdviceRequest(**request))


def said(replies: list[dict]) -> list[str]:
    return [r["said"] for r in replies]


def shown(replies: list[dict]) -> str:
    """Everything the admin sees: texts and every card's text."""
    parts: list[str] = []
    for reply in replies:
        parts.append(reply.get("said") or "")
        for attachment in reply.get("attachments") or []:
            parts.extend(card_texts(attachment["content"]))
    return "\n".join(parts)


FEW = {
    "en": "our 15 E5 users in Sweden make very few outbound calls, which plan?",
    "fr": "nos 15 utilisateurs E5 en Suède passent très peu d'appels sortants, quel forfait ?",
}


@LANGS
async def test_few_outbound_calls_get_pay_as_you_go_and_say_why(demo_bot, h, lang):
    chat = LocaleChat(demo_bot, h, lang, "few")
    rec = summary(countries=["SE"], users=15, base_licence="E5", few_outbound=True)
    assert (rec.calling_plan or "").startswith("MCOPSTN_PAYG")
    assert any(r.code == "payg_few_outbound" for r in rec.reasons)
    replies = await chat.say(FEW[lang])
    assert said(replies)[-1] == purchase_summary_card(rec, lang).text
    assert t(lang, "facts.few_minutes") in shown(replies)  # the assumption read is on the card


def test_few_outbound_calls_where_pay_as_you_go_is_not_sold_get_the_120_minute_plan():
    rec = summary(countries=["US"], users=15, base_licence="E5", few_outbound=True)
    assert not (rec.calling_plan or "").startswith("MCOPSTN_PAYG")  # no PAYG listed in the US
    assert rec.calling_plan == summary(countries=["US"], users=15, base_licence="E5", minutes_per_user=100).calling_plan


SPLIT = {
    "en": "we need calling plans for 30 E5 users in France and 10 in Spain, domestic calls only",
    "fr": "il nous faut des forfaits pour 30 utilisateurs E5 en France et 10 en Espagne, appels nationaux seulement",
}


@LANGS
async def test_a_seat_count_split_between_countries_is_answered_per_country(demo_bot, h, lang):
    chat = LocaleChat(demo_bot, h, lang, "split")
    rec = summary(countries=["FR", "ES"], users_per_country={"FR": 30, "ES": 10}, base_licence="E5")
    replies = await chat.say(SPLIT[lang])
    assert said(replies)[-1] == purchase_summary_card(rec, lang).text
    assert not any(c.code == "same_users_each_country" for c in rec.caveats)
    assert t(lang, "k.same_users_each_country", users=30) not in shown(replies)


LICENCE_ONLY = {"en": "we have E3, what do we need?", "fr": "on a des E3, il nous faut quoi ?"}


@LANGS
async def test_a_licence_only_request_gets_the_prerequisite_then_the_next_question(demo_bot, h, lang):
    chat = LocaleChat(demo_bot, h, lang, "licence")
    replies = await chat.say(LICENCE_ONLY[lang])
    note = licence_note(load_catalog().family("E3"), lang)
    assert note.text in said(replies)
    assert "Teams Phone" in note.text
    assert any("learn.microsoft.com" in text for text in card_texts(note.card))  # its source
    assert said(replies)[-1] == t(lang, "prompt.countries")


ASIDE = {
    "en": ("I want to buy calling plans", "is Japan covered?", "France"),
    "fr": ("je veux acheter des forfaits d'appels", "le Japon est couvert ?", "France"),
}


@LANGS
async def test_a_question_at_the_country_prompt_is_an_aside_not_the_answer(demo_bot, h, lang):
    chat = LocaleChat(demo_bot, h, lang, "aside")
    start, question, answer = ASIDE[lang]
    assert said(await chat.say(start))[-1] == t(lang, "prompt.countries")
    replies = await chat.say(question)
    japan = "Japon" if lang == "fr" else "Japan"
    assert said(replies)[-1] == t(lang, "prompt.countries")  # asked again, not "How many users in Japan?"
    assert t(lang, "prompt.users_in", country=japan) not in said(replies)
    replies = await chat.say(answer)
    assert said(replies)[-1] == t(lang, "prompt.users_in", country="France")


RESTATED = {
    "en": ("which plan for 20 E5 users in Denmark", "they barely make any outbound calls"),
    "fr": ("quel forfait pour 20 utilisateurs E5 au Danemark", "ils ne passent quasiment pas d'appels sortants"),
}


@LANGS
async def test_a_need_restated_after_the_answer_changes_it(demo_bot, h, lang):
    chat = LocaleChat(demo_bot, h, lang, "restated")
    first, restated = RESTATED[lang]
    before = summary(countries=["DK"], users=20, base_licence="E5")
    assert said(await chat.say(first))[-1] == purchase_summary_card(before, lang).text
    after = summary(countries=["DK"], users=20, base_licence="E5", few_outbound=True)
    assert after.calling_plan != before.calling_plan
    assert said(await chat.say(restated))[-1] == purchase_summary_card(after, lang).text


SCOPE_AFTER = {
    "en": ("which plan for 20 E5 users in France who call Germany every day", "actually they only call within France"),
    "fr": (
        "quel forfait pour 20 utilisateurs E5 en France qui appellent l'Allemagne tous les jours",
        "en fait ils n'appellent qu'en France",
    ),
}


@LANGS
async def test_a_one_country_scope_after_a_daily_calls_abroad_answer_makes_it_domestic(demo_bot, h, lang):
    chat = LocaleChat(demo_bot, h, lang, "scope")
    first, scope = SCOPE_AFTER[lang]
    abroad = summary(countries=["FR"], users=20, base_licence="E5", international=True)
    assert abroad.calling_plan == "MCOPSTN2"
    assert said(await chat.say(first))[-1] == purchase_summary_card(abroad, lang).text
    home = summary(countries=["FR"], users=20, base_licence="E5")
    assert said(await chat.say(scope))[-1] == purchase_summary_card(home, lang).text


EMERGENCY = {"en": ["alice 112?", "keith 999?"], "fr": ["alice 112 ?", "keith 999 ?"]}
UPN = {"alice": ("alice.martin@contoso.com", "FR"), "keith": ("keith.smith@contoso.com", "GB")}


@LANGS
async def test_an_emergency_number_after_a_name_without_a_verb_is_a_check(demo_bot, h, lang):
    for text in EMERGENCY[lang]:
        chat = LocaleChat(demo_bot, h, lang, f"emergency-{text[:5]}")
        name, number = text.split()[0], text.split()[1].rstrip("?")
        upn, country = UPN[name]
        verdict = check_call(number, country, "MCOPSTN1", upn=upn)
        assert said(await chat.say(text))[-1].startswith(verdict_card(verdict, lang).text)


DOMESTIC_CALLER = {
    "en": "can a Domestic user in the US call +1 416 555 0100 (Canada)?",
    "fr": "un utilisateur national aux États-Unis peut-il appeler le +1 416 555 0100 (Canada) ?",
}


@LANGS
async def test_a_caller_described_by_the_domestic_plan_is_not_asked_who_it_is(demo_bot, h, lang):
    chat = LocaleChat(demo_bot, h, lang, "caller")
    verdict = check_call("+1 416 555 0100", "US", "MCOPSTN1")
    assert verdict.verdict == "included"  # US to Canada is domestic
    assert said(await chat.say(DOMESTIC_CALLER[lang]))[-1].startswith(verdict_card(verdict, lang).text)


DI_USERS = {
    "en": ("minutes left in France", "and for the D&I users?"),
    "fr": ("minutes restantes en France", "et pour les utilisateurs D&I ?"),
}


@LANGS
async def test_the_d_and_i_users_name_the_plan_in_a_pool_follow_up(demo_bot, h, lang):
    chat = LocaleChat(demo_bot, h, lang, "dni")
    first, follow = DI_USERS[lang]
    all_uk = shown(await chat.say(first))
    replies = await chat.say(follow)
    text = shown(replies)
    assert plan_name("MCOPSTN2", lang) in text
    assert text != all_uk
    assert t(lang, "pools.no_match", filter="").split("{")[0][:12] not in text  # the filter matched
    assert plan_name("MCOPSTN1", lang) + " ·" not in text  # the Domestic pool is filtered out
