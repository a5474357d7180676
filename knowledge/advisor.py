"""Which plan to buy: from what an admin knows to ordered purchase steps, pools and caveats.

Everything the advisor says is an item with a stable ``code``, explicit ``params`` and an English
default ``text`` (from ``data/texts.json``), so the dialogs layer can render any language from
the code and the params without parsing English.

The choice, per usage-location country (fact sheet §6, §7; choices marked DECISION are ours):

* a carrier already (Operator Connect, Direct Routing, on-premises): no Calling Plan, only
  Teams Phone (FR_CP: "assign only Teams Phone");
* no Calling Plans sold there: the alternatives (Operator Connect, Direct Routing, Teams Phone
  Mobile); Australia and Japan: the partner's offer (Telstra, SoftBank);
* calls abroad: Domestic and International (MCOPSTN2; Mexico's own SKU in MX);
* DECISION: no outbound minutes expected (0), or very few (at most ``PAYG_MINUTES`` a
  user): Pay-As-You-Go where a zone SKU exists; at most 120 expected minutes: the
  120-minute plan where sold (not US/PR/MX); otherwise the Domestic plan. The 240-minute
  plan is deprecated (EN_SMS) and never proposed;
* DECISION: a base licence eligible for the Teams Phone with Calling Plan bundle (E3, Business,
  Teams Essentials...) and a plain Domestic plan: the bundle (one SKU gives Teams Phone and the
  Domestic plan); E5/A5/G5 include Teams Phone, so they only add the plan.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from knowledge.catalog import Country, Plan, load_catalog

CarrierName = Literal["operator_connect", "direct_routing", "on_premises"]
Agreement = Literal["legacy", "mca"]
MAX_USERS = 1_000_000
#: The outbound minutes a user who "rarely calls out" is planned for where PAYG is not sold.
FEW_MINUTES = 100
#: DECISION: at most this many expected outbound minutes a user a month (a stated figure: "3
#: minutes a month each") is "few outbound calls", the fact sheet's case for Pay-As-You-Go (§6:
#: "Is PAYG cheaper for users who make few outbound calls?"), where a PAYG SKU is sold; above
#: it the 120-minute plan. The sheet gives no prices, so the line is ours: a tenth of the
#: smallest plan's allowance.
PAYG_MINUTES = 12


class AdviceRequest(BaseModel):
    """What the admin knows. Countries may be ISO codes or English/French names."""

    model_config = ConfigDict(frozen=True)

    countries: list[str] = Field(min_length=1)
    users: int | None = Field(None, ge=1, le=MAX_USERS)  # per country when users_per_country is not given
    users_per_country: dict[str, int] | None = None
    international: bool = False
    international_minutes: int | None = Field(None, ge=0, le=100_000)  # per user per month
    base_licence: str | None = None  # E3, E5, A5, G5, Business Premium, Teams Essentials, or a SKU
    carrier: CarrierName | None = None
    minutes_per_user: int | None = Field(None, ge=0, le=100_000)  # expected outbound domestic minutes
    #: "they make few outbound calls" without a figure: Pay-As-You-Go where it is sold (no included
    #: minutes, every outbound minute billed: the fact sheet's answer to "is PAYG cheaper for users
    #: who make few outbound calls?"), else the 120-minute plan at ``FEW_MINUTES`` a user.
    few_outbound: bool = False
    agreement: Agreement | None = None  # legacy (MOSA/EA/CSP): credits; mca (New Commerce): overage

    @field_validator("countries")
    @classmethod
    def _countries(cls, values: list[str]) -> list[str]:
        catalog = load_catalog()
        resolved: list[str] = []
        for value in values:
            country = catalog.country_by_name(value)
            if country is None:
                raise ValueError(f"unknown country {value!r}: use a two-letter code (FR) or a name (France)")
            if country.iso not in resolved:
                resolved.append(country.iso)
        return resolved

    @field_validator("base_licence")
    @classmethod
    def _base(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        family = load_catalog().family(value)
        if family is None:
            known = ", ".join(f.id for f in load_catalog().families)
            raise ValueError(f"unknown base licence {value!r}: use one of {known} or a SKU such as SPE_E5")
        return family.id

    @field_validator("users_per_country")
    @classmethod
    def _per_country(cls, value: dict[str, int] | None) -> dict[str, int] | None:
        if value is None:
            return None
        catalog = load_catalog()
        out: dict[str, int] = {}
        for name, count in value.items():
            country = catalog.country_by_name(name)
            if country is None:
                raise ValueError(f"unknown country {name!r}")
            if not 1 <= count <= MAX_USERS:
                raise ValueError(f"users in {country.iso} must be between 1 and {MAX_USERS}")
            out[country.iso] = out.get(country.iso, 0) + count
        return out

    @model_validator(mode="after")
    def _users_given(self) -> AdviceRequest:
        if self.users is None and not self.users_per_country:
            raise ValueError("say how many users (users or users_per_country)")
        if self.users_per_country:
            missing = [c for c in self.countries if c not in self.users_per_country]
            if missing and self.users is None:
                raise ValueError(f"no user count for {', '.join(missing)}")
        return self

    def users_in(self, iso: str) -> int:
        if self.users_per_country and iso in self.users_per_country:
            return self.users_per_country[iso]
        return int(self.users or 0)


class _Item(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    params: dict[str, Any] = Field(default_factory=dict)
    text: str = ""


class Step(_Item):
    """One thing to do, in order (admin center paths in the text)."""


class Caveat(_Item):
    """Something that applies and is easy to get wrong."""


class Reason(_Item):
    """Why a choice was made."""


class PlannedPool(BaseModel):
    """The monthly pool the recommendation creates in one country (one line of it)."""

    model_config = ConfigDict(frozen=True)

    country: str
    plan: str  # capability the pool is keyed on (the bundle pools as MCOPSTN1)
    sku: str  # what is bought
    line: Literal["domestic", "international"]
    users: int
    minutes_per_user: int | None  # None: not documented by Microsoft (the bundle)
    minutes: int | None  # users x minutes per user (None when that is not documented)
    per_user: bool = False


class CountryAdvice(BaseModel):
    """The choice for one usage-location country."""

    model_config = ConfigDict(frozen=True)

    country: str
    name: dict[str, str]
    users: int
    calling_plans_available: bool
    provider: str | None
    calling_plan: str | None
    alternatives: list[str] = Field(default_factory=list)


class Recommendation(BaseModel):
    """The advisor's answer. ``calling_plan`` is the SKU for the most users (see ``countries``)."""

    model_config = ConfigDict(frozen=True)

    steps: list[Step]
    calling_plan: str | None
    calling_plans: dict[str, str | None]
    needs_teams_phone: bool  # Teams Phone Standard must be bought
    teams_phone_source: Literal["included", "teams_phone_standard", "bundle", "none"]
    pools: list[PlannedPool]
    caveats: list[Caveat]
    reasons: list[Reason]
    alternatives: dict[str, list[str]]  # country -> alternative ids, where Calling Plans are not an option
    countries: list[CountryAdvice]
    needs_funding: bool  # Communications Credits or overage will be used
    sources: list[str] = Field(default_factory=list)  # source keys of the plans, pools and paths chosen


