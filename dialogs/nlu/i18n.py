"""Language choice, user-facing strings and locale formatting (English and French).

Every sentence the bot says lives in ``dialogs/locales/<lang>.json`` (flat ``key -> template``
maps with ``{placeholder}`` fields), so a translation is a data change and a missing string
is caught by a test comparing the two files, not by an admin reading a raw key.

Numbers, percentages and dates go through babel (2.9.1, pinned by botbuilder-dialogs) so the
French reply reads ``12 000`` (narrow no-break space, exactly what babel/CLDR gives) and the
English one ``12,000``. :func:`t` formats ``int``/``float``/``Decimal``/``date`` parameters
itself, which is the one way numbers reach a message: a caller cannot forget to localize.
Pass anything that must not be grouped (years, ids, SKU codes) as a ``str``.

A count that names a thing picks its plural form by CLDR's rule for the language:
``{users:plural:one=# user|other=# users}`` (see :mod:`knowledge.texts`; ``#`` is the number,
formatted as above). Pass the count as a number, not as already-formatted text.
"""

from __future__ import annotations

import json
import re
import string
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import cache, lru_cache, partial
from importlib import resources
from typing import Any, Literal, get_args

from babel import Locale
from babel.dates import format_date as _babel_format_date
from babel.numbers import format_decimal as _babel_format_decimal
from babel.numbers import format_percent as _babel_format_percent
from babel.numbers import parse_pattern

from knowledge.articles import names_such_a_country, with_english_articles
from knowledge.catalog import load_catalog
from knowledge.texts import fill

Lang = Literal["en", "fr"]
LANGUAGES: tuple[Lang, ...] = get_args(Lang)
DEFAULT_LANG: Lang = "en"

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


_SUPPORTED: dict[str, Lang] = {lang: lang for lang in LANGUAGES}


class MissingStringError(KeyError):
    """A key is absent from a locale file: a programming error, caught by the tests."""


def normalize_lang(lang: str | None) -> Lang:
    """Map anything locale-like (``fr``, ``fr-CA``, ``FR_fr``, ``None``) to a supported language.
    A language already (what ``t`` and the formatters are passed, dozens of times a turn) is
    itself: one dict lookup instead of the string work."""
    same = _SUPPORTED.get(lang) if lang is not None else None
    if same is not None:
        return same
    if lang and lang.strip().lower()[:2] == "fr":
        return "fr"
    return DEFAULT_LANG


#: The locale key of a knowledge code's sentence: ``k.<code>``.
KNOWLEDGE_KEY_PREFIX = "k."


@cache
def strings(lang: str) -> dict[str, str]:
    """The ``key -> template`` map of one language, read once from the package data.

    English sentences of knowledge codes (``k.<code>``) are not in ``en.json``: their one source
    is ``knowledge/data/texts.json`` (the knowledge layer's own defaults, which the CLI prints),
    merged in here. French has its translations as ``k.*`` keys in ``fr.json``."""
    lang = normalize_lang(lang)
    data = read_locale_json(f"{lang}.json")
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ValueError(f"dialogs/locales/{lang}.json must be a flat object of strings")
    if lang == DEFAULT_LANG:
        data = with_knowledge_texts(data, load_catalog().texts)
    return data


def with_knowledge_texts(english: dict[str, str], texts: dict[str, str]) -> dict[str, str]:
    """``en.json`` plus ``k.<code>`` for every knowledge text. A ``k.*`` key already in
    ``en.json`` is an error, not a silent override: two copies of a sentence drift apart."""
    repeated = sorted(key for key in english if key.startswith(KNOWLEDGE_KEY_PREFIX))
    if repeated:
        raise ValueError(
            f"dialogs/locales/en.json repeats knowledge texts {repeated}: the English of a knowledge "
            "code lives in knowledge/data/texts.json only (delete the k.* keys from en.json)"
        )
    return {**english, **{KNOWLEDGE_KEY_PREFIX + code: text for code, text in texts.items()}}


