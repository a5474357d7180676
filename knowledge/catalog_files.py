"""The catalog's file models: one frozen dataclass per data file, only what validating needs.

Split from :mod:`knowledge.catalog` because nothing of them outlives the validation: the
:class:`~knowledge.catalog.Catalog` keeps the parts (plans, number rules, countries...) whose
classes live there, not these wrappers. A process that reads the cached catalog (``callplan
check``) never imports this module, so it does not pay for creating ten more dataclasses
(~5 ms of its start, issue 14). :func:`knowledge.catalog._files` imports it on first validation.

The annotations are strings resolved by pydantic in this module's globals (the fields inherited
from ``_Strict``/``_Sourced`` in :mod:`knowledge.catalog`'s): every name they use is imported here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from annotated_types import MinLen

from knowledge.catalog import (
    Alternative,
    CallingPlanCountry,
    Count,
    IsoSet,
    Licence,
    LicenceFamily,
    NumberRulesFile,
    Plan,
    _Sourced,
    _Strict,
)


@dataclass(frozen=True, kw_only=True)
class PlansFile(_Strict):
    about: str = ""
    plans: Annotated[tuple[Plan, ...], MinLen(1)]


@dataclass(frozen=True, kw_only=True)
class NameEntry(_Strict):
    en: Annotated[str, MinLen(1)]
    fr: Annotated[str, MinLen(1)]
    aliases_en: tuple[str, ...] = ()
    aliases_fr: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class NamesSection(_Sourced):
    entries: dict[str, NameEntry]


@dataclass(frozen=True, kw_only=True)
class EmergencySection(_Sourced):
    by_country: dict[str, tuple[str, ...]]


@dataclass(frozen=True, kw_only=True)
class CountriesFile(_Strict):
    about: str = ""
    names: NamesSection
    callable_destinations: IsoSet
    zone_a: IsoSet
    emergency_numbers: EmergencySection


@dataclass(frozen=True, kw_only=True)
class BundleDefaults(_Sourced):
    bundle_markets_decision: str


@dataclass(frozen=True, kw_only=True)
class CallingPlanCountriesFile(_Strict):
    about: str = ""
    count: Count
    defaults: BundleDefaults
    countries: tuple[CallingPlanCountry, ...]


@dataclass(frozen=True, kw_only=True)
class LicencesFile(_Strict):
    about: str = ""
    families: tuple[LicenceFamily, ...]
    licences: tuple[Licence, ...]
    alternatives: tuple[Alternative, ...]


@dataclass(frozen=True, kw_only=True)
class TextsFile(_Strict):
    about: str = ""
    texts: dict[str, str]


@dataclass(frozen=True, kw_only=True)
class SourcesFile(_Strict):
    about: str = ""
    sources: dict[str, dict[str, Any]]


#: Each part of the catalog: its data file and the model that file is validated against.
FILES: dict[str, tuple[str, type]] = {
    "sources": ("sources.json", SourcesFile),
    "countries": ("countries.json", CountriesFile),
    "calling_plan_countries": ("calling_plan_countries.json", CallingPlanCountriesFile),
    "plans": ("plans.json", PlansFile),
    "number_rules": ("number_rules.json", NumberRulesFile),
    "licences": ("licences.json", LicencesFile),
    "texts": ("texts.json", TextsFile),
}