class SentenceMemo(dict[tuple[str, ...], str]):
    """Sentences made once per key (a code, its language, the ``repr`` of its params, when they
    are codes only: :func:`code_params`), emptied when it holds ``limit`` of them. The one memo of the purchase
    summary's sentences, here and in ``dialogs.cards`` (issue 14): a sentence depends only on
    its key while the catalog and locale files stay as loaded."""

    def __init__(self, limit: int = 4096) -> None:
        super().__init__()
        self.limit = limit

    def get_or_make(self, key: tuple[str, ...], make: Callable[[], str]) -> str:
        text = self.get(key)
        if text is None:
            if len(self) >= self.limit:
                self.clear()
            text = self[key] = make()
        return text


#: (code, repr of its params) -> an item's English text, for the catalog in ``_TEXTS_OF``
#: (:meth:`_Builder._text`).
_TEXTS = SentenceMemo()
_TEXTS_OF: list[object] = [None]


def plain_params(value: object) -> bool:
    """Whether ``value`` is made of str, int, float, bool and None (those exact types, no
    subclass) in dicts, lists and tuples only: values whose ``repr`` is all they are (no object
    whose repr shows an address or hides a field)."""
    return _made_of(value, _PLAIN)


def code_params(value: object) -> bool:
    """Whether ``value`` is made of codes only: str, bool and None (those exact types) in dicts
    with str keys, lists and tuples; no number. The params a sentence may be memoized by
    (:class:`SentenceMemo`): a number there may be a count or minutes the admin typed ("40
    users"), and a memo keyed by it would keep an entry per count typed (and a benchmark that
    repeats its counts would measure the memo, not the work). A sentence with a number (a
    purchase's buy steps, "24 hours") is filled each time; one of country codes, SKUs and flags
    (most of a summary) once."""
    return _made_of(value, _CODES)