def read_locale_json(name: str) -> Any:
    """A data file of ``dialogs/locales`` (the one place that opens them)."""
    return json.loads(resources.files("dialogs").joinpath("locales", name).read_text("utf-8"))


@cache
def language_words() -> dict[str, frozenset[str]]:
    """The marker words of each language (``locales/language_words.json``)."""
    data = read_locale_json("language_words.json")
    return {lang: frozenset(data[lang]) for lang in LANGUAGES}


def placeholders(template: str) -> set[str]:
    """The ``{names}`` a template expects (used by the tests to compare the two languages);
    a plural field (``{users:plural:one=# user|other=# users}``) counts as ``users``."""
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


def has_string(lang: str, key: str) -> bool:
    return key in strings(lang)


def t(lang: str, key: str, **params: object) -> str:
    """The message ``key`` in ``lang`` with ``params`` filled in and formatted for the locale."""
    lang = normalize_lang(lang)
    try:
        template = strings(lang)[key]
    except KeyError:
        raise MissingStringError(f"no string {key!r} in dialogs/locales/{lang}.json") from None
    if not params:
        return template
    return _filled(lang, template, params)


def fill_template(lang: str, template: str, **params: object) -> str:
    """A template that is not in the locale files (a fact's answer in ``knowledge/data``) filled
    like :func:`t` fills its own: numbers formatted for ``lang``, plural forms by CLDR."""
    return _filled(normalize_lang(lang), template, params)


def _filled(lang: Lang, template: str, params: dict[str, object]) -> str:
    filled = fill(template, params, lang, localize=_LOCALIZERS[lang])
    if lang == "en" and names_such_a_country(params.values()):
        # "users in the United Kingdom": the knowledge layer's rule, so the CLI says the same.
        return with_english_articles(filled)
    return filled


def _localize(value: object, lang: Lang) -> object:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        return format_number(value, lang)
    if isinstance(value, (date, datetime)):
        return format_date(value, lang)
    return value


#: Each language's ``localize`` for :func:`knowledge.texts.fill`, made once (not a closure a call).
_LOCALIZERS: dict[Lang, Callable[[object], object]] = {lang: partial(_localize, lang=lang) for lang in LANGUAGES}


#: How many distinct values each formatter remembers. Babel parses the locale and the pattern
#: on every call (~20 us each, the larger part of building a pool table card); the figures a
#: bot shows repeat (pool sizes, this month's days), and a formatted value never changes.
_FORMAT_CACHE = 4096


@cache
def babel_locale(lang: Lang) -> Locale:
    """The babel locale of a language, parsed once (of two). WHY: every babel formatter parses
    a locale named by a string again on each call (``Locale.parse``: a new ``Locale`` and its
    identifier worked out, most of a value's formatting), and hands a ``Locale`` given as one
    straight through: a seat count, a quantity or a pool size not formatted before (each
    purchase has its own) cost that parse each."""
    return Locale.parse(lang)


#: The number pattern of :func:`format_number`, parsed once (babel hands a parsed one through).
_NUMBER_PATTERN = parse_pattern("#,##0.##")


@lru_cache(maxsize=_FORMAT_CACHE, typed=True)
def format_number(n: int | float | Decimal, lang: str) -> str:
    """``12000 -> "12,000"`` (en) or ``"12\u202f000"`` (fr); at most two decimals."""
    return _babel_format_decimal(n, format=_NUMBER_PATTERN, locale=babel_locale(normalize_lang(lang)))


@lru_cache(maxsize=_FORMAT_CACHE, typed=True)
def format_percent(ratio: float | Decimal, lang: str) -> str:
    """A ratio (``0.42``) as a percentage (``42%`` / ``42\u00a0%``), whole percent."""
    return _babel_format_percent(ratio, locale=babel_locale(normalize_lang(lang)))


@lru_cache(maxsize=_FORMAT_CACHE, typed=True)
def format_date(d: date | datetime, lang: str) -> str:
    """A day in words, unambiguous for both audiences: ``November 3, 2026`` / ``3 novembre 2026``."""
    if isinstance(d, datetime):
        d = d.date()
    return _babel_format_date(d, format="long", locale=babel_locale(normalize_lang(lang)))


