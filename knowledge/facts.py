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

from pydantic import BaseModel, ConfigDict, Field, model_validator

from knowledge.catalog import DATA_DIR, Catalog, load_catalog

Lang = Literal["en", "fr"]
FACTS_FILE = "facts.json"

#: The plan a computed answer assumes when the message names none (and says so in the answer).
DEFAULT_PLAN = "MCOPSTN1"


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


class Fact(_Strict):
    """One question of fact: its forms in both languages, its answer and its sources."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    topic: str
    title: Bilingual
    questions: Questions
    answer: Bilingual  # the text, or the template of a computed answer
    answer_no: Bilingual | None = None  # a computed yes/no answer's "no" template
    missing: Bilingual | None = None  # said when the computation lacks an entity
    compute: str | None = None
    sources: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _computed_needs_missing(self) -> Fact:
        if self.compute is not None and self.missing is None:
            raise ValueError(f"fact {self.id!r} computes {self.compute!r} but has no 'missing' text")
        return self


class FactsFile(_Strict):
    about: str = Field("", alias="_about")
    topics: dict[str, str] = Field(min_length=1)
    stopwords: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    facts: tuple[Fact, ...] = Field(min_length=1)


class FactQuery(BaseModel):
    """What a computation may use from the message (the recognizer's entities)."""

    countries: list[str] = Field(default_factory=list)
    plan: str | None = None
    user_count: int | None = None


class FactAnswer(BaseModel):
    """A fact answered: the template to fill (``answer``, ``answer_no`` or ``missing``), its raw
    parameters (codes and numbers, rendered by the caller in its language) and the sources."""

    fact_id: str
    template: Literal["answer", "answer_no", "missing"]
    params: dict[str, Any] = Field(default_factory=dict)
    sources: tuple[str, ...]


# --- computations ------------------------------------------------------------------------------

Computation = Callable[[Catalog, FactQuery], tuple[str, dict[str, Any], tuple[str, ...]]]


def _plan_sku(catalog: Catalog, query: FactQuery, country: str | None) -> str:
    """The Calling Plan the message names (PAYG -> the zone's SKU), else the Domestic plan."""
    if query.plan and query.plan != "PAYG" and catalog.find_plan(query.plan):
        return catalog.plan(query.plan).sku
    return DEFAULT_PLAN


def _not_sold(catalog: Catalog, sku: str, iso: str) -> tuple[str, dict[str, Any], tuple[str, ...]] | None:
    """The "not sold there" answer when ``sku`` is not offered in ``iso`` (None when it is)."""
    country = catalog.country(iso)
    row = country.calling_plans if country is not None else None
    if row is not None and sku in row.plans:
        return None
    return "answer_no", {"plan": sku, "country": iso}, row.sources if row else catalog.calling_plan_count.sources


def _domestic_minutes(catalog: Catalog, query: FactQuery, country: str) -> tuple[Any, Any]:
    """The plan asked about (default Domestic) in ``country`` and its domestic minutes per user,
    or ``(None, result)`` when that is the answer already (not sold there, no figure)."""
    plan = catalog.plan(_plan_sku(catalog, query, country))
    not_sold = _not_sold(catalog, plan.sku, country)
    if not_sold:
        return None, not_sold
    minutes = plan.minutes_for(country, "domestic")
    if minutes is None:
        return None, ("missing", {}, plan.sources)
    return plan, minutes


def minutes_per_user(catalog: Catalog, query: FactQuery) -> tuple[str, dict[str, Any], tuple[str, ...]]:
    """Minutes per user per month on a plan (default Domestic) in the first country named."""
    country = next((c for c in query.countries if catalog.country(c)), None)
    if country is None:
        return "missing", {}, ()
    plan, minutes = _domestic_minutes(catalog, query, country)
    if plan is None:
        return minutes
    international = plan.minutes_for(country, "international")
    params = {"plan": plan.sku, "country": country, "minutes": minutes, "international_minutes": international}
    return "answer", params, plan.domestic_minutes.sources if plan.domestic_minutes else plan.sources


def pool_size(catalog: Catalog, query: FactQuery) -> tuple[str, dict[str, Any], tuple[str, ...]]:
    """Users × minutes per user: the pool of N users of one plan in one country."""
    country = next((c for c in query.countries if catalog.country(c)), None)
    if country is None or not query.user_count:
        return "missing", {}, ()
    plan, minutes = _domestic_minutes(catalog, query, country)
    if plan is None:
        return minutes
    if plan.pool != "shared":
        return "missing", {}, plan.sources
    params = {"plan": plan.sku, "country": country, "users": query.user_count, "minutes": minutes,
              "pool": query.user_count * minutes}
    return "answer", params, plan.domestic_minutes.sources if plan.domestic_minutes else plan.sources


def country_availability(catalog: Catalog, query: FactQuery) -> tuple[str, dict[str, Any], tuple[str, ...]]:
    """Whether Calling Plans are sold in the first country named, by whom and which."""
    count = catalog.calling_plan_count
    country = next((catalog.country(c) for c in query.countries if catalog.country(c)), None)
    if country is None:
        operated = sum(1 for c in catalog.calling_plan_countries
                       if c.calling_plans is not None and c.calling_plans.provider == "microsoft")
        return "missing", {"count": count.value, "microsoft": operated}, count.sources
    row = country.calling_plans
    if row is None:
        return "answer_no", {"country": country.iso}, count.sources
    params = {"country": country.iso, "provider": row.provider, "plans": list(row.plans)}
    return "answer", params, row.sources


def callable_destination(catalog: Catalog, query: FactQuery) -> tuple[str, dict[str, Any], tuple[str, ...]]:
    """Whether the first country named is in the list Calling Plans can call abroad."""
    listed = catalog.callable_destinations
    count = listed.headline_count or len(listed.isos)
    country = next((catalog.country(c) for c in query.countries if catalog.country(c)), None)
    if country is None:
        return "missing", {"count": count, "listed": len(listed.isos)}, listed.sources
    template = "answer" if country.callable_destination else "answer_no"
    return template, {"country": country.iso, "count": count}, listed.sources


COMPUTATIONS: dict[str, Computation] = {
    "minutes_per_user": minutes_per_user,
    "pool_size": pool_size,
    "country_availability": country_availability,
    "callable_destination": callable_destination,
}


# --- the base ----------------------------------------------------------------------------------


class FactBase:
    """The validated facts, by id, with the answer of each for a query."""

    def __init__(self, data: FactsFile, catalog: Catalog) -> None:
        self.topics = data.topics
        self.stopwords = data.stopwords
        self.facts = data.facts
        self.by_id = {fact.id: fact for fact in data.facts}
        self.catalog = catalog

    def get(self, fact_id: str | None) -> Fact | None:
        return self.by_id.get(fact_id) if fact_id else None

    def answer(self, fact_id: str, query: FactQuery | None = None) -> FactAnswer:
        """The answer of ``fact_id`` for the entities of ``query``; ``KeyError`` for an unknown id."""
        fact = self.by_id[fact_id]
        if fact.compute is None:
            return FactAnswer(fact_id=fact.id, template="answer", sources=fact.sources)
        template, params, extra = COMPUTATIONS[fact.compute](self.catalog, query or FactQuery())
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


__all__ = ["COMPUTATIONS", "DEFAULT_PLAN", "Fact", "FactAnswer", "FactBase", "FactQuery", "FactsError",
           "load_facts", "read_facts"]
