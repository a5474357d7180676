"""The locale files, language detection and locale formatting."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

import dialogs
from dialogs.nlu.i18n import (
    LANGUAGES,
    MissingStringError,
    detect_language,
    fold,
    format_date,
    format_month,
    format_number,
    format_percent,
    normalize_lang,
    placeholders,
    strings,
    t,
)

LOCALES = Path(dialogs.__file__).parent / "locales"
NNBSP = "\u202f"  # narrow no-break space: CLDR's French grouping separator


def test_both_languages_have_the_same_keys():
    en, fr = set(strings("en")), set(strings("fr"))
    assert en, "the English file is empty"
    assert en - fr == set(), f"missing in fr.json: {sorted(en - fr)}"
    assert fr - en == set(), f"missing in en.json: {sorted(fr - en)}"


def test_both_languages_use_the_same_placeholders():
    en, fr = strings("en"), strings("fr")
    mismatched = {
        k: (placeholders(en[k]), placeholders(fr[k])) for k in en if placeholders(en[k]) != placeholders(fr[k])
    }
    assert mismatched == {}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_string_is_non_empty_and_formattable(lang):
    for key, template in strings(lang).items():
        assert template.strip(), f"{lang}:{key} is empty"
        for value in ("x", 1, 2):  # plural specs parse, whatever the value
            t(lang, key, **{name: value for name in placeholders(template)})


def test_locale_files_are_valid_utf8_json_objects_without_duplicate_keys():
    for lang in LANGUAGES:
        pairs = json.loads((LOCALES / f"{lang}.json").read_text("utf-8"), object_pairs_hook=lambda p: p)
        keys = [k for k, _ in pairs]
        assert len(keys) == len(set(keys)), f"duplicate keys in {lang}.json"


def test_french_strings_are_not_copies_of_english():
    en, fr = strings("en"), strings("fr")

    def words(template: str) -> list[str]:
        return re.findall(r"[^\W\d_]{3,}", re.sub(r"\{\w+\}", "", template))

    # Pure layouts ("{country} · {plan} · {line}") may be shared; sentences may not.
    same = [k for k in en if en[k] == fr[k] and len(words(en[k])) > 2]
    assert same == []


def test_t_fills_placeholders_and_formats_numbers_for_the_locale():
    assert t("en", "pool.size", minutes=48000, users=40, per_user=1200) == "48,000 min (40 × 1,200)"
    assert t("fr", "pool.size", minutes=48000, users=40, per_user=1200) == f"48{NNBSP}000 min (40 × 1{NNBSP}200)"
    assert t("fr", "pools.text_ran_out", date=date(2026, 11, 3)) == "Il a été épuisé le 3 novembre 2026."
    assert t("en", "summary.step", n="2026", text="x") == "2026. x"  # strings are left alone


def test_t_missing_param_is_an_error_not_a_silent_gap():
    with pytest.raises(KeyError):
        t("en", "pool.size", minutes=1)


def test_t_unknown_key_is_a_clear_error():
    with pytest.raises(MissingStringError, match=re.escape("no string 'nope.nope'")):
        t("en", "nope.nope")


def test_t_accepts_locale_tags():
    assert t("fr-FR", "action.help") == strings("fr")["action.help"]
    assert t("en-GB", "action.help") == strings("en")["action.help"]


@pytest.mark.parametrize(
    ("value", "en", "fr"),
    [
        (12000, "12,000", f"12{NNBSP}000"),
        (1234567, "1,234,567", f"1{NNBSP}234{NNBSP}567"),
        (0, "0", "0"),
        (999, "999", "999"),
        (1500.5, "1,500.5", f"1{NNBSP}500,5"),
        (Decimal("2.25"), "2.25", "2,25"),
    ],
)
def test_format_number(value, en, fr):
    assert format_number(value, "en") == en
    assert format_number(value, "fr") == fr


def test_a_number_not_formatted_before_parses_no_locale_and_reads_as_babel_gives_it(monkeypatch):
    """Each language's babel locale and the number pattern are parsed once: a value formatted
    for the first time (a purchase's own seat count) costs no ``Locale.parse`` of a string, and
    reads exactly as babel formats it from the locale's name."""
    from babel import Locale
    from babel.numbers import format_decimal

    expected = {
        (n, lang): format_decimal(n, format="#,##0.##", locale=lang) for n in (7, 4321, 98765.5) for lang in LANGUAGES
    }
    format_number.cache_clear()
    format_number(1, "en"), format_number(1, "fr")  # each language's locale parsed (once per process)
    parsed: list[object] = []
    real = Locale.parse.__func__

    def counting(cls, identifier, *args, **kwargs):
        if not isinstance(identifier, Locale):
            parsed.append(identifier)
        return real(cls, identifier, *args, **kwargs)

    monkeypatch.setattr(Locale, "parse", classmethod(counting))
    assert {(n, lang): format_number(n, lang) for n, lang in expected} == expected
    assert parsed == []


def test_format_percent():
    assert format_percent(0.42, "en") == "42%"
    assert format_percent(0.42, "fr") == "42\u00a0%"  # babel 2.9.1 keeps a no-break space here
    assert format_percent(1, "en") == "100%"


def test_format_date_and_month():
    assert format_date(date(2026, 11, 3), "en") == "November 3, 2026"
    assert format_date(date(2026, 11, 3), "fr") == "3 novembre 2026"
    assert format_date(datetime(2026, 11, 3, 23, 59), "fr") == "3 novembre 2026"
    assert format_month("2026-11", "en") == "November 2026"
    assert format_month("2026-11", "fr") == "novembre 2026"


def test_normalize_lang():
    assert normalize_lang("fr-CA") == "fr"
    assert normalize_lang("FR") == "fr"
    assert normalize_lang("de-DE") == "en"
    assert normalize_lang(None) == "en"
    assert normalize_lang("") == "en"
    assert normalize_lang("fr") == "fr" and normalize_lang("en") == "en"  # a language already
    assert normalize_lang(" fr ") == "fr" and normalize_lang("frx") == "fr"


def test_fold_ignores_case_and_accents():
    assert fold("États-Unis") == "etats-unis"
    assert fold("Réunion") == fold("REUNION")


@pytest.mark.parametrize(
    ("locale", "text", "expected"),
    [
        ("fr-FR", "which plan should I buy", "fr"),  # the locale decides first
        ("fr-CA", None, "fr"),
        ("en-US", "peut-on appeler le 0044 20 7946 0958 depuis la France avec un forfait national ?", "fr"),
        ("en-US", "combien de minutes restantes en Allemagne", "fr"),
        ("en-US", "quel forfait acheter", "fr"),
        ("en-US", "bonjour", "fr"),
        ("en-US", "oui", "fr"),
        ("en-US", "can alice@contoso.com call +44 20 7946 0958?", "en"),
        ("en-US", "which calling plan should we buy for 40 users in France who call the UK?", "en"),
        ("en-US", "minutes left in France", "en"),
        (None, None, "en"),
        (None, "", "en"),
        ("en-US", "+33 1 23 45 67 89", "en"),
    ],
)
def test_detect_language(locale, text, expected):
    assert detect_language(locale, text) == expected


def test_detect_language_keeps_the_conversation_language_on_neutral_text():
    assert detect_language("en-US", "40", current="fr") == "fr"
    assert detect_language("en-US", "E5", current="fr") == "fr"
    assert detect_language("en-US", "yes please", current="fr") == "en"
    assert detect_language("en-US", "40", current="en") == "en"
