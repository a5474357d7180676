"""Issue 12 over HTTP, in English and French: one-turn answers with their assumptions,
follow-ups, a question answered mid-dialog, corrections, and entities that hold up (a typo in a
country, a carrier that is no country, a person by display name, an unknown country, "No" at a
country question, a big number at the count question).

Same harness as ``test_conversations.py``: real activities POSTed to the real app factory over
the demo tenant. Expected answers are computed with the knowledge layer (``recommend``), never
written out.
"""

from __future__ import annotations

from typing import Any

import pytest

from dialogs.cards import CallerLine, pool_table_card, purchase_summary_card, verdict_card
from dialogs.nlu.i18n import t
from knowledge.advisor import MAX_USERS, AdviceRequest, recommend
from knowledge.numbers import check_call
from knowledge.store import DEFAULT_TENANT_ID, Store
from testkit.cards import card_texts, submits
from testkit.chat import Chat

LANGS = pytest.mark.parametrize("lang", ["en", "fr"])


def summary_text(lang: str, **request: Any) -> str:
    return purchase_summary_card(recommend(AdviceRequest(**request)), lang).text


def changes(reply: dict) -> list[dict]:
    """The slots each assumption button of a summary card changes."""
    return [data["change"] for a in reply.get("attachments", []) for data in submits(a["content"]) if "change" in data]


async def click_change(chat: Chat, change: dict) -> list[dict]:
    return await chat.say(None, value={"intent": "purchase", "change": change})


ONE_TURN = {
    "en": "which calling plan for 40 E5 users in France?",
    "fr": "quel forfait d'appels pour 40 utilisateurs E5 en France ?",
}


@LANGS
async def test_a_message_that_says_enough_is_answered_in_one_turn_with_its_assumptions(demo_bot, h, lang):
    chat = Chat(demo_bot, h)
    replies = await chat.say(ONE_TURN[lang])
    assert [r["said"] for r in replies] == [summary_text(lang, countries=["FR"], users=40, base_licence="E5")]
    texts = card_texts(replies[0]["attachments"][0]["content"])
    assert t(lang, "assume.title") in texts
    for assumed in ("carrier", "international", "minutes"):
        assert any(t(lang, f"assume.{assumed}") in text for text in texts)
    offered = changes(replies[0])
    assert {"carrier": "operator_connect"} in offered and {"international": True} in offered
    # A click re-runs the advice with that one slot changed.
    replies = await click_change(chat, {"international": True})
    assert [r["said"] for r in replies] == [
        summary_text(lang, countries=["FR"], users=40, base_licence="E5", international=True)
    ]
    replies = await click_change(chat, {"carrier": "operator_connect"})
    assert replies[-1]["said"] == summary_text(
        lang, countries=["FR"], users=40, base_licence="E5", international=True, carrier="operator_connect"
    )


FOLLOW_UPS = {
    "en": ["and for Belgium?", "what about 50 users?", "same for the D&I plan"],
    "fr": ["et pour la Belgique ?", "et pour 50 personnes ?", "pareil pour le forfait national et international"],
}


@LANGS
async def test_follow_ups_reuse_the_last_question(demo_bot, h, lang):
    chat = Chat(demo_bot, h)
    await chat.say(ONE_TURN[lang])
    belgium, fifty, intl = FOLLOW_UPS[lang]
    replies = await chat.say(belgium)
    assert [r["said"] for r in replies] == [summary_text(lang, countries=["BE"], users=40, base_licence="E5")]
    replies = await chat.say(fifty)
    assert [r["said"] for r in replies] == [summary_text(lang, countries=["BE"], users=50, base_licence="E5")]
    replies = await chat.say(intl)
    assert [r["said"] for r in replies] == [
        summary_text(lang, countries=["BE"], users=50, base_licence="E5", international=True)
    ]


CHECK = {
    "en": ("can alice.martin@contoso.com call 01 23 45 67 89?", "and 112?"),
    "fr": ("alice.martin@contoso.com peut-elle appeler le 01 23 45 67 89 ?", "et le 112 ?"),
}


