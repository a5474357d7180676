"""Round entities13 (issue 12 item 4): product names are not counts, licence words and regions
are not unknown countries.

* the number inside a product name ("Microsoft 365", "Office 365", "M365", "Dynamics 365",
  "Windows 365") is never the seat count; a real count beside it ("8 people on Microsoft 365 E3",
  "Microsoft 365 pour 8 personnes") is kept, and "365 users" alone is 365;
* licence family and tier words ("Business Premium", "Frontline", "Enterprise") and regions
  ("Europe", "EMEA", "l'Asie") are never said back as "I don't know 'X' as a country"; a real
  unknown country ("Narnia") still is.

Unit tests of extraction, then the real app factory over loopback HTTP (the held-out harness)
in both languages: a purchase, a number check and a question of fact.
"""

from __future__ import annotations

from typing import Any

import pytest

from dialogs.nlu.entities import extract_entities, without_product_numbers
from dialogs.nlu.recognizer import recognize
from dialogs.nlu.slots import counts_per_country, purchase_slots
from testkit.dev_floors import items_misses


@pytest.mark.parametrize(
    "text",
    [
        "We need Calling Plans for Microsoft 365 users in France",
        "Office 365 users in Germany need a plan",
        "Dynamics 365 users in Italy",
        "Windows 365 users in Italy",
        "Office-365 users in Spain",
        "Microsoft 365 E5 licences for France",
        "Office 365 E3 users in France",
        "Microsoft 365 utilisateurs en France",
    ],
)
def test_a_product_number_is_no_seat_count(text):
    assert extract_entities(text).user_count is None
    assert purchase_slots(text, extract_entities(text)).users is None


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("8 people on Microsoft 365 E3 in France", 8),
        ("Microsoft 365 pour 8 personnes en France", 8),
        ("M365 : 8 personnes en France", 8),
        ("we have 40 users on Microsoft 365 Business Premium in Canada", 40),
        ("12 users on O365 E1 in Spain", 12),
        ("Office 365 E3 x 10 in France", 10),
        ("365 users in France", 365),
        ("we need 365 Microsoft 365 licences", 365),
    ],
)
def test_a_real_count_beside_a_product_name_is_kept(text, count):
    assert extract_entities(text).user_count == count


def test_a_count_per_country_skips_the_product_number():
    assert counts_per_country("our Microsoft 365 users in France") == {}
    assert counts_per_country("365 users in France") == {"FR": 365}


def test_only_the_product_number_is_blanked_offsets_stay():
    text = "8 people on Microsoft 365 E3, M365 and O365"
    blanked = without_product_numbers(text)
    assert len(blanked) == len(text)
    assert "365" not in blanked and blanked.startswith("8 people on Microsoft ")
    assert without_product_numbers("Microsoft 3650 users") == "Microsoft 3650 users"  # not the product


@pytest.mark.parametrize(
    "text",
    [
        "staff in Business Premium",
        "10 utilisateurs en Business Premium",
        "licences in Standard",
        "we're in Enterprise",
        "users in Frontline",
        "10 E3 users in Education",
        "users in Government",
        "users in Basic",
        "our users in Europe need to call",
        "30 users in Asia",
        "40 users in Africa",
        "we are in North America",
        "30 utilisateurs en Europe",
        "20 personnes en Asie",
        "the Europe pool",
    ],
)
def test_licence_words_and_regions_are_no_unknown_country(text):
    assert extract_entities(text).unknown_places == []


@pytest.mark.parametrize("text", ["is the Frontline licence enough for calling plans?", "can Enterprise users call?"])
def test_a_fact_question_does_not_say_back_a_licence_word(text):
    assert recognize(text).entities.unknown_places == []


