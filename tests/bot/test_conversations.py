"""Whole conversations over HTTP through the real app factory, in English and in French.

Every turn is a Teams-shaped activity POSTed to ``/api/messages`` with ``expectReplies``; the
bot state and the calling-plan store are real files under a temporary ``DATA_DIR`` seeded with
the demo tenant (imported from real export files by ``knowledge.store.demo``). The app runs in local
mode (no app id), so the demo tenant answers for the test tenant. Card clicks are sent as Teams
and the Agents Playground send them: ``value`` set, no text, ``locale: en-US`` even in a French
conversation.
"""

from __future__ import annotations

import pytest

from dialogs.cards import CallerLine, pool_table_card, purchase_summary_card, verdict_card
from dialogs.nlu.i18n import is_clearly_french, t
from knowledge.advisor import AdviceRequest, recommend
from knowledge.numbers import check_call
from knowledge.store import DEFAULT_TENANT_ID, Store
from testkit.cards import card_texts
from testkit.chat import Chat, buttons

ADAPTIVE = "application/vnd.microsoft.card.adaptive"

SAY = {
    "en": {
        # No seat count: a guided purchase (with it, the message would be answered in one turn).
        "purchase": "which calling plan should we buy for our users in France who call the UK?",
        "noted": "Noted: users in France, they call abroad.",
        "plan": "which plan should we buy?",
        "no_carrier": "none",
        "no": "no",
        "check": "can alice.martin@contoso.com call 01 23 45 67 89?",
        "user_found": "alice.martin@contoso.com: usage location France, Domestic Calling Plan.",
        "pool": "minutes left in France",
        "help": "help",
        "cancel": "cancel",
        "bad": "lots",
        "more_minutes": "what about 1500 minutes each?",
    },
    "fr": {
        "purchase": "quel forfait d'appels acheter pour nos utilisateurs en France qui appellent le Royaume-Uni ?",
        "noted": "C'est noté : utilisateurs situés ici : France, ils appellent l'étranger.",
        "plan": "quel forfait acheter ?",
        "no_carrier": "aucun",
        "no": "non",
        "check": "alice.martin@contoso.com peut-elle appeler le 01 23 45 67 89 ?",
        "user_found": "alice.martin@contoso.com : emplacement d'utilisation France, Forfait d'appels nationaux.",
        "pool": "combien de minutes restantes en France",
        "help": "aide",
        "cancel": "annuler",
        "bad": "beaucoup",
        "more_minutes": "et pour 1500 minutes chacun ?",
    },
}
LANGS = pytest.mark.parametrize("lang", ["en", "fr"])


def pools(demo_settings):
    return Store(demo_settings.DATA_DIR, demo_settings.clock).pools(DEFAULT_TENANT_ID)


def data(demo_settings):
    """What the demo tenant's figures rest on (the cards' "Data:" line)."""
    return Store(demo_settings.DATA_DIR, demo_settings.clock).provenance(DEFAULT_TENANT_ID)


# --- the guided purchase ----------------------------------------------------------------------------


async def open_purchase(chat: Chat, lang: str) -> list[dict]:
    """The guided purchase up to its one question about the scope: the opener, where, how many."""
    assert [r["said"] for r in await chat.say(SAY[lang]["plan"])] == [t(lang, "prompt.countries")]
    assert [r["said"] for r in await chat.say("France")] == [t(lang, "prompt.users_in", country="France")]
    replies = await chat.say("40")
    assert [r["said"] for r in replies] == [t(lang, "prompt.international", countries="France")]
    return replies


def summary(lang: str, **request) -> str:
    return purchase_summary_card(recommend(AdviceRequest(**request)), lang).text


