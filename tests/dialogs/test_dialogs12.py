"""Round dialogs12 (issue 12): the borders between kinds, round 3.

Each fix is tested end to end (the real app factory over loopback HTTP, through the held-out
harness: demo tenant, injected clock, replies read as a person reads Teams) in both languages,
beside look-alikes that must keep their kind. New phrasings, written for this round before any
fix, none copied from a set:

* how to restrict who may call out (the dial-out policy) is a question of fact, not a number
  check asking which number; a user and a number stay a check;
* whether a plan or the bundle "can be bought / peut être pris" for N seats is that plan's
  fact; "buy the Domestic plan for 40 seats" stays a purchase;
* a plan's minutes in a country, said tersely ("International plan minutes in Chile") or with
  "combien" inside ("en Suède le forfait national ça donne combien de minutes"), is the plan's
  allowance there (a fact), not a purchase nor the tenant's pool; "minutes left in Spain" stays
  the pool;
* a UK prefix with a kind of number and no number ("09 premium numbers", "les 0871 surtaxés")
  named beside a city is a question of fact, not a check asking for the caller's plan; a
  number to dial stays a check;
* a one-turn purchase that gives its seat count in parentheses ("(35 of them, E3)", "(35
  d'entre eux, E3)") asks no seat count again;
* at the number check's first question, "it's for <upn>" names the caller (not a Teams user
  called): the check asks for the number, then answers.
"""

from __future__ import annotations

from typing import Any

import pytest

from dialogs.nlu.recognizer import Intent, recognize
from testkit.dev_floors import conversation_item as _conv
from testkit.dev_floors import items_misses
from testkit.dev_floors import one_item as _one

pytestmark = pytest.mark.usefixtures("local_mode")

PARTIAL = ["prompt_users", "prompt_international", "prompt_licence", "prompt_countries"]