@lru_cache(maxsize=_FORMAT_CACHE, typed=True)
def format_month(month: str | date, lang: str) -> str:
    """A ``YYYY-MM`` pool month as ``November 2026`` / ``novembre 2026``."""
    if isinstance(month, str):
        month = datetime.strptime(month, "%Y-%m").date()
    return _babel_format_date(month, format="LLLL y", locale=babel_locale(normalize_lang(lang)))


def fold(text: str) -> str:
    """Lower-case and strip accents, so matching ignores both (``États`` == ``etats``)."""
    if text.isascii():  # ASCII is its own NFKD form and has no combining mark: most messages
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def french_score(text: str) -> tuple[int, int]:
    """(French evidence, English evidence) in ``text``: marker words, and accents for French."""
    words = language_words()
    french, english = words["fr"], words["en"]
    plain = text.isascii()
    # A code typed in capitals ("DE", "ES", "FR") is a country, not the French word "de"/"es".
    # (An ASCII word has no "’" to replace, and lower() is its casefold and its fold: most
    # messages; each word is then lowered once and counted against both word sets in C.)
    if plain:
        tokens = folded = [w.lower() for w in _WORD.findall(text) if len(w) > 3 or not w.isupper()]
    else:
        tokens = [w.replace("’", "'").casefold() for w in _WORD.findall(text) if not (len(w) <= 3 and w.isupper())]
        folded = [fold(w) for w in tokens]
    fr = sum(map(french.__contains__, folded))
    en = sum(map(english.__contains__, tokens))
    # Accented letters are strong evidence of French; an apostrophe elision (l', d', qu') too.
    # (ASCII text has no accent, text without an apostrophe no elision: neither is looked for.)
    if not plain:
        fr += sum(1 for c in text.casefold() if c in "éèêàâçôûùîïœ")
    if "'" in text or "’" in text:
        fr += len(_ELISION.findall(text.casefold()))
    return fr, en


_ELISION = re.compile(r"\b(?:l|d|qu|j|n|c|s)['’][^\W\d_]")


#: ``french_score(text)`` of a message, computed once by whoever reads it first this turn.
Score = tuple[int, int]


def is_clearly_french(text: str | None, *, evidence: int = 1, score: Score | None = None) -> bool:
    """French wins with at least ``evidence`` French markers, and more than English ones.
    ``score``: ``french_score(text)`` when the caller has it already (the turn's, computed once)."""
    if not text:
        return False
    fr, en = score if score is not None else french_score(text)
    return fr >= evidence and fr > en


def is_clearly_english(text: str | None, *, evidence: int = 1, score: Score | None = None) -> bool:
    if not text:
        return False
    fr, en = score if score is not None else french_score(text)
    return en >= evidence and en > fr


#: How much evidence it takes to switch a conversation that already has a language: a
#: sentence, not one word ("Congo", "en", "de") that happens to exist in the other language.
SWITCH_EVIDENCE = 2


def detect_language(
    locale: str | None, text: str | None, *, current: str | None = None, score: Score | None = None
) -> Lang:
    """French when the activity locale is ``fr-*`` or the text is clearly French, else English.

    ``current`` (the conversation's language so far) wins when the text gives no clear signal
    either way, so a French admin answering ``40`` or ``ok`` to a prompt is not switched to
    English because the Teams client sent ``en-US``. ``score``: ``french_score(text)`` when the
    caller has it already (a turn's message is scored once, ``dialogs.turn.turn_language_score``).
    """
    if normalize_lang(locale) == "fr":
        return "fr"
    if current is None:
        return "fr" if is_clearly_french(text, score=score) else DEFAULT_LANG
    current = normalize_lang(current)
    if current == "en":
        return "fr" if is_clearly_french(text, evidence=SWITCH_EVIDENCE, score=score) else "en"
    return "en" if is_clearly_english(text, evidence=SWITCH_EVIDENCE, score=score) else "fr"