@LANGS
async def test_a_follow_up_number_checks_the_same_user(demo_bot, h, lang):
    chat = Chat(demo_bot, h)
    first, again = CHECK[lang]
    await chat.say(first)
    replies = await chat.say(again)
    verdict = check_call("112", "FR", "MCOPSTN1", upn="alice.martin@contoso.com")
    found = CallerLine(USER_FOUND[lang], "alice.martin@contoso.com", "FR", "MCOPSTN1")
    assert replies[-1]["said"] == verdict_card(verdict, lang, caller_line=found).text


FOLLOW_UP_WITHOUT_CONTEXT = {"en": "and for Belgium?", "fr": "et pour la Belgique ?"}


@LANGS
async def test_a_follow_up_with_nothing_before_is_not_a_guess(demo_bot, h, lang):
    replies = await Chat(demo_bot, h, conversation_id="a:fresh").say(FOLLOW_UP_WITHOUT_CONTEXT[lang])
    assert all(summary_text(lang, countries=["BE"], users=1) != r["said"] for r in replies)


GUIDED = {
    "en": ("which plan should we buy?", "how many minutes are left in Germany?", "France"),
    "fr": ("quel forfait acheter ?", "combien de minutes restantes en Allemagne ?", "France"),
}


@LANGS
async def test_a_question_mid_dialog_is_answered_then_the_dialog_resumes(demo_bot, h, demo_settings, lang):
    chat = Chat(demo_bot, h)
    start, aside, answer = GUIDED[lang]
    assert (await chat.say(start))[-1]["said"] == t(lang, "prompt.countries")
    # It names a country, yet it is a question of another kind, not the answer "Germany".
    replies = await chat.say(aside)
    german = [
        b for b in Store(demo_settings.DATA_DIR, demo_settings.clock).pools(DEFAULT_TENANT_ID) if b.key.country == "DE"
    ]
    assert [r["said"] for r in replies] == [pool_table_card(german, lang).text, t(lang, "prompt.countries")]
    replies = await chat.say(answer)
    assert replies[-1]["said"] == t(lang, "prompt.users_in", country="France")


CORRECTION = {
    "en": ("which plan for our users in France?", "actually, Austria", "Austria"),
    "fr": ("quel forfait pour nos utilisateurs en France ?", "en fait, l'Autriche", "Autriche"),
}


@LANGS
async def test_a_correction_updates_its_slot(demo_bot, h, lang):
    chat = Chat(demo_bot, h)
    start, correction, austria = CORRECTION[lang]
    replies = await chat.say(start)
    assert replies[-1]["said"] == t(lang, "prompt.users_in", country="France")
    replies = await chat.say(correction)
    said = correction.split(", ", 1)[1]  # what the correction says, without "actually" / "en fait"
    assert [r["said"] for r in replies] == [
        t(lang, "corrected", facts=said),
        t(lang, "prompt.users_in", country=austria),
    ]
    replies = await chat.say("40")
    assert replies[-1]["said"] == t(lang, "prompt.international", countries=austria)


@LANGS
async def test_a_correction_after_the_answer_re_answers(demo_bot, h, lang):
    chat = Chat(demo_bot, h)
    await chat.say(ONE_TURN[lang])
    replies = await chat.say(CORRECTION[lang][1])
    assert [r["said"] for r in replies] == [summary_text(lang, countries=["AT"], users=40, base_licence="E5")]


TYPO = {
    "en": "which plan for 30 E3 users in Allemange?",
    "fr": "quel forfait pour 30 utilisateurs E3 en Allemange ?",
}


@LANGS
async def test_a_misspelt_country_is_understood(demo_bot, h, lang):
    replies = await Chat(demo_bot, h).say(TYPO[lang])
    assert [r["said"] for r in replies] == [summary_text(lang, countries=["DE"], users=30, base_licence="E3")]


CARRIER = {
    "en": "which plan for 40 E5 users in the UK? We use BT",
    "fr": "quel forfait pour 40 utilisateurs E5 au Royaume-Uni ? Nous sommes chez BT",
}


