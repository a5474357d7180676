"""Entities that hold up (issue 12): carriers are never countries, cities name their country,
misspelt country names match above a floor, unknown places are kept to be said back, scope
phrases are no destinations, and a short code never switches the conversation's language."""

from __future__ import annotations

import pytest

from dialogs.nlu.entities import FUZZY_MAX_CANDIDATES, MAX_CHARS, extract_entities
from dialogs.nlu.i18n import detect_language
from dialogs.nlu.slots import purchase_slots

CARRIERS = [
    "BT",
    "Orange",
    "Vodafone",
    "Telstra",
    "AT&T",
    "Deutsche Telekom",
    "SFR",
    "Bouygues",
    "Verizon",
    "Swisscom",
    "KPN",
    "Telefónica",
]


@pytest.mark.parametrize("carrier", CARRIERS)
def test_a_carrier_is_a_carrier_never_a_country(carrier):
    entities = extract_entities(f"we use {carrier} for 40 users in France")
    assert entities.countries == ["FR"]
    assert entities.carrier == "operator_connect"


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("40 users in Lyon", "FR"),
        ("40 users in Munich", "DE"),
        ("20 users in São Paulo", "BR"),
        ("20 utilisateurs à Londres", "GB"),
        ("10 utilisateurs à Bruxelles", "BE"),
        ("users in New York", "US"),
    ],
)
def test_a_city_names_its_country(text, country):
    assert extract_entities(text).countries == [country]


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("30 users in Allemange", "DE"),
        ("users in Swizterland", "CH"),
        ("Frnace", "FR"),
        ("20 utilisateurs en Espagna", "ES"),
        ("des utilisateurs en Belgiqe", "BE"),
        ("users in Pariss", "FR"),
    ],
)
def test_a_misspelt_country_matches(text, country):
    assert extract_entities(text).countries == [country]


@pytest.mark.parametrize("text", ["40 users in Narnia", "users in Tortuga", "20 utilisateurs en Narnia"])
def test_a_name_below_the_floor_is_no_country_but_is_kept(text):
    entities = extract_entities(text)
    assert entities.countries == []
    assert entities.unknown_places == [text.split()[-1]]


@pytest.mark.parametrize("text", ["40 users in total", "users in march", "people in our team", "no"])
def test_plain_words_are_neither_countries_nor_unknown_places(text):
    entities = extract_entities(text)
    assert entities.countries == [] and entities.unknown_places == []


def test_typo_matching_is_bounded_on_long_messages():
    text = ("users in Qwxzyk " * 400)[:MAX_CHARS]
    assert len(extract_entities(text).unknown_places) <= FUZZY_MAX_CANDIDATES


@pytest.mark.parametrize(
    "text",
    [
        "40 E5 users in France who only call within France",
        "30 users in France, calls stay in France",
        "30 utilisateurs en France, appels nationaux seulement",
        "30 utilisateurs qui appellent uniquement en France",
        "our 15 users in France only call numbers in France",
        "25 staff in France calling only French numbers",
        "20 users in France, local calls only",
        "20 utilisateurs en France, appels locaux uniquement",
    ],
)
def test_a_scope_phrase_is_where_the_users_are_not_a_destination(text):
    slots = purchase_slots(text, extract_entities(text))
    assert slots.countries == ["FR"]
    assert slots.international is False


def test_a_destination_still_says_they_call_abroad():
    text = "40 users in France who call the UK"
    slots = purchase_slots(text, extract_entities(text))
    assert slots.countries == ["FR"] and slots.international is True


@pytest.mark.parametrize(
    ("text", "current", "expected"),
    [
        ("DE?", "en", "en"),
        ("and DE?", "en", "en"),
        ("FR", "en", "en"),
        ("Congo", "en", "en"),
        ("et pour la Belgique ?", "en", "fr"),
        ("what about 50 users?", "fr", "en"),
        ("ok", "fr", "fr"),
        ("bonjour", None, "fr"),
        ("DE", None, "en"),
    ],
)
def test_the_language_switches_on_a_sentence_never_on_a_code(text, current, expected):
    assert detect_language("en-US", text, current=current) == expected