_PLAIN: frozenset[type] = frozenset({str, int, float, bool, type(None)})
_CODES: frozenset[type] = frozenset({str, bool, type(None)})


def _made_of(value: object, kinds: frozenset[type]) -> bool:
    """Whether ``value`` is of ``kinds`` (exact types) or a dict (str keys), list or tuple of such.

    Plain loops, no generators: every memoized sentence of a purchase summary or a verdict card
    asks this of its params (14 items a summary), and the generator form cost ~2.3 us an item,
    more than the ``repr`` it guards (issue 14)."""
    kind = type(value)
    if kind in kinds:
        return True
    if kind is dict:
        for k, v in value.items():  # type: ignore[attr-defined]
            if type(k) is not str or (type(v) not in kinds and not _made_of(v, kinds)):
                return False
        return True
    if kind is list or kind is tuple:
        for v in value:  # type: ignore[attr-defined]  # noqa: SIM110 (a loop: no generator frame)
            if type(v) not in kinds and not _made_of(v, kinds):
                return False
        return True
    return False


class _Builder:
    """Collects items, renders their English text, and keeps each code+params once."""

    def __init__(self, *, english: bool = True) -> None:
        self.catalog = load_catalog()
        self.english = english  # False: items keep no English text (:func:`recommend`)
        self.steps: list[Step] = []
        self.caveats: list[Caveat] = []
        self.reasons: list[Reason] = []

    def _add(self, bucket: list, cls: type[_Item], code: str, params: dict[str, Any]) -> None:
        """``bucket`` gets the item unless it holds one of the same code and params. The check
        comes first, code before params, so a repeated item is never built (nor validated).
        A plain loop, no generator: ~14 items a recommendation, each checked against those
        before it (issue 14)."""
        for item in bucket:
            if item.code == code and item.params == params:
                return
        bucket.append(cls(code=code, params=params, text=self._text(code, params)))

    def step(self, code: str, **params: Any) -> None:
        self._add(self.steps, Step, code, params)

    def caveat(self, code: str, **params: Any) -> None:
        self._add(self.caveats, Caveat, code, params)

    def reason(self, code: str, **params: Any) -> None:
        self._add(self.reasons, Reason, code, params)

    def _text(self, code: str, params: dict[str, Any]) -> str:
        """The item's English text, ``catalog.text(code, english params)``, filled once per
        code, params and catalog (:data:`_TEXTS`).

        WHY: a purchase summary filled ~14 templates (country names, plurals, the English
        articles rule) on every recommendation, ~45% of :func:`recommend` (issue 14,
        ``bench/records/issue14_stepcost2.md``), though a text depends only on the code, its
        params and the catalog, which does not change while a process runs. Params are keyed by
        ``repr`` (it tells ``True`` from ``"True"``, a list from a tuple) and only when they are
        codes (:func:`code_params`: no number, which may be one the admin typed); anything else
        is filled each time."""
        if not self.english:
            return ""
        if not code_params(params):
            return self.catalog.text(code, self._english(params))
        if _TEXTS_OF[0] is not self.catalog:  # another catalog (tests load their own): start over
            _TEXTS.clear()
            _TEXTS_OF[0] = self.catalog
        return _TEXTS.get_or_make((code, repr(params)), lambda: self.catalog.text(code, self._english(params)))

    def _english(self, params: dict[str, Any]) -> dict[str, str]:
        """Params as English words for the default text (codes stay codes in ``params``)."""
        out: dict[str, str] = {}
        for key, value in params.items():
            if key == "country":
                country = self.catalog.country(value)
                out[key] = country.name_en if country else str(value)
            elif key == "countries":
                out[key] = ", ".join(c.name_en if (c := self.catalog.country(v)) else str(v) for v in value)
            elif key in ("options", "alternatives"):
                names = {a.id: a.name.en for a in self.catalog.alternatives}
                out[key] = ", ".join(names.get(v, str(v)) for v in value)
            elif key == "carrier":
                out[key] = str(value).replace("_", " ")
            elif isinstance(value, (list, tuple)):
                out[key] = ", ".join(map(str, value))
            else:
                out[key] = str(value)
        return out