@LANGS
async def test_a_carrier_is_never_a_country(demo_bot, h, lang):
    replies = await Chat(demo_bot, h).say(CARRIER[lang])
    assert [r["said"] for r in replies] == [
        summary_text(lang, countries=["GB"], users=40, base_licence="E5", carrier="operator_connect")
    ]


CITY = {"en": "which plan for 20 E3 users in Lyon?", "fr": "quel forfait pour 20 utilisateurs E3 à Lyon ?"}


@LANGS
async def test_a_city_names_its_country(demo_bot, h, lang):
    replies = await Chat(demo_bot, h).say(CITY[lang])
    assert [r["said"] for r in replies] == [summary_text(lang, countries=["FR"], users=20, base_licence="E3")]


SCOPE = {
    "en": "which plan for 40 E5 users in France who only call within France?",
    "fr": "quel forfait pour 40 utilisateurs E5 en France, appels nationaux seulement ?",
}


@LANGS
async def test_a_scope_phrase_is_not_a_destination(demo_bot, h, lang):
    replies = await Chat(demo_bot, h).say(SCOPE[lang])
    expected = recommend(AdviceRequest(countries=["FR"], users=40, base_licence="E5", international=False))
    assert expected.calling_plan != "MCOPSTN2"
    assert [r["said"] for r in replies] == [purchase_summary_card(expected, lang).text]


NAMED = {
    "en": ["can Alice Martin call 01 23 45 67 89?", "can Alice call 01 23 45 67 89?"],
    "fr": ["Alice Martin peut-elle appeler le 01 23 45 67 89 ?", "est-ce qu'Alice peut appeler le 01 23 45 67 89 ?"],
}
USER_FOUND = {
    "en": "alice.martin@contoso.com: usage location France, Domestic Calling Plan.",
    "fr": "alice.martin@contoso.com : emplacement d'utilisation France, Forfait d'appels nationaux.",
}


@LANGS
@pytest.mark.parametrize("which", [0, 1], ids=["display name", "unique first name"])
async def test_a_user_named_by_display_name_or_first_name(demo_bot, h, demo_settings, lang, which):
    replies = await Chat(demo_bot, h).say(NAMED[lang][which])
    verdict = check_call("01 23 45 67 89", "FR", "MCOPSTN1", upn="alice.martin@contoso.com")
    balance = next(
        b for b in Store(demo_settings.DATA_DIR, demo_settings.clock).pools(DEFAULT_TENANT_ID) if b.key == verdict.pool
    )
    found = CallerLine(USER_FOUND[lang], "alice.martin@contoso.com", "FR", "MCOPSTN1")
    assert [r["said"] for r in replies] == [verdict_card(verdict, lang, balance, caller_line=found).text]


UNKNOWN = {"en": "which plan for 40 users in Narnia?", "fr": "quel forfait pour 40 utilisateurs en Narnia ?"}


@LANGS
async def test_an_unknown_country_is_said_back(demo_bot, h, lang):
    replies = await Chat(demo_bot, h).say(UNKNOWN[lang])
    assert t(lang, "reason.unknown_country", name="Narnia") in replies[0]["said"]
    assert replies[-1]["said"] == t(lang, "prompt.countries")
    replies = await Chat(demo_bot, h).say("Narnia")
    assert replies[-1]["said"] == f"{t(lang, 'reason.unknown_country', name='Narnia')} {t(lang, 'reprompt.countries')}"


NO = {"en": ("which plan should we buy?", "No"), "fr": ("quel forfait acheter ?", "Non")}


@LANGS
async def test_no_at_a_country_question_is_not_norway(demo_bot, h, lang):
    chat = Chat(demo_bot, h)
    start, no = NO[lang]
    await chat.say(start)
    replies = await chat.say(no)
    # (the admin may want to stop or took it for a yes/no question: the retry says how to cancel)
    assert [r["said"] for r in replies] == [f"{t(lang, 'reason.said_no')} {t(lang, 'reprompt.countries')}"]