@pytest.mark.parametrize(
    ("word", "country"),
    [("Itlay", "IT"), ("Spian", "ES"), ("Chian", "CN"), ("Polland", "PL"), ("Hollnad", "NL"), ("Swedne", "SE")],
)
def test_one_edit_in_five_letters_meets_the_floor_and_a_tie_keeps_the_first_letter(word, country):
    """ "Itlay" is 1 - 1/5 = 0.8 from "Italy", the floor itself; "Polland" is as close to Poland
    as to Holland: the name that starts like the word wins."""
    assert extract_entities(f"which plan for 20 users in {word}").countries == [country]


@pytest.mark.parametrize("word", ["Japn", "Narnia", "Gondor"])
def test_below_the_floor_a_place_is_said_back(word):
    entities = extract_entities(f"which plan for 20 users in {word}")
    assert entities.countries == [] and entities.unknown_places == [word]


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("50 users in Quebec", "CA"),
        ("50 personnes au Québec", "CA"),
        ("20 users in Bavaria", "DE"),
        ("20 utilisateurs en Bretagne", "FR"),
        ("30 users in California", "US"),
    ],
)
def test_regions_admins_name_map_to_their_country(text, country):
    entities = extract_entities(text)
    assert entities.countries == [country] and entities.unknown_places == []


@pytest.mark.parametrize(
    ("text", "countries", "international"),
    [
        ("40 users in France who only call numbers in the UK", ["FR"], True),
        ("40 utilisateurs en France qui appellent uniquement des numéros britanniques", ["FR"], True),
        ("20 users in Toronto who only call within the US", ["CA"], False),  # US-Canada is domestic
        ("which plan for 20 users in Madrid, calls stay in Spain", ["ES"], False),
    ],
)
def test_a_scope_phrase_naming_another_country_names_where_they_call(text, countries, international):
    slots = purchase_slots(text, extract_entities(text))
    assert slots.countries == countries and slots.international is international


@pytest.mark.parametrize("text", ["and last month?", "minutes used last month in France", "et le mois dernier ?"])
def test_last_month_is_a_month_resolved_against_today(text):
    from datetime import date

    from dialogs.nlu.entities import resolve_month

    month = extract_entities(text).month
    assert resolve_month(month, date(2026, 1, 5)) == "2025-12" and resolve_month(month, date(2026, 11, 20)) == "2026-10"


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("which plan for 20 users in Nice", "FR"),
        ("quel forfait pour 20 utilisateurs à Nice", "FR"),
        ("10 users at Reading", "GB"),
    ],
)
def test_a_city_named_like_a_word_after_a_place_word(text, country):
    assert extract_entities(text).countries == [country]


@pytest.mark.parametrize("text", ["nice, thanks", "Nice one", "reading the pool report", "split the seats"])
def test_a_word_that_names_a_city_is_no_place_on_its_own(text):
    assert extract_entities(text).countries == []


@pytest.mark.parametrize(
    ("text", "name"), [("on est chez Free, 20 utilisateurs à Paris", "Free"), ("we use Three in the UK", "Three")]
)
def test_a_carrier_named_like_a_word_is_a_carrier_as_typed(text, name):
    entities = extract_entities(text)
    assert (entities.carrier, entities.carrier_name) == ("operator_connect", name)


@pytest.mark.parametrize("text", ["Free calls between Teams users?", "is it free?", "three users in France"])
def test_a_common_word_is_no_carrier(text):
    assert extract_entities(text).carrier_name is None


def test_a_guessed_country_is_kept_with_the_word_it_was_read_from():
    # (a first name one typo from a country; "Olivia" no longer reads as Bolivia since entities14:
    # another first letter needs one edit in ten letters)
    entities = extract_entities("Franca Leroy")
    assert entities.countries == ["FR"] and entities.guessed_countries == {"FR": "Franca"}
    assert entities.without_guesses({"franca", "leroy"}).countries == []
    assert extract_entities("users in Bolivia").guessed_countries == {}  # a name, not a guess
