"""Round factfollow (issue 12 items 3 and 4): follow-ups after a question of fact, greetings
before a question, fictional places close to a city, end to end over HTTP in both languages.

Each conversation runs through the real app factory (``bot.app.create_app``) over loopback HTTP
with the held-out harness (:mod:`bench.heldout_eval`, demo tenant, injected clock) and is read as
a person reads Teams: the kind of each reply and its visible text. The wordings are new (none is
copied from dialogs_dev8 or a held-out set). Figures are the fact sheet's (1,200 minutes a user
outside North America, 3,000 in the US and Canada, 120 and 240-minute plans, numbers =
licences x 1.1 + 10), multiplied out.
"""

from __future__ import annotations

from typing import Any

import pytest

from dialogs.facts import _title_case
from dialogs.followup import fact_to_reask
from dialogs.nlu.entities import extract_entities
from testkit.dev_floors import items_misses

pytestmark = pytest.mark.usefixtures("local_mode")

N = r"[\s,.]?"  # a thousands separator: "36,000", "36 000" (narrow no-break space), "36000"
REQUESTS_EN = ["how many users", "which countr", "didn't get that"]
REQUESTS_FR = ["combien d'utilisateurs", "quels pays", "n'ai pas compris"]


def _turn(text: str, kind: str | list[str], has: list[str], lacks: list[str] | None = None) -> dict[str, Any]:
    return {"text": text, "expect": {"kind": kind, "has": has, "lacks": lacks or []}}


def _conv(item_id: str, *turns: dict[str, Any]) -> dict[str, Any]:
    return {"id": item_id, "category": "conversation", "turns": list(turns)}


def _one(item_id: str, text: str, kind: str | list[str], has: list[str], lacks: list[str] | None = None):
    return {
        "id": item_id,
        "category": "entities",
        "text": text,
        "expect": {"kind": kind, "has": has, "lacks": lacks or []},
    }


ITEMS: dict[str, list[dict[str, Any]]] = {
    "en": [
        _conv(
            "country",
            _turn("minutes per user on the domestic plan in Norway?", "fact", ["Norway", rf"1{N}200"]),
            _turn("what about Canada?", "fact", ["Canada", rf"3{N}000"], [r"\bNorway\b", *REQUESTS_EN]),
        ),
        _conv(
            "bare-count",
            _turn("what would the minute pool be for 30 users in Poland?", "fact", ["Poland", rf"36{N}000"]),
            _turn("and 45?", "fact", [rf"54{N}000"], REQUESTS_EN),
        ),
        _conv(
            "count-and-plan",
            _turn("how big is the pool for 20 users in Ireland?", "fact", ["Ireland", rf"24{N}000"]),
            _turn("and with 10 users on the 120-minute plan?", "fact", [rf"\b1{N}200\b"], REQUESTS_EN),
        ),
        _conv(
            "plan-count",
            _turn("how many numbers do 40 Domestic and International licences give us?", "fact", [r"\b54\b"]),
            _turn("and 300 licences?", "fact", [r"\b340\b"], REQUESTS_EN),
        ),
        _conv(
            "sold",
            _turn("can we buy calling plans in Sweden?", "fact", ["Sweden"]),
            _turn("and in Peru?", "fact", ["Peru"], [r"\bSweden\b", *REQUESTS_EN]),
        ),
        _conv(
            "then-a-request",
            _turn("is calling between Teams users free?", "fact", [r"(?i)free"]),
            _turn(
                "and for 12 E5 users in Austria who call abroad, what should we buy?",
                "recommendation",
                ["Austria", r"\b12\b"],
            ),
        ),
        _one(
            "greeting",
            "hey bot, quick q: how big is the pool for 60 users on the 240-minute plan?",
            "fact",
            [rf"14{N}400"],
        ),
        _one("genovia", "can we get calling plans in Genovia?", ["unknown_country", "fact"], ["Genovia"], ["Italy"]),
        _one(
            "place-on-any-fact",
            "do users in Syldavia need Teams Phone for a calling plan?",
            "unknown_country",
            ["Syldavia", "Teams Phone"],
        ),
        _one("title-case", "Does The E3 Licence Include Teams Phone", "fact", ["E3"], [r"(?i)don't know"]),
    ],
    "fr": [
        _conv(
            "country",
            _turn("combien de minutes par utilisateur au forfait national en Suède ?", "fact", ["Suède", rf"1{N}200"]),
            _turn("et pour le Canada ?", "fact", ["Canada", rf"3{N}000"], ["Suède", *REQUESTS_FR]),
        ),
        _conv(
            "bare-count",
            _turn("taille du pool pour 30 utilisateurs en Pologne ?", "fact", ["Pologne", rf"36{N}000"]),
            _turn("et avec 45 ?", "fact", [rf"54{N}000"], REQUESTS_FR),
        ),
        _conv(
            "count-and-plan",
            _turn("quel pool pour 20 utilisateurs en Irlande ?", "fact", ["Irlande", rf"24{N}000"]),
            _turn("et avec 10 utilisateurs au forfait 120 minutes ?", "fact", [rf"\b1{N}200\b"], REQUESTS_FR),
        ),
        _conv(
            "plan-count",
            _turn("combien de numéros pour 40 licences du forfait national et international ?", "fact", [r"\b54\b"]),
            _turn("et pour 300 licences ?", "fact", [r"\b340\b"], REQUESTS_FR),
        ),
        _conv(
            "sold",
            _turn("peut-on acheter des forfaits d'appels en Suède ?", "fact", ["Suède"]),
            _turn("et au Pérou ?", "fact", ["Pérou"], ["Suède", *REQUESTS_FR]),
        ),
        _conv(
            "then-a-request",
            _turn("les appels entre utilisateurs Teams sont-ils gratuits ?", "fact", [r"(?i)gratuit"]),
            _turn(
                "et pour 12 utilisateurs E5 en Autriche qui appellent l'étranger, on achète quoi ?",
                "recommendation",
                ["Autriche", r"\b12\b"],
            ),
        ),
        _one(
            "greeting",
            "salut, petite question rapide : pool pour 60 utilisateurs au forfait 240 minutes ?",
            "fact",
            [rf"14{N}400"],
        ),
        _one(
            "genovia", "peut-on avoir des forfaits en Genovia ?", ["unknown_country", "fact"], ["Genovia"], ["Italie"]
        ),
        _one(
            "place-on-any-fact",
            "les utilisateurs en Syldavie ont-ils besoin de Teams Phone pour un forfait ?",
            "unknown_country",
            ["Syldavie", "Teams Phone"],
        ),
    ],
}


