"""Round route13 (issue 12): a question of fact is never taken for a pool lookup, a purchase, a
number check or the user list.

Each rule is tested end to end (the real app factory over loopback HTTP, through the held-out
harness: demo tenant, injected clock, replies read as a person reads Teams) in both languages,
with wordings written for this round (none copied from a set), beside look-alikes that must keep
their kind:

* a seat count, a plan and a how-many question about minutes ("how many minutes would 35 users in
  Belgium get on the domestic plan") is the pool those seats give (a computed fact), not a
  purchase; "buy domestic plans for 40 users in Portugal" stays a purchase;
* a plan's minutes in a place, typos, capitals or a city included ("international minuts on D&I
  in Austria", "DOMESTIC MINUTES IN SWEDEN", "minutes du forfait national pour notre agence de
  Lyon"), is the plan's allowance there, not the tenant's pool; "what remains", "consumed",
  "left", "reste" keep the pool lookup;
* a country on a plan that calls abroad, no number ("could a user on Domestic and International
  reach Peru?") is the callable-destinations fact, not "which number?"; a Domestic user calling
  another country, or a number given, stay checks;
* two places or plans compared ("Domestic minutes in Ireland versus Canada?") are facts, not a
  purchase;
* "forfaits pour le Portugal, tout le personnel est en E3" is a purchase (it asks the seat
  count), not the user list.
"""

from __future__ import annotations

from typing import Any

import pytest

from dialogs.nlu.recognizer import Intent, recognize
from testkit.dev_floors import items_misses
from testkit.dev_floors import one_item as _one

pytestmark = pytest.mark.usefixtures("local_mode")

PARTIAL = ["prompt_users", "prompt_international", "prompt_licence", "prompt_countries"]
CHECK_PROMPTS = ["prompt_number", "prompt_plan", "prompt_caller", "verdict"]


