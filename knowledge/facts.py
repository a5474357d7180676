"""The fact base: questions of fact admins ask, their answers and the sources they rest on.

WHY data (``data/facts.json``) and not code: an answer is a sentence in two languages with its
catalog source keys; fixing a wording or adding a question form is a data change, checked by the
loader here (every source key exists in ``sources.json``, every topic of the fact sheet has an
entry, every computation is one this module knows).

Facts that depend on a plan, a country or a seat count are not written out: their entry names a
computation (``"compute": "minutes_per_user"``) and :func:`compute` fills its template's
parameters from the catalog, with the message's entities (countries, plan, user count). What a
computation cannot work out without a missing entity, it says with the entry's ``missing`` text
(the general figure and what to add), never a guess.

Imports nothing above ``knowledge``: the dialogs layer renders the result (language, numbers,
card); this module returns the template, its raw parameters and the source keys.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import phonenumbers
from pydantic import BaseModel, ConfigDict, Field, model_validator

from knowledge.catalog import DATA_DIR, Catalog, Plan, load_catalog

Lang = Literal["en", "fr"]
FACTS_FILE = "facts.json"

#: The plan a computed answer assumes when the message names none (and says so in the answer).
DEFAULT_PLAN = "MCOPSTN1"
#: The plan assumed instead when the message asks about international minutes and names no plan
#: ("how many international minutes do users in Hungary get?"): the Domestic plan has none.
DEFAULT_INTERNATIONAL_PLAN = "MCOPSTN2"


class FactsError(ValueError):
    """``facts.json`` does not validate: a data error, caught at load and by the tests."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bilingual(_Strict):
    en: str = Field(min_length=1)
    fr: str = Field(min_length=1)

    def __getitem__(self, lang: str) -> str:
        return self.fr if lang == "fr" else self.en


class Questions(_Strict):
    en: tuple[str, ...] = Field(min_length=2)
    fr: tuple[str, ...] = Field(min_length=2)

    def __getitem__(self, lang: str) -> tuple[str, ...]:
        return self.fr if lang == "fr" else self.en


class ForCountry(_Strict):
    """The computed fact that answers a general fact's question for the country it names
    ("what does the domestic plan include in Canada?" -> that plan's minutes in Canada), with
    the plan it is about when the message names none (the international plan's entry: MCOPSTN2)."""

    fact: str
    plan: str | None = None