@LANGS
async def test_a_purchase_without_its_seat_count_asks_only_that(demo_bot, h, lang):
    chat = Chat(demo_bot, h)
    replies = await chat.say(SAY[lang]["purchase"])  # where and the scope, not how many
    assert [r["said"] for r in replies] == [SAY[lang]["noted"], t(lang, "prompt.users_in", country="France")]
    replies = await chat.say("40")  # then the answer, the licence, carrier and minutes assumed
    assert [r["said"] for r in replies] == [summary(lang, countries=["FR"], users=40, international=True)]
    assert any(t(lang, "assume.licence") in text for text in card_texts(replies[0]["attachments"][0]["content"]))


@LANGS
async def test_guided_purchase_clicked(demo_bot, h, lang):
    chat = Chat(demo_bot, h)
    first = await open_purchase(chat, lang)
    assert buttons(first[-1]) == [True, False]
    replies = await chat.click(True)
    assert [r["said"] for r in replies] == [summary(lang, countries=["FR"], users=40, international=True)]
    texts = card_texts(replies[0]["attachments"][0]["content"])
    for assumed in ("carrier", "licence", "international_minutes"):
        assert any(t(lang, f"assume.{assumed}") in text for text in texts)
    replies = await chat.say(None, value={"intent": "purchase", "change": {"base_licence": "E3"}})
    expected = summary(lang, countries=["FR"], users=40, international=True, base_licence="E3")
    assert [r["said"] for r in replies] == [expected]
    if lang == "fr":
        assert is_clearly_french(expected)


@LANGS
async def test_guided_purchase_typed_from_scratch(demo_bot, h, lang):
    chat = Chat(demo_bot, h)
    await open_purchase(chat, lang)
    replies = await chat.say(SAY[lang]["no"])
    assert [r["said"] for r in replies] == [summary(lang, countries=["FR"], users=40)]
    # The assumed usage changed by a follow-up: 1,500 minutes each is more than the 1,200 included.
    replies = await chat.say(SAY[lang]["more_minutes"])
    rec = recommend(AdviceRequest(countries=["FR"], users=40, minutes_per_user=1500))
    assert replies[-1]["said"] == purchase_summary_card(rec, lang).text
    assert any(c.code == "minutes_exceed_allowance" for c in rec.caveats)


@LANGS
async def test_bad_answer_is_asked_again(demo_bot, h, lang):
    chat = Chat(demo_bot, h)
    await chat.say(SAY[lang]["plan"])
    await chat.say("France")
    replies = await chat.say(SAY[lang]["bad"])
    why = t(lang, "reason.not_a_count", text=SAY[lang]["bad"])
    assert [r["said"] for r in replies] == [f"{why} {t(lang, 'reprompt.users')}"]
    replies = await chat.say("40")
    assert replies[-1]["said"] == t(lang, "prompt.international", countries="France")


@LANGS
async def test_a_card_question_asked_again_is_one_card_saying_what_is_expected(demo_bot, h, lang):
    """Shown once: the retry is ONE activity, the card itself with the reason on top (no text
    bubble beside it); the question and its buttons are all still there."""
    chat = Chat(demo_bot, h)
    first = (await open_purchase(chat, lang))[-1]  # ... ends with the question about the scope
    replies = await chat.say(SAY[lang]["bad"])
    assert len(replies) == 1 and "text" not in replies[0]
    assert replies[0]["said"] == t(lang, "reprompt.yes_no")
    card = replies[0]["attachments"][0]["content"]
    assert card["body"][0]["text"] == t(lang, "reprompt.yes_no")
    assert t(lang, "prompt.international", countries="France") in card_texts(card)
    assert buttons(replies[0]) == buttons(first)


@LANGS
async def test_help_mid_dialog(demo_bot, h, lang):
    chat = Chat(demo_bot, h)
    await open_purchase(chat, lang)
    replies = await chat.say(SAY[lang]["help"])
    assert [r["said"] for r in replies] == [
        t(lang, "help.purchase"),
        t(lang, "prompt.international", countries="France"),
    ]
    replies = await chat.click(False)
    assert replies[-1]["said"] == summary(lang, countries=["FR"], users=40)  # still in the purchase


