"""Entity extraction for the recognizer: what an admin's message names, language-independently.

WHY a separate module: the intent scorer and the dialogs' own prompt parsing both need the
same extraction (a prompt answer "UK, Germany" or "+44 20 7946 0958" is parsed here too), and
the rules are the part most likely to grow.

How: consumed spans are blanked out of a working copy of the text in a fixed order, so a thing
is read once and never twice as something else: Teams ``<at>`` mentions, UPNs, ``@handles``,
ISO months and dates, phone numbers, then everything word-based on folded tokens (countries,
plans, carriers, base licences, lines, months, yes/no). Vocabulary lives in data files
(``locales/lexicon.json``, ``locales/countries.json``, the knowledge catalog for licence
families and SKUs, babel for month names), not in this code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from typing import Any, Literal

from babel.dates import get_month_names
from pydantic import BaseModel, Field
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from dialogs.nlu.i18n import fold, is_clearly_french, language_words, read_locale_json
from dialogs.nlu.limits import MAX_CHARS
from dialogs.nlu.numbers import approximate_at, vague_count, vague_words, with_digits
from knowledge.catalog import load_catalog

Line = Literal["domestic", "international"]

#: The recognizer's plan value for pay-as-you-go: the SKU depends on the user's country
#: (zone 1, zone 2, Mexico), which the dialog resolves with the knowledge catalog.
PAYG = "PAYG"


class Entities(BaseModel):
    """What a message names. Lists keep the order of appearance, without duplicates."""

    numbers: list[str] = Field(default_factory=list)  # phone numbers as written
    countries: list[str] = Field(default_factory=list)  # ISO 3166-1 alpha-2, upper case
    users: list[str] = Field(default_factory=list)  # UPNs (lower case) and @mention names
    user_count: int | None = None  # "40 users", "40 utilisateurs"
    count_approx: bool = False  # the count is approximate: "about 40 users", "une cinquantaine"
    #: A count too vague to buy for, as typed ("a few hundred", "quelques centaines"): asked.
    vague_count: str | None = None
    plan: str | None = None  # a Calling Plan SKU, or PAYG
    base_licence: str | None = None  # a licence family id of the catalog: E5, BUSINESS_PREMIUM...
    carrier: str | None = None  # operator_connect, direct_routing, teams_phone_mobile
    carrier_name: str | None = None  # the operator named ("Telstra", "BT"), as the lexicon spells it
    yes_no: bool | None = None
    month: str | None = None  # "2026-11", "--11" when no year was given (ISO 8601), or "last" (last month)
    line: Line | None = None  # the pool line: domestic or international
    #: Place names written after "in"/"en"... that are no country, city or near miss of one
    #: ("Narnia"), as typed: said back to the admin instead of being dropped silently.
    unknown_places: list[str] = Field(default_factory=list)
    #: Countries read from a misspelt word only ("Allemange" -> DE), with the word as typed:
    #: a person of the roster named so wins over the guess ("Olivia" is no Bolivia).
    guessed_countries: dict[str, str] = Field(default_factory=dict)

    def without_guesses(self, words: set[str]) -> Entities:
        """These entities without the countries guessed from one of ``words`` (folded), nor the
        unknown places that are one of them ("what about Priya?" names a person, not a place)."""
        dropped = {code for code, word in self.guessed_countries.items() if key(word) in words}
        places = [p for p in self.unknown_places if key(p) not in words]
        if not dropped and len(places) == len(self.unknown_places):
            return self
        return self.model_copy(
            update={
                "countries": [c for c in self.countries if c not in dropped],
                "guessed_countries": {c: w for c, w in self.guessed_countries.items() if c not in dropped},
                "unknown_places": places,
            }
        )


# --- data ------------------------------------------------------------------------------------


@cache
def lexicon() -> dict[str, Any]:
    return read_locale_json("lexicon.json")


@cache
def countries_data() -> dict[str, Any]:
    return read_locale_json("countries.json")


@cache
def cities_data() -> dict[str, str]:
    return read_locale_json("cities.json")["cities"]


@cache
def word_cities() -> tuple[dict[str, str], frozenset[str]]:
    """Cities named like common words ("Nice"), and the place words they must follow."""
    data = read_locale_json("cities.json")
    return dict(data["word_cities"]), frozenset(data["word_city_after"])


def key(text: str) -> str:
    """Folded, space-separated words: the form every word-based rule matches on."""
    return " ".join(words_of(text))


def words_of(text: str) -> list[str]:
    """The words of :func:`key` as a list: ``key(text).split()`` without joining them and
    splitting them again (a rule that reads words, not phrases, needs no more)."""
    return _KEY_WORD.findall(fold(text.replace("’", "'")))


_KEY_WORD = re.compile(r"[a-z0-9]+")


@cache
def _place_words() -> tuple[dict[tuple[str, ...], str], dict[str, tuple[int, ...]]]:
    """City names and demonyms (folded word tuples) -> the English name of their country in the
    catalog, folded ("dublin" -> "ireland", "irlandais" -> "ireland"); and, per first word, the
    word counts of the names it starts, longest first. Country names themselves are left out:
    fact retrieval reads them already, and so are the names its question forms use as they are
    ("numéros mexicains", "le national américain": :func:`knowledge.fact_search.vocabulary`)."""
    from knowledge.fact_search import vocabulary

    known = vocabulary()
    table = compiled()
    own = {tuple(name.split()) for name in countries_data()["names"]}
    catalog = load_catalog()
    english = {c.iso: key(c.name["en"]) for c in catalog.countries}
    places = {
        words: english[code]
        for words, code in table.names.items()
        if words not in own and code in english and not set(words) <= known
    }
    for adjective, code in table.adjectives.items():
        if code in english and not set(adjective.split()) <= known:
            places.setdefault(tuple(adjective.split()), english[code])
    # a country name holding a demonym or a city ("antilles neerlandaises", "guinee equatoriale")
    # stays as it is: the longest name is read first, so its words are not read one by one
    single = {words[0] for words in places if len(words) == 1}
    for words in own:
        if len(words) > 1 and single & set(words):
            places.setdefault(words, " ".join(words))
    sizes: dict[str, set[int]] = {}
    for words in places:
        sizes.setdefault(words[0], set()).add(len(words))
    return places, {first: tuple(sorted(found, reverse=True)) for first, found in sizes.items()}


@lru_cache(maxsize=1024)
def places_as_countries(text: str) -> str:
    """``text`` folded (:func:`key`) with each city and demonym read as its country's name
    ("is our Dublin office in zone 2?" -> "... ireland office ..."). WHY: fact retrieval knows
    country names, not the cities and peoples admins name ("the Irish users", "notre bureau de
    Francfort"); a city read as its country matches the questions asked about a country.
    Kept per text (bounded), like the fact searches it feeds."""
    places, sizes = _place_words()
    words = words_of(text[:MAX_CHARS])
    out: list[str] = []
    i = 0
    while i < len(words):
        for size in sizes.get(words[i], ()):
            name = places.get(tuple(words[i : i + size]))
            if name is not None:
                out.append(name)
                i += size
                break
        else:
            out.append(words[i])
            i += 1
    return " ".join(out)


@dataclass(frozen=True)
class _Compiled:
    names: dict[tuple[str, ...], str]
    max_name_len: int
    adjectives: dict[str, str]
    codes: frozenset[str]
    ambiguous: frozenset[str]
    case_sensitive: dict[str, str]
    prepositions: frozenset[str]
    place_nouns: frozenset[str]
    people_nouns: frozenset[str]
    call_words: frozenset[str]
    unit_words: frozenset[str]
    emergency_strong: frozenset[str]  # words that make any emergency number one to call ("pompiers", "faire")
    emergency_weak: frozenset[str]  # ... only one of three digits or more, or with a user named ("from")
    plans: list[tuple[int, str, re.Pattern[str]]]
    carriers: list[tuple[str, re.Pattern[str]]]
    licences: list[tuple[str, re.Pattern[str]]]
    lines: list[tuple[Line, re.Pattern[str]]]
    months: re.Pattern[str]
    month_numbers: dict[str, int]
    months_stop: frozenset[str]
    months_context: re.Pattern[str]
    yes_words: list[tuple[str, ...]]
    no_words: list[tuple[str, ...]]
    user_count: re.Pattern[str]
    count_of_them: re.Pattern[str]  # "90 of them", "35 d'entre eux" (lexicon count_of_them)
    #: The words ``group_before`` finds (people nouns and groups, folded): ``count_of_them`` counts
    #: only after one of them, ``user_count`` only before one of the people nouns.
    count_words: frozenset[str]
    group_before: re.Pattern[str]  # the people or group such a count counts, said before it
    carrier_names: re.Pattern[str]
    #: ``carrier_names`` lowered, case-sensitive, for lowered ASCII text (None: a name may not be so read)
    carrier_names_ascii: re.Pattern[str] | None
    #: The first word (``[a-z0-9]+``) of each name ``carrier_names_ascii`` finds: a lowered ASCII
    #: text with none of them among its words names no carrier (None: a name starts otherwise)
    carrier_starts: frozenset[str] | None
    carrier_names_cased: re.Pattern[str]  # "Free", "Three": as typed, never the first word
    cased_names: tuple[str, ...]  # the names ``carrier_names_cased`` finds, one of which is in each match
    carrier_spelling: dict[str, str]  # folded name -> the lexicon's spelling
    fuzzy_names: dict[str, str]  # one-word country and city names (EN, FR) -> code, for typo matching
    fuzzy_cities: frozenset[str]  # those of fuzzy_names that are cities only (the stricter floor)
    fuzzy_pairs: dict[str, str]  # two-word country names (EN, FR) -> code ("new zealand", "etats unis")
    #: Per length of a word (pair), the names of ``fuzzy_names`` (``fuzzy_pairs``) it may be close
    #: enough to, in their order (:func:`_within_reach`): a typo is compared with those only.
    fuzzy_names_by_length: dict[int, tuple[str, ...]]
    fuzzy_pairs_by_length: dict[int, tuple[str, ...]]
    plain_words: frozenset[str]  # words of the lexicon: never a misspelt or unknown place
    never_places: frozenset[str]  # licence tier words and regions: never a misspelt or unknown place
    codes_after_licence: frozenset[str]  # ambiguous codes read as a country right after "E5" ("E5 BE")
    licence_words: frozenset[str]  # one-word base licence names, folded ("e5", "a3")
    #: Every licence name of ``licences`` (folded) -> its family: each of those patterns is one
    #: name as a whole word, so the text a match of ``any_licence`` holds tells which (:func:`_first`).
    licence_names: dict[str, str]
    corrections_within: tuple[tuple[str, ...], ...]  # "i meant", "je voulais dire" (folded words)
    corrections_first: frozenset[str]  # the first words of ``corrections_within``
    product_names: re.Pattern[str]  # "Microsoft 365", "M365": their number is never a seat count
    # Indexes of the tables above, built once, so a message pays for what it names only:
    name_sizes: dict[str, tuple[int, ...]]  # first word -> word counts of the names it starts, longest first
    any_plan: re.Pattern[str] | None  # matches where one of ``plans`` does (None: not combinable)
    any_carrier: re.Pattern[str] | None  # ... one of ``carriers``
    any_licence: re.Pattern[str] | None  # ... one of ``licences``
    any_line: re.Pattern[str] | None  # ... one of ``lines``
    #: ... one of ``plans``, ``carriers``, ``licences`` or ``lines``: a message that names none
    #: (most) is told so by one search instead of four (~1.7 us instead of ~3.2 on a short one).
    any_term: re.Pattern[str] | None
    #: first word -> the (value, phrase) of ``yes_words`` then ``no_words`` that may start there, in their order
    yes_no_by_first: dict[str, tuple[tuple[bool, tuple[str, ...]], ...]]


def any_of(patterns: list[re.Pattern[str]]) -> re.Pattern[str] | None:
    """One pattern that finds a match wherever one of ``patterns`` does (their alternation), or
    None when they cannot be combined (a back-reference, a conditional, flags that differ): a
    message that names none of them is then told by one search instead of one per pattern."""
    flags = {p.flags for p in patterns}
    if len(flags) != 1 or any(re.search(r"\\[1-9]|\(\?P=|\(\?\(", p.pattern) for p in patterns):
        return None
    try:
        return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), flags.pop())
    except re.error:
        return None


def _sizes_by_first(names: Iterable[tuple[str, ...]]) -> dict[str, tuple[int, ...]]:
    sizes: dict[str, set[int]] = {}
    for name in names:
        if name:
            sizes.setdefault(name[0], set()).add(len(name))
    return {word: tuple(sorted(found, reverse=True)) for word, found in sizes.items()}


def _yes_no_by_first(
    yes_words: list[tuple[str, ...]], no_words: list[tuple[str, ...]]
) -> dict[str, tuple[tuple[bool, tuple[str, ...]], ...]]:
    """Per first word, the yes/no phrases :func:`_extract_yes_no` may match on a message starting
    with it, in the order it tries them (an empty phrase would match any message: it is in every
    entry, and under ``""`` for a first word no phrase starts with)."""
    ordered = [(True, phrase) for phrase in yes_words] + [(False, phrase) for phrase in no_words]
    firsts = {phrase[0] for _, phrase in ordered if phrase} | {""}
    return {
        word: tuple((value, phrase) for value, phrase in ordered if not phrase or phrase[0] == word) for word in firsts
    }


def _word_alternation(phrases: set[str]) -> str:
    return "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))


@cache
def compiled() -> _Compiled:
    """Every table and pattern, built once from the data files and the catalog."""
    lex, cty = lexicon(), countries_data()
    names = {tuple(k.split()): code for k, code in cty["names"].items()}
    cty_names = frozenset(names)
    for city, code in cities_data().items():  # "Lyon" -> FR; a country's own name wins
        names.setdefault(tuple(city.split()), code)

    plans: list[tuple[int, str, re.Pattern[str]]] = []
    for priority, entry in enumerate(lex["plans"]):
        for pattern in entry["patterns"]:
            plans.append((priority, entry["sku"], re.compile(pattern)))
    # Literal SKUs and the base-licence families come from the knowledge catalog: one list of
    # SKUs and licence names in the project (dialogs -> knowledge is the allowed direction).
    catalog = load_catalog()
    for plan in catalog.plans:  # SKUs typed as such: "MCOPSTN2", "MCOPSTN_PAYG_1"
        sku = PAYG if plan.is_payg and plan.sku.upper().startswith("MCOPSTN_PAYG") else plan.sku
        plans.append((-1, sku, re.compile(rf"\b{re.escape(key(plan.sku))}\b")))
    aliases: dict[str, str] = {}
    for family in catalog.families:
        for name in (family.id, family.name.en, family.name.fr, *family.aliases):
            aliases.setdefault(key(name), family.id)
    for licence in catalog.licences:
        if licence.family:
            aliases.setdefault(key(licence.sku), licence.family)
    licences = [(aliases[a], re.compile(rf"\b{re.escape(a)}\b")) for a in sorted(aliases, key=len, reverse=True) if a]

    month_numbers: dict[str, int] = {}
    for locale in ("en", "fr"):
        for width in ("wide", "abbreviated"):
            for number, name in get_month_names(width, locale=locale).items():
                month_numbers.setdefault(key(name), number)
    for alias, number in lex["month_aliases"].items():
        month_numbers.setdefault(key(alias), number)
    month_names = _word_alternation(set(month_numbers))

    people = {key(w) for w in lex["people_nouns"]}
    # On folded text: "40 users", "300 A5 users", "30 new users", "1 200 utilisateurs"
    # (up to two words between the count and the noun, but not across a preposition or a
    # conjunction: "is 112 blocked for users" counts nobody).
    breakers = _word_alternation({key(w) for w in lex["count_breakers"]})
    them = lex["count_of_them"]
    groups = _word_alternation(people | {key(w) for w in them["groups"]})
    of_them = "|".join(r"[\s'’]+".join(map(re.escape, words_of(p))) for p in them["phrases"])
    # "our UK staff (90 of them, E5)": a count after the group it counts (lexicon count_of_them)
    count_of_them = re.compile(rf"(?<![\w.,+\-])(\d{{1,7}})\s+(?:{of_them})\b")
    group_before = re.compile(rf"\b(?:{groups})\b")
    user_count = re.compile(
        r"(?<![\w.,+\-])(\d{1,3}(?:[ ,.\u00a0\u202f]\d{3})+|\d+)\s+"
        rf"(?:(?!(?:{breakers})\s)[^\W_]+[\s'’]+){{0,2}}?"  # "12 d'utilisateurs"
        rf"({_word_alternation(people)})(?![\w])"
    )
    carriers = [(cid, re.compile(p)) for cid, pats in lex["carriers"].items() for p in pats]
    lines = [(line, re.compile(p)) for line, pats in lex["lines"].items() for p in pats]
    carrier_names = sorted(lex["carrier_names"], key=len, reverse=True)
    yes_words = sorted((tuple(words_of(w)) for w in lex["yes_words"]), key=len, reverse=True)
    corrections_within = tuple(tuple(words_of(c)) for c in read_locale_json("entities.json")["corrections_within"])
    no_words = sorted((tuple(words_of(w)) for w in lex["no_words"]), key=len, reverse=True)
    fuzzy_names = {" ".join(k): code for k, code in names.items() if len(k) == 1 and len(k[0]) >= FUZZY_MIN_LEN}
    fuzzy_pairs = {k: code for k, code in cty["names"].items() if len(k.split()) == 2 and len(k) >= 8}
    return _Compiled(
        names=names,
        max_name_len=max(len(k) for k in names),
        adjectives=dict(cty["adjectives"]),
        codes=frozenset(cty["codes"]),
        ambiguous=frozenset(cty["ambiguous_codes"]),
        case_sensitive=dict(cty["case_sensitive"]),
        prepositions=frozenset(cty["place_prepositions"]),
        place_nouns=frozenset(key(w) for w in lex["place_nouns"]),
        people_nouns=frozenset(people),
        call_words=frozenset(key(w) for w in lex["call_words"]),
        unit_words=frozenset(key(w) for w in lex["unit_words"]),
        emergency_strong=frozenset(key(w) for w in lex["emergency_cues"]["strong"]),
        emergency_weak=frozenset(key(w) for w in lex["emergency_cues"]["weak"]),
        plans=plans,
        carriers=carriers,
        licences=licences,
        lines=lines,
        months=re.compile(rf"\b({month_names})\b(?: ((?:19|20)\d\d)\b)?"),
        month_numbers=month_numbers,
        months_stop=frozenset(lex["months_stop"]),
        months_context=re.compile(rf"{lex['months_context']}$"),
        yes_words=yes_words,
        no_words=no_words,
        user_count=user_count,
        count_of_them=count_of_them,
        count_words=frozenset(people | {key(w) for w in them["groups"]}),
        group_before=group_before,
        carrier_names=re.compile(_names_pattern(carrier_names), re.IGNORECASE),
        carrier_names_ascii=_ascii_names(carrier_names),
        carrier_starts=_first_words([n.lower() for n in carrier_names if n.isascii()]),
        carrier_names_cased=re.compile(
            r"(?<![\w&])(?:" + "|".join(re.escape(n) for n in lex["carrier_names_cased"]) + r")(?![\w&])"
        ),
        cased_names=tuple(lex["carrier_names_cased"]),
        carrier_spelling={n.casefold(): n for n in lex["carrier_names"] + lex["carrier_names_cased"]},
        fuzzy_names=fuzzy_names,
        fuzzy_cities=frozenset(
            k for k in (key(c) for c in cities_data()) if " " not in k and tuple(k.split()) not in cty_names
        ),
        fuzzy_pairs=fuzzy_pairs,
        fuzzy_names_by_length=_within_reach(fuzzy_names),
        fuzzy_pairs_by_length=_within_reach(fuzzy_pairs),
        plain_words=_plain_words(lex, month_numbers),
        never_places=frozenset(key(w) for w in read_locale_json("entities.json")["never_places"]),
        product_names=_product_names(read_locale_json("entities.json")["product_names"]),
        codes_after_licence=frozenset(read_locale_json("entities.json")["codes_after_licence"]),
        licence_words=frozenset(a for a in aliases if a and " " not in a),
        licence_names={a: family for a, family in aliases.items() if a},
        corrections_within=corrections_within,
        corrections_first=frozenset(cue[0] for cue in corrections_within),
        name_sizes=_sizes_by_first(names),
        any_plan=any_of([p for *_, p in plans]),
        any_carrier=any_of([p for _, p in carriers]),
        any_licence=any_of([p for _, p in licences]),
        any_line=any_of([p for _, p in lines]),
        any_term=any_of(
            [p for *_, p in plans] + [p for _, p in carriers] + [p for _, p in licences] + [p for _, p in lines]
        ),
        yes_no_by_first=_yes_no_by_first(yes_words, no_words),
    )


def _within_reach(names: Iterable[str]) -> dict[int, tuple[str, ...]]:
    """Per length of a word, the ``names`` (in their order) whose similarity to a word of that
    length may meet the typo floor: the Damerau-Levenshtein distance is at least the difference
    of the lengths, so a name longer or shorter by more than a fifth ("allemange" and "ile de
    man") is never close enough, and comparing with it (most of the ~800 names) is work for
    nothing. Lengths missing here reach no name. The lowest floor is used, so every name that
    could meet a floor is kept, and the ranking of those that do is unchanged."""
    names = list(names)
    longest = max(map(len, names), default=0)
    floor = min(FUZZY_FLOOR, FUZZY_FLOOR_OTHER_START) - FLOAT_SLACK
    by_length = {}
    for size in range(1, 2 * longest + 1):
        reached = tuple(n for n in names if 1 - abs(size - len(n)) / max(size, len(n)) >= floor)
        if reached:
            by_length[size] = reached
    return by_length


def _names_pattern(names: list[str]) -> str:
    """Any of ``names`` (literally, in this order) as a whole name: not inside a word, nor "&"."""
    return r"(?<![\w&])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w&])"


def _ascii_names(names: list[str]) -> re.Pattern[str] | None:
    """What ``_names_pattern(names)`` matches case-insensitively in ASCII text, as an exact
    pattern for that text lowered: the same spans (lowering ASCII keeps every offset; an ASCII
    letter matches only its two cases). A name with a letter outside ASCII never matches ASCII
    text and is left out, unless one of that letter's cases is ASCII (the Kelvin sign is "k"):
    then None, and the case-insensitive pattern is used."""
    ascii_names = []
    for name in names:
        if name.isascii():
            ascii_names.append(name.lower())
        elif any(_has_ascii_case(c) for c in name if not c.isascii()):
            return None
    return re.compile(_names_pattern(ascii_names))


def _first_words(names: list[str]) -> frozenset[str] | None:
    """The first ``[a-z0-9]+`` run of each of ``names`` (lowered), or None if one does not start
    with one. WHY it tells: a match of ``_names_pattern`` starts after no word character and
    ends before none, so in the text that run is a whole word of :data:`_KEY_WORD` (the name's
    next character, if any, is no letter or digit, as is the one after the match)."""
    firsts = set()
    for name in names:
        first = _KEY_WORD.match(name)
        if first is None:
            return None
        firsts.add(first.group())
    return frozenset(firsts)


def _has_ascii_case(letter: str) -> bool:
    return any(c.isascii() for c in letter.lower() + letter.upper() + letter.casefold())


def _product_names(names: list[str]) -> re.Pattern[str]:
    """Product names ending in their number, on raw text: each space of a folded name also
    matches no space or a hyphen ("M365", "Office-365")."""
    separator = r"[\s\-]*"
    alternatives = (separator.join(re.escape(w) for w in name.split()) for name in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w])(?:{'|'.join(alternatives)})(?![\w])", re.IGNORECASE)


_TRAILING_DIGITS = re.compile(r"\d+$")
#: A digit, as ``\d`` reads one: text without one holds no number, count nor product number, and
#: the passes that read those (~2-4 us each on a short message) are skipped.
_DIGIT = re.compile(r"\d")


def without_product_numbers(work: str, table: _Compiled | None = None) -> str:
    """``work`` with the number of each product name blanked (offsets stay put): "Microsoft 365
    users" counts nobody, "8 people on Microsoft 365 E3" still counts 8. (Text without a digit
    has no number to blank: not searched.)"""
    if not _DIGIT.search(work):
        return work
    for match in (table or compiled()).product_names.finditer(work):
        number = _TRAILING_DIGITS.search(match.group(0))
        if number:
            work = _blank(work, match.end() - len(number.group(0)), match.end())
    return work


def _ends_with_product(text: str, table: _Compiled) -> bool:
    """Whether ``text`` ends with a product name ("... office 365 "): the number before a base
    licence is then the product's, not a seat count ("Windows 365 E3")."""
    tail = text.rstrip()[-_PRODUCT_REACH:]
    return any(m.end() == len(tail) for m in table.product_names.finditer(tail))


_PRODUCT_REACH = 20


def never_a_place(word: str) -> bool:
    """Whether a folded word is never a country, known or not: a licence tier word ("premium",
    "frontline") or a region ("europe", "asie"), ``entities.json`` ``never_places``."""
    return word in compiled().never_places


def _plain_words(lex: dict[str, Any], month_numbers: dict[str, int]) -> frozenset[str]:
    """Every word the lexicon uses (cues, fillers, word lists, language markers, month names):
    a word the bot knows is never read as a misspelt country nor said back as an unknown one."""
    phrases: set[str] = set(lex["filler"]) | set(lex["known_words"]) | set(lex["exact"]) | set(month_numbers)
    for entries in lex["intents"].values():
        phrases.update(phrase for _, phrase in entries)
    for members in lex["classes"].values():
        phrases.update(members)
    for name in ("yes_words", "no_words", "people_nouns", "place_nouns", "call_words", "unit_words", "count_breakers"):
        phrases.update(lex[name])
    markers = language_words()
    phrases.update(w for lang in ("en", "fr") for w in markers[lang])
    return frozenset(w.strip("*=^") for phrase in phrases for w in words_of(phrase.replace("...", " ")))


# --- span extractors on the raw text -----------------------------------------------------------

_MENTION = re.compile(r"<at[^>]*>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_UPN = re.compile(r"(?<![\w.%+\-])[A-Za-z0-9._%+\-']+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}(?:['’]s\b)?")
_HANDLE = re.compile(r"(?<![\w@])@([^\W\d_][\w.\-]*[^\W_]|[^\W\d_])")
_ISO_DATE = re.compile(r"(?<![\w\-])((?:19|20)\d\d)-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?(?![\w\-])")
_DMY_DATE = re.compile(r"(?<![\w./\-])(?:0?[1-9]|[12]\d|3[01])[/.\-](?:0?[1-9]|1[0-2])[/.\-](?:19|20)\d\d(?![\w./\-])")
_US_ABBR = [
    (re.compile(r"\bU\.S\.A\.?"), "USA"),
    (re.compile(r"\bU\.S\.(?!\w)"), "US"),
    (re.compile(r"\bU\.K\.(?!\w)"), "UK"),
]
_MASKS = "*•#"
# Possessive quantifiers and atomic groups: a digit run is never re-split on backtracking, so a
# long run of digits and separators is matched in linear time (no catastrophic backtracking).
_NUMBER = re.compile(
    r"(?<![\w+*•#])"
    r"(?>(?:\+ ?|\(\+?)?\d++\)?)"  # first chunk: +44, (212), 0044, 020
    r"(?>[ .\-/\u00a0\u202f]?(?:\(\d++\)|\d++|[*•#]++))*+"  # more chunks, masked ones included
    r"(?![\w])"
)
_SPACE_RUN = re.compile(r"\s+")


def _found(pattern: re.Pattern[str], work: str, marks: str | re.Pattern[str]) -> list[re.Match[str]]:
    """The matches of ``pattern`` in ``work`` (listed: the caller blanks them as it goes), or
    none when ``work`` holds none of ``marks``, characters every match has ("@" for a UPN; or a
    pattern, :data:`_DIGIT` for a number). WHY: most messages name no UPN, mention or date; a
    character test (~50 ns) spares them a regex pass (~1 us each on a short message)."""
    if isinstance(marks, str):
        for mark in marks:
            if mark in work:
                return list(pattern.finditer(work))
        return []
    return list(pattern.finditer(work)) if marks.search(work) else []


def _named_carriers(work: str, table: _Compiled) -> list[re.Match[str]]:
    """The operators named in ``work``, in the order written: :func:`_carrier_names`, and the
    names read only as typed ("chez Free", not "Free calls?": never the first word). WHY the
    substring test: the cased names are a handful of capitalized words that most messages
    do not hold; it spares them a regex pass (~1 us on a short message)."""
    found = _carrier_names(work, table)
    if any(name in work for name in table.cased_names):
        first_word = len(work) - len(work.lstrip())
        found += [m for m in table.carrier_names_cased.finditer(work) if m.start() > first_word]
        found.sort(key=lambda m: m.start())
    return found


def _carrier_names(work: str, table: _Compiled) -> list[re.Match[str]]:
    """The operators named in ``work`` (``carrier_names``, any case). ASCII text, most messages,
    is searched lowered with the lowered names: a case-insensitive alternation of 39 names is
    ~3x slower than an exact one, and for ASCII text both find the same spans (see
    ``carrier_names_ascii``). Read the name from ``work`` at the span, not from the match."""
    if table.carrier_names_ascii is not None and work.isascii():
        lowered = work.lower()
        # (most messages hold no carrier's first word: one set test instead of the alternation's
        # pass over every position, ~1 us instead of ~4 on a short message)
        if table.carrier_starts is not None and table.carrier_starts.isdisjoint(_KEY_WORD.findall(lowered)):
            return []
        return list(table.carrier_names_ascii.finditer(lowered))
    return list(table.carrier_names.finditer(work))


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _padded(text: str) -> Callable[[re.Match[str]], str]:
    """A ``re.sub`` replacement: ``text`` padded to the matched length (offsets stay put)."""
    return lambda match: text.ljust(len(match.group(0)))


def _add(items: list[str], value: str) -> None:
    if value and value not in items:
        items.append(value)


def _words_before(text: str, start: int, count: int) -> list[str]:
    return words_of(text[:start])[-count:]


def _word_after(text: str, end: int) -> str:
    words = words_of(text[end : end + 40])
    return words[0] if words else ""


#: A message this short naming an emergency number ("alice 112?", "keith 999 ?") asks about
#: calling it, even without a calling word.
TERSE_WORDS = 4


@cache
def _emergency_numbers() -> frozenset[str]:
    """Every emergency number the catalog lists for some country (112, 911, 999, ...)."""
    return frozenset(n for c in load_catalog().countries for n in c.emergency_numbers)


_NAME_WORD = re.compile(r"([^\W\d_]+)(['’]s\b)?")
#: An emergency number this long is taken after a weak cue alone ("911 from ..."): shorter ones
#: (15, 17, 18) are counts too often ("15 from France").
_LONG_EMERGENCY = 3


def _emergency_called(raw: str, work: str, table: _Compiled, named_user: bool) -> bool:
    """Whether an emergency number of the catalog is one to call though no calling word comes
    right before it: "le 18 pour les pompiers, camille peut l'appeler ?", "est-ce que Bastien
    peut faire le 112 ?", "911 from yasmin@contoso.com, does that go through?" (lexicon
    ``emergency_cues``). Bounded: one pass over the message's words."""
    if raw not in _emergency_numbers():
        return False
    words = words_of(work)
    if table.emergency_strong.intersection(words):
        return True
    if not table.emergency_weak.intersection(words):
        return False
    # A weak cue asks about someone: a user named, or a name the bot does not know, capitalized
    # or possessive ("Zoe Johnson - 911, will it go through?", "911 from xavier's client");
    # "does 112 work from Teams?" asks in general.
    someone = named_user or any(
        ((name[:1].isupper() and not name.isupper()) or possessive)
        and (folded := key(name)).isalpha()
        and len(folded) >= 3
        and folded not in table.plain_words
        and (folded,) not in table.names
        for name, possessive in _NAME_WORD.findall(work)
    )
    return someone and (len(raw) >= _LONG_EMERGENCY or named_user)


def _extract_numbers(work: str, table: _Compiled, found: list[str], named_user: bool = False) -> str:
    for match in _found(_NUMBER, work, _DIGIT):
        raw = match.group(0).strip()
        digits = sum(map(str.isdigit, raw))
        masked = sum(raw.count(mask) for mask in _MASKS)
        after = _word_after(work, match.end())
        if after in table.unit_words:
            continue  # "40 users", "3000 minutes", "1 200 000 minutes"
        if digits + masked >= 6 or (raw.startswith("+") and digits >= 5):
            pass
        elif 2 <= digits <= 6 and not masked and re.fullmatch(r"\d+", raw):
            # Short codes (112, 911, 15, 3179) only right after a calling word: "call 911",
            # "appeler le 112", so "20 in Mexico" or a year is not taken for a number.
            before = [w for w in _words_before(work, match.start(), 3) if w not in ("le", "la", "the", "a", "au")]
            terse = (  # "alice 112?": the emergency number ends a message this short
                raw in _emergency_numbers()
                and 2 <= len(work.split()) <= TERSE_WORDS  # a name and the number: "15" alone stays a count
                and not work[match.end() :].strip(" ?!.")
            )
            called = bool(before) and before[-1] in table.call_words
            if not (terse or called or _emergency_called(raw, work, table, named_user)):
                continue
        else:
            continue
        _add(found, raw)
        work = _blank(work, match.start(), match.end())
    return work


# --- word-level extractors on folded tokens ----------------------------------------------------


@dataclass(slots=True)
class _Token:
    raw: str
    folded: str
    end: int = 0  # where the raw word ends in the text tokenized


_TOKEN = re.compile(r"[^\W_]+")


def _user_count(folded_work: str, table: _Compiled) -> tuple[int | None, bool]:
    """The users counted ("40 users", "about 40 users", "90 of them" after the group) and
    whether the count is approximate; (None, False) without a digit to count with."""
    if not _DIGIT.search(folded_work):
        return None, False
    # Both patterns end on a whole folded word ("users", "team"): a message with none of those
    # words is not searched (the count pattern is among the costliest of a message with digits).
    words = _KEY_WORD.findall(folded_work)
    if table.count_words.isdisjoint(words):
        return None, False
    count_match = table.user_count.search(folded_work) if not table.people_nouns.isdisjoint(words) else None
    if count_match:
        value = int(re.sub(r"\D", "", count_match.group(1)))
        if 0 < value <= 1_000_000:
            return value, approximate_at(folded_work, count_match.start(1))
        return None, False
    count_match = table.count_of_them.search(folded_work)
    if (
        count_match
        and 0 < int(count_match.group(1)) <= 1_000_000
        and table.group_before.search(folded_work, 0, count_match.start())
    ):
        return int(count_match.group(1)), False
    return None, False


def tokenize(work: str) -> list[_Token]:
    """The words of ``work`` as :class:`_Token` (every message is tokenized once a turn: an
    ASCII word, most, is built in one step, with positional arguments, ~30% less than a loop
    over its one part with keywords)."""
    tokens = []
    for match in _TOKEN.finditer(work):
        raw = match.group()
        if raw.isascii():  # ASCII letters and digits fold to themselves, lowered
            tokens.append(_Token(raw, raw.lower(), match.end()))
        else:  # "ﬁ" ligatures or digits+letters fold to one or more words
            end = match.end()
            tokens.extend(_Token(raw, part, end) for part in words_of(raw))
    return tokens


#: Typo matching: how similar (Damerau-Levenshtein, normalized) a word must be to a country
#: name, and the shortest word tried ("Itly" is too short to tell from a real word).
FUZZY_FLOOR = 0.8
FUZZY_MIN_LEN = 5
#: The floor for a name that starts with another letter than the word: a typo rarely changes
#: the first letter, while a made-up country often is a real one with a new first letter
#: ("Poldavie": Moldavie, one edit in eight letters; "Ruritania": Mauritania, two in ten) and a
#: first name often is one with a letter dropped ("Olivia": Bolivia). Every typo of the corpora
#: keeps its first letter ("Itallie", "germnay", "Belgqiue"), so another start needs one edit
#: in ten letters or more ("Bwitzerland" is still Switzerland).
FUZZY_FLOOR_OTHER_START = 0.9
#: A capitalized word that is no place is said back only after these ("in Narnia", "en Narnia",
#: "à Narnia" typed "a Narnia", "what about Atlantis", "pour la Bordurie"), or right before a
#: place noun ("the Atlantis pool", "our Wakanda office"): after "for" or "to" it is more often
#: a company, a product or a person.
UNKNOWN_AFTER = frozenset({"in", "en", "au", "aux", "dans", "a", "about", "la"})
#: Words after which a word is tried as a misspelt place besides the place prepositions:
#: "à" (folded "a": "à Luxembourgh"), "about" ("what about Swizterland?"), "la" ("la Polgne").
PLACE_LEAD_INS = frozenset({"a", "about", "la"})
#: Articles between a place preposition and a place name ("in the", "dans le").
_ARTICLES = frozenset({"the", "le", "la", "les", "l"})
#: At most this many words of a message are tried as misspelt places (bounded work).
FUZZY_MAX_CANDIDATES = 4
#: How many equally close names are compared to break a tie (:func:`_fuzzy_country`).
FUZZY_TIES = 5
#: Below the floor by this much still meets it (float rounding of the similarity).
FLOAT_SLACK = 1e-9


@cache
def _country_endings() -> tuple[str, ...]:
    return tuple(read_locale_json("cities.json")["country_endings"])


@cache
def _not_places() -> frozenset[str]:
    """Words a message may end with after "in" / "en" that are no place ("in total", "en moyenne",
    "in marketing"): ``questions.json``'s list, the one the fact path reads too."""
    return frozenset(read_locale_json("questions.json")["not_places"])


#: A place typed in lower case is said back as unknown only as the message's last word, right
#: after one of these ("12 e5 users in wakanda"): elsewhere an unknown lower-case word is more
#: likely a typo or a word; and it has at least this many letters ("in it" names no place).
_LOWER_PLACE_AFTER = frozenset({"in", "en", "au", "aux"})
_LOWER_PLACE_MIN = 4


def _lower_unknown_place(tokens: list[_Token], i: int) -> bool:
    token = tokens[i]
    return (
        i == len(tokens) - 1
        and i > 0
        and tokens[i - 1].folded in _LOWER_PLACE_AFTER
        and token.raw.islower()
        and len(token.raw) >= _LOWER_PLACE_MIN
        and token.folded not in _not_places()
        and token.folded not in _fact_words()
    )


@cache
def _fact_words() -> frozenset[str]:
    """The fact base's words and synonyms (:func:`knowledge.fact_search.vocabulary`): a word a
    question of fact ends with ("... lesquels en postpayé ?") is no unknown place."""
    from knowledge.fact_search import vocabulary

    return vocabulary()


def _ends_like_a_country(word: str, city: str) -> bool:
    """Whether ``word`` ends like a country name while ``city`` does not: cities need a
    stricter typo match than countries, since a fictional country is often a real city with a
    country ending ("Genovia": Genova, Italy, one letter off). "Pariss" still is Paris."""
    endings = _country_endings()
    return word.endswith(endings) and not city.endswith(endings)


def _fuzzy_country(word: str, table: _Compiled) -> str | None:
    """The country a misspelt name means ("allemange" -> DE), or None below the floor."""
    if len(word) < FUZZY_MIN_LEN or word in table.plain_words:
        return None
    # No score_cutoff: rapidfuzz turns it into a whole number of edits that rounds one edit in
    # five letters ("itlay": exactly the 0.8 floor) out; the floor is applied to the scores.
    names = table.fuzzy_names_by_length.get(len(word))
    if not names:
        return None  # no name within reach of a word this long or short
    found = [
        hit
        for hit in process.extract(word, names, scorer=DamerauLevenshtein.normalized_similarity, limit=FUZZY_TIES)
        if hit[1] >= (FUZZY_FLOOR if hit[0][:1] == word[:1] else FUZZY_FLOOR_OTHER_START) - FLOAT_SLACK
        and not (hit[0] in table.fuzzy_cities and _ends_like_a_country(word, hit[0]))
    ]
    if not found:
        return None
    # Equally close names ("polland": Poland and Holland): the one that starts like the word,
    # since a typo rarely changes the first letter.
    top = [name for name, score, _ in found if score == found[0][1]]
    same_start = [name for name in top if name[:1] == word[:1]]
    return table.fuzzy_names[(same_start or top)[0]]


def _places(
    tokens: list[_Token], taken: set[int], table: _Compiled, work: str = ""
) -> tuple[dict[str, str], list[str]]:
    """(countries of misspelt names with the word each was read from, unknown place names)
    among the words not read yet: the word right after a place preposition ("in Narnia", "en
    Allemange", "à Luxembourgh"), the message's first word when capitalized ("Swizterland, 7 E5
    users": a list of what the admin has, the country first), a capitalized word before a
    place noun ("the Atlantis pool"), or each word of a message of one or two words (a prompt's
    answer "Swizterland"). A misspelt two-word name ("new zeland", "south afrika") is tried
    on the word and the one after it."""
    short = len(tokens) <= 2
    countries: dict[str, str] = {}
    unknown: list[str] = []
    tried = 0
    for i, token in enumerate(tokens):
        if i in taken or not token.raw.isalpha():
            continue
        prev = before = tokens[i - 1].folded if i > 0 else ""
        if prev in _ARTICLES and i > 1 and tokens[i - 2].folded in table.prepositions:
            prev = tokens[i - 2].folded  # "in the unted states", "dans le Portgual"
        after_place = i > 0 and (prev in table.prepositions or prev in PLACE_LEAD_INS)
        capitalized = token.raw[:1].isupper() and len(token.raw) >= 3 and not token.raw.isupper()
        before_place = (
            capitalized and i + 1 < len(tokens) and i + 1 not in taken and tokens[i + 1].folded in table.place_nouns
        )
        if token.folded in table.plain_words or token.folded in table.never_places:
            pair = _fuzzy_pair(tokens, i, taken, table) if (short or after_place) else None
            if pair:
                countries.setdefault(pair[0], pair[1])
                taken.update((i, i + 1))
            continue
        listed_first = i == 0 and capitalized and work[token.end : token.end + 2].lstrip()[:1] == ","
        if not (short or after_place or before_place or listed_first):
            continue
        tried += 1
        if tried > FUZZY_MAX_CANDIDATES:
            break
        code = _fuzzy_country(token.folded, table)
        if code:
            countries.setdefault(code, token.raw)
        elif (pair := _fuzzy_pair(tokens, i, taken, table)) is not None:
            countries.setdefault(pair[0], pair[1])
            taken.update((i, i + 1))
        elif _lower_unknown_place(tokens, i):
            _add(unknown, token.raw)
        elif capitalized and (before_place or (i > 0 and (prev in UNKNOWN_AFTER or before in UNKNOWN_AFTER))):
            if before == "a" and tokens[i - 1].raw == "a" and not is_clearly_french(work):
                continue  # English "a Microsoft plan"; French "à Narnia", typed "a Narnia"
            _add(unknown, token.raw)
    return countries, unknown


def _fuzzy_pair(tokens: list[_Token], i: int, taken: set[int], table: _Compiled) -> tuple[str, str] | None:
    """(country, words as typed) of a misspelt two-word name starting at token ``i`` ("new
    zeland", "south afrika"), or None: at least one of the two words is unknown to the
    lexicon, and the pair is as close to a two-word country name as one word must be."""
    if i + 1 >= len(tokens) or i + 1 in taken or not tokens[i + 1].raw.isalpha():
        return None
    first, second = tokens[i], tokens[i + 1]
    if first.folded in table.plain_words and second.folded in table.plain_words:
        return None
    pair = f"{first.folded} {second.folded}"
    names = table.fuzzy_pairs_by_length.get(len(pair))
    if not names:
        return None
    hit = process.extractOne(pair, names, scorer=DamerauLevenshtein.normalized_similarity)
    if hit is None or hit[1] < FUZZY_FLOOR - FLOAT_SLACK:
        return None
    return table.fuzzy_pairs[hit[0]], f"{first.raw} {second.raw}"


def _extract_countries(
    tokens: list[_Token], table: _Compiled, taken: set[int] | None = None, work: str = ""
) -> list[str]:
    """Countries named (names, cities, codes, adjectives near a place noun); the indexes of the
    tokens read go into ``taken``."""
    taken = set() if taken is None else taken
    found: list[str] = []
    # An all-caps message ("CAN ALICE CALL US") makes every short word look like a code.
    words = [t.raw for t in tokens if t.raw.isalpha() and len(t.raw) >= 3]
    shouting = len(words) >= 2 and sum(w.isupper() for w in words) > len(words) / 2
    folded = [t.folded for t in tokens]
    cities, city_after = word_cities()
    i = 0
    while i < len(tokens):
        # only the word counts of the names that start with this word (longest first), as many as are left
        for size in table.name_sizes.get(folded[i], ()):
            if size > len(tokens) - i:
                continue  # longer than the words left
            name = tuple(folded[i : i + size])
            code = table.names.get(name)
            if code:
                _add(found, code)
                taken.update(range(i, i + size))
                i += size
                break
        else:
            token = tokens[i]
            prev = tokens[i - 1].folded if i else ""
            after_place = prev in table.prepositions
            raw = token.raw
            if raw in cities and prev in city_after:  # "in Nice", "à Nice"; "nice, thanks" names no city
                _add(found, cities[raw])
                taken.add(i)
            elif raw in table.case_sensitive and (not shouting or len(raw) > 2 or after_place):
                _add(found, table.case_sensitive[raw])
                taken.add(i)
            elif len(raw) == 2 and raw.isupper() and raw.isalpha() and raw in table.codes:
                after_licence = (
                    raw in table.codes_after_licence
                    and prev in table.licence_words
                    and tokens[i - 1].raw.isupper()
                    and not shouting
                    and _ends_an_item(tokens, i, work)
                )  # "30 users E5 BE, que du national": an order line
                if after_place or after_licence or (raw not in table.ambiguous and not shouting):
                    _add(found, raw)
                    taken.add(i)
            elif token.folded in table.adjectives:
                taken.add(i)  # "French users" without a place noun: a language or a people, not a typo
                window = tokens[max(0, i - 3) : i] + tokens[i + 1 : i + 4]
                if any(t.folded in table.place_nouns for t in window):
                    _add(found, table.adjectives[token.folded])
            i += 1
    return found


#: What may follow a code on an order line ("E5 BE, national", "E5 BE - 30 users", "E5 BE x 30").
_ITEM_ENDS = frozenset(",;.:)-/|")


def _ends_an_item(tokens: list[_Token], i: int, work: str) -> bool:
    """Whether token ``i`` ends an item of a terse list: the message's end, punctuation, or a
    count ("E5 BE 30"), not a sentence going on ("E5 AT the moment")."""
    if i + 1 == len(tokens):
        return True
    after = work[tokens[i].end : tokens[i].end + 3].lstrip()[:1]
    return after in _ITEM_ENDS or tokens[i + 1].raw.isdigit() or tokens[i + 1].folded == "x"


def _taken_back(tokens: list[_Token], table: _Compiled, misspelt: dict[str, str], work: str) -> set[str]:
    """The countries a correction later in the same message takes back ("30 users in Hungary -
    sorry, I meant Romania": Hungary): those named only before the last correction phrase
    (``entities.json`` ``corrections_within``), when it is followed by a country of its own."""
    words = [t.folded for t in tokens]
    if table.corrections_first.isdisjoint(words[1:]):
        return set()  # most messages: no correction phrase
    cues = [cue for cue in table.corrections_within if cue[0] in words[1:]]
    if not cues:
        return set()
    cut = max(
        (k for cue in cues for k in range(1, len(words)) if tuple(words[k : k + len(cue)]) == cue),
        default=0,
    )
    if not cut:
        return set()

    def named(part: list[_Token]) -> set[str]:
        raws = {t.raw for t in part}
        return set(_extract_countries(part, table, None, work)) | {c for c, w in misspelt.items() if w in raws}

    before, after = named(tokens[:cut]), named(tokens[cut:])
    return before - after if after else set()


#: A count right before a base licence ("30 E3", "70 x E5", "55 on E5"): read in the last few characters
#: before it; or right after it, as on an order line ("E5 x 70").
_SEATS_BEFORE = re.compile(r"(?:^|\s)(\d{1,7})(?: x| on| en| sur)? $")  # "we're 55 on E5", "12 en E5"
_SEATS_AFTER = re.compile(r"^ x (\d{1,7})(?!\S)")
_SEATS_REACH = 9


def _first(
    norm: str,
    patterns: list[tuple[Any, re.Pattern[str]]],
    combined: re.Pattern[str] | None = None,
    by_text: dict[str, Any] | None = None,
) -> tuple[Any, re.Match[str]] | None:
    """The pattern that matches first in ``norm`` (ties: the list's order) and its match.
    ``combined`` (their alternation, :func:`any_of`) finds that match itself: it starts where
    the leftmost of theirs does, and there the alternation takes the first pattern of the list
    that matches, with that pattern's span. WHY: one search instead of one per pattern (84 for
    the licences) on a message that names one. Which pattern it was is the first to match at
    that start (a few anchored tries), or, for patterns that are each one literal name,
    ``by_text`` (the name -> its value)."""
    if combined is not None:
        found = combined.search(norm)
        if found is None:
            return None
        if by_text is not None:
            return by_text[found.group(0)], found
        start = found.start()
        for value, pattern in patterns:
            match = pattern.match(norm, start)
            if match:
                return value, match
    best = None
    for value, pattern in patterns:
        match = pattern.search(norm)
        if match and (best is None or match.start() < best[1].start()):
            best = (value, match)
    return best


def _extract_plan(norm: str, table: _Compiled) -> tuple[str | None, str, tuple[int, int]]:
    """The first plan named (ties: literal SKUs, then the lexicon's order), the text without
    it, and where that first mention is in ``norm``."""
    if table.any_plan is not None and not table.any_plan.search(norm):
        return None, norm, (0, 0)
    candidates = []
    for priority, sku, pattern in table.plans:
        for match in pattern.finditer(norm):
            candidates.append((match.start(), priority, -(match.end() - match.start()), sku, match))
    if not candidates:
        return None, norm, (0, 0)
    candidates.sort(key=lambda c: c[:3])
    for *_, match in candidates:  # blank every plan mention so "domestic plan" is not a line
        norm = _blank(norm, match.start(), match.end())
    first = candidates[0][4]
    return candidates[0][3], norm, (first.start(), first.end())


#: A count right before a plan's name is a number of licences when a licence word follows the
#: name ("50 Domestic and International licences", "100 licences du forfait 120" is read by the
#: count pattern already); "forfait 120", where the number is the plan's, never is.
_LICENCE_AFTER_PLAN = re.compile(r"^ (?:calling )?(?:licen[cs]es?|seats?|subscriptions?|abonnements?)\b")


def _seats_before_plan(norm: str, span: tuple[int, int]) -> int | None:
    start, end = span
    if not _LICENCE_AFTER_PLAN.match(norm[end : end + 30]):
        return None
    seats = _SEATS_BEFORE.search(norm[max(0, start - _SEATS_REACH) : start])
    if _ends_with_product(norm[:start], compiled()):
        return None  # "Microsoft 365 Calling Plan licences": the product's number
    return int(seats.group(1)) if seats and 0 < int(seats.group(1)) <= 1_000_000 else None


#: The month value of "last month", "le mois dernier" (resolved against today by :func:`resolve_month`).
LAST_MONTH = "last"
_LAST_MONTH = re.compile(r"\b(?:last|previous) month\b|\bmois (?:dernier|precedent)\b|\bdernier mois\b")
_MONTH_WORDS = frozenset({"month", "mois"})  # one of them is in every match of _LAST_MONTH


def _extract_month(norm: str, words: list[str], table: _Compiled, iso_month: str | None) -> str | None:
    """The month named in ``norm`` (the message's folded ``words``, joined). Every pattern here
    needs a whole word of ``words`` ("month"/"mois", a month's name: ``norm`` is folded words,
    each ``[a-z0-9]+``), so a message with none of them is not searched (most messages)."""
    if iso_month:
        return iso_month
    if not _MONTH_WORDS.isdisjoint(words) and _LAST_MONTH.search(norm):
        return LAST_MONTH
    if table.month_numbers.keys().isdisjoint(words):
        return None
    for match in table.months.finditer(norm):
        name, year = match.group(1), match.group(2)
        if name in table.months_stop and not year and not table.months_context.search(norm[: match.start()]):
            continue  # "may", "sept" (seven): only with a year or after "in", "en", "depuis"...
        number = table.month_numbers[name]
        return f"{year}-{number:02d}" if year else f"--{number:02d}"
    return None


def _extract_yes_no(words: list[str], table: _Compiled) -> bool | None:
    if not words or len(words) > 8:
        return None
    by_first = table.yes_no_by_first
    for value, phrase in by_first.get(words[0], by_first[""]):  # the phrases it may start, in order
        if len(phrase) == 1 and len(phrase[0]) == 1 and len(words) != 1:
            continue  # "y"/"n" only as the whole answer
        if tuple(words[: len(phrase)]) == phrase:
            return value
    return None


# --- entry point -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Extraction:
    """Entities, and the folded words left once they are taken out (for intent scoring)."""

    entities: Entities
    words: list[str]
    features: frozenset[str]


def extract(text: str) -> Extraction:
    table = compiled()
    work = (text or "")[:MAX_CHARS]
    numbers: list[str] = []
    found_users: list[tuple[int, str]] = []  # (position, user): reported in the order written
    for match in _found(_MENTION, work, "<"):
        found_users.append((match.start(), _SPACE_RUN.sub(" ", match.group(1)).strip()))
        work = _blank(work, match.start(), match.end())
    for match in _found(_UPN, work, "@"):
        found_users.append((match.start(), re.sub(r"['’]s$", "", match.group(0)).lower().strip(".'")))
        work = _blank(work, match.start(), match.end())
    for match in _found(_HANDLE, work, "@"):
        found_users.append((match.start(), match.group(1)))
        work = _blank(work, match.start(), match.end())
    work = digits(work)  # "forty E5 users" -> "40 E5 users" (UPNs and mentions are read first)
    users: list[str] = []
    for _, user in sorted(found_users):
        _add(users, user)
    iso_month = None
    for match in _found(_ISO_DATE, work, "-"):
        iso_month = iso_month or f"{match.group(1)}-{match.group(2)}"
        work = _blank(work, match.start(), match.end())
    for match in _found(_DMY_DATE, work, "/.-"):
        work = _blank(work, match.start(), match.end())
    if "U." in work:  # every abbreviation of _US_ABBR starts so
        for pattern, replacement in _US_ABBR:
            work = pattern.sub(_padded(replacement), work)
    work = _extract_numbers(work, table, numbers, named_user=bool(found_users))
    named_carrier = carrier_name = None
    for match in _named_carriers(work, table):
        # "BT", "AT&T": a carrier, never a country
        named_carrier = "operator_connect"
        said = work[match.start() : match.end()]
        carrier_name = carrier_name or table.carrier_spelling.get(said.casefold(), said)
        work = _blank(work, match.start(), match.end())

    folded_work = fold(without_product_numbers(work, table))  # "Microsoft 365 users" counts nobody
    user_count, count_approx = _user_count(folded_work, table)

    tokens = tokenize(work)
    words = [t.folded for t in tokens]
    norm = " ".join(words)
    plan = carrier_hit = licence_hit = line_hit = None
    if table.any_term is None or table.any_term.search(norm):  # one search for the many that name none
        plan, rest, plan_span = _extract_plan(norm, table)
        if user_count is None and plan:
            user_count = _seats_before_plan(norm, plan_span)  # "50 D&I licences"
        carrier_hit = _first(rest, table.carriers, table.any_carrier)
        if carrier_hit:
            rest = _blank(rest, carrier_hit[1].start(), carrier_hit[1].end())
        licence_hit = _first(rest, table.licences, table.any_licence, table.licence_names)
        if user_count is None and licence_hit:
            # "30 E3", "25 E5 a equiper": a count right before a base licence is a seat count
            start = licence_hit[1].start()
            seats = _SEATS_BEFORE.search(rest[max(0, start - _SEATS_REACH) : start]) or _SEATS_AFTER.match(
                rest[licence_hit[1].end() : licence_hit[1].end() + _SEATS_REACH + 3]
            )
            if seats and 0 < int(seats.group(1)) <= 1_000_000 and not _ends_with_product(rest[:start], table):
                user_count = int(seats.group(1))
        line_hit = _first(rest, table.lines, table.any_line)
    taken: set[int] = set()
    countries = _extract_countries(tokens, table, taken, work)
    misspelt, unknown_places = _places(tokens, taken, table, work)
    guessed = {code: word for code, word in misspelt.items() if code not in countries}
    for code in guessed:
        _add(countries, code)
    taken_back = _taken_back(tokens, table, misspelt, work)
    if taken_back:
        countries = [c for c in countries if c not in taken_back]
        guessed = {code: word for code, word in guessed.items() if code not in taken_back}
    # Built with validation, not model_construct: pydantic-core validates the 15 fields in one
    # call (~3 us a message), while model_construct loops over them in Python (~6 us, measured
    # side by side on the bench messages, pydantic 2.14).
    entities = Entities(
        numbers=numbers,
        countries=countries,
        users=users,
        user_count=user_count,
        count_approx=count_approx,
        vague_count=vague_count(work) if user_count is None and not vague_words().isdisjoint(words) else None,
        plan=plan,
        base_licence=licence_hit[0] if licence_hit else None,
        carrier=carrier_hit[0] if carrier_hit else named_carrier,
        carrier_name=carrier_name,
        yes_no=_extract_yes_no(words, table),
        month=_extract_month(norm, words, table, iso_month),
        line=line_hit[0] if line_hit else None,
        unknown_places=unknown_places,
        guessed_countries=guessed,
    )
    features = {
        name
        for name, present in (
            ("phone_number", entities.numbers),
            ("user_ref", entities.users),
            ("user_count", entities.user_count or entities.vague_count),  # "a few hundred users": a seat count, asked
            ("base_licence", entities.base_licence),
            ("carrier", entities.carrier),
            ("month", entities.month),
            ("plan", entities.plan),
            ("country", entities.countries),
            ("line", entities.line),
        )
        if present
    }
    return Extraction(entities=entities, words=words, features=frozenset(features))


def extract_entities(text: str) -> Entities:
    """Only the entities of ``text`` (what a dialog step needs to read a typed answer)."""
    return extract(text).entities


def digits(text: str) -> str:
    """``text`` with its counts written in words as digits (:func:`dialogs.nlu.numbers.with_digits`;
    a count noun of the lexicon after "sept" or a capitalized number word makes it a count)."""
    return with_digits(text, compiled().people_nouns)


#: A whole number, with thousands separators: "1,200", "1 200", "1.200", "1'200".
_INTEGER = re.compile(r"(?<![\w.,+\-])(\d{1,3}(?:[,.'’\u00a0\u202f ]\d{3})+|\d+)(?![\w]|[.,]\d)")


def integers(text: str | None) -> list[tuple[int, int, int]]:
    """Every whole number typed, words read as digits first ("forty", "une douzaine"), as
    (value, start, end) in :func:`digits` of the text."""
    work = digits((text or "")[:MAX_CHARS])
    return [(int(re.sub(r"\D", "", m.group(1))), m.start(), m.end()) for m in _INTEGER.finditer(work)]


def first_integer(text: str | None) -> int | None:
    """The first whole number typed (``"40"``, ``"about 1,200"``, ``"1 200 utilisateurs"``,
    ``"forty"``), for a dialog step that asks for a count or minutes; None when there is none
    (or a decimal)."""
    found = integers(text)
    return found[0][0] if found else None


def resolve_month(month: str | None, today: date) -> str | None:
    """``"--11"`` -> the most recent November up to ``today`` (``"2025-11"`` in March 2026);
    ``"last"`` -> the month before ``today``'s."""
    if not month:
        return None
    if month == LAST_MONTH:
        return f"{today.year - 1}-12" if today.month == 1 else f"{today.year}-{today.month - 1:02d}"
    if not month.startswith("--"):
        return month
    number = int(month[2:])
    year = today.year if number <= today.month else today.year - 1
    return f"{year}-{number:02d}"