def _choose_plan(country: Country, request: AdviceRequest, b: _Builder) -> Plan | None:
    """The Calling Plan SKU for users located in ``country`` (None: not a Calling Plan country)."""
    catalog = b.catalog
    cp = country.calling_plans
    if cp is None:
        return None
    sold = [catalog.plan(sku) for sku in cp.plans]
    plan: Plan | None
    if cp.provider != "microsoft":
        plan = sold[0]
        b.reason("partner_country", country=country.iso, partner=plan.partner or cp.provider, plan=plan.sku)
        return plan

    def pick(kind: str) -> Plan | None:
        return next((p for p in sold if p.kind == kind and not p.deprecated), None)

    if request.international:
        plan = pick("domestic_and_international")
        b.reason("international_needs_di", country=country.iso, plan=plan.sku if plan else None)
        return plan
    expected = request.minutes_per_user
    if request.few_outbound and expected is None:
        payg = pick("payg")
        if payg is not None:
            b.reason("payg_few_outbound", country=country.iso, plan=payg.sku)
            return payg
        expected = FEW_MINUTES
    if expected == 0:
        payg = pick("payg")
        if payg is not None:
            b.reason("payg_no_outbound", country=country.iso, plan=payg.sku)
            return payg
    if expected is not None and expected <= PAYG_MINUTES:
        payg = pick("payg")
        if payg is not None:
            b.reason("payg_low_usage", country=country.iso, plan=payg.sku, minutes_per_user=expected)
            return payg
    if expected is not None and expected <= 120:
        small = next((p for p in sold if p.sku == "MCOPSTN5"), None)
        if small is not None:
            b.reason("low_usage_120", country=country.iso, plan=small.sku, minutes_per_user=expected)
            return small
    plan = next(
        (p for p in sold if p.kind == "domestic" and p.pool == "shared" and p.sku != "MCOPSTN5" and not p.deprecated),
        None,
    )
    if plan is not None:
        b.reason(
            "domestic_standard", country=country.iso, plan=plan.sku, minutes_per_user=plan.minutes_for(country.iso) or 0
        )
    return plan