class Fact(_Strict):
    """One question of fact: its forms in both languages, its answer and its sources."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    topic: str
    title: Bilingual
    questions: Questions
    answer: Bilingual  # the text, or the template of a computed answer
    answer_no: Bilingual | None = None  # a computed yes/no answer's "no" template
    missing: Bilingual | None = None  # said when the computation lacks an entity
    #: A computed answer's other outcomes, by name (see ``TEMPLATES``): "undocumented" (the
    #: sheet gives no figure), "partner" (a partner's offer), "payg" (no included minutes)...
    variants: dict[str, Bilingual] = Field(default_factory=dict)
    compute: str | None = None
    sources: tuple[str, ...] = Field(min_length=1)
    #: A fact about particular countries (Mexico's SKUs, the US and Puerto Rico pool): retrieval
    #: keeps the country names of its forms instead of reading any country the same way.
    literal_countries: bool = False
    #: Asked for a country the catalog knows, this computed fact answers instead (its figure
    #: for that country, not the general one).
    for_country: ForCountry | None = None
    #: Asked with a seat count ("60 seats on the 240 plan in Sweden, how many minutes in all?"),
    #: this computed fact answers instead: the pool of those seats (users x minutes), which
    #: states the per-user figure too.
    for_seats: str | None = None
    #: Names (folded: SKU and service plan codes) that decide this fact whenever a question
    #: names one: "MCOPSTN5?" asks about the 120-minute plan, whatever its other words match.
    named_by: tuple[str, ...] = ()
    #: Names (folded: base licences) that put this fact first when it is among the close ones:
    #: "does E5 include a calling plan?" asks what E5 includes, not what the plan includes.
    hinted_by: tuple[str, ...] = ()
    #: Countries (ISO codes) a computed answer names as examples (``{examples}`` in its
    #: templates): "which countries can we call?" names some, not only how many.
    examples: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _computed_needs_missing(self) -> Fact:
        if self.compute is not None and self.missing is None:
            raise ValueError(f"fact {self.id!r} computes {self.compute!r} but has no 'missing' text")
        return self

    def template(self, name: str) -> Bilingual:
        """The text (or template) called ``name``: answer, answer_no, missing or a variant."""
        found = getattr(self, name, None) if name in ("answer", "answer_no", "missing") else self.variants.get(name)
        if not isinstance(found, Bilingual):
            raise KeyError(f"fact {self.id!r} has no template {name!r}")
        return found


class FactsFile(_Strict):
    about: str = Field("", alias="_about")
    topics: dict[str, str] = Field(min_length=1)
    stopwords: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    #: Words that ask the same thing, folded: word -> the word retrieval reads instead
    #: ("pooled" and "mutualise" -> "pool", "hidden" -> "masked"), in questions and forms alike.
    synonyms: dict[str, str] = Field(default_factory=dict)
    synonyms_about: str = Field("", alias="_synonyms")
    facts: tuple[Fact, ...] = Field(min_length=1)


class FactQuery(BaseModel):
    """What a computation may use from the message (the recognizer's entities)."""

    countries: list[str] = Field(default_factory=list)
    plan: str | None = None
    user_count: int | None = None
    licence: str | None = None  # a base-licence family id of the catalog (E5, E3, BUSINESS_PREMIUM...)
    line: Literal["domestic", "international"] | None = None  # the minutes asked about, when said


class FactAnswer(BaseModel):
    """A fact answered: the template to fill (``answer``, ``answer_no`` or ``missing``), its raw
    parameters (codes and numbers, rendered by the caller in its language) and the sources."""

    fact_id: str
    template: str  # "answer", "answer_no", "missing" or one of the fact's variants
    params: dict[str, Any] = Field(default_factory=dict)
    sources: tuple[str, ...]


# --- computations ------------------------------------------------------------------------------

#: A computation's result: the template to fill, its raw parameters, the extra source keys.
Result = tuple[str, dict[str, Any], tuple[str, ...]]
Computation = Callable[[Catalog, FactQuery], Result]


def _plan_sku(catalog: Catalog, query: FactQuery, country: str | None) -> str:
    """The Calling Plan the message names, else the Domestic plan ("PAYG" stays "PAYG": its SKU
    depends on the zone, and it has no minutes anywhere)."""
    if query.plan == "PAYG":
        return "PAYG"
    if query.plan and catalog.find_plan(query.plan):
        return catalog.plan(query.plan).sku
    return DEFAULT_INTERNATIONAL_PLAN if query.line == "international" else DEFAULT_PLAN


def _not_sold(catalog: Catalog, sku: str, iso: str) -> Result | None:
    """The "not sold there" answer when ``sku`` is not offered in ``iso`` (None when it is)."""
    country = catalog.country(iso)
    row = country.calling_plans if country is not None else None
    if row is not None and sku in row.plans:
        return None
    return "answer_no", {"plan": sku, "country": iso}, row.sources if row else catalog.calling_plan_count.sources


def _local_plan(catalog: Catalog, sku: str, iso: str) -> Plan | None:
    """The plan ``iso`` sells in place of ``sku``: its own SKU reporting the same capability
    (Mexico's "Domestic Calling Plan (Mexico)" for MCOPSTN1), None when it sells none. WHY: "the
    domestic plan in Mexico" asks about Mexico's Domestic plan, which has its minutes (1,200)."""
    found = catalog.country(iso)
    row = found.calling_plans if found else None
    for local in row.plans if row is not None else ():
        plan = catalog.find_plan(local)
        if plan is not None and plan.sku != sku and plan.capability == sku:
            return plan
    return None


def _payg_sources(catalog: Catalog) -> tuple[str, ...]:
    return next((p.sources for p in catalog.plans if p.is_payg), ())


def _domestic_minutes(catalog: Catalog, query: FactQuery, country: str) -> tuple[Any, Any]:
    """The plan asked about (default Domestic) in ``country`` and its domestic minutes per user,
    or ``(None, result)`` when that is the answer already: a partner country (Telstra, SoftBank:
    their own offers), Pay-As-You-Go (no minutes), not sold there, or no figure in the sheet."""
    found = catalog.country(country)
    row = found.calling_plans if found else None
    if row is not None and row.provider != "microsoft":
        return None, ("partner", {"country": country, "provider": row.provider}, row.sources)
    sku = _plan_sku(catalog, query, country)
    if sku == "PAYG" or catalog.plan(sku).is_payg:
        return None, ("payg", {"country": country}, _payg_sources(catalog))
    plan = catalog.plan(sku)
    # MCOPSTN8 (per user) is only a report capability code in the sheet: no country lists it.
    not_sold = _not_sold(catalog, plan.sku, country) if plan.pool != "per_user" else None
    if not_sold:
        local = _local_plan(catalog, plan.sku, country)  # Mexico's own Domestic plan for "the Domestic plan"
        if local is None:
            return None, not_sold
        plan = local
    minutes = plan.minutes_for(country, "domestic")
    if minutes is None:
        return None, ("undocumented", {"plan": plan.sku, "country": country}, plan.sources)
    return plan, minutes


def _first_country(catalog: Catalog, query: FactQuery) -> str | None:
    return next((c for c in query.countries if catalog.country(c)), None)


def minutes_per_user(catalog: Catalog, query: FactQuery) -> Result:
    """Minutes per user per month on a plan (default Domestic) in the first country named; the
    Domestic and International plan's international minutes too (the sheet: domestic OR
    international, whichever allowance is reached first)."""
    country = _first_country(catalog, query)
    if country is None:
        return "missing", {}, ()
    plan, minutes = _domestic_minutes(catalog, query, country)
    if plan is None:
        return minutes
    international = plan.minutes_for(country, "international")
    params = {"plan": plan.sku, "country": country, "minutes": minutes, "international_minutes": international}
    sources = plan.domestic_minutes.sources if plan.domestic_minutes else plan.sources
    if plan.pool == "per_user":
        return "per_user", params, sources
    if not plan.international and plan.kind == "domestic":
        # "does the domestic plan in Poland include international calls?": the answer says no
        return "domestic_only", params, sources
    return "answer", params, sources


def pool_size(catalog: Catalog, query: FactQuery) -> Result:
    """Users × minutes per user: the pool of N users of one plan in one country. Without a
    country, the pool where the plan is sold: one figure when its minutes are the same in every
    country ("100 users on the 120-minute plan" share 12,000 minutes anywhere), else the two
    figures and where each applies (the Domestic plan: 3,000 in the US, Puerto Rico and
    Canada, 1,200 elsewhere)."""
    country = _first_country(catalog, query)
    if country is None and query.user_count:
        return _pool_anywhere(catalog, query, query.user_count)
    if country is None or not query.user_count:
        return "missing", {}, ()
    plan, minutes = _domestic_minutes(catalog, query, country)
    if plan is None:
        return minutes
    params = {
        "plan": plan.sku,
        "country": country,
        "users": query.user_count,
        "minutes": minutes,
        "pool": query.user_count * minutes,
    }
    sources = plan.domestic_minutes.sources if plan.domestic_minutes else plan.sources
    if plan.pool != "shared":
        return "per_user", params, sources
    international = plan.minutes_for(country, "international")
    params["international_pool"] = query.user_count * international if international else None
    return "answer", params, sources


def _pool_anywhere(catalog: Catalog, query: FactQuery, users: int) -> Result:
    """:func:`pool_size` when no country is named: the plan's per-user figures over the
    Microsoft-run countries that sell it, grouped (the smaller group named)."""
    sku = _plan_sku(catalog, query, None)
    if sku == "PAYG" or catalog.plan(sku).is_payg:
        return "payg", {}, _payg_sources(catalog)
    plan = catalog.plan(sku)
    by_minutes: dict[int, list[str]] = {}
    sources: tuple[str, ...] = plan.domestic_minutes.sources if plan.domestic_minutes else plan.sources
    for country in catalog.calling_plan_countries:
        row = country.calling_plans
        if row is None or row.provider != "microsoft" or (plan.pool != "per_user" and sku not in row.plans):
            continue
        minutes = plan.minutes_for(country.iso, "domestic")
        if minutes is not None:
            by_minutes.setdefault(minutes, []).append(country.iso)
    if not by_minutes or len(by_minutes) > 2:
        return "missing", {}, ()
    params: dict[str, Any] = {"plan": plan.sku, "users": users}
    if plan.pool == "per_user":
        minutes = max(by_minutes)
        return "per_user_anywhere", params | {"minutes": minutes}, sources
    if len(by_minutes) == 1:
        minutes = next(iter(by_minutes))
        return "anywhere", params | {"minutes": minutes, "pool": users * minutes}, sources
    (few, few_isos), (many, _) = sorted(by_minutes.items(), key=lambda item: len(item[1]))
    params |= {
        "countries": few_isos,
        "minutes": few,
        "pool": users * few,
        "other_minutes": many,
        "other_pool": users * many,
    }
    return "two_figures", params, sources


def phone_numbers(catalog: Catalog, query: FactQuery) -> Result:
    """How many user phone numbers N licences give: (licences × 1.1) + 10 on Domestic and
    Domestic and International licences, rounded down; one per Pay-As-You-Go licence."""
    if not query.user_count:
        return "missing", {}, ()
    licences = query.user_count
    if query.plan == "PAYG" or (query.plan and (found := catalog.find_plan(query.plan)) and found.is_payg):
        return "payg", {"licences": licences, "numbers": licences}, ()
    return "answer", {"licences": licences, "numbers": licences * 11 // 10 + 10}, ()


#: The Audio Conferencing subscription licence whose dial-out minutes are pooled.
AUDIO_CONFERENCING_SKU = "MCOMEETADV"


def audio_dial_out(catalog: Catalog, query: FactQuery) -> Result:
    """The tenant's Audio Conferencing dial-out pool for N assigned subscription licences: N x
    the licence's dial-out minutes (60), from the catalog."""
    licence = catalog.licence(AUDIO_CONFERENCING_SKU)
    if not query.user_count or licence is None or licence.dial_out_minutes is None:
        return "missing", {}, ()
    minutes = licence.dial_out_minutes
    params = {"licences": query.user_count, "minutes": minutes, "pool": query.user_count * minutes}
    return "answer", params, licence.sources


def country_availability(catalog: Catalog, query: FactQuery) -> Result:
    """Whether Calling Plans are sold in the first country named, by whom and which."""
    count = catalog.calling_plan_count
    country = next((catalog.country(c) for c in query.countries if catalog.country(c)), None)
    if country is None:
        operated = sum(
            1
            for c in catalog.calling_plan_countries
            if c.calling_plans is not None and c.calling_plans.provider == "microsoft"
        )
        return "missing", {"count": count.value, "microsoft": operated}, count.sources
    row = country.calling_plans
    if row is None:
        return "answer_no", {"country": country.iso}, count.sources
    params: dict[str, Any] = {"country": country.iso, "provider": row.provider, "plans": list(row.plans)}
    named = catalog.find_plan(query.plan) if query.plan and query.plan != "PAYG" else None
    if named is not None and named.pool != "per_user" and row.provider == "microsoft":
        # "is the 120-minute plan offered in Mexico?" asks about that plan there
        return ("plan_sold" if named.sku in row.plans else "plan_not_sold"), params | {"plan": named.sku}, row.sources
    # the sheet's per-country options with their figures ("what's on the US page?", "plans and
    # minutes in South Africa?"): the Domestic plan's minutes there and the international ones
    domestic = catalog.plan(DEFAULT_PLAN)
    minutes = domestic.minutes_for(country.iso, "domestic") if row.provider == "microsoft" else None
    if minutes is None:
        return "partner" if row.provider != "microsoft" else "answer", params, row.sources
    international = catalog.find_plan("MCOPSTN2")
    params |= {
        "minutes": minutes,
        "international_minutes": international.minutes_for(country.iso, "international") if international else None,
    }
    sources = domestic.domestic_minutes.sources if domestic.domestic_minutes else domestic.sources
    return "answer", params, tuple(dict.fromkeys((*row.sources, *sources)))


def callable_destination(catalog: Catalog, query: FactQuery) -> Result:
    """Whether the first country named is in the list Calling Plans can call abroad."""
    listed = catalog.callable_destinations
    count = listed.headline_count or len(listed.isos)
    country = next((catalog.country(c) for c in query.countries if catalog.country(c)), None)
    if country is None:
        return "missing", {"count": count, "listed": len(listed.isos)}, listed.sources
    template = "answer" if country.callable_destination else "answer_no"
    return template, {"country": country.iso, "count": count}, listed.sources


def premium_by_country(catalog: Catalog, query: FactQuery) -> Result:
    """Whether premium-rate numbers work in the first country named, from the catalog's
    premium rules (the per-country Calling Plan pages): supported (Austria), via
    Communications Credits (France), per prefix (the UK), not supported, or not documented
    (a country outside the Calling Plan pages); without a country, the general answer."""
    country = _first_country(catalog, query)
    if country is None:
        return "missing", {}, ()
    rule = catalog.premium_rule(country)
    params: dict[str, Any] = {"country": country}
    if rule.prefixes:
        prefix = f"+{phonenumbers.country_code_for_region(country)}"
        by_treatment = {
            treatment: "/".join(p.prefix for p in rule.prefixes if p.treatment == treatment)
            for treatment in ("credits", "blocked", "allowed")
        }
        params |= {
            "prefix": prefix,
            "credits_prefixes": by_treatment["credits"],
            "blocked_prefixes": by_treatment["blocked"],
        }
        return "prefixes", params, rule.sources
    template = {"allowed": "answer", "blocked": "answer_no", "credits": "credits"}.get(
        rule.premium_rate, "undocumented"
    )
    return template, params, rule.sources


def licence_teams_phone(catalog: Catalog, query: FactQuery) -> Result:
    """Whether the base licence named (E5, G5, E3, Business Premium...) includes Teams Phone;
    without one, the general answer (``missing``: E5/A5/G5 do, the others need it added)."""
    family = catalog.family(query.licence)
    if family is None:
        return "missing", {}, ()
    params = {"licence": family.id, "bundle": family.bundle_eligible}
    return ("answer" if family.teams_phone else "answer_no"), params, family.sources


COMPUTATIONS: dict[str, Computation] = {
    "minutes_per_user": minutes_per_user,
    "pool_size": pool_size,
    "country_availability": country_availability,
    "callable_destination": callable_destination,
    "licence_teams_phone": licence_teams_phone,
    "premium_by_country": premium_by_country,
    "phone_numbers": phone_numbers,
    "audio_dial_out": audio_dial_out,
}


#: The computations that take a seat count: a number alone in a follow-up ("et pour 75 ?") is it.
SEAT_COUNT_COMPUTATIONS = frozenset({"pool_size", "phone_numbers", "audio_dial_out"})

#: A ``for_seats`` fact answers from this many seats: "the minutes of one user" is no pool.
MIN_SEATS = 2

#: The computations that answer for a country (a ``for_country`` target is one of them).
COUNTRY_COMPUTATIONS = frozenset(
    {"minutes_per_user", "pool_size", "country_availability", "callable_destination", "premium_by_country"}
)

#: Those whose answer is one country's figure: a question naming several countries ("compare the
#: domestic minutes in Canada and Germany") gets each one's. Not a destination's callability,
#: which answers for a caller's country and a destination together.
PER_COUNTRY_COMPUTATIONS = COUNTRY_COMPUTATIONS - {"callable_destination"}

#: The templates each computation may pick: a computed fact must have every one of them.
TEMPLATES: dict[str, frozenset[str]] = {
    "minutes_per_user": frozenset(
        {"answer", "answer_no", "missing", "per_user", "domestic_only", "partner", "payg", "undocumented"}
    ),
    "pool_size": frozenset(
        {
            "answer",
            "answer_no",
            "missing",
            "per_user",
            "partner",
            "payg",
            "undocumented",
            "anywhere",
            "two_figures",
            "per_user_anywhere",
        }
    ),
    "phone_numbers": frozenset({"answer", "missing", "payg"}),
    "audio_dial_out": frozenset({"answer", "missing"}),
    "country_availability": frozenset({"answer", "answer_no", "missing", "plan_sold", "plan_not_sold", "partner"}),
    "callable_destination": frozenset({"answer", "answer_no", "missing"}),
    "licence_teams_phone": frozenset({"answer", "answer_no", "missing"}),
    "premium_by_country": frozenset({"answer", "answer_no", "missing", "credits", "prefixes", "undocumented"}),
}


# --- the base ----------------------------------------------------------------------------------


class FactBase:
    """The validated facts, by id, with the answer of each for a query."""

    def __init__(self, data: FactsFile, catalog: Catalog) -> None:
        self.topics = data.topics
        self.stopwords = data.stopwords
        self.synonyms = data.synonyms
        self.facts = data.facts
        self.by_id = {fact.id: fact for fact in data.facts}
        self.catalog = catalog

    def get(self, fact_id: str | None) -> Fact | None:
        return self.by_id.get(fact_id) if fact_id else None

    def specific(self, fact_id: str, query: FactQuery) -> tuple[str, FactQuery]:
        """The fact that answers ``fact_id``'s question for what the query names: its
        ``for_seats`` fact when a seat count (two or more) is named, its ``for_country`` fact
        when a country the catalog knows is named (with the entry's plan when the query names
        none), else ``fact_id`` itself."""
        seats = self.by_id[fact_id].for_seats
        if seats is not None and (query.user_count or 0) >= MIN_SEATS:
            return seats, query
        redirect = self.by_id[fact_id].for_country
        if redirect is None or not any(self.catalog.country(c) for c in query.countries):
            return fact_id, query
        if query.plan is None and redirect.plan is not None:
            query = query.model_copy(update={"plan": redirect.plan})
        return redirect.fact, query

    def answer(self, fact_id: str, query: FactQuery | None = None) -> FactAnswer:
        """The answer of ``fact_id`` for the entities of ``query``; ``KeyError`` for an unknown id."""
        fact = self.by_id[fact_id]
        if fact.compute is None:
            return FactAnswer(fact_id=fact.id, template="answer", sources=fact.sources)
        template, params, extra = COMPUTATIONS[fact.compute](self.catalog, query or FactQuery())
        if fact.examples:
            params = {**params, "examples": list(fact.examples)}
        sources = tuple(dict.fromkeys((*fact.sources, *extra)))
        return FactAnswer(fact_id=fact.id, template=template, params=params, sources=sources)


def _validate(data: FactsFile, catalog: Catalog, path: Path) -> None:
    problems = []
    seen: set[str] = set()
    for fact in data.facts:
        if fact.id in seen:
            problems.append(f"fact id {fact.id!r} appears twice")
        seen.add(fact.id)
        if fact.topic not in data.topics:
            problems.append(f"fact {fact.id!r}: unknown topic {fact.topic!r}")
        unknown = [key for key in fact.sources if key not in catalog.sources]
        if unknown:
            problems.append(f"fact {fact.id!r}: unknown source keys {unknown}")
        if fact.compute is not None and fact.compute not in COMPUTATIONS:
            problems.append(f"fact {fact.id!r}: unknown computation {fact.compute!r}")
        elif fact.compute is not None:
            have = {"answer", "missing"} | ({"answer_no"} if fact.answer_no else set()) | set(fact.variants)
            lacking = sorted(TEMPLATES[fact.compute] - have)
            if lacking:
                problems.append(f"fact {fact.id!r}: no template for {lacking} (computed by {fact.compute!r})")
        if fact.variants and fact.compute is None:
            problems.append(f"fact {fact.id!r}: 'variants' without a computation")
        if fact.for_country is not None:
            target = next((f for f in data.facts if f.id == fact.for_country.fact), None)
            if target is None or target.compute not in COUNTRY_COMPUTATIONS:
                problems.append(f"fact {fact.id!r}: for_country names no computed country fact")
            if fact.for_country.plan is not None and catalog.find_plan(fact.for_country.plan) is None:
                problems.append(f"fact {fact.id!r}: for_country names an unknown plan")
        if fact.for_seats is not None:
            target = next((f for f in data.facts if f.id == fact.for_seats), None)
            if target is None or target.compute not in SEAT_COUNT_COMPUTATIONS:
                problems.append(f"fact {fact.id!r}: for_seats names no computed seat-count fact")
        unknown_examples = [iso for iso in fact.examples if catalog.country(iso) is None]
        if unknown_examples:
            problems.append(f"fact {fact.id!r}: unknown example countries {unknown_examples}")
        if fact.compute == "callable_destination":
            not_callable = [iso for iso in fact.examples if not catalog.is_callable_destination(iso)]
            if not_callable:
                problems.append(f"fact {fact.id!r}: example countries not on the callable list {not_callable}")
        if fact.examples and fact.compute is None:
            problems.append(f"fact {fact.id!r}: 'examples' without a computation")
        if fact.answer_no is not None and fact.compute is None:
            problems.append(f"fact {fact.id!r}: 'answer_no' without a computation")
    uncovered = sorted(set(data.topics) - {fact.topic for fact in data.facts})
    if uncovered:
        problems.append(f"topics with no fact: {uncovered}")
    if problems:
        raise FactsError(f"{path}: " + "; ".join(problems))


def read_facts(path: Path, catalog: Catalog | None = None) -> FactBase:
    """Load and validate a facts file (``FactsError`` naming every problem)."""
    catalog = catalog or load_catalog()
    try:
        data = FactsFile.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        raise FactsError(f"{path}: {exc}") from exc
    _validate(data, catalog, path)
    return FactBase(data, catalog)


@lru_cache(maxsize=1)
def load_facts() -> FactBase:
    """The package's fact base, read and validated once."""
    return read_facts(DATA_DIR / FACTS_FILE)


__all__ = [
    "COMPUTATIONS",
    "COUNTRY_COMPUTATIONS",
    "DEFAULT_INTERNATIONAL_PLAN",
    "DEFAULT_PLAN",
    "TEMPLATES",
    "Fact",
    "FactAnswer",
    "FactBase",
    "FactQuery",
    "FactsError",
    "load_facts",
    "read_facts",
]