@pytest.mark.parametrize("lang", ["en", "fr"])
async def test_what_factfollow_fixed_holds_over_http(lang):
    misses = await items_misses(lang, ITEMS[lang])
    assert misses is None, misses


@pytest.mark.parametrize(
    ("fact_id", "text", "expected"),
    [
        ("pool_size", "and with 200?", "pool_size"),  # takes a seat count: the bare number is it
        ("phone_numbers", "et avec 50 licences ?", "phone_numbers"),
        ("availability", "and in Chile?", "availability"),  # takes a country
        ("minutes_per_user", "same for the D&I plan", "minutes_per_user"),  # takes a plan
        ("domestic_plan_includes", "same for the D&I plan", "international_plan_includes"),  # the plan's own fact
        ("teams_free", "and in Germany?", None),  # takes no country: the message on its own
        ("teams_free", "and with 200?", None),
        ("pool_exhausted", "et avec 50 licences ?", None),
    ],
)
def test_a_follow_up_re_asks_the_fact_only_for_what_its_answer_depends_on(fact_id, text, expected):
    assert fact_to_reask(fact_id, text, extract_entities(text)) == expected


@pytest.mark.parametrize(
    ("text", "country", "unknown"),
    [
        ("10 users in Genovia", None, "Genovia"),  # Genova, one letter off, is a city: no guess
        ("10 users in Marseile", "FR", None),  # a typo of a city that does not end like a country
        ("10 users in Pariss", "FR", None),
        ("10 users in Genova", "IT", None),
        ("10 users in Germny", "DE", None),  # countries keep their looser floor
    ],
)
def test_a_city_typo_that_ends_like_a_country_is_no_city(text, country, unknown):
    entities = extract_entities(text)
    assert entities.countries == ([country] if country else [])
    assert entities.unknown_places == ([unknown] if unknown else [])


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("how many numbers with 50 Domestic and International licences?", 50),
        ("80 D&I licenses, how many phone numbers?", 80),
        ("forfait 120 pour la France", None),  # the number is the plan's
        ("we want the 240 plan", None),
    ],
)
def test_a_count_right_before_a_plan_and_a_licence_word_is_the_seat_count(text, count):
    assert extract_entities(text).user_count == count


def test_a_title_cased_message_says_no_capital_is_a_name():
    assert _title_case("Est-Ce Que La Licence A5 Inclut Teams Phone")
    assert not _title_case("can our users in Latveria call abroad?")