ITEMS: dict[str, list[dict[str, Any]]] = {
    "en": [
        _one(
            "restrict-dial-out",
            "fact",
            "how do we stop certain people from making outbound calls at all?",
            "fact",
            ["OnlineDialOutPolicy|Not allowed|None"],
            link=True,
        ),
        _one(
            "restrict-dial-out-options",
            "fact",
            "which settings exist to restrict who may dial out",
            "fact",
            ["OnlineDialOutPolicy|Not allowed|None"],
            link=True,
        ),
        _one("number-stays-a-check", "check", "can ines.williams@contoso.com dial +1 212 555 0187?", "verdict", ["✅"]),
        _one(
            "bought-for-seats",
            "fact",
            "can the Domestic and International plan be purchased for 700 seats?",
            "fact",
            ["Domestic and International"],
            link=True,
        ),
        _one("buy-for-seats", "purchase", "buy the Domestic plan for 40 seats", PARTIAL, ["users|countr"]),
        _one("plan-minutes-there", "fact", "International plan minutes in Chile", "fact", ["Chile"], link=True),
        _one("pool-left-there", "pool", "how many minutes are left in France", "pool", ["France"]),
        _one(
            "plan-for-users-there",
            "purchase",
            "Domestic plan for 25 users in Japan",
            [*PARTIAL, "recommendation"],
            ["Japan"],
        ),
        _one(
            "prefix-beside-a-city",
            "fact",
            "are our Leeds staff able to ring 0871 premium numbers?",
            ["fact", "choice"],
            ["0871|premium|Premium"],
        ),
        _one(
            "uk-number-stays-a-check",
            "check",
            "can our Leeds staff ring +44 113 496 0111",
            ["prompt_plan", "prompt_caller", "verdict"],
            ["United Kingdom|\\+44"],
        ),
        _one(
            "count-in-parentheses",
            "entities",
            "our Dutch staff (35 of them, E3) use KPN and would like to keep KPN",
            "recommendation",
            ["35"],
        ),
        _one(
            "old-plan-with-a-buy-word",
            "fact",
            "could we still purchase the 240 minute plan for our team in Canada?",
            "fact",
            ["240"],
            link=True,
        ),
        _one(
            "old-plan-with-seats",
            "purchase",
            "we want to buy the 240 plan for 30 users in Canada",
            [*PARTIAL, "recommendation"],
            ["Canada"],
        ),
        _one("get-plans-there", "fact", "could our subsidiary in Latvia have calling plans?", "fact", ["Latvia"]),
        _one(
            "addon-underneath",
            "fact",
            "the international add-on - does it require a domestic plan first",
            "fact",
            ["[Dd]omestic"],
            link=True,
        ),
        _one(
            "billing-and-staff-apart",
            "fact",
            "the billing address is in Germany but our staff are based in Austria,"
            " so which country counts as domestic for them",
            "fact",
            ["usage location"],
            link=True,
        ),
        _one("off-the-list", "fact", "can the international plan reach Cuba?", ["fact", "verdict"], ["Cuba"]),
        _one(
            "inbound-limit-for-users",
            "fact",
            "is there a limit on inbound minutes for pay-as-you-go users",
            "fact",
            ["[Ii]ncoming|inbound"],
            link=True,
        ),
        _one("users-still-listed", "pool", "list our payg users", "users", ["PAYG|Pay-As-You-Go|pay-as-you-go|Users"]),
        _one(
            "another-countrys-pool",
            "fact",
            "can users in Belgium use minutes from the Dutch pool?",
            "fact",
            ["country"],
            link=True,
        ),
        _one("pool-still-shown", "pool", "show the German pool", "pool", ["Germany"]),
        _conv(
            "upn-at-the-first-question",
            ("I'd like to check if someone can call a number", "prompt_number", ["number"]),
            ("it's for ines.williams@contoso.com", "prompt_number", ["number"]),
            ("+1 212 555 0187", "verdict", ["✅"]),
        ),
    ],
    "fr": [
        _one(
            "restrict-dial-out",
            "fact",
            "comment empêcher certains utilisateurs de passer des appels sortants ?",
            "fact",
            ["OnlineDialOutPolicy|Non autoris|Aucun|None"],
            link=True,
        ),
        _one(
            "bought-for-seats",
            "fact",
            "le forfait national peut-il être acheté pour 800 utilisateurs ?",
            "fact",
            ["nationa"],
            link=True,
        ),
        _one("buy-for-seats", "purchase", "acheter le forfait national pour 40 postes", PARTIAL, ["utilisateurs|pays"]),
        _one(
            "plan-minutes-there",
            "fact",
            "en Suède le forfait national ça donne combien de minutes",
            "fact",
            ["Suède"],
            link=True,
        ),
        _one("pool-left-there", "pool", "combien de minutes reste-t-il en France", "pool", ["France"]),
        _one(
            "count-in-parentheses",
            "entities",
            "notre équipe néerlandaise (35 d'entre eux, E3) est chez KPN et veut y rester",
            "recommendation",
            ["35"],
        ),
        _one(
            "old-plan-with-a-buy-word",
            "fact",
            "peut-on encore acheter le forfait 120 minutes pour nos employés en Espagne ?",
            "fact",
            ["120"],
            link=True,
        ),
        _one(
            "get-plans-there",
            "fact",
            "notre succursale au Portugal peut-elle obtenir des forfaits d'appels ?",
            "fact",
            ["Portugal"],
        ),
        _one(
            "addon-underneath",
            "fact",
            "le module international exige-t-il un forfait national en dessous ?",
            "fact",
            ["nationa"],
            link=True,
        ),
        _one(
            "billing-and-staff-apart",
            "fact",
            "l'adresse de facturation est en Suisse mais les utilisateurs sont en Italie,"
            " quel pays compte comme national ?",
            "fact",
            ["emplacement d'utilisation"],
            link=True,
        ),
        _one(
            "or-not",
            "fact",
            "avec le forfait national nos salariés peuvent joindre des numéros étrangers ou pas",
            ["fact", "choice"],
            ["[Pp]ays"],
        ),
        _one(
            "off-the-list",
            "fact",
            "peut-on joindre la Corée du Nord avec le forfait international ?",
            ["fact", "verdict"],
            ["Corée du Nord"],
        ),
        _one(
            "inbound-limit-for-users",
            "fact",
            "y a-t-il un plafond de minutes entrantes pour les utilisateurs PAYG",
            "fact",
            ["entrant"],
            link=True,
        ),
        _one(
            "another-countrys-pool",
            "fact",
            "nos utilisateurs belges peuvent-ils puiser dans le pool français ?",
            "fact",
            ["pays"],
            link=True,
        ),
        _conv(
            "upn-at-the-first-question",
            ("je voudrais vérifier si quelqu'un peut appeler un numéro", "prompt_number", ["num[ée]ro"]),
            ("c'est pour ines.williams@contoso.com", "prompt_number", ["num[ée]ro"]),
            ("+1 212 555 0187", "verdict", ["✅"]),
        ),
    ],
}


@pytest.mark.parametrize("lang", ["en", "fr"])
async def test_the_borders_between_kinds_hold_over_http(lang):
    misses = await items_misses(lang, ITEMS[lang])
    assert misses is None, misses


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("restriction pour notre équipe suisse vers les numéros surtaxés", Intent.CHECK),  # a country: a check
        ("how much of our pool is left in Chile", Intent.POOL),
        ("can our users in Paris call 112?", Intent.CHECK),  # a short code and a city, no kind of number
        ("list the users in Austria", Intent.USERS),
        ("how many minutes did we draw from the German pool last month", Intent.POOL),  # our data, a month
        ("buy the International plan for 30 users in Chile", Intent.PURCHASE),
    ],
)
def test_look_alikes_keep_their_reading(text, intent):
    assert recognize(text).intent == intent
