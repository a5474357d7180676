"""Issue 12, round 3 over HTTP in English and French (dialogs_dev4's fixes): a person of the
roster whose name reads like a misspelt country (Olivia / Bolivia) is that person; a seat count
with a usage statement is a purchase, not a number check; "forfait 120" names the 120-minute
plan, not 120 users; split seats given with two-letter codes; a region called ("Europe") is
calling abroad; a carrier stated after an answer changes that answer.

Same harness as ``test_followups.py``: real activities POSTed to the real app factory over the
demo tenant; expected cards are built from the knowledge layer (``recommend``), never written out.
"""

from __future__ import annotations

import pytest

from dialogs.cards import purchase_summary_card, users_card
from dialogs.nlu.i18n import t
from dialogs.nlu.render import country_name
from knowledge.advisor import AdviceRequest, recommend
from knowledge.store import DEFAULT_TENANT_ID, Store
from testkit.cards import walk
from testkit.chat import Chat

LANGS = pytest.mark.parametrize("lang", ["en", "fr"])


def summary(lang: str, **request) -> str:
    return purchase_summary_card(recommend(AdviceRequest(**request)), lang).text


AFTER_PURCHASE = {
    "en": ("which plan for 40 E5 users in France", "and for Olivia Leroy?"),
    "fr": ("quel forfait pour 40 utilisateurs E5 en France", "et pour Olivia Leroy ?"),
}


@LANGS
async def test_a_roster_name_wins_over_a_fuzzy_country(demo_bot, h, demo_settings, lang):
    chat = Chat(demo_bot, h)
    first, follow = AFTER_PURCHASE[lang]
    await chat.say(first)
    replies = await chat.say(follow)
    olivia = [
        u
        for u in Store(demo_settings.DATA_DIR, demo_settings.clock).users(DEFAULT_TENANT_ID)
        if u.upn == "olivia.leroy@contoso.com"
    ]
    assert [r["said"] for r in replies] == [users_card(olivia, lang).text]  # her roster line, not Bolivia


AT_CALLER_COUNTRY = {
    "en": "can bob call +44 20 7946 0958?",
    "fr": "bob peut-il appeler le +44 20 7946 0958 ?",
}


@LANGS
async def test_a_roster_name_at_the_caller_country_question_is_the_caller(demo_bot, h, lang):
    chat = Chat(demo_bot, h)
    replies = await chat.say(AT_CALLER_COUNTRY[lang])
    assert replies[-1]["said"] == t(lang, "prompt.caller_country")
    replies = await chat.say("Olivia Leroy")
    said = " ".join(r["said"] for r in replies)
    assert "olivia.leroy@contoso.com" in said and t(lang, "prompt.plan") not in said


SEATS_AND_USAGE = {
    "en": "20 E5 users in Spain who make very few calls abroad",
    "fr": "20 utilisateurs E5 en Espagne qui passent très peu d'appels à l'étranger",
}


@LANGS
async def test_a_seat_count_with_usage_is_a_purchase(demo_bot, h, lang):
    replies = await Chat(demo_bot, h).say(SEATS_AND_USAGE[lang])
    assert len(replies) == 1 and replies[0]["attachments"]
    assert t(lang, "prompt.number") not in replies[0]["said"]
    assert replies[0]["said"].startswith(summary(lang, countries=["ES"], users=20, base_licence="E5")[:40])


PLAN_120 = {
    "en": "we want the 120 plan in France for 25 E5 users",
    "fr": "il nous faut le forfait 120 en France pour 25 utilisateurs E5",
}


@LANGS
async def test_forfait_120_is_the_120_minute_plan_not_120_users(demo_bot, h, lang):
    replies = await Chat(demo_bot, h).say(PLAN_120[lang])
    expected = recommend(
        AdviceRequest(countries=["FR"], users=25, base_licence="E5", international=False, minutes_per_user=120)
    )
    assert expected.calling_plan == "MCOPSTN5"
    assert [r["said"] for r in replies] == [purchase_summary_card(expected, lang).text]


SPLIT_CODES = {
    "en": "40 E5 users in CH and 10 in AT, domestic only",
    "fr": "40 utilisateurs E5 en CH et 10 en AT, appels nationaux seulement",
}


@LANGS
async def test_split_seats_with_two_letter_codes(demo_bot, h, lang):
    replies = await Chat(demo_bot, h).say(SPLIT_CODES[lang])
    assert [r["said"] for r in replies] == [
        summary(
            lang,
            countries=["CH", "AT"],
            users_per_country={"CH": 40, "AT": 10},
            base_licence="E5",
            international=False,
        )
    ]


