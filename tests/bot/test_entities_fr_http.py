"""dialogs_dev7's fixes over HTTP in English and French (issue 12 section 4, entities): a seat
count right before the licence ("30 E3", "25 E5 a equiper") is the number of users, so the
first message is a purchase answered at once; scope phrases as admins type them ("que du
national", "national seulement", "on n'appelle jamais l'etranger", "nothing outside Spain")
keep the users on a Domestic plan; "Royaume-Unis" (the slip after "États-Unis") is the UK.

Real activities POSTed to the real app factory over the demo tenant; expected cards are built
from the knowledge layer, never written out.
"""

from __future__ import annotations

import pytest

from dialogs.cards import purchase_summary_card
from knowledge.advisor import AdviceRequest, recommend
from testkit.chat import Chat

#: The summary card's first sentence: the plan and the quantity to buy.
HEAD = 90
#: Far enough to tell the Domestic plan from the Domestic and International one.
PLAN_HEAD = 160

SEATS = {
    "en": [("30 E3 in France, which plan", "FR", 30, "E3"), ("we need 25 E5 to set up in Belgium", "BE", 25, "E5")],
    "fr": [("30 E3 en France, quel forfait", "FR", 30, "E3"), ("25 E5 a equiper en Belgique", "BE", 25, "E5")],
}


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("which", [0, 1])
async def test_a_count_right_before_the_licence_is_the_seat_count(demo_bot, h, lang, which):
    text, country, users, licence = SEATS[lang][which]
    replies = await Chat(demo_bot, h, f"a:seats-{lang}-{which}").say(text)
    card = purchase_summary_card(recommend(AdviceRequest(countries=[country], users=users, base_licence=licence)), lang)
    assert replies[-1]["attachments"]
    assert replies[-1]["said"][:HEAD] == card.text[:HEAD]


SCOPES = {
    "en": [("25 E5 in Spain, nothing outside Spain", "ES"), ("30 E5 users in Belgium, no calls outside Belgium", "BE")],
    "fr": [
        ("25 E5 en Espagne, on n'appelle jamais l'etranger", "ES"),
        ("30 users E5 en Belgique, que du national", "BE"),
        ("50 E5 pour l'Allemagne, national seulement", "DE"),
    ],
}
SCOPE_CASES = [(lang, i) for lang, cases in SCOPES.items() for i in range(len(cases))]


@pytest.mark.parametrize(("lang", "which"), SCOPE_CASES)
async def test_a_scope_phrase_keeps_the_users_on_a_domestic_plan(demo_bot, h, lang, which):
    text, country = SCOPES[lang][which]
    replies = await Chat(demo_bot, h, f"a:scope-{lang}-{which}").say(text)
    users = int(text.split()[0])
    domestic = purchase_summary_card(
        recommend(AdviceRequest(countries=[country], users=users, base_licence="E5", international=False)), lang
    )
    abroad = purchase_summary_card(
        recommend(AdviceRequest(countries=[country], users=users, base_licence="E5", international=True)), lang
    )
    assert replies[-1]["said"][:PLAN_HEAD] == domestic.text[:PLAN_HEAD] != abroad.text[:PLAN_HEAD]


@pytest.mark.parametrize(
    ("lang", "text"), [("en", "10 E5 users in the Royaume-Unis"), ("fr", "forfait pour 10 E5 au Royaume Unis")]
)
async def test_royaume_unis_is_the_united_kingdom(demo_bot, h, lang, text):
    replies = await Chat(demo_bot, h, f"a:gb-{lang}").say(text)
    card = purchase_summary_card(recommend(AdviceRequest(countries=["GB"], users=10, base_licence="E5")), lang)
    assert replies[-1]["said"][:HEAD] == card.text[:HEAD]


AT_THE_COUNTRIES = {
    "en": ("I need calling plans for our E5 users", "30 in France, we're with Orange"),
    "fr": ("il me faut des forfaits pour nos users E5", "30 en France, on est chez Orange"),
}


@pytest.mark.parametrize("lang", ["en", "fr"])
async def test_a_count_with_its_country_at_the_countries_question_is_taken(demo_bot, h, lang):
    chat = Chat(demo_bot, h, f"a:countries-{lang}")
    ask, answer = AT_THE_COUNTRIES[lang]
    await chat.say(ask)
    replies = await chat.say(answer)
    card = purchase_summary_card(
        recommend(AdviceRequest(countries=["FR"], users=30, base_licence="E5", carrier="operator_connect")), lang
    )
    assert replies[-1]["attachments"]
    assert replies[-1]["said"][:HEAD] == card.text[:HEAD]
