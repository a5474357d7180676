"""More questions of fact over HTTP, in English and French (issue 12, h-facts): a yes/no question of
fact is answered with its card and Source line instead of starting the purchase or a number
check; a computed fact follows up with a new country or seat count; a question of fact at a
dialog's prompt is answered aside and the dialog resumes at its step.

Same harness as ``test_conversations.py``: real activities POSTed to the real app factory over
the demo tenant. Expected answers are rendered from the fact base and the catalog
(``fact_reply``), never written out.
"""

from __future__ import annotations

import pytest

from dialogs.facts import fact_reply
from dialogs.nlu.i18n import t
from knowledge.facts import load_facts
from testkit.chat import Chat

LANGS = pytest.mark.parametrize("lang", ["en", "fr"])
LEARN = "https://learn.microsoft.com/"

YES_NO = {
    "en": {
        "does E5 include Teams Phone?": "teams_phone_required",
        "is Teams to Teams free?": "teams_free",
        "can I call 0800 numbers?": "toll_free",
        "do unused minutes roll over?": "pool_how",
        "can users call premium numbers?": "premium_numbers",
    },
    "fr": {
        "est-ce que le forfait national inclut les appels vers les mobiles ?": "domestic_plan_includes",
        "E5 inclut-il Teams Phone ?": "teams_phone_required",
        "les appels Teams à Teams sont-ils gratuits ?": "teams_free",
        "les minutes non utilisées sont-elles reportées ?": "pool_how",
        "les utilisateurs peuvent-ils appeler les numéros surtaxés ?": "premium_numbers",
    },
}


def fact_text(fact_id: str, lang: str, **entities) -> str:
    return fact_reply(fact_id, entities, lang).text


#: The entities a yes/no question names that its computed answer uses ("does E5 include...").
NAMED = {"teams_phone_required": {"base_licence": "E5"}}


def links(reply: dict) -> list[str]:
    """The Microsoft Learn links of a card's Source line."""
    body = reply["attachments"][0]["content"]["body"]
    source = body[-1]["text"]
    return [part.split(")")[0] for part in source.split("](")[1:]]


@LANGS
async def test_a_yes_no_question_of_fact_gets_its_card_with_its_source_never_a_dialog(demo_bot, h, lang):
    for question, fact_id in YES_NO[lang].items():
        chat = Chat(demo_bot, h, conversation_id=f"a:facts-{lang}-{fact_id}")
        replies = await chat.say(question, locale="fr-FR" if lang == "fr" else "en-US")
        assert [r["said"] for r in replies] == [fact_text(fact_id, lang, **NAMED.get(fact_id, {}))], question
        assert links(replies[0]) and all(link.startswith(LEARN) for link in links(replies[0]))
        assert len(replies[0]["attachments"]) == 1
        # Nothing was started: the next message is not read as an answer to a prompt.
        again = await chat.say(question, locale="fr-FR" if lang == "fr" else "en-US")
        assert [r["said"] for r in again] == [fact_text(fact_id, lang, **NAMED.get(fact_id, {}))]


FOLLOW_UP: dict[str, list[tuple[str, str, dict[str, object]]]] = {
    "en": [
        (
            "how many minutes per user in Germany on the international plan?",
            "minutes_per_user",
            {"countries": ["DE"], "plan": "MCOPSTN2"},
        ),
        ("and for Spain?", "minutes_per_user", {"countries": ["ES"], "plan": "MCOPSTN2"}),
        ("what would the pool be for 40 users in France?", "pool_size", {"countries": ["FR"], "user_count": 40}),
        ("what about 50 users?", "pool_size", {"countries": ["FR"], "user_count": 50}),
    ],
    "fr": [
        ("quel serait le pool pour 40 utilisateurs en France ?", "pool_size", {"countries": ["FR"], "user_count": 40}),
        ("et pour 50 utilisateurs ?", "pool_size", {"countries": ["FR"], "user_count": 50}),
        ("et en Espagne ?", "pool_size", {"countries": ["ES"], "user_count": 50}),
        ("combien de minutes par utilisateur au Japon ?", "minutes_per_user", {"countries": ["JP"]}),
    ],
}


@LANGS
async def test_a_computed_fact_follows_up_with_a_new_country_or_seat_count(demo_bot, h, lang):
    chat = Chat(demo_bot, h, conversation_id=f"a:fact-follow-up-{lang}")
    for text, fact_id, entities in FOLLOW_UP[lang]:
        replies = await chat.say(text, locale="fr-FR" if lang == "fr" else "en-US")
        assert [r["said"] for r in replies] == [fact_text(fact_id, lang, **entities)], text
    # The figures are the catalog's: the partner country says so instead of a number.
    if lang == "fr":
        assert "SoftBank" in replies[0]["said"]


OPENER = {"en": "I want to buy calling plans", "fr": "je veux acheter des forfaits d'appels"}
ASIDE = {
    "en": ("how many minutes do users get in France?", "Germany"),
    "fr": ("combien de minutes par utilisateur en France ?", "Allemagne"),
}


@LANGS
async def test_a_question_of_fact_naming_a_country_at_the_country_prompt_is_answered_aside(demo_bot, h, lang):
    locale = "fr-FR" if lang == "fr" else "en-US"
    chat = Chat(demo_bot, h, conversation_id=f"a:fact-aside-{lang}")
    prompt = (await chat.say(OPENER[lang], locale=locale))[-1]["said"]
    question, answer = ASIDE[lang]
    replies = await chat.say(question, locale=locale)
    assert [r["said"] for r in replies] == [fact_text("minutes_per_user", lang, countries=["FR"]), prompt]
    # The dialog resumed at its step: the country answer is taken, the next question asked.
    replies = await chat.say(answer, locale=locale)
    assert replies[-1]["said"] == t(lang, "prompt.users_in", country="Allemagne" if lang == "fr" else "Germany")


@LANGS
async def test_a_number_check_naming_a_user_and_a_number_is_no_question_of_fact(demo_bot, h, lang):
    text = {
        "en": "can alice.martin@contoso.com call 0800 123 456?",
        "fr": "alice.martin@contoso.com peut-elle appeler le 0800 123 456 ?",
    }[lang]
    replies = await Chat(demo_bot, h, conversation_id=f"a:not-fact-{lang}").say(
        text, locale="fr-FR" if lang == "fr" else "en-US"
    )
    titles = {fact.title[lang] for fact in load_facts().facts}
    heads = [r["attachments"][0]["content"]["body"][0].get("text") for r in replies if r.get("attachments")]
    assert not titles & set(heads)