def recommend(request: AdviceRequest, *, english: bool = True) -> Recommendation:
    """Turn an :class:`AdviceRequest` into a :class:`Recommendation` (pure; no I/O).

    ``english=False``: every step, caveat and reason without its English ``text`` (left empty),
    for a caller that renders items from their code and params in its own language (the chat's
    summary card, ``dialogs.cards``). WHY: a purchase filled each item's English sentence (a
    seat count or quantity of its own is a sentence no memo holds) that the chat never shows."""
    b = _Builder(english=english)
    catalog = b.catalog
    family = catalog.family(request.base_licence) if request.base_licence else None
    teams_phone_included = bool(family and family.teams_phone)
    bundle_ok = bool(family and family.bundle_eligible)

    chosen: dict[str, Plan | None] = {}
    advice: list[CountryAdvice] = []
    alternatives: dict[str, list[str]] = {}
    for iso in request.countries:
        country = catalog.country(iso)
        assert country is not None  # validated by AdviceRequest
        plan: Plan | None = None
        alts: list[str] = []
        if request.carrier is not None:
            b.reason("carrier_no_calling_plan", country=iso, carrier=request.carrier)
        elif not country.has_calling_plans:
            alts = [a.id for a in catalog.alternatives]
            alternatives[iso] = alts
            b.reason("no_calling_plans_here", country=iso, alternatives=alts)
        else:
            plan = _choose_plan(country, request, b)
            if plan is not None and plan.sku == "MCOPSTN1" and bundle_ok and not teams_phone_included:
                plan = catalog.plan("MCOTEAMS_ESSENTIALS")
                # The Domestic plan's minutes are not the bundle's (undocumented): not said here.
                b.reasons = [r for r in b.reasons if (r.code, r.params.get("country")) != ("domestic_standard", iso)]
                b.reason("bundle_chosen", country=iso, base=family.id if family else None, plan=plan.sku)
        chosen[iso] = plan
        advice.append(
            CountryAdvice(
                country=iso,
                name=dict(country.name),
                users=request.users_in(iso),
                calling_plans_available=country.has_calling_plans,
                provider=country.calling_plans.provider if country.calling_plans else None,
                calling_plan=plan.sku if plan else None,
                alternatives=alts,
            )
        )

    # Teams Phone: needed by every PSTN path (Calling Plan, carrier) unless included or bundled.
    microsoft_plans = {iso: p for iso, p in chosen.items() if p is not None and not p.is_partner}
    pstn_users = sum(
        request.users_in(iso) for iso in request.countries if chosen[iso] is not None or request.carrier is not None
    )
    standard_users = sum(
        request.users_in(iso)
        for iso in request.countries
        if (chosen[iso] is None and request.carrier is not None)
        or ((plan := chosen[iso]) is not None and not plan.includes_teams_phone)
    )
    if teams_phone_included:
        teams_phone_source = "included"
        b.reason("teams_phone_included", base=family.id if family else None)
    elif standard_users:
        teams_phone_source = "teams_phone_standard"
        b.reason("teams_phone_required", base=family.id if family else None)
    elif pstn_users:
        teams_phone_source = "bundle"
    else:
        teams_phone_source = "none"
    needs_teams_phone = teams_phone_source == "teams_phone_standard"
    if request.base_licence is None and pstn_users:
        b.caveat("base_licence_unknown")

    if needs_teams_phone:
        teams_phone = catalog.licence("MCOEV")
        assert teams_phone is not None  # in licences.json (tests/knowledge/test_catalog.py)
        b.step("buy_teams_phone", sku="MCOEV", name=teams_phone.name.en, quantity=standard_users)
    quantities: dict[str, int] = {}
    for iso, plan in chosen.items():
        if plan is not None and not plan.is_partner:
            quantities[plan.sku] = quantities.get(plan.sku, 0) + request.users_in(iso)
    for sku, quantity in quantities.items():
        plan = catalog.plan(sku)
        b.step("buy_calling_plan", sku=sku, name=plan.name.en, quantity=quantity)
    for iso, plan in chosen.items():
        if plan is not None and plan.is_partner:
            b.step("buy_from_partner", country=iso, partner=plan.partner, plan=plan.sku, quantity=request.users_in(iso))
    for iso, alts in alternatives.items():
        b.step("choose_alternative", country=iso, options=alts)

    needs_funding = _funding(request, chosen, b)
    pstn_countries = [iso for iso in request.countries if chosen[iso] is not None or request.carrier is not None]
    if pstn_countries:
        b.step("set_usage_location", countries=pstn_countries)
        licences = (["MCOEV"] if needs_teams_phone else []) + list(quantities)
        if licences:
            b.step("assign_licences", licences=licences)
    if request.carrier is not None:
        b.step("connect_carrier", carrier=request.carrier)
        b.caveat("no_calling_plan_with_carrier", carrier=request.carrier)
    if microsoft_plans:
        b.step("add_emergency_address", countries=list(microsoft_plans))
        b.step("get_phone_numbers", countries=list(microsoft_plans))
    if needs_funding == "communications_credits":
        b.step("set_up_communications_credits")
    elif needs_funding == "overage":
        b.step("turn_on_overage")
    elif needs_funding == "either":
        b.step("set_up_funding")

    pools = _pools(request, chosen, b)
    _caveats(request, chosen, b)

    counts: dict[str, int] = {}
    for iso, plan in chosen.items():
        if plan is not None:
            counts[plan.sku] = counts.get(plan.sku, 0) + request.users_in(iso)
    main = max(counts, key=lambda sku: counts[sku]) if counts else None
    return Recommendation(
        steps=b.steps,
        calling_plan=main,
        calling_plans={iso: (p.sku if p else None) for iso, p in chosen.items()},
        needs_teams_phone=needs_teams_phone,
        teams_phone_source=teams_phone_source,
        pools=pools,
        caveats=b.caveats,
        reasons=b.reasons,
        alternatives=alternatives,
        countries=advice,
        needs_funding=needs_funding is not None,
        sources=_sources(request, chosen, alternatives, needs_teams_phone),
    )