ITEMS: dict[str, list[dict[str, Any]]] = {
    "en": [
        _one(
            "seats-intl-minutes-get",
            "fact",
            "how many international minutes would 40 users in Denmark get on D&I",
            "fact",
            ["Denmark", r"48,000"],
        ),
        _one("seats-small-plan", "fact", "how many mins on the 240 plan for 12 users in Finland", "fact", [r"2,880"]),
        _one("minutes-typo-lower", "fact", "domestc minutes in spain?", "fact", ["Spain"], link=True),
        _one("allowance-remains", "pool", "Sweden's domestic allowance, what remains", "pool", ["Sweden"]),
        _one(
            "two-plans-each",
            "fact",
            "domestic plan in Norway vs domestic plan in Canada, minutes each",
            "fact",
            ["Norway", "Canada"],
        ),
        _one(
            "destination-phone",
            "fact",
            "can a user on Domestic and International phone Peru?",
            ["fact", "verdict"],
            ["Peru"],
        ),
        _one(
            "seats-how-many-minutes",
            "fact",
            "how many minutes would 35 users in Belgium get on the domestic plan",
            "fact",
            ["Belgium", r"42,000"],
        ),
        _one(
            "seats-minutes-after",
            "fact",
            "25 staff in Sweden on D&I, how many minutes is that",
            "fact",
            ["Sweden", r"30,000"],
        ),
        _one(
            "buy-for-seats",
            "purchase",
            "buy domestic plans for 40 users in Portugal",
            [*PARTIAL, "recommendation"],
            ["Portugal"],
        ),
        _one("minutes-with-a-typo", "fact", "international minuts on D&I in Austria", "fact", ["Austria"], link=True),
        _one("minutes-in-capitals", "fact", "DOMESTIC MINUTES IN SWEDEN", "fact", ["Sweden"], link=True),
        _one("allowance-what-remains", "pool", "Austria's domestic allowance, what remains", "pool", ["Austria"]),
        _one("minutes-consumed", "pool", "international minutes consumed in Germany", "pool", ["Germany"]),
        _one("minutes-left", "pool", "domestic minutes left in France", "pool", ["France"]),
        _one(
            "destination-on-di",
            "fact",
            "could a user on Domestic and International reach Peru?",
            ["fact", "verdict"],
            ["Peru"],
        ),
        _one(
            "domestic-user-abroad", "check", "can a domestic-plan user in Spain phone Ghana?", CHECK_PROMPTS, ["Ghana"]
        ),
        _one(
            "destination-number",
            "check",
            "can someone on D&I call +51 1 234 5678?",
            CHECK_PROMPTS,
            [r"caller|\+51|Peru"],
        ),
        _one(
            "two-places-compared", "fact", "Domestic minutes in Ireland versus Canada?", "fact", ["Ireland", "Canada"]
        ),
        _one(
            "plans-for-a-place",
            "purchase",
            "calling plans for Portugal, all our staff are on E3",
            PARTIAL,
            ["users|Portugal"],
        ),
    ],
    "fr": [
        _one(
            "seats-small-plan",
            "fact",
            "12 utilisateurs en Finlande avec le forfait 120 minutes, ça donne combien",
            "fact",
            [r"1\D?440"],
        ),
        _one("minutes-typo", "fact", "minutes natinales en Espagne ?", "fact", ["Espagne"], link=True),
        _one(
            "minutes-by-city-site",
            "fact",
            "minutes du forfait national pour notre site de Marseille",
            "fact",
            ["France"],
        ),
        _one(
            "destination-joindre",
            "fact",
            "on peut joindre le Pérou avec le forfait international ?",
            ["fact", "verdict"],
            ["Pérou"],
        ),
        _one(
            "seats-how-many-minutes",
            "fact",
            "combien de minutes auraient 35 utilisateurs en Belgique avec le forfait national",
            "fact",
            ["Belgique", r"42\D?000"],
        ),
        _one(
            "buy-for-seats",
            "purchase",
            "achète des forfaits nationaux pour 40 utilisateurs au Portugal",
            [*PARTIAL, "recommendation"],
            ["Portugal"],
        ),
        _one(
            "minutes-with-a-typo",
            "fact",
            "minutes internationnales en Autriche avec le forfait international",
            "fact",
            ["Autriche"],
            link=True,
        ),
        _one("minutes-in-capitals", "fact", "MINUTES NATIONALES EN SUEDE", "fact", ["Suède"], link=True),
        _one(
            "minutes-by-city",
            "fact",
            "minutes du forfait national pour notre agence de Lyon",
            "fact",
            ["France"],
            link=True,
        ),
        _one("minutes-consumed", "pool", "minutes internationales consommées en Allemagne", "pool", ["Allemagne"]),
        _one("minutes-left", "pool", "il reste combien de minutes nationales en France", "pool", ["France"]),
        _one(
            "destination-on-di",
            "fact",
            "est-ce que le forfait international permet de joindre le Pérou ?",
            ["fact", "verdict"],
            ["Pérou"],
        ),
        _one(
            "domestic-user-abroad",
            "check",
            "un utilisateur du forfait national en Espagne peut-il appeler le Ghana ?",
            CHECK_PROMPTS,
            ["Ghana"],
        ),
        _one(
            "two-places-compared",
            "fact",
            "forfait national en Irlande vs au Canada, combien de minutes chacun",
            "fact",
            ["Irlande", "Canada"],
        ),
        _one(
            "plans-for-a-place",
            "purchase",
            "forfaits pour le Portugal, tout le personnel est en E3",
            PARTIAL,
            ["utilisateurs|Portugal"],
        ),
    ],
}


@pytest.mark.parametrize("lang", ["en", "fr"])
async def test_questions_of_fact_keep_their_kind_over_http(lang):
    misses = await items_misses(lang, ITEMS[lang])
    assert misses is None, misses


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Austria's domestic allowance, what remains", Intent.POOL),  # "what remains": our pool now
        ("international minutes consumed in Germany", Intent.POOL),
        ("il reste combien de minutes nationales en France", Intent.POOL),
        ("buy domestic plans for 40 users in Portugal", Intent.PURCHASE),  # a seat count to equip
        ("which plan should we buy for our users in Norway vs Denmark?", Intent.PURCHASE),  # advice asked
        ("can a domestic-plan user in Spain phone Ghana?", Intent.CHECK),  # depends on the caller's country
        ("can someone on D&I call +51 1 234 5678?", Intent.CHECK),  # a number to check
        ("list the users in Austria", Intent.USERS),
    ],
)
def test_look_alikes_keep_their_reading(text, intent):
    assert recognize(text).intent == intent


def test_a_place_for_the_users_is_no_destination():
    """A place for the users ("PAYG for our staff in Italy, allowed?") is not a country called."""
    recognition = recognize("PAYG for our staff in Italy, is that allowed?")
    assert [f for f, _ in recognition.facts[:1]] != ["callable_count"]