@LANGS
async def test_a_big_number_at_the_count_question_is_a_count(demo_bot, h, lang):
    chat = Chat(demo_bot, h)
    await chat.say(CORRECTION[lang][0])
    replies = await chat.say("2000000")  # out of range: asked again, saying why; never a number check
    assert [r["said"] for r in replies] == [
        f"{t(lang, 'reason.users_range', count=2000000, max=MAX_USERS)} {t(lang, 'reprompt.users')}"
    ]
    replies = await chat.say("5000")
    assert replies[-1]["said"] == t(lang, "prompt.international", countries="France")


CODE_FOLLOW_UP = {"en": "and DE?", "fr": "et DE ?"}


@LANGS
async def test_a_country_code_never_switches_the_language(demo_bot, h, lang):
    chat = Chat(demo_bot, h)
    await chat.say(ONE_TURN[lang])
    replies = await chat.say(CODE_FOLLOW_UP[lang])  # "DE" is a code, not the French word "de"
    assert [r["said"] for r in replies] == [summary_text(lang, countries=["DE"], users=40, base_licence="E5")]
    other = Chat(demo_bot, h, conversation_id=f"a:codes-{lang}")
    await other.say(GUIDED[lang][0])
    replies = await other.say("FR")
    assert replies[-1]["said"] == t(lang, "prompt.users_in", country="France")


UNKNOWN_BESIDE = {
    "en": "which plan for 40 E5 users in France and in Narnia?",
    "fr": "quel forfait pour 40 utilisateurs E5 en France et en Narnia ?",
}


@LANGS
async def test_an_unknown_country_beside_a_known_one_is_said_back_too(demo_bot, h, lang):
    replies = await Chat(demo_bot, h).say(UNKNOWN_BESIDE[lang])
    assert [r["said"] for r in replies] == [
        t(lang, "reason.unknown_country", name="Narnia"),
        summary_text(lang, countries=["FR"], users=40, base_licence="E5"),
    ]


POOL_FOLLOW_UP = {
    "en": ("how many minutes are left in France?", "and Germany?"),
    "fr": ("combien de minutes restantes en France ?", "et en Allemagne ?"),
}


@LANGS
async def test_a_follow_up_pool_lookup_changes_the_country(demo_bot, h, demo_settings, lang):
    chat = Chat(demo_bot, h)
    first, again = POOL_FOLLOW_UP[lang]
    await chat.say(first)
    replies = await chat.say(again)
    german = [
        b for b in Store(demo_settings.DATA_DIR, demo_settings.clock).pools(DEFAULT_TENANT_ID) if b.key.country == "DE"
    ]
    assert german and replies[-1]["said"] == pool_table_card(german, lang).text


CHECK_MID_PURCHASE = {
    "en": "can alice.martin@contoso.com call 01 23 45 67 89?",
    "fr": "alice.martin@contoso.com peut-elle appeler le 01 23 45 67 89 ?",
}


@LANGS
async def test_a_number_check_mid_purchase_is_answered_then_the_purchase_resumes(demo_bot, h, demo_settings, lang):
    chat = Chat(demo_bot, h)
    await chat.say(CORRECTION[lang][0])  # ... asks how many users in France
    replies = await chat.say(CHECK_MID_PURCHASE[lang])
    verdict = check_call("01 23 45 67 89", "FR", "MCOPSTN1", upn="alice.martin@contoso.com")
    balance = next(
        b for b in Store(demo_settings.DATA_DIR, demo_settings.clock).pools(DEFAULT_TENANT_ID) if b.key == verdict.pool
    )
    found = CallerLine(USER_FOUND[lang], "alice.martin@contoso.com", "FR", "MCOPSTN1")
    assert [r["said"] for r in replies] == [
        verdict_card(verdict, lang, balance, caller_line=found).text,
        t(lang, "prompt.users_in", country="France"),
    ]
    replies = await chat.say("40")
    assert replies[-1]["said"] == t(lang, "prompt.international", countries="France")