@pytest.mark.parametrize(
    ("text", "unknown"),
    [
        ("20 users in Narnia", ["Narnia"]),
        ("Microsoft 365 Business Premium for 12 users in Narnia", ["Narnia"]),
        ("20 utilisateurs en Narnie", ["Narnie"]),
    ],
)
def test_a_real_unknown_country_is_still_kept(text, unknown):
    assert extract_entities(text).unknown_places == unknown


def test_a_misspelt_two_word_country_after_a_region_word_still_matches():
    assert extract_entities("users in South Afrika").countries == ["ZA"]


# --- over HTTP, through the real app factory ---------------------------------------------------


def _one(item_id: str, category: str, text: str, kind: str | list[str], has: list[str], lacks: list[str]) -> dict:
    expect: dict[str, Any] = {"kind": kind, "has": has, "lacks": lacks}
    return {"id": item_id, "category": category, "text": text, "expect": expect}


_NO_365 = ["365 users", "365 utilisateurs"]
_UNKNOWN_EN = ["I don't know '(?!Narnia)"]
_UNKNOWN_FR = ["Je ne connais pas « (?!Narnie)"]

ITEMS: dict[str, list[dict[str, Any]]] = {
    "en": [
        _one(
            "m365-users",
            "purchase",
            "We need Calling Plans for our Microsoft 365 users in France",
            "prompt_users",
            ["France"],
            _NO_365,
        ),
        _one(
            "count-beside-product",
            "purchase",
            "8 people on Microsoft 365 E3 in France, calls stay in France",
            ["recommendation", "prompt_international", "prompt_carrier", "prompt_minutes"],
            ["8"],
            _NO_365,
        ),
        _one(
            "region-purchase",
            "purchase",
            "30 users in Europe need calling plans",
            "prompt_countries",
            ["countr"],
            _UNKNOWN_EN,
        ),
        _one("region-check", "check", "can Alice call Europe?", "fact", ["196"], _UNKNOWN_EN),
        _one(
            "licence-word-fact",
            "fact",
            "is the Frontline licence enough for calling plans?",
            ["fact", "choice"],
            ["Calling Plan"],
            _UNKNOWN_EN,
        ),
        _one(
            "tier-and-unknown",
            "purchase",
            "we're on Business Premium in Narnia, 10 users",
            ["unknown_country", "prompt_countries", "fact", "recommendation", "prompt_international"],
            ["I don't know 'Narnia' as a country"],
            _UNKNOWN_EN,
        ),
    ],
    "fr": [
        _one(
            "m365-users",
            "purchase",
            "Il nous faut des forfaits pour nos utilisateurs Microsoft 365 en France",
            "prompt_users",
            ["France"],
            _NO_365,
        ),
        _one(
            "count-beside-product",
            "purchase",
            "Microsoft 365 pour 8 personnes en France",
            ["recommendation", "prompt_international", "prompt_carrier", "prompt_minutes"],
            ["8 utilisateurs"],
            _NO_365,
        ),
        _one(
            "region-purchase",
            "purchase",
            "30 utilisateurs en Europe, quel forfait acheter ?",
            "prompt_countries",
            ["pays"],
            _UNKNOWN_FR,
        ),
        _one("region-check", "check", "Alice peut-elle appeler l'Europe ?", "fact", ["196"], _UNKNOWN_FR),
        _one(
            "tier-region-fact",
            "fact",
            "nos utilisateurs Business Premium en Asie peuvent-ils appeler ?",
            ["fact", "choice"],
            ["196"],
            _UNKNOWN_FR,
        ),
        _one(
            "unknown-kept",
            "purchase",
            "20 utilisateurs en Narnie",
            ["unknown_country", "prompt_countries"],
            ["Je ne connais pas « Narnie » comme pays"],
            _UNKNOWN_FR,
        ),
    ],
}


@pytest.mark.usefixtures("local_mode")
@pytest.mark.parametrize("lang", ["en", "fr"])
async def test_product_names_licence_words_and_regions_over_http(lang):
    misses = await items_misses(lang, ITEMS[lang])
    assert misses is None, misses
