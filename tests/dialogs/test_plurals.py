"""Plural forms: every count in the English and French strings goes through CLDR's plural rules
(babel 2.9.1), and the English of knowledge codes has one source (knowledge/data/texts.json)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import dialogs
from dialogs.nlu.i18n import LANGUAGES, placeholders, strings, t, with_knowledge_texts
from dialogs.nlu.render import NUMERIC_PARAMS
from knowledge.catalog import load_catalog
from knowledge.texts import TemplateError, fill, plural_category

NNBSP = "\u202f"  # CLDR's French digit grouping
LOCALES = Path(dialogs.__file__).parent / "locales"

#: (key, params, {count: (English, French)}): sentences an admin reads, for 0, 1, 2 and 1,000.
CASES = [
    (
        "rec.country_users",
        {"country": "France"},
        "users",
        {
            0: ("France (0 users)", "France (0 utilisateur)"),
            1: ("France (1 user)", "France (1 utilisateur)"),
            2: ("France (2 users)", "France (2 utilisateurs)"),
            1000: ("France (1,000 users)", f"France (1{NNBSP}000 utilisateurs)"),
        },
    ),
    (
        "k.buy_teams_phone",
        {"sku": "MCOEV"},
        "quantity",
        {
            0: ("Buy 0 Teams Phone Standard licences (MCOEV)", "Achetez 0 licence Teams Phone Standard (MCOEV)"),
            1: ("Buy 1 Teams Phone Standard licence (MCOEV)", "Achetez 1 licence Teams Phone Standard (MCOEV)"),
            2: ("Buy 2 Teams Phone Standard licences (MCOEV)", "Achetez 2 licences Teams Phone Standard (MCOEV)"),
            1000: (
                "Buy 1,000 Teams Phone Standard licences (MCOEV)",
                f"Achetez 1{NNBSP}000 licences Teams Phone Standard (MCOEV)",
            ),
        },
    ),
    (
        "users.text",
        {"summary": "x"},
        "count",
        {
            0: ("0 users: x.", "0 utilisateur : x."),
            1: ("1 user: x.", "1 utilisateur : x."),
            2: ("2 users: x.", "2 utilisateurs : x."),
            1000: ("1,000 users: x.", f"1{NNBSP}000 utilisateurs : x."),
        },
    ),
    (
        "verdict.text_pool",
        {"pool": "P"},
        "remaining",
        {
            0: ("Pool: P, 0 minutes left.", "Pool : P, 0 minute restante."),
            1: ("Pool: P, 1 minute left.", "Pool : P, 1 minute restante."),
            2: ("Pool: P, 2 minutes left.", "Pool : P, 2 minutes restantes."),
            1000: ("Pool: P, 1,000 minutes left.", f"Pool : P, 1{NNBSP}000 minutes restantes."),
        },
    ),
]


@pytest.mark.parametrize(("key", "params", "count_name", "expected"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("count", [0, 1, 2, 1000])
def test_counts_take_the_plural_form_of_each_language(key, params, count_name, expected, count):
    english, french = expected[count]
    assert t("en", key, **params, **{count_name: count}).startswith(english)
    assert t("fr", key, **params, **{count_name: count}).startswith(french)


def test_french_one_covers_zero_and_one_english_one_is_exactly_one():
    assert [plural_category(n, "en") for n in (0, 1, 2, 1000)] == ["other", "one", "other", "other"]
    assert [plural_category(n, "fr") for n in (0, 1, 2, 1000)] == ["one", "one", "other", "other"]
    assert plural_category("1", "en") == "one"  # the knowledge layer passes its params as text
    assert plural_category("many", "en") == plural_category(None, "fr") == "other"


#: Every param that holds a count, in any template (the rest are names, dates, sentences).
COUNT_PARAMS = NUMERIC_PARAMS | {"n", "per_user", "remaining", "total", "used"}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_count_is_left_without_its_plural_form(lang):
    """Every template, every numeric-looking param set to 1: no "1 users", "1 minutes",
    "1 utilisateurs"... A count next to a noun must go through a plural spec."""
    plural_after_one = re.compile(r"(?<![\d.,])1 (?:x )?(?!sans\b|plus\b)[a-zà-ÿ]+s\b")
    found = {}
    for key, template in strings(lang).items():
        values = {name: 1 if name in COUNT_PARAMS else "X" for name in placeholders(template)}
        text = t(lang, key, **values)
        if plural_after_one.search(text):
            found[key] = text
    assert found == {}


def test_plural_specs_are_checked():
    assert fill("{n:plural:one=# item|other=# items}", {"n": 1}) == "1 item"
    assert fill("{n:plural:one=item|other=items} left", {"n": 3}) == "items left"
    for bad in (
        "{n:plural:one=# item}",
        "{n:plural:uno=# item|other=# items}",
        "{n:plural:one # item|other=# items}",
        "{n:plural:one=a|one=b|other=c}",
    ):
        with pytest.raises(TemplateError):
            fill(bad, {"n": 1})


def test_fill_reports_a_missing_count_and_leaves_other_fields_alone():
    template = "{who}: {n:plural:one=# call|other=# calls} ({share})"
    # localize makes the text of what is not text already (a str is its own text)
    assert fill(template, {"who": "Ann", "n": 1000, "share": 0.05}, "en", localize=lambda v: f"<{v}>") == (
        "Ann: <1000> calls (<0.05>)"
    )
    assert fill("{who} ({share})", {"who": "Ann", "share": 0.05}, localize=lambda v: f"<{v}>") == "Ann (<0.05>)"
    with pytest.raises(KeyError):
        fill(template, {"who": "Ann", "share": "5%"})
    assert fill(template, {"who": "Ann"}, missing=lambda name: f"[{name}]") == "Ann: [n] ([share])"
    assert fill("{n:plural:one=# call|other=# calls}", {"n": [1]}) == "[1] calls"  # not a count: other
    with pytest.raises(TemplateError):
        fill("{n!r:plural:one=a|other=b}", {"n": 1})


def test_the_knowledge_layers_english_uses_the_same_plurals():
    catalog = load_catalog()
    assert catalog.text("buy_teams_phone", {"quantity": "1", "sku": "MCOEV"}).startswith(
        "Buy 1 Teams Phone Standard licence (MCOEV)"
    )
    assert catalog.text("dial_pad_delay", {"hours": "24"}).endswith("up to 24 hours to appear in Teams.")
    assert "{quantity}" in catalog.text("buy_teams_phone", {})  # a missing param stays visible


# --- one source for the English strings ------------------------------------------------------------


def test_english_of_knowledge_codes_comes_from_texts_json_only():
    en_file = json.loads((LOCALES / "en.json").read_text("utf-8"))
    assert [key for key in en_file if key.startswith("k.")] == []
    texts = load_catalog().texts
    assert texts
    assert {code: strings("en")[f"k.{code}"] for code in texts} == texts
    # ... and French translates every one of them (the placeholder-parity test compares them).
    assert {f"k.{code}" for code in texts} <= set(strings("fr"))


def test_a_knowledge_text_repeated_in_en_json_is_an_error():
    with pytest.raises(ValueError, match=r"repeats knowledge texts \['k.empty_number'\]"):
        with_knowledge_texts(
            {"yes": "Yes", "k.empty_number": "No number was given."}, {"empty_number": "No number was given."}
        )
    assert with_knowledge_texts({"yes": "Yes"}, {"empty_number": "None."}) == {"yes": "Yes", "k.empty_number": "None."}