@LANGS
async def test_cancel_mid_dialog(demo_bot, h, lang):
    chat = Chat(demo_bot, h)
    await open_purchase(chat, lang)
    replies = await chat.say(SAY[lang]["cancel"])
    assert [r["said"] for r in replies] == [t(lang, "cancelled")]
    replies = await chat.click(True)  # the question is gone
    assert replies[0]["said"] == t(lang, "stale_answer")


@LANGS
async def test_restart_mid_dialog_continues_in_a_new_app(start_app, demo_settings, h, lang):
    first = await start_app(demo_settings)
    await open_purchase(Chat(first, h), lang)
    await first.close()  # the process stops

    second = await start_app(demo_settings)  # a new app over the same DATA_DIR
    replies = await Chat(second, h).click(True)  # answers the question the first app asked
    assert [r["said"] for r in replies] == [summary(lang, countries=["FR"], users=40, international=True)]


# --- number check and pool balance --------------------------------------------------------------------


@LANGS
async def test_number_check_for_a_user_from_the_store(demo_bot, h, demo_settings, lang):
    replies = await Chat(demo_bot, h).say(SAY[lang]["check"])
    verdict = check_call("01 23 45 67 89", "FR", "MCOPSTN1", upn="alice.martin@contoso.com")
    balance = next(b for b in pools(demo_settings) if b.key == verdict.pool)
    # What the store says of alice is a line of the verdict card (one message), not said again as facts.
    found = CallerLine(SAY[lang]["user_found"], "alice.martin@contoso.com", "FR", "MCOPSTN1")
    expected = verdict_card(
        verdict, lang, balance, data(demo_settings), caller="alice.martin@contoso.com", caller_line=found
    )
    assert [r["said"] for r in replies] == [expected.text]
    assert expected.text.endswith(SAY[lang]["user_found"])
    assert replies[-1]["attachments"][0]["content"] == expected.card


@LANGS
async def test_pool_lookup(demo_bot, h, demo_settings, lang):
    replies = await Chat(demo_bot, h).say(SAY[lang]["pool"])
    balances = [b for b in pools(demo_settings) if b.country == "FR"]
    # The app's clock is pinned (CALLPLAN_NOW): "as of" is that day, and the card ends with
    # the data it rests on (the demo tenant's exports, marked as demo data), then its sources.
    expected = pool_table_card(
        balances, lang, month=balances[0].month, as_of=demo_settings.clock().date(), data=data(demo_settings)
    )
    assert [r["said"] for r in replies] == [expected.text]
    body = replies[0]["attachments"][0]["content"]["body"]
    assert body == expected.card["body"]
    data_line = body[-2]["text"]  # the Data line, just above the Source line
    assert data_line.startswith({"en": "Data: ", "fr": "Données : "}[lang])
    assert {"en": "demo data", "fr": "données de démonstration"}[lang] in data_line


async def test_french_locale_from_teams_and_the_language_kept_on_english_clicks(demo_bot, h):
    chat = Chat(demo_bot, h)
    replies = await chat.say("plan", locale="fr-FR")
    assert replies[-1]["said"] == t("fr", "prompt.countries")
    replies = await chat.click("DE")  # locale en-US
    assert replies[-1]["said"] == t("fr", "prompt.users_in", country="Allemagne")
    replies = await chat.say("12")
    assert replies[-1]["said"] == t("fr", "prompt.international", countries="Allemagne")


async def test_without_data_the_bot_says_how_to_import(start_app, make_settings, h):
    client = await start_app(make_settings())  # an empty store
    replies = await Chat(client, h).say("pool balance")
    assert replies[0]["said"].startswith(t("en", "data.none", tenant=h.TENANT).split("(")[0])
    assert f"--tenant {h.TENANT}" in replies[0]["said"]