def _sources(
    request: AdviceRequest, chosen: dict[str, Plan | None], alternatives: dict[str, list[str]], needs_teams_phone: bool
) -> list[str]:
    """The source keys the recommendation rests on, most specific first: each chosen plan's
    minutes (or the plan itself when its minutes are undocumented), the country's Calling Plan
    facts, Teams Phone, then the alternatives to Calling Plans."""
    catalog = load_catalog()
    keys: list[str] = []
    for iso, plan in chosen.items():
        if plan is not None:
            keys.extend(plan.domestic_minutes.sources if plan.domestic_minutes else plan.sources)
            if plan.international_minutes:
                keys.extend(plan.international_minutes.sources)
        country = catalog.country(iso)
        if country is not None and country.calling_plans is not None:
            keys.extend(country.calling_plans.sources)
    if needs_teams_phone or request.carrier is not None:
        teams_phone = catalog.licence("MCOEV")
        keys.extend(teams_phone.sources if teams_phone else ())
    names = {a.id: a for a in catalog.alternatives}
    for options in alternatives.values():
        for option in options:
            keys.extend(names[option].sources if option in names else ())
    if request.carrier is not None and request.carrier in names:
        keys.extend(names[request.carrier].sources)
    return list(dict.fromkeys(keys))


def _funding(request: AdviceRequest, chosen: dict[str, Plan | None], b: _Builder) -> str | None:
    """Whether Communications Credits / overage will be needed, and which (by agreement)."""
    why: list[str] = []
    for iso, plan in chosen.items():
        if plan is None or plan.is_partner:
            continue
        if plan.is_payg:
            why.append("payg")
        allowance = plan.minutes_for(iso) if plan.domestic_minutes else None
        if (
            request.minutes_per_user
            and allowance is not None
            and request.minutes_per_user > allowance
            and not plan.is_payg
        ):
            why.append("domestic_above_allowance")
            b.caveat(
                "minutes_exceed_allowance", country=iso, minutes_per_user=request.minutes_per_user, allowance=allowance
            )
        intl = plan.minutes_for(iso, "international") if plan.international_minutes else None
        if request.international_minutes and intl is not None and request.international_minutes > intl:
            why.append("international_above_allowance")
            b.caveat(
                "international_above_allowance",
                country=iso,
                minutes_per_user=request.international_minutes,
                allowance=intl,
            )
    if not why:
        return None
    b.reason("funding_needed", why=sorted(set(why)))
    if request.agreement == "legacy":
        return "communications_credits"
    if request.agreement == "mca":
        return "overage"
    return "either"