REGION = {
    "en": "80 E5 users in the US and 20 in Canada, they phone Europe a lot",
    "fr": "80 utilisateurs E5 aux États-Unis et 20 au Canada, ils appellent beaucoup l'Europe",
}


@LANGS
async def test_calling_a_region_is_calling_abroad(demo_bot, h, lang):
    replies = await Chat(demo_bot, h).say(REGION[lang])
    expected = recommend(
        AdviceRequest(
            countries=["US", "CA"], users_per_country={"US": 80, "CA": 20}, base_licence="E5", international=True
        )
    )
    assert expected.calling_plan == "MCOPSTN2"
    assert [r["said"] for r in replies] == [purchase_summary_card(expected, lang).text]


CARRIER_AFTER = {
    "en": ("which plan for 25 E5 users in the UK", "we're with BT by the way"),
    "fr": ("quel forfait pour 25 utilisateurs E5 au Royaume-Uni", "au fait on est chez BT"),
}


@LANGS
async def test_a_carrier_stated_after_an_answer_changes_it(demo_bot, h, lang):
    chat = Chat(demo_bot, h)
    first, carrier = CARRIER_AFTER[lang]
    await chat.say(first)
    replies = await chat.say(carrier)
    said = " ".join(r["said"] for r in replies)
    with_carrier = recommend(AdviceRequest(countries=["GB"], users=25, base_licence="E5", carrier="operator_connect"))
    assert (
        with_carrier.calling_plan
        != recommend(AdviceRequest(countries=["GB"], users=25, base_licence="E5")).calling_plan
    )
    assert said == purchase_summary_card(with_carrier, lang).text


NUMBER_LATER = {"en": "can olivia call", "fr": "olivia peut appeler ?"}


@LANGS
async def test_a_verdict_names_its_caller_when_the_number_came_later(demo_bot, h, lang):
    chat = Chat(demo_bot, h)
    replies = await chat.say(NUMBER_LATER[lang])
    assert replies[-1]["said"] == t(lang, "prompt.number")
    replies = await chat.say("+44 161 496 0000")
    card = replies[-1]["attachments"][0]["content"]
    facts = [f for e in walk(card) if e.get("type") == "FactSet" for f in e["facts"]]
    assert [f["value"] for f in facts if f["title"] == t(lang, "verdict.user")] == ["olivia.leroy@contoso.com"]


SCOPE_QUESTION = {
    "en": ("which plan for our users in Norway", "Norway"),
    "fr": ("quel forfait pour nos utilisateurs en Norvège", "Norvège"),
}


@LANGS
async def test_the_scope_question_says_which_countries_it_is_about(demo_bot, h, lang):
    chat = Chat(demo_bot, h)
    first, norway = SCOPE_QUESTION[lang]
    await chat.say(first)
    replies = await chat.say("18")
    assert replies[-1]["said"] == t(lang, "prompt.international", countries=norway)
    assert norway in replies[-1]["said"]


NAMED_QUESTION = {"en": "can keith call abroad?", "fr": "tobias peut appeler ?"}
NAMED_UPN = {"en": "keith.smith@contoso.com", "fr": "tobias.brown@contoso.com"}


@LANGS
async def test_a_question_naming_a_person_is_a_check_for_them(demo_bot, h, lang):
    replies = await Chat(demo_bot, h).say(NAMED_QUESTION[lang])
    said = [r["said"] for r in replies]
    assert said[-1] == t(lang, "prompt.number") and NAMED_UPN[lang] in said[0]  # not a question of fact


POOL_OF_A_PERSON = {"en": "how much is left for Priya?", "fr": "combien reste-t-il pour Priya ?"}


@LANGS
async def test_the_pool_of_a_person_named_by_first_name(demo_bot, h, demo_settings, lang):
    replies = await Chat(demo_bot, h).say(POOL_OF_A_PERSON[lang])
    store = Store(demo_settings.DATA_DIR, demo_settings.clock)
    priya = next(u for u in store.users(DEFAULT_TENANT_ID) if u.upn == "priya.patel@contoso.com")
    pools = store.pools(DEFAULT_TENANT_ID)
    others = {b.country for b in pools} - {priya.usage_location}
    said = " ".join(r["said"] for r in replies)
    assert country_name(priya.usage_location, lang) in said  # her pool ...
    assert not any(country_name(c, lang) in said for c in others)  # ... not every pool
