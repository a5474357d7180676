"""The calling-plan catalog: the fact sheet as validated data, with the lookups the rules need.

WHY data files: every figure (minutes, zones, names, premium rules) must keep the source key it
came from, and be reviewable and fixable without touching code. The JSON files in
``knowledge/data`` are validated by pydantic against the dataclasses below when loaded; any
mistake (a typo'd field, a wrong type, a source key or SKU that does not exist) raises
:class:`CatalogError` naming the file and the field, so a broken catalog stops start-up instead
of giving wrong answers.

``load_catalog()`` is cached: the bot, the CLI and the pool computation share one instance,
and the validated catalog is kept between processes (:mod:`knowledge.catalog_cache`). The
models are plain frozen dataclasses (constraints as ``annotated_types`` metadata) and pydantic
is imported only to validate: a process that reads the cached catalog (``callplan check``)
never imports it (issue 14).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, is_dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from knowledge.articles import names_such_a_country, with_english_articles
from knowledge.texts import fill

if TYPE_CHECKING:
    from annotated_types import Ge, MinLen
    from pydantic import TypeAdapter

    from knowledge.catalog_files import (
        CallingPlanCountriesFile,
        CountriesFile,
        LicencesFile,
        PlansFile,
        SourcesFile,
        TextsFile,
    )

DATA_DIR = Path(__file__).resolve().parent / "data"
LANGS = ("en", "fr")

#: The two lines of a pool (only Domestic and International has an international line).
Line = Literal["domestic", "international"]

#: Constraints pydantic reads when it validates a file (``annotated_types`` metadata). The
#: annotations are strings (``from __future__ import annotations``) resolved by pydantic in this
#: module's globals, so the aliases are defined there only when a file is validated
#: (:func:`_define_constraints`): a process that reads the cached catalog (``callplan check``)
#: imports neither annotated_types nor typing_extensions (issue 14: ~10 ms of its start).
if TYPE_CHECKING:
    NonEmptyStr = Annotated[str, MinLen(1)]
    SourceKeys = Annotated[tuple[str, ...], MinLen(1)]
    NonNegative = Annotated[int, Ge(0)]


def _define_constraints() -> None:
    """``MinLen``, ``Ge`` and the aliases built of them in this module's globals, where pydantic
    looks the annotations' names up when it builds a file model's validator."""
    if "NonEmptyStr" in globals():
        return
    from annotated_types import Ge, MinLen

    globals().update(
        Ge=Ge,
        MinLen=MinLen,
        NonEmptyStr=Annotated[str, MinLen(1)],
        SourceKeys=Annotated[tuple[str, ...], MinLen(1)],
        NonNegative=Annotated[int, Ge(0)],
    )


class CatalogError(Exception):
    """The catalog data is broken: the message names the file and the field."""


# ---------------------------------------------------------------------------------------------
# File models: one per data file, strict (extra fields are typos, not data). Plain frozen
# dataclasses that pydantic validates (``_load_file``): the validated catalog holds no pydantic
# object, so a process that unpickles it (``callplan check``) never imports pydantic.

#: The pydantic config of every file model: unknown fields are errors.
_STRICT = {"extra": "forbid"}


@dataclass(frozen=True, kw_only=True)
class _Strict:
    __pydantic_config__ = _STRICT


@dataclass(frozen=True, kw_only=True)
class _Sourced(_Strict):
    sources: SourceKeys
    decision: str | None = None


@dataclass(frozen=True, kw_only=True)
class Names(_Strict):
    en: NonEmptyStr
    fr: NonEmptyStr


@dataclass(frozen=True, kw_only=True)
class Minutes(_Sourced):
    """Included minutes per user per calendar month: a default and per-country exceptions."""

    default: NonNegative
    by_country: dict[str, NonNegative] = field(default_factory=dict)

    def for_country(self, iso: str) -> int:
        return self.by_country.get(iso.upper(), self.default)


@dataclass(frozen=True, kw_only=True)
class Plan(_Sourced):
    """A Calling Plan SKU (or the bundle, or a partner offer)."""

    sku: NonEmptyStr
    capability: NonEmptyStr
    kind: Literal["domestic", "domestic_and_international", "international_addon", "payg", "bundle", "partner"]
    name: Names
    international: bool
    pool: Literal["shared", "per_user", "none"]
    domestic_minutes: Minutes | None = None
    international_minutes: Minutes | None = None
    requires: tuple[str, ...] = ()
    includes_teams_phone: bool = False
    deprecated: bool = False
    partner: str | None = None
    notes: str | None = None

    @property
    def name_en(self) -> str:
        return self.name.en

    @property
    def name_fr(self) -> str:
        return self.name.fr

    @property
    def is_payg(self) -> bool:
        return self.kind == "payg"

    @property
    def is_partner(self) -> bool:
        return self.kind == "partner"

    def minutes_for(self, country: str, line: Line = "domestic") -> int | None:
        """Minutes per user per month on ``line`` for a user in ``country`` (None: not documented)."""
        minutes = self.domestic_minutes if line == "domestic" else self.international_minutes
        return None if minutes is None else minutes.for_country(country)


@dataclass(frozen=True, kw_only=True)
class IsoSet(_Sourced):
    isos: Annotated[tuple[str, ...], MinLen(1)]
    headline_count: int | None = None


@dataclass(frozen=True, kw_only=True)
class CallingPlanCountry(_Sourced):
    """A country/region where Calling Plans are sold (35 of them)."""

    iso: str
    provider: Literal["microsoft", "telstra", "softbank"]
    plans: Annotated[tuple[str, ...], MinLen(1)]
    payg_zone: Literal["zone1", "zone2", "mexico"] | None = None
    payg_listed_without_zone: bool = False
    emergency_calls: Literal["supported", "partner", "not_supported"] = "supported"
    domestic_area: tuple[str, ...] = ()
    pool_country: str | None = None
    notes: str | None = None


@dataclass(frozen=True, kw_only=True)
class Count(_Sourced):
    value: int


Treatment = Literal["allowed", "credits", "blocked", "undocumented"]


@dataclass(frozen=True, kw_only=True)
class PrefixRule(_Strict):
    prefix: str  # digits only (checked in _cross_check)
    kind: Literal["premium_rate", "shared_cost"]
    treatment: Treatment


@dataclass(frozen=True, kw_only=True)
class PremiumRule(_Sourced):
    premium_rate: Treatment
    shared_cost: Treatment
    prefixes: tuple[PrefixRule, ...] = ()


@dataclass(frozen=True, kw_only=True)
class PremiumSection(_Strict):
    default: PremiumRule
    by_country: dict[str, PremiumRule]


@dataclass(frozen=True, kw_only=True)
class TollFree(_Sourced):
    note: str


@dataclass(frozen=True, kw_only=True)
class Masking(_Sourced):
    replacement_digit: str  # one digit (checked in _cross_check)


@dataclass(frozen=True, kw_only=True)
class RegionAliases(_Sourced):
    map: dict[str, str]


@dataclass(frozen=True, kw_only=True)
class ReasonSources(_Sourced):
    """The source keys a verdict reason code rests on (cited by the answer's Source line)."""


@dataclass(frozen=True, kw_only=True)
class NumberRulesFile(_Strict):
    about: str = ""
    reasons: dict[str, ReasonSources] = field(default_factory=dict)
    premium: PremiumSection
    toll_free: TollFree
    masking: Masking
    region_aliases: RegionAliases


@dataclass(frozen=True, kw_only=True)
class LicenceFamily(_Strict):
    id: str
    name: Names
    teams_phone: bool
    bundle_eligible: bool
    aliases: tuple[str, ...] = ()
    sources: SourceKeys


@dataclass(frozen=True, kw_only=True)
class Licence(_Sourced):
    """A licence SKU part number and what it gives for calling."""

    sku: str
    name: Names
    kind: Literal["suite", "teams_phone", "calling_plan", "bundle", "credits", "resource", "device", "conferencing"]
    family: str | None = None
    teams_phone: bool
    calling_plan: str | None = None  # the Plan SKU whose capability it gives
    credits: bool = False
    #: Audio Conferencing dial-out minutes per assigned subscription licence per month, pooled.
    dial_out_minutes: int | None = None
    notes: str | None = None


@dataclass(frozen=True, kw_only=True)
class Alternative(_Strict):
    id: str
    name: Names
    summary: str
    sources: SourceKeys


# ---------------------------------------------------------------------------------------------
# What callers get.


@dataclass(frozen=True)
class Country:
    """A country/region: names, whether it can be called, emergency numbers, Calling Plan facts."""

    iso: str
    name: dict[str, str]
    aliases: dict[str, tuple[str, ...]]
    callable_destination: bool
    zone_a: bool
    emergency_numbers: tuple[str, ...]
    calling_plans: CallingPlanCountry | None = None

    @property
    def name_en(self) -> str:
        return self.name["en"]

    @property
    def name_fr(self) -> str:
        return self.name["fr"]

    @property
    def has_calling_plans(self) -> bool:
        return self.calling_plans is not None

    @property
    def has_microsoft_calling_plans(self) -> bool:
        return self.calling_plans is not None and self.calling_plans.provider == "microsoft"

    @property
    def domestic_area(self) -> frozenset[str]:
        """Countries whose numbers are domestic for a user located here (US, PR and CA together)."""
        extra = self.calling_plans.domestic_area if self.calling_plans else ()
        return frozenset((self.iso, *extra))

    @property
    def pool_country(self) -> str:
        """The usage location whose pool this country's users join (PR joins US)."""
        if self.calling_plans and self.calling_plans.pool_country:
            return self.calling_plans.pool_country
        return self.iso


def _fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key for names ("États-Unis" == "etats unis")."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ").replace("’", "'")
    text = re.sub(r"\bst\b\.?", "saint", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    text = re.sub(r"^(the|le|la|les|l) ", "", text.strip())
    return text.strip()


class Catalog:
    """Validated catalog data with indexed lookups. Build it with :func:`load_catalog`."""

    def __init__(
        self,
        *,
        sources: SourcesFile,
        countries: CountriesFile,
        calling_plan_countries: CallingPlanCountriesFile,
        plans: PlansFile,
        number_rules: NumberRulesFile,
        licences: LicencesFile,
        texts: TextsFile,
        data_dir: Path,
    ) -> None:
        self.data_dir = data_dir
        self.texts = texts.texts
        self.sources = sources.sources
        self.number_rules = number_rules
        self.alternatives = licences.alternatives
        self.calling_plan_count = calling_plan_countries.count
        self._plans = {plan.sku.upper(): plan for plan in plans.plans}
        cp_by_iso = {row.iso: row for row in calling_plan_countries.countries}
        callable_set = set(countries.callable_destinations.isos)
        zone_a = set(countries.zone_a.isos)
        self.callable_destinations = countries.callable_destinations
        self.zone_a = countries.zone_a
        self._countries: dict[str, Country] = {}
        for iso, entry in countries.names.entries.items():
            self._countries[iso] = Country(
                iso=iso,
                name={"en": entry.en, "fr": entry.fr},
                aliases={"en": entry.aliases_en, "fr": entry.aliases_fr},
                callable_destination=iso in callable_set,
                zone_a=iso in zone_a,
                emergency_numbers=countries.emergency_numbers.by_country.get(iso, ()),
                calling_plans=cp_by_iso.get(iso),
            )
        self._families = {family.id: family for family in licences.families}
        self._family_index: dict[str, LicenceFamily] = {}
        for family in licences.families:
            for key in (family.id, family.name.en, *family.aliases):
                self._family_index.setdefault(_fold(key), family)
        self._licences: dict[str, Licence] = {}
        for plan in plans.plans:
            self._licences[plan.sku.upper()] = Licence(
                sku=plan.sku,
                name=plan.name,
                kind="bundle" if plan.kind == "bundle" else "calling_plan",
                teams_phone=plan.includes_teams_phone,
                calling_plan=plan.sku,
                sources=plan.sources,
            )
        for licence in licences.licences:
            self._licences[licence.sku.upper()] = licence
        self._name_index: dict[str, dict[str, str]] = {lang: {} for lang in LANGS}
        self._any_index: dict[str, str] = {}
        for iso, country in self._countries.items():
            for lang in LANGS:
                for text in (country.name[lang], *country.aliases[lang]):
                    key = _fold(text)
                    self._name_index[lang].setdefault(key, iso)
                    self._any_index.setdefault(key, iso)

    def text(self, code: str, params: dict[str, Any] | None = None) -> str:
        """The English default text for a stable code, placeholders filled from ``params``
        (plural forms by the count, see :mod:`knowledge.texts`; a missing param stays ``{name}``;
        "calling the United Kingdom" as the chat says it, :mod:`knowledge.articles`)."""
        template = self.texts.get(code)
        if template is None:
            return code
        values = {k: str(v) for k, v in (params or {}).items()}
        text = fill(template, values, "en", missing=lambda k: "{" + k + "}")
        return with_english_articles(text) if names_such_a_country(values.values()) else text

    # -- plans and licences ---------------------------------------------------------------------

    @property
    def plans(self) -> tuple[Plan, ...]:
        return tuple(self._plans.values())

    def find_plan(self, sku: str | None) -> Plan | None:
        return self._plans.get(sku.strip().upper()) if sku else None

    def plan(self, sku: str) -> Plan:
        """The plan with this SKU; ``KeyError`` naming it when unknown."""
        plan = self.find_plan(sku)
        if plan is None:
            raise KeyError(f"unknown Calling Plan SKU {sku!r}")
        return plan

    def licence(self, sku: str | None) -> Licence | None:
        """What a licence SKU part number gives (Calling Plan SKUs included), None if unknown."""
        return self._licences.get(sku.strip().upper()) if sku else None

    @property
    def licences(self) -> tuple[Licence, ...]:
        return tuple(self._licences.values())

    def calling_plan_for(self, sku: str | None) -> Plan | None:
        """The Calling Plan a licence SKU (plan, bundle or suite with minutes) gives, if any."""
        licence = self.licence(sku)
        if licence is None or licence.calling_plan is None:
            return None
        return self.find_plan(licence.calling_plan)

    def family(self, text: str | None) -> LicenceFamily | None:
        """A base-licence family from its id ("E5"), a name or alias, or a suite SKU ("SPE_E3")."""
        if not text:
            return None
        licence = self.licence(text)
        if licence is not None and licence.family:
            return self._families[licence.family]
        return self._family_index.get(_fold(text))

    @property
    def families(self) -> tuple[LicenceFamily, ...]:
        return tuple(self._families.values())

    # -- countries ------------------------------------------------------------------------------

    @property
    def countries(self) -> tuple[Country, ...]:
        return tuple(self._countries.values())

    @property
    def calling_plan_countries(self) -> tuple[Country, ...]:
        return tuple(c for c in self._countries.values() if c.calling_plans is not None)

    def country(self, iso: str | None) -> Country | None:
        return self._countries.get(iso.strip().upper()) if iso else None

    def country_by_name(self, text: str | None, lang: str | None = None) -> Country | None:
        """A country from an ISO code, an English or French name, or a common alias.

        ``lang`` only decides ties (a text that names different countries in two languages).
        """
        if not text or not text.strip():
            return None
        raw = text.strip()
        if len(raw) == 2 and raw.isalpha() and raw.upper() in self._countries:
            return self._countries[raw.upper()]
        key = _fold(raw)
        if lang in self._name_index and key in self._name_index[lang]:
            return self._countries[self._name_index[lang][key]]
        iso = self._any_index.get(key)
        return self._countries[iso] if iso else None

    def is_callable_destination(self, iso: str | None) -> bool:
        country = self.country(iso)
        return bool(country and country.callable_destination)

    def pool_country(self, iso: str) -> str:
        country = self.country(iso)
        return country.pool_country if country else iso.upper()

    def is_domestic(self, caller_iso: str, destination_iso: str) -> bool:
        """Whether a number in ``destination_iso`` is domestic for a user located in ``caller_iso``."""
        caller = self.country(caller_iso)
        if caller is None:
            return caller_iso.upper() == destination_iso.upper()
        return destination_iso.upper() in caller.domestic_area

    def listed_region(self, iso: str) -> str:
        """The code Microsoft's lists use for a region (BQ/CW/SX numbers are listed as AN)."""
        return self.number_rules.region_aliases.map.get(iso.upper(), iso.upper())

    def premium_rule(self, iso: str | None) -> PremiumRule:
        rules = self.number_rules.premium
        return rules.by_country.get((iso or "").upper(), rules.default)


# ---------------------------------------------------------------------------------------------
# Loading and cross-file checks.

#: Each part of the catalog and its data file (the models they are validated against are in
#: :mod:`knowledge.catalog_files`, imported to validate: :func:`_files`).
_FILENAMES: dict[str, str] = {
    "sources": "sources.json",
    "countries": "countries.json",
    "calling_plan_countries": "calling_plan_countries.json",
    "plans": "plans.json",
    "number_rules": "number_rules.json",
    "licences": "licences.json",
    "texts": "texts.json",
}
#: The code whose change makes a cached catalog stale: the models and the checks.
_CODE = (Path(__file__), Path(__file__).with_name("catalog_files.py"))


def _files() -> dict[str, tuple[str, type]]:
    """Each part of the catalog: its data file and its file model (the models' module loaded now)."""
    from knowledge.catalog_files import FILES

    return FILES


@lru_cache(maxsize=16)
def _adapter(model: type) -> TypeAdapter[Any]:
    """The validator of one file model, built on first use (only when the catalog is validated:
    a process that reads the cached catalog never imports pydantic)."""
    from pydantic import TypeAdapter

    _define_constraints()
    return TypeAdapter(model)


def _load_file(path: Path, model: type) -> Any:
    from pydantic import ValidationError

    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogError(f"{path}: file is missing") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f"line {exc.lineno} column {exc.colno}: " if isinstance(exc, json.JSONDecodeError) else ""
        raise CatalogError(f"{path}: {where}not valid JSON ({exc})") from None
    if isinstance(raw, dict) and "_about" in raw:  # the files' comment key, the field ``about``
        raw = {("about" if key == "_about" else key): value for key, value in raw.items()}
    try:
        return _adapter(model).validate_python(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
        raise CatalogError(f"{path}: field {where}: {first['msg']}{more}") from None


def _walk_sources(node: Any, loc: str) -> Iterable[tuple[str, str]]:
    """Every (location, source key) cited anywhere in a parsed file."""
    if is_dataclass(node) and not isinstance(node, type):
        for name in (f.name for f in fields(node)):
            value = getattr(node, name)
            if name == "sources" and isinstance(value, tuple):
                for i, key in enumerate(value):
                    yield f"{loc}.sources.{i}".lstrip("."), key
            else:
                yield from _walk_sources(value, f"{loc}.{name}")
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _walk_sources(value, f"{loc}.{key}")
    elif isinstance(node, tuple):
        for i, value in enumerate(node):
            yield from _walk_sources(value, f"{loc}.{i}")


def _check(condition: bool, file: Path, field: str, message: str) -> None:
    if not condition:
        raise CatalogError(f"{file}: field {field}: {message}")


def _cross_check(parsed: dict[str, Any], data_dir: Path) -> None:
    path = {name: data_dir / filename for name, filename in _FILENAMES.items()}
    known_sources = set(parsed["sources"].sources)
    for name, model in parsed.items():
        if name == "sources":
            continue
        for loc, key in _walk_sources(model, ""):
            _check(key in known_sources, path[name], loc, f"unknown source key {key!r} (not in sources.json)")

    countries: CountriesFile = parsed["countries"]
    names = countries.names.entries
    for iso in names:
        _check(
            re.fullmatch(r"[A-Z]{2}", iso) is not None,
            path["countries"],
            f"names.entries.{iso}",
            "not an ISO alpha-2 code",
        )
    for section in ("callable_destinations", "zone_a"):
        for i, iso in enumerate(getattr(countries, section).isos):
            _check(iso in names, path["countries"], f"{section}.isos.{i}", f"{iso!r} has no names entry")
    for iso in countries.emergency_numbers.by_country:
        _check(iso in names, path["countries"], f"emergency_numbers.by_country.{iso}", "no names entry")

    plans: PlansFile = parsed["plans"]
    skus = {plan.sku.upper() for plan in plans.plans}
    _check(len(skus) == len(plans.plans), path["plans"], "plans", "duplicate SKU")
    for i, plan in enumerate(plans.plans):
        for attr in ("domestic_minutes", "international_minutes"):
            minutes = getattr(plan, attr)
            if minutes is None:
                continue
            # US and PR share one pool: one pool has one per-user figure.
            _check(
                minutes.for_country("US") == minutes.for_country("PR"),
                path["plans"],
                f"plans.{i}.{attr}.by_country",
                "US and PR share a pool, so their minutes must be equal",
            )
        for j, req in enumerate(plan.requires):
            _check(req.upper() in skus, path["plans"], f"plans.{i}.requires.{j}", f"unknown plan {req!r}")
        if plan.pool != "none" and plan.capability.upper() == plan.sku.upper():
            # A plan pooled under another capability (the bundle, MCOPSTN1) may have no figure.
            _check(
                plan.domestic_minutes is not None,
                path["plans"],
                f"plans.{i}.domestic_minutes",
                "a pooled plan needs minutes",
            )
        if plan.kind == "domestic_and_international":
            _check(
                plan.international_minutes is not None,
                path["plans"],
                f"plans.{i}.international_minutes",
                "required for this kind",
            )

    cpc: CallingPlanCountriesFile = parsed["calling_plan_countries"]
    _check(
        len(cpc.countries) == cpc.count.value,
        path["calling_plan_countries"],
        "count.value",
        f"says {cpc.count.value} but {len(cpc.countries)} countries are listed",
    )
    for i, row in enumerate(cpc.countries):
        _check(
            row.iso in names, path["calling_plan_countries"], f"countries.{i}.iso", f"{row.iso!r} has no names entry"
        )
        for j, sku in enumerate(row.plans):
            _check(
                sku.upper() in skus, path["calling_plan_countries"], f"countries.{i}.plans.{j}", f"unknown plan {sku!r}"
            )
        for j, iso in enumerate(row.domestic_area):
            _check(
                iso in names,
                path["calling_plan_countries"],
                f"countries.{i}.domestic_area.{j}",
                f"unknown country {iso!r}",
            )

    rules: NumberRulesFile = parsed["number_rules"]
    _check(
        re.fullmatch(r"[0-9]", rules.masking.replacement_digit) is not None,
        path["number_rules"],
        "masking.replacement_digit",
        "must be one digit",
    )
    by_country = ((f"by_country.{iso}", rule) for iso, rule in rules.premium.by_country.items())
    for section, rule in (("default", rules.premium.default), *by_country):
        for i, prefix in enumerate(rule.prefixes):
            _check(
                re.fullmatch(r"[0-9]+", prefix.prefix) is not None,
                path["number_rules"],
                f"premium.{section}.prefixes.{i}.prefix",
                f"{prefix.prefix!r} is not digits only",
            )
    for iso in rules.premium.by_country:
        _check(iso in names, path["number_rules"], f"premium.by_country.{iso}", "unknown country")
    for iso, target in rules.region_aliases.map.items():
        _check(target in names, path["number_rules"], f"region_aliases.map.{iso}", f"unknown country {target!r}")

    licences: LicencesFile = parsed["licences"]
    family_ids = {family.id for family in licences.families}
    for i, licence in enumerate(licences.licences):
        if licence.family is not None:
            _check(
                licence.family in family_ids,
                path["licences"],
                f"licences.{i}.family",
                f"unknown family {licence.family!r}",
            )
        if licence.calling_plan is not None:
            _check(
                licence.calling_plan.upper() in skus,
                path["licences"],
                f"licences.{i}.calling_plan",
                f"unknown plan {licence.calling_plan!r}",
            )


def _load(data_dir: Path) -> Catalog:
    parsed = {name: _load_file(data_dir / filename, model) for name, (filename, model) in _files().items()}
    _cross_check(parsed, data_dir)
    return Catalog(data_dir=data_dir, **parsed)


@lru_cache(maxsize=8)
def _cached(data_dir: Path) -> Catalog:
    # Validated once per distinct content, then kept in the folder's __pycache__ for the
    # next process (``knowledge.catalog_cache``): `callplan check` starts without validating.
    from knowledge import catalog_cache

    key = catalog_cache.cache_key(data_dir, list(_FILENAMES.values()), _CODE)
    return catalog_cache.load_or_build(data_dir, key, _load, Catalog)


def load_catalog(data_dir: Path | None = None) -> Catalog:
    """The catalog from ``data_dir`` (default: the packaged data), loaded once per folder."""
    return _cached(Path(data_dir).resolve() if data_dir is not None else DATA_DIR)