def _pools(request: AdviceRequest, chosen: dict[str, Plan | None], b: _Builder) -> list[PlannedPool]:
    """The monthly pools the purchase creates (US and PR merged; per-user plans not merged)."""
    catalog = b.catalog
    merged: dict[tuple[str, str, str], PlannedPool] = {}
    for iso, plan in chosen.items():
        if plan is None or plan.pool == "none":
            continue
        country = catalog.country(iso)
        pool_country = country.pool_country if country else iso
        users = request.users_in(iso)
        if plan.domestic_minutes is None and plan.capability != plan.sku:
            # The bundle: its users join the country's pool of its capability (MCOPSTN1), but
            # Microsoft documents no minutes for it, so the pool states none.
            b.caveat("bundle_minutes_undocumented")
            key = (pool_country, plan.capability, "domestic")
            previous = merged.get(key)
            merged[key] = PlannedPool(
                country=pool_country,
                plan=plan.capability,
                sku=plan.sku,
                line="domestic",
                users=users + (previous.users if previous else 0),
                minutes_per_user=None,
                minutes=None,
            )
            continue
        for line in ("domestic", "international"):
            per_user = plan.minutes_for(pool_country, line)
            if not per_user:
                continue
            key = (pool_country, plan.capability, line)
            previous = merged.get(key)
            total_users = users + (previous.users if previous else 0)
            merged[key] = PlannedPool(
                country=pool_country,
                plan=plan.capability,
                sku=plan.sku,
                line=line,
                users=total_users,
                minutes_per_user=per_user,
                minutes=total_users * per_user,
                per_user=plan.pool == "per_user",
            )
    return sorted(merged.values(), key=lambda p: (p.country, p.plan, p.line))


def _caveats(request: AdviceRequest, chosen: dict[str, Plan | None], b: _Builder) -> None:
    catalog = b.catalog
    plans = [p for p in chosen.values() if p is not None and not p.is_partner]
    if plans:
        b.caveat("dial_pad_delay", hours=24)
        b.caveat("usage_location_not_billing_address")
        b.caveat("pools_identical_plans_only")
    if request.users_per_country is None and len(request.countries) > 1:
        b.caveat("same_users_each_country", users=request.users)
    for iso, plan in chosen.items():
        country = catalog.country(iso)
        if country is None or country.calling_plans is None:
            continue
        cp = country.calling_plans
        if iso in ("US", "PR", "CA") and plan is not None:
            b.caveat("us_canada_domestic")
        if iso == "PR" and plan is not None:
            b.caveat("pr_shares_us_pool")
        if iso == "MX" and plan is not None:
            b.caveat("mexico_specific_skus")
        if cp.payg_listed_without_zone:
            b.caveat("payg_sku_unknown", country=iso)
        if plan is not None and plan.is_partner:
            b.caveat("partner_minutes", country=iso, partner=plan.partner)
        if cp.emergency_calls == "not_supported" and request.carrier is None:
            b.caveat("emergency_not_supported_here", country=iso)
        if plan is not None and plan.is_payg:
            b.caveat("one_number_per_payg_licence")
        if plan is not None and plan.international:
            b.caveat("international_destinations_list", count=len(catalog.callable_destinations.isos))
        if plan is not None and not (plan.international or plan.is_partner or plan.is_payg):
            b.caveat("domestic_only_calls_abroad")
