"""What the first message of a request already says, as the slots a dialog would otherwise ask for.

WHY this layer on top of the recognizer: entities say *what* a message names, not the *role* it
plays. In "40 users in France who call the UK" both countries are entities, but only France is
where the users are (their licence usage location); the UK is a destination, and what it tells
the purchase is "they call abroad". The same goes for "never call abroad" (a negated
international need) and "60 users in the USA and 20 in Mexico" (a count per country). The
vocabulary for these roles is data (``locales/slots.json``); entity extraction itself is reused
from :mod:`dialogs.nlu.entities`, never re-implemented here.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

from pydantic import BaseModel, Field

from dialogs.nlu.entities import (
    Entities,
    any_of,
    compiled,
    digits,
    extract_entities,
    key,
    without_product_numbers,
    words_of,
)
from dialogs.nlu.limits import MAX_CHARS
from knowledge.advisor import MAX_USERS
from knowledge.catalog import load_catalog
from knowledge.phone import parse_number

MAX_MINUTES = 100_000
#: An acknowledgement ("ok thanks a lot") is this short at most.
ACK_WORDS = 5
#: The carrier slot's value for "no carrier" (the carrier buttons send it too).
NO_CARRIER = "none"
#: The minutes slot's value for "they make few outbound calls" (no figure given).
FEW = "few"


@cache
def slot_words() -> dict[str, Any]:
    text = resources.files("dialogs").joinpath("locales", "slots.json").read_text("utf-8")
    return json.loads(text)


@cache
def _patterns() -> dict[str, Any]:
    words = slot_words()
    flags = re.IGNORECASE
    return {
        "markers": [re.compile(p, flags) for p in words["destination_markers"]],
        "destination_end": re.compile(words["destination_end"], flags),
        "destination_before": re.compile(words["destination_before"], flags),
        "count_in_country": re.compile(words["count_in_country"], flags),
        "count_segment_end": re.compile(words["count_segment_end"], flags),
        "minutes": re.compile(words["minutes"], flags),
        "negations": frozenset(words["negations"]),
        "regions_abroad": frozenset(words["regions_abroad"]),
        "count_not_after": frozenset(words["count_not_after"]),
        "intl_hint": frozenset(words["international_minutes_hint"]),
        "acknowledgements": frozenset(words["acknowledgements"]),
        "number_place": re.compile(words["number_place"], flags),
        "no_carrier_mention": re.compile(words["no_carrier_mention"], flags),
        "scope_domestic": [re.compile(p, flags) for p in words["scope_domestic"]],
        "domestic_user": re.compile(words["domestic_user"], flags),
        "usage": [
            (words["usage_minutes"][level], [re.compile(p, flags) for p in patterns])
            for level, patterns in words["usage"].items()
        ],
    }


def known_countries(codes: list[str]) -> list[str]:
    """The codes the knowledge catalog knows (the recognizer knows every ISO territory)."""
    catalog = load_catalog()
    return [code for code in codes if catalog.country(code) is not None]


# --- roles of countries ------------------------------------------------------------------------


def _destination_spans(text: str) -> list[tuple[int, int]]:
    """Where the words right after each calling verb are, up to the end of what is called."""
    spans = []
    patterns = _patterns()
    for marker in patterns["markers"]:
        for match in marker.finditer(text):
            rest = text[match.end() : match.end() + 80]
            end = patterns["destination_end"].search(rest)
            spans.append((match.end(), match.end() + (end.start() if end else len(rest))))
    return spans


def _destination_segments(text: str) -> list[str]:
    """The words right after each calling verb, up to the end of what is called."""
    return [text[start:end] for start, end in _destination_spans(text)]


#: How far before "reachable" / "joignable" the country called is looked for (characters).
_BEFORE_REACH = 40


def destination_countries(text: str) -> list[str]:
    """Countries named right after a calling verb: "call the UK", "qui appellent l'Espagne";
    without one, the last country right before "reachable" / "joignable" ("is Algeria reachable
    for a user in Spain?")."""
    found: list[str] = []
    for segment in _destination_segments(text):
        for code in extract_entities(segment).countries:
            if code not in found:
                found.append(code)
    return found or _destinations_before(text)


def _destinations_before(text: str) -> list[str]:
    found: list[str] = []
    for match in _patterns()["destination_before"].finditer(text[:MAX_CHARS]):
        before = extract_entities(text[max(0, match.start() - _BEFORE_REACH) : match.start()]).countries
        if before and before[-1] not in found:
            found.append(before[-1])
    return found


def calls_a_region(text: str) -> bool:
    """Whether a region of the world is named right after a calling verb ("they phone Europe a
    lot", "ils appellent l'Asie"): no country, but calls abroad all the same."""
    regions = _patterns()["regions_abroad"]
    return any(set(words_of(segment)) & regions for segment in _destination_segments(text))


def split_countries(text: str, countries: list[str]) -> tuple[list[str], list[str]]:
    """(where the users are, where they call): every country not called is a location, and so
    is one called that is also named elsewhere ("users in the US who only call US landlines").
    ``countries`` (the message's, from the turn's extraction) bound both lists: with none, the
    words after the calling verbs are not extracted again (issue 14: a second extraction,
    ~0.13 ms, on every number check that names no country, which could only find nothing)."""
    if not countries:
        return countries, []
    destinations = [c for c in destination_countries(text) if c in countries]
    if not destinations:
        return countries, destinations
    outside = text
    for start, end in _destination_spans(text):
        outside = outside[:start] + " " * (end - start) + outside[end:]
    also_home = set(extract_entities(outside).countries) - set(_destinations_before(text))
    locations = [c for c in countries if c not in destinations or c in also_home]
    return locations, destinations


@cache
def _any_scope() -> re.Pattern[str] | None:
    """Every scope phrase of :func:`without_scope` in one (:func:`dialogs.nlu.entities.any_of`)."""
    return any_of(_patterns()["scope_domestic"])


def states_scope(text: str) -> bool:
    """Whether ``text`` has a scope phrase (``without_scope(text)[1]``), told by one search
    (issue 14: the routing of every typed turn asks this; blanking each pattern's matches
    with ``finditer`` cost ~25 us on a message that has none, such as "help")."""
    one = _any_scope()
    if one is not None:
        return one.search(text) is not None
    return any(pattern.search(text) for pattern in _patterns()["scope_domestic"])


def without_scope(text: str) -> tuple[str, bool]:
    """The text with its scope phrases ("only call within", "appels restent en") blanked out, and
    whether there was one: the country after such a phrase is where the users are, not a
    destination, and the phrase says they do not call abroad."""
    if not states_scope(text):
        return text, False  # most messages: no scope phrase, told by one search
    found = False
    for pattern in _patterns()["scope_domestic"]:
        for match in list(pattern.finditer(text)):
            found = True
            text = text[: match.start()] + " " * (match.end() - match.start()) + text[match.end() :]
    return text, found


# --- international need ------------------------------------------------------------------------


def _negated(words: list[str], position: int) -> bool:
    window = slot_words()["negation_window"]
    return any(w in _patterns()["negations"] for w in words[max(0, position - window) : position])


def international_need(text: str, locations: list[str], destinations: list[str]) -> bool | None:
    """True/False when the message says whether the users call abroad, None when it does not.

    A destination outside the users' domestic area says yes (US users calling Canada is
    domestic); "international"/"abroad" says yes unless negated ("never call abroad"); "domestic"
    or "national" says no. Both at once ("domestic or international?") is the question itself.
    """
    catalog = load_catalog()
    if destinations and locations:
        return any(not catalog.is_domestic(loc, dest) for loc in locations for dest in destinations)
    if destinations or calls_a_region(text):
        return True
    folded = key(text)
    words = folded.split()
    says: set[bool] = set()
    for line, pattern in compiled().lines:
        for match in pattern.finditer(folded):
            position = len(folded[: match.start()].split())
            if line == "international":
                says.add(not _negated(words, position))
            else:
                says.add(False)
    return says.pop() if len(says) == 1 else None


# --- counts and minutes -----------------------------------------------------------------------


def _integer(digits: str) -> int:
    return int(re.sub(r"\D", "", digits))


def counts_per_country(text: str) -> dict[str, int]:
    """``"60 users in the USA and 20 in Mexico"`` -> ``{"US": 60, "MX": 20}`` (counts in words too)."""
    patterns = _patterns()
    text = without_product_numbers(digits(text))  # "Microsoft 365 users in France" counts nobody
    counts: dict[str, int] = {}
    for match in patterns["count_in_country"].finditer(text):
        if _is_minutes_or_plan(text, match.start()):
            continue  # "forfait 120 en France", "120 minutes in Spain": no seat count
        rest = text[match.end() : match.end() + 60]
        end = patterns["count_segment_end"].search(rest)
        segment = rest[: end.start()] if end else rest
        # read as a place ("in CH", "en AT": a two-letter code counts only after a place word)
        countries = known_countries(extract_entities(f"in {segment}").countries)
        value = _integer(match.group(1))
        if countries and 1 <= value <= MAX_USERS and countries[0] not in counts:
            counts[countries[0]] = value
    return counts


#: Words before a number that make "<number> plans" name plans, not seats (folded).
_PLAN_ARTICLES = frozenset({"the", "le", "les"})
_ALTERNATIVES = frozenset({"or", "ou", "and", "et"})


def _is_minutes_or_plan(text: str, start: int) -> bool:
    """Whether the number at ``start`` names minutes ("120 min") or a plan ("forfait 120",
    "the 120 plan"), not a count of users."""
    before = text[max(0, start - 30) : start].rstrip()
    words = words_of(before)  # the plan word right before the number ("plans: 80 users" is a count)
    plan_words = _patterns()["count_not_after"]
    named = before[-1:].isalpha() and bool(words) and words[-1] in plan_words
    # "the 240 plans in Mexico", "the 120 or 240 plans": a plan word right after a number that
    # follows an article or another number and "or" names plans (not "we need 30 plans in France")
    after = words_of(text[start : start + 30])
    plan_after = len(after) >= 2 and after[1] in plan_words
    led = bool(words) and (
        words[-1] in _PLAN_ARTICLES or (words[-1] in _ALTERNATIVES and len(words) >= 2 and words[-2].isdigit())
    )
    # "forfaits 120 ou 240 au Mexique": the second number of plans named before it
    listed = len(words) >= 3 and words[-1] in _ALTERNATIVES and words[-2].isdigit() and words[-3] in plan_words
    return named or listed or (plan_after and led) or bool(_patterns()["minutes"].match(text, start))


def minutes_mentioned(text: str) -> tuple[int | None, int | None]:
    """(domestic minutes per user, international minutes per user) written as "300 minutes"."""
    domestic = international = None
    patterns = _patterns()
    text = digits(text)
    for match in patterns["minutes"].finditer(text):
        value = _integer(match.group(1))
        if value > MAX_MINUTES:
            continue
        # "200 international minutes", "300 minutes abroad", "300 minutes à l'international"
        after = words_of(text[match.end() : match.end() + 40])[:3]
        if (set(words_of(match.group(0))) | set(after)) & patterns["intl_hint"]:
            international = international if international is not None else value
        else:
            domestic = domestic if domestic is not None else value
    return domestic, international


def usage_minutes(text: str) -> int | str | None:
    """The outbound minutes per user a message states without a figure: 0 for "they only
    receive calls", :data:`FEW` for "they rarely call out" (no figure: the advisor's
    ``few_outbound``, Pay-As-You-Go where it is sold), None when it says nothing of usage (the
    advisor's typical usage)."""
    any_usage = _any_usage()
    if any_usage is not None and not any_usage.search(text):
        return None  # most messages: no usage stated, told by one search
    for minutes, patterns in _patterns()["usage"]:
        if any(p.search(text) for p in patterns):
            return minutes if isinstance(minutes, str) else int(minutes)
    return None


@cache
def _any_usage() -> re.Pattern[str] | None:
    """Every usage pattern of :func:`usage_minutes` in one (:func:`dialogs.nlu.entities.any_of`)."""
    return any_of([p for _, patterns in _patterns()["usage"] for p in patterns])


def is_acknowledgement(text: str | None) -> bool:
    """ "thanks", "ok merci", "great, thank you": a message made only of acknowledgement words
    (``slots.json`` ``acknowledgements``), answered with one short line, not the menu."""
    return acknowledges(words_of((text or "")[:200]))


def acknowledges(words: list[str]) -> bool:
    """:func:`is_acknowledgement` of a message's folded words (its first 200 characters'), for
    a caller that has them already (the routing folds a message's head once a turn)."""
    return bool(words) and len(words) <= ACK_WORDS and all(w in _patterns()["acknowledgements"] for w in words)


# --- the slots of each request ---------------------------------------------------------------


class PurchaseSlots(BaseModel):
    """What the guided purchase knows so far. ``"unknown"`` records an "I don't know" answer
    (asked, not known), so the question is not asked twice."""

    countries: list[str] = Field(default_factory=list)
    users: int | None = None
    #: The count was said approximately ("about 40", "une cinquantaine"): said back "about 40".
    users_approx: bool = False
    #: A count too vague to buy for ("a few hundred"): the count question says why it asks.
    vague_count: str | None = None
    users_per_country: dict[str, int] | None = None
    international: bool | None = None
    international_minutes: int | str | None = None
    base_licence: str | None = None
    carrier: str | None = None
    #: The operator the admin named ("Telstra"): said back next to the kind of carrier it is.
    carrier_name: str | None = None
    minutes_per_user: int | str | None = None
    #: Slots filled by an assumption to answer in one turn ("carrier", "international",
    #: "licence", "minutes", "international_minutes"): shown on the card with buttons to change.
    assumed: list[str] = Field(default_factory=list)
    #: Place names the message gave that are no country ("Narnia"): said back, never dropped.
    unknown_places: list[str] = Field(default_factory=list)


def scope_countries(text: str) -> list[str]:
    """The countries named right after a scope phrase ("only call numbers in the UK" -> GB)."""
    patterns = _patterns()
    found: list[str] = []
    for pattern in patterns["scope_domestic"]:
        for match in pattern.finditer(text):
            rest = text[match.end() : match.end() + 80]
            end = patterns["destination_end"].search(rest)
            for code in extract_entities(rest[: end.start()] if end else rest).countries:
                if code not in found:
                    found.append(code)
    return found


def _scoped_elsewhere(text: str, locations: list[str], destinations: list[str]) -> tuple[list[str], list[str]]:
    """A scope phrase naming another country than where the users are ("40 users in France who
    only call numbers in the UK") names a destination, not a second location; one in their
    domestic area ("users in Toronto who only call within the US") names neither."""
    scoped = scope_countries(text)
    home = [c for c in locations if c not in scoped]
    if not home or not scoped:
        return locations, destinations
    catalog = load_catalog()
    elsewhere = [c for c in scoped if c in locations]
    called = [c for c in elsewhere if not any(catalog.is_domestic(h, c) for h in home)]
    return [c for c in locations if c not in elsewhere], destinations + called


def _first_known(*values: Any) -> Any:
    return next((value for value in values if value is not None), None)


def purchase_slots(text: str, entities: Entities) -> PurchaseSlots:
    """The purchase slots the first message fills."""
    countries = known_countries(entities.countries)
    typed = text
    text, domestic_scope = without_scope(text)
    locations, destinations = split_countries(text, countries)
    if domestic_scope:
        locations, destinations = _scoped_elsewhere(typed, locations, destinations)
    per_country = {c: n for c, n in counts_per_country(text).items() if c in locations}
    users = entities.user_count
    if len(per_country) >= 2:
        users_per_country = per_country
        users = None if set(per_country) >= set(locations) else users
    else:
        users_per_country = None
        if users is None and len(per_country) == 1:
            users = next(iter(per_country.values()))
    domestic_minutes, international_minutes = minutes_mentioned(text)
    named = plan_says(entities.plan)  # "il nous faut le forfait 120": what the plan says, unless the text says it
    # Users who make no outbound calls ("who only receive calls") call nowhere abroad either.
    usage = _first_known(domestic_minutes, usage_minutes(text), named.get("minutes_per_user"))
    return PurchaseSlots(
        countries=locations,
        users=users,
        users_approx=users is not None and users == entities.user_count and entities.count_approx,
        vague_count=entities.vague_count if users is None and not users_per_country else None,
        users_per_country=users_per_country,
        international=False
        if (domestic_scope and not destinations) or (usage == 0 and not destinations)
        else _first_known(international_need(text, locations, destinations), named.get("international")),
        international_minutes=international_minutes,
        base_licence=entities.base_licence,
        carrier=entities.carrier or (NO_CARRIER if _patterns()["no_carrier_mention"].search(text) else None),
        carrier_name=entities.carrier_name if entities.carrier else None,
        minutes_per_user=usage,
        unknown_places=entities.unknown_places,
    )


#: Plans that say whether the users call abroad ("same for the D&I plan").
INTERNATIONAL_PLANS = frozenset({"MCOPSTN2"})
DOMESTIC_PLANS = frozenset({"MCOPSTN1", "MCOPSTN5", "MCOPSTN6", "MCOPSTN8"})


def plan_says(plan: str | None) -> dict[str, Any]:
    """The purchase slots a Calling Plan named fills: whether the users call abroad ("same for
    the D&I plan") and, for a plan with fewer minutes than the main one ("le forfait 120"), the
    minutes a user needs."""
    if plan in INTERNATIONAL_PLANS:
        return {"international": True}
    if plan not in DOMESTIC_PLANS:
        return {}
    found = load_catalog().plan(plan) if plan != DOMESTIC_PLAN else None
    if found is not None and found.domestic_minutes is not None:  # the 120-minute plan: 120 minutes a user
        return {"international": False, "minutes_per_user": found.domestic_minutes.default}
    return {"international": False}


def negated_countries(text: str) -> set[str]:
    """The countries a message takes back ("actually Belgium, not Austria", "c'est la Belgique,
    pas l'Autriche"): named within ``negated_place_window`` words after a ``negated_place_words``
    word (``locales/slots.json``)."""
    words = slot_words()
    takers, window = frozenset(words["negated_place_words"]), words["negated_place_window"]
    folded = words_of(text[:200])
    found: set[str] = set()
    for at, word in enumerate(folded):
        if word in takers:
            found.update(known_countries(extract_entities(" ".join(folded[at + 1 : at + 1 + window])).countries))
    return found


def purchase_change(text: str, entities: Entities) -> dict[str, Any]:
    """The purchase slots a follow-up names (only those: the rest stays as it was)."""
    change: dict[str, Any] = {}
    countries = known_countries(entities.countries)
    taken_back = negated_countries(text) if len(countries) > 1 else set()
    if taken_back and any(c not in taken_back for c in countries):  # "Belgium, not Austria"
        countries = [c for c in countries if c not in taken_back]
    if countries:
        change["countries"] = countries
    if entities.user_count:
        change["users"] = entities.user_count
        change["users_approx"] = entities.count_approx
        change["users_per_country"] = None
    if entities.base_licence:
        change["base_licence"] = entities.base_licence
    if entities.carrier:
        change["carrier"] = entities.carrier
        change["carrier_name"] = entities.carrier_name
    # "pas d'international", "no international calls": the line word negated says no.
    said = international_need(text, [], []) if entities.line else None
    change.update(plan_says(entities.plan))
    if said is True:
        change["international"] = True
    elif said is False or states_scope(text):
        change["international"] = False
    figure, international = minutes_mentioned(text)
    domestic = figure if figure is not None else usage_minutes(text)
    if domestic is not None:
        change["minutes_per_user"] = domestic
    if international is not None:
        change["international_minutes"] = international
    return change


class CheckSlots(BaseModel):
    """What the number check knows so far."""

    number: str | None = None
    user: str | None = None  # as named: UPN, @mention or display name
    upn: str | None = None  # the user found in the store
    caller_country: str | None = None
    #: The country called when no number was given ("can our reps in France call Spain?"):
    #: the number question names it, and a number typed in national format is read there.
    destination: str | None = None
    plan: str | None = None  # a Calling Plan SKU, "PAYG", or "none" (the user holds none)
    carrier: str | None = None


#: A number with this many digits is written out in full (a short code or a prefix has fewer).
FULL_DIGITS = 7


def in_country(number: str, country: str) -> str:
    """A number typed in national format with its country named ("the French number 01 42 68 53
    00", "appeler en Espagne le 912 345 678") as E.164, so it is not read in the caller's own
    country; a number with its international prefix, or not valid there, stays as typed."""
    if number.lstrip().startswith(("+", "00")):
        return number
    parsed = parse_number(number, country)
    return parsed.e164 if parsed.ok and parsed.e164 and parsed.region == country else number


def _countries_after(text: str, number: str) -> list[str]:
    """The countries named in the few words after ``number`` in ``text``."""
    start = text.find(number)
    if start < 0:
        return []
    rest = text[start + len(number) : start + len(number) + 40]
    if not _patterns()["number_place"].match(rest):
        return []
    return known_countries(extract_entities(rest).countries)


def dials(number: str | None, country: str | None) -> bool:
    """Whether ``number``, typed with its international prefix, is in ``country`` ("+675 321
    1000" and Papua New Guinea): a named user's country then comes from the roster, and the
    country the message names is where they call, not where they are."""
    if not number or not country or not number.lstrip().startswith(("+", "00")):
        return False
    parsed = parse_number(number, country)
    return parsed.ok and parsed.region == country


#: "a Domestic user", "domestic users", "un utilisateur domestique": a caller described by the Domestic plan.
DOMESTIC_PLAN = "MCOPSTN1"


def check_slots(text: str, entities: Entities) -> CheckSlots:
    """The number-check slots the first message fills (a second user named is the number:
    a Teams-to-Teams call)."""
    countries = known_countries(entities.countries)
    locations, destinations = split_countries(text, countries)
    # "0800 numbers like 0800 123 4567": the number written out, not the kind of number before it.
    number = max(entities.numbers, key=lambda n: sum(map(str.isdigit, n)) >= FULL_DIGITS, default=None)
    if number is not None:
        # "can keith call 01 42 68 53 00 in France": a country right after the number, after "in"
        # / "en", is the number's, not the caller's ("... from the UK" stays the caller's).
        after = _countries_after(text, number)
        if after:
            destinations = [*destinations, *after]
            locations = [c for c in locations if c not in after]
    if number is not None and destinations:
        number = in_country(number, destinations[0])
    if number is None and len(entities.users) >= 2:
        number = entities.users[1]
    plan = entities.plan
    if plan is None and not entities.users and locations and _patterns()["domestic_user"].search(key(text[:200])):
        plan = DOMESTIC_PLAN  # "can a Domestic user in the US call ...": the caller is described by their plan
    return CheckSlots(
        number=number,
        user=entities.users[0] if entities.users else None,
        caller_country=locations[0] if locations else None,
        destination=destinations[0] if destinations and number is None else None,
        plan=plan,
        carrier=entities.carrier,
    )
