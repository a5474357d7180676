"""Questions of fact ABOUT what the bot's dialogs do, over HTTP in English and French (issue 12
items 1 and 4, branch facts): asked about a purchase, a number, an alert or a pool, they are
answered with their fact card and never start the dialog; the answer is the one for the
licence, country or seat count asked; an unknown country is said back; a greeting before a
question does not hide it; a request to DO the thing keeps its dialog.

Same harness as ``test_fact_questions_http.py``: real activities POSTed to the real app factory
over the demo tenant. Expected answers are rendered from the fact base and the catalog
(``fact_reply``), never written out, except the figures the fact sheet states.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from dialogs.facts import fact_reply
from dialogs.nlu.i18n import t
from knowledge.facts import load_facts
from testkit.chat import Chat

LANGS = pytest.mark.parametrize("lang", ["en", "fr"])
LEARN = "https://learn.microsoft.com/"


def locale(lang: str) -> str:
    return "fr-FR" if lang == "fr" else "en-US"


def links(reply: dict) -> list[str]:
    body = reply["attachments"][0]["content"]["body"]
    return re.findall(r"\]\((https://[^)]+)\)", body[-1]["text"])


def headings(reply: dict) -> list[str]:
    return [
        attachment["content"]["body"][0].get("text", "")
        for attachment in reply.get("attachments", [])
        if attachment["content"].get("body")
    ]


#: Questions about what a dialog does, the fact each asks about and the entities its answer uses.
ABOUT: dict[str, list[tuple[str, str, dict[str, Any]]]] = {
    "en": [
        ("sku for teams phone with calling plan?", "bundle", {}),
        ("can users always call 911?", "emergency", {}),
        ("do we get an email alert when the pool is almost empty?", "pool_emails", {}),
        ("we have G5, do we still need a phone licence?", "teams_phone_required", {"base_licence": "G5"}),
        ("does E3 include Teams Phone?", "teams_phone_required", {"base_licence": "E3"}),
        ("pool size for 50 users in France", "pool_size", {"countries": ["FR"], "user_count": 50}),
        ("is it true that US users get 3000 minutes?", "minutes_per_user", {"countries": ["US"]}),
    ],
    "fr": [
        ("quel sku pour teams phone avec forfait d'appels ?", "bundle", {}),
        ("les utilisateurs peuvent-ils toujours appeler le 112 ?", "emergency", {}),
        ("reçoit-on un mail quand le pool est presque vide ?", "pool_emails", {}),
        ("on a du G5, faut-il encore une licence Teams Phone ?", "teams_phone_required", {"base_licence": "G5"}),
        ("est-ce que E3 comprend teams phone", "teams_phone_required", {"base_licence": "E3"}),
        ("taille du pool pour 50 utilisateurs en France", "pool_size", {"countries": ["FR"], "user_count": 50}),
        ("quel pool pour 20 utilisateurs aux États-Unis avec le forfait national ?", "pool_size", {}),
    ],
}


@LANGS
async def test_a_question_about_what_a_dialog_does_gets_its_fact_card_never_the_dialog(demo_bot, h, lang):
    for number, (question, fact_id, entities) in enumerate(ABOUT[lang]):
        chat = Chat(demo_bot, h, conversation_id=f"a:about-{lang}-{number}")
        replies = await chat.say(question, locale=locale(lang))
        assert len(replies) == 1 and len(replies[0]["attachments"]) == 1, question
        assert headings(replies[0]) == [load_facts().by_id[fact_id].title[lang]], question
        said = replies[0]["said"]
        if entities:
            assert said == fact_reply(fact_id, entities, lang).text, question
        else:
            assert said == fact_reply(fact_id, {}, lang).text or fact_id == "pool_size", question
        assert links(replies[0]) and all(link.startswith(LEARN) for link in links(replies[0])), question
        # No dialog was started: a number now is not an answer to a prompt of one.
        after = await chat.say("40", locale=locale(lang))
        scope_question = t(lang, "prompt.international").split("{")[0]  # "Do these users in ..."
        assert all(r["said"] != t(lang, "prompt.countries") and not r["said"].startswith(scope_question) for r in after)


@LANGS
async def test_the_pool_of_a_seat_count_is_the_catalogs_figure(demo_bot, h, lang):
    question = ABOUT[lang][-1][0] if lang == "fr" else "how big is the pool for 20 users in the US on the domestic plan"
    replies = await Chat(demo_bot, h, conversation_id=f"a:pool-us-{lang}").say(question, locale=locale(lang))
    expected = fact_reply("pool_size", {"countries": ["US"], "user_count": 20, "plan": "MCOPSTN1"}, lang).text
    assert [r["said"] for r in replies] == [expected]
    assert re.search(r"60[ ,.\u00a0\u202f]?000", expected)  # 20 users x 3,000 minutes (fact sheet §2)


@LANGS
async def test_a_question_about_alerts_subscribes_nothing(demo_bot, h, lang):
    chat = Chat(demo_bot, h, conversation_id=f"a:alert-question-{lang}")
    question = ABOUT[lang][2][0]
    replies = await chat.say(question, locale=locale(lang))
    assert [r["said"] for r in replies] == [fact_reply("pool_emails", {}, lang).text]
    listing = await chat.say(
        "what alerts do I have?" if lang == "en" else "quelles alertes ai-je ?", locale=locale(lang)
    )
    assert [r["said"] for r in listing] == [t(lang, "alerts.none")]


@LANGS
async def test_an_unknown_country_is_said_back_with_the_general_answer(demo_bot, h, lang):
    name = "Narnia" if lang == "en" else "Narnie"
    question = "is Narnia callable?" if lang == "en" else "la Narnie est-elle appelable ?"
    replies = await Chat(demo_bot, h, conversation_id=f"a:narnia-{lang}").say(question, locale=locale(lang))
    assert len(replies) == 1
    said = replies[0]["said"]
    assert said.startswith(t(lang, "reason.unknown_country", name=name))
    assert said.endswith(fact_reply("callable_count", {}, lang).text)  # the list's size, for no country
    assert links(replies[0])
    # Then a real country: the same question is answered for it.
    again = await Chat(demo_bot, h, conversation_id=f"a:morocco-{lang}").say(
        "is Morocco callable?" if lang == "en" else "le Maroc est-il appelable ?", locale=locale(lang)
    )
    assert [r["said"] for r in again] == [fact_reply("callable_count", {"countries": ["MA"]}, lang).text]


@LANGS
async def test_a_greeting_before_a_question_answers_the_question(demo_bot, h, lang):
    question = (
        "hello! are calls between teams users free?"
        if lang == "en"
        else "bonjour ! les appels entre utilisateurs teams sont-ils gratuits ?"
    )
    replies = await Chat(demo_bot, h, conversation_id=f"a:hello-{lang}").say(question, locale=locale(lang))
    assert [r["said"] for r in replies] == [fact_reply("teams_free", {}, lang).text]
    # A greeting alone still gets the welcome card.
    hello = await Chat(demo_bot, h, conversation_id=f"a:hello-only-{lang}").say(
        "hello" if lang == "en" else "bonjour", locale=locale(lang)
    )
    assert all(r["said"] != fact_reply("teams_free", {}, lang).text for r in hello)
    assert hello[0].get("attachments")


REQUESTS = {
    "en": [
        "which plan should we buy for 25 users in Spain?",
        # ("how much does the domestic plan cost?" is a question of fact since dialogs6: no prices)
        "can the bot send an alert when minutes are low?",
        "can bob@contoso.com call +44 20 7946 0958?",
    ],
    "fr": [
        "combien de forfaits acheter pour nos utilisateurs en France ?",
        "c'est mieux pour nous le PAYG ou le forfait national ?",
        "préviens-moi quand le pool atteint 80 %",
        "est-ce que bob@contoso.com peut appeler le +44 20 7946 0958 ?",
    ],
}


@LANGS
async def test_a_request_to_do_it_keeps_its_dialog(demo_bot, h, lang):
    titles = {fact.title[lang] for fact in load_facts().facts}
    for number, request in enumerate(REQUESTS[lang]):
        replies = await Chat(demo_bot, h, conversation_id=f"a:request-{lang}-{number}").say(
            request, locale=locale(lang)
        )
        # No fact card (a fact card opens with its fact's title) and no "did you mean" card.
        assert not any(heading in titles for r in replies for heading in headings(r)), request
        assert all(r["said"] != t(lang, "fact.did_you_mean") for r in replies), request
