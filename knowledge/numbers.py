"""Can this caller call this number? The rules of fact sheet §5 as one function.

:func:`check_call` answers with a :class:`CallVerdict`: a stable ``reason`` code (the dialogs
layer renders it in French or English; ``message`` is the English default), the destination
country, domestic or international, the pool the call draws on, and ``needs``: the codes of what
would make it callable. It never raises: a bad number or country is a verdict, not an exception.

The ``verdict`` is three-valued (issue 11): ``included`` (in the user's plan, or always free:
emergency, Teams-to-Teams, a carrier's own plan), ``per_minute`` (goes through only with
Communications Credits or pay-as-you-go overage, billed per minute; blocked without them) and
``not_callable`` (never: not on the callable list, a blocked number type, or a rule the fact sheet
does not document). ``callable`` is true only for ``included``, so a headline can never say "not
callable" over a body that says credits make the call possible. ``sources`` are the source keys
the answer rests on (``number_rules.json`` ``reasons``, plus the premium rule and plan cited).

Order of the rules (first match wins), and why:
1. Teams-to-Teams calls are free and need no PSTN option at all.
2. The caller's country must be known: every later rule depends on it.
3. Emergency numbers are always allowed, even under the "no PSTN" dial-out policy, as long as
   the user has some PSTN path (Japan's Calling Plans are the documented exception).
4. Without a Calling Plan, Direct Routing / Operator Connect / on-premises carry the call
   (their terms, not ours); without any of them there is no PSTN call.
5. The number must parse and be valid; then the dial-out policy, premium/shared-cost rules of
   the destination's country, and finally domestic vs international under the plan.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any, Literal

from knowledge.catalog import Catalog, Country, Plan, load_catalog
from knowledge.phone import ParsedNumber, main_region_of_code, parse_number, strip_separators
from knowledge.pool_key import PoolKey

Scope = Literal["domestic", "international", "emergency", "teams"]
Carrier = Literal["operator_connect", "direct_routing", "on_premises"]
Verdict = Literal["included", "per_minute", "not_callable"]
DialOut = Literal["international", "domestic", "none"]
CARRIERS: tuple[str, ...] = ("operator_connect", "direct_routing", "on_premises")
DIAL_OUT: tuple[str, ...] = ("international", "domestic", "none")

_PARSE_REASONS = {
    "empty": "empty_number",
    "not_a_number": "not_a_number",
    "unparseable": "impossible_number",
    "too_short": "impossible_number",
    "too_long": "impossible_number",
    "impossible": "impossible_number",
    "invalid": "invalid_number",
}


@dataclass(frozen=True, slots=True)
class CallVerdict:
    """The answer to "can this user call this number", with what it rests on.

    A plain dataclass, not a pydantic model: ``callplan check`` starts without pydantic (issue 14).
    ``message`` (the English default text) is made when asked for, not with every verdict: the
    chat renders ``reason`` in the conversation's language and never reads it (issue 14: ~10 us
    of a number check's turn filling an English sentence nobody saw); the CLI and ``to_json`` do.
    """

    verdict: Verdict
    callable: bool  # verdict == "included"
    reason: str  # stable code, e.g. "international_needs_credits"
    number: str  # what was asked
    normalized: str | None = None  # E.164 (masked digits replaced)
    number_type: str = "unknown"  # fixed_line, mobile, toll_free, premium_rate, shared_cost...
    masked: bool = False
    caller_country: str | None = None
    destination_country: str | None = None
    scope: Scope | None = None
    plan: str | None = None  # the Calling Plan SKU the answer assumed
    pool: PoolKey | None = None
    needs: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    params: dict[str, str] = field(default_factory=dict)  # to render reason/notes in any language
    sources: list[str] = field(default_factory=list)  # source keys (knowledge.learn links them)

    @property
    def message(self) -> str:
        """The English default text for ``reason``, filled from ``params``."""
        return load_catalog().text(self.reason, self.params)

    def to_json(self) -> dict[str, Any]:
        """Every field as JSON-ready data, in field order (the pool as its four fields), with
        ``message`` after ``reason``, where it has always been."""
        data = asdict(self)
        at = list(data).index("reason") + 1
        items = list(data.items())
        return dict([*items[:at], ("message", self.message), *items[at:]])


class _Ctx:
    """What one check has established so far (keeps the rule functions small)."""

    def __init__(self, catalog: Catalog, number: str, plan_text: str | None) -> None:
        self.catalog = catalog
        self.number = number
        self.plan_text = plan_text
        self.caller: Country | None = None
        self.plan: Plan | None = None
        self.parsed: ParsedNumber | None = None
        self.notes: list[str] = []
        self.params: dict[str, str] = {}
        self.sources: list[str] = []
        self.kind: str | None = None  # the number type a premium prefix rule names

    def verdict(
        self,
        verdict: Verdict,
        reason: str,
        *,
        scope: Scope | None = None,
        needs: tuple[str, ...] = (),
        pool: PoolKey | None = None,
        destination: str | None = None,
    ) -> CallVerdict:
        params = dict(self.params)
        if self.caller is not None:
            params.setdefault("caller", self.caller.name_en)
            params.setdefault("caller_iso", self.caller.iso)
        if self.plan is not None:
            params.setdefault("plan", self.plan.sku)
            params.setdefault("plan_name", self.plan.name_en)
        if destination is not None:
            country = self.catalog.country(destination)
            params.setdefault("destination", country.name_en if country else destination)
            params.setdefault("destination_iso", destination)
        parsed = self.parsed
        rule = self.catalog.number_rules.reasons.get(reason)
        sources = [*(rule.sources if rule else ()), *self.sources]
        if pool is not None and self.plan is not None:
            sources.extend(self.plan.sources)
        return CallVerdict(
            verdict=verdict,
            callable=verdict == "included",
            reason=reason,
            number=self.number,
            normalized=parsed.e164 if parsed and parsed.ok else None,
            number_type=self.kind or (parsed.kind if parsed else "unknown"),
            masked=bool(parsed and parsed.masked),
            caller_country=self.caller.iso if self.caller else None,
            destination_country=destination,
            scope=scope,
            plan=self.plan.sku if self.plan else None,
            pool=pool,
            needs=list(needs),
            notes=list(dict.fromkeys(self.notes)),
            params=params,
            sources=list(dict.fromkeys(sources)),
        )


def check_call(
    number: str,
    caller_country: str,
    plan: str | None,
    *,
    teams_user: bool = False,
    carrier: str | None = None,
    has_credits: bool = False,
    overage: bool = False,
    dial_out: str = "international",
    upn: str | None = None,
) -> CallVerdict:
    """Whether a user located in ``caller_country`` (licence usage location, ISO code or name)
    holding ``plan`` (Calling Plan SKU, bundle, or any licence SKU) can call ``number``.

    ``teams_user``: the number is another Teams user (free). ``carrier``: operator_connect,
    direct_routing or on_premises when the user has one. ``has_credits``: Communications Credits
    set up and assigned; ``overage``: pay-as-you-go overage turned on (MCA / New Commerce).
    ``dial_out``: the user's PSTN dial-out policy (international, domestic, none). ``upn`` only
    fills the per-user pool key of MCOPSTN8. Never raises.
    """
    try:
        return _check(
            number,
            caller_country,
            plan,
            teams_user=teams_user,
            carrier=carrier,
            has_credits=has_credits,
            overage=overage,
            dial_out=dial_out,
            upn=upn,
        )
    except Exception:  # the contract is "never raises": answer, don't crash
        return CallVerdict(
            verdict="not_callable",
            callable=False,
            reason="internal_error",
            number=number if isinstance(number, str) else repr(number),
        )


def _caller_unknown(ctx: _Ctx, caller_country: object) -> CallVerdict | None:
    """Sets ``ctx.caller`` from an ISO code or a country name; the verdict when it is unknown."""
    caller_text = caller_country if isinstance(caller_country, str) else ""
    catalog = ctx.catalog
    ctx.caller = catalog.country(caller_text) if len(caller_text.strip()) == 2 else catalog.country_by_name(caller_text)
    if ctx.caller is None:
        ctx.params["caller_text"] = caller_text.strip()[:40]
        return ctx.verdict("not_callable", "unknown_caller_country")
    return None


def _plan_unknown(ctx: _Ctx) -> CallVerdict | None:
    """Sets ``ctx.plan`` from the plan text (a licence without a Calling Plan is noted, not an
    error); the verdict when the text names neither a plan nor a licence."""
    plan_text = ctx.plan_text.strip() if ctx.plan_text and ctx.plan_text.strip() else None
    if plan_text is not None:
        ctx.plan = ctx.catalog.calling_plan_for(plan_text)
        if ctx.plan is None:
            if ctx.catalog.licence(plan_text) is None:
                ctx.params["plan_text"] = plan_text[:60]
                return ctx.verdict("not_callable", "unknown_plan")
            ctx.notes.append("licence_has_no_calling_plan")
    return None


def check_destination(destination: str, caller_country: str, plan: str | None) -> CallVerdict:
    """Whether a user located in ``caller_country`` holding ``plan`` can call ``destination`` (an
    ISO country code), when no number is given ("can a D&I user in France call Morocco?"): the
    same rules as :func:`check_call` for an ordinary number of that country (domestic or
    international relative to the usage location, US<->Canada domestic, the callable list, the
    plan's allowance); premium and toll-free rules need a number and are not applied. Never
    raises: an unknown caller or destination country is a verdict."""
    catalog = load_catalog()
    ctx = _Ctx(catalog, "", plan)
    unknown = _caller_unknown(ctx, caller_country) or _plan_unknown(ctx)
    if unknown is not None:
        return unknown
    caller = ctx.caller
    assert caller is not None
    listed = catalog.listed_region(destination) if catalog.country(destination) else None
    if listed is None:
        ctx.params["destination"] = destination[:40]
        return ctx.verdict("not_callable", "destination_not_included", scope="international")
    domestic = catalog.is_domestic(caller.iso, listed)
    if domestic and listed != caller.iso:
        ctx.notes.append("us_canada_domestic")
    scope: Scope = "domestic" if domestic else "international"
    return _by_plan(ctx, None, listed, domestic, scope, False, False, None)


def _check(
    number: object,
    caller_country: object,
    plan: object,
    *,
    teams_user: bool,
    carrier: object,
    has_credits: bool,
    overage: bool,
    dial_out: object,
    upn: object,
) -> CallVerdict:
    catalog = load_catalog()
    text = number if isinstance(number, str) else ""
    ctx = _Ctx(catalog, text, plan if isinstance(plan, str) else None)
    if teams_user or ("@" in text and not text.strip().startswith("+")):
        return ctx.verdict("included", "teams_to_teams_free", scope="teams")

    unknown = _caller_unknown(ctx, caller_country)
    if unknown is not None:
        return unknown
    caller = ctx.caller
    assert caller is not None

    carrier_text = carrier.strip().lower() if isinstance(carrier, str) and carrier.strip() else None
    if carrier_text is not None and carrier_text not in CARRIERS:
        ctx.params["carrier"] = carrier_text[:40]
        return ctx.verdict("not_callable", "unknown_carrier")
    policy = dial_out.strip().lower() if isinstance(dial_out, str) else "international"
    if policy not in DIAL_OUT:
        ctx.params["dial_out"] = policy[:40]
        return ctx.verdict("not_callable", "unknown_dial_out_policy")

    unknown = _plan_unknown(ctx)
    if unknown is not None:
        return unknown
    has_pstn = ctx.plan is not None or carrier_text is not None

    # Emergency short numbers of the caller's country.
    digits = strip_separators(text)  # not clean_number: "000" (Australia) is not a "00" prefix
    if digits.isdigit() and digits in caller.emergency_numbers:
        ctx.params["emergency_number"] = digits
        if not has_pstn:
            # The "always allowed" rule (FR_DIALOUT_POLICY) is about a dial-out policy on a user
            # who has PSTN service; with none at all, Teams has no line to place the call on.
            ctx.notes.append("emergency_needs_pstn")
            return ctx.verdict("not_callable", "no_pstn_option", scope="emergency", needs=("calling_plan_or_carrier",))
        if carrier_text is None and caller.calling_plans and caller.calling_plans.emergency_calls == "not_supported":
            return ctx.verdict(
                "not_callable",
                "emergency_not_supported",
                scope="emergency",
                needs=("direct_routing_or_operator_connect",),
            )
        if carrier_text is not None:
            ctx.notes.append("emergency_routed_by_carrier")
        elif caller.calling_plans and caller.calling_plans.emergency_calls == "partner":
            ctx.notes.append("emergency_routed_by_partner")
        return ctx.verdict("included", "emergency_allowed", scope="emergency")

    ctx.parsed = parse_number(text, caller.iso)
    parsed = ctx.parsed
    if parsed.masked:
        ctx.notes.append("masked_number")
    if not parsed.ok:
        return ctx.verdict("not_callable", _PARSE_REASONS[parsed.error or "invalid"])
    destination = catalog.listed_region(parsed.region) if parsed.region else None
    domestic = destination is not None and catalog.is_domestic(caller.iso, destination)
    scope: Scope = "domestic" if domestic else "international"
    if parsed.kind == "toll_free":
        ctx.notes.append(catalog.number_rules.toll_free.note)
    if domestic and destination != caller.iso:
        ctx.notes.append("us_canada_domestic")

    if policy == "none":
        return ctx.verdict(
            "not_callable",
            "blocked_by_dial_out_policy",
            scope=scope,
            needs=("dial_out_policy_change",),
            destination=destination,
        )
    if policy == "domestic" and (scope == "international" or destination != caller.iso):
        # A domestic-only policy also blocks the US<->Canada calls a plan counts as domestic.
        return ctx.verdict(
            "not_callable",
            "international_blocked_by_policy",
            scope=scope,
            needs=("dial_out_policy_change",),
            destination=destination,
        )

    return _by_plan(ctx, carrier_text, destination, domestic, scope, has_credits or overage, has_credits, upn)


def _by_plan(
    ctx: _Ctx,
    carrier_text: str | None,
    destination: str | None,
    domestic: bool,
    scope: Scope,
    funded: bool,
    has_credits: bool,
    upn: object,
) -> CallVerdict:
    """The rules that follow the destination: no PSTN option, the caller's country and plan,
    premium numbers (when a number was parsed), then domestic or international under the plan.
    Shared by :func:`check_call` (a number) and :func:`check_destination` (a country)."""
    catalog = ctx.catalog
    caller = ctx.caller
    assert caller is not None
    if ctx.plan is None:
        if carrier_text is not None:
            ctx.params["carrier"] = carrier_text
            return ctx.verdict("included", "via_carrier", scope=scope, destination=destination)
        return ctx.verdict(
            "not_callable", "no_pstn_option", scope=scope, needs=("calling_plan_or_carrier",), destination=destination
        )

    plan_obj = ctx.plan
    if not caller.has_calling_plans:
        return ctx.verdict(
            "not_callable",
            "no_calling_plans_in_country",
            scope=scope,
            needs=("operator_connect_or_direct_routing",),
            destination=destination,
        )
    provider = caller.calling_plans.provider if caller.calling_plans else None
    if plan_obj.is_partner != (provider != "microsoft"):
        return ctx.verdict(
            "not_callable",
            "plan_not_in_country",
            scope=scope,
            needs=("calling_plan_or_carrier",),
            destination=destination,
        )
    if caller.calling_plans and plan_obj.sku not in caller.calling_plans.plans and not plan_obj.is_partner:
        ctx.notes.append("plan_not_sold_in_country")

    parsed = ctx.parsed
    premium = _premium(ctx, parsed, destination, has_credits, scope) if parsed is not None else None
    if premium is not None:
        return premium
    pool_country = caller.pool_country
    if plan_obj.is_partner:
        if domestic:
            return ctx.verdict("included", "domestic_partner_plan", scope=scope, destination=destination)
        return ctx.verdict(
            "not_callable",
            "international_partner_terms",
            scope=scope,
            needs=("partner_offer",),
            destination=destination,
        )
    if domestic:
        if plan_obj.is_payg:
            return _paid_per_minute(ctx, funded, scope, destination)
        if plan_obj.kind == "international_addon":
            return ctx.verdict(
                "not_callable",
                "domestic_needs_domestic_plan",
                scope=scope,
                needs=("domestic_calling_plan",),
                destination=destination,
            )
        pool = _pool(plan_obj, pool_country, "domestic", upn)
        if plan_obj.kind == "bundle" and plan_obj.domestic_minutes is None:
            ctx.notes.append("bundle_minutes_undocumented")
        return ctx.verdict("included", "domestic_included", scope=scope, pool=pool, destination=destination)

    # International.
    if destination is None or not catalog.is_callable_destination(destination):
        if parsed is not None and parsed.region is None:
            ctx.notes.append("non_geographic_number")
        # Not among the destinations Calling Plans can call (EN_OUTBOUND): never promised, funded
        # or not; the answer says what the docs say (credits recommended for "any destination").
        shares = _shares_code_with(catalog, parsed, destination) if parsed is not None else None
        if shares is not None:
            country = catalog.country(shares)
            ctx.params.update(
                shares_with=country.name_en if country else shares,
                shares_with_iso=shares,
                calling_code=f"+{parsed.calling_code}" if parsed is not None else "",
            )
            return ctx.verdict("not_callable", "destination_shares_code", scope=scope, destination=destination)
        return ctx.verdict("not_callable", "destination_not_included", scope=scope, destination=destination)
    if plan_obj.is_payg:
        return _paid_per_minute(ctx, funded, scope, destination)
    if plan_obj.international:
        pool = _pool(plan_obj, pool_country, "international", upn)
        if pool is None:
            ctx.notes.append("minutes_undocumented")
        return ctx.verdict("included", "international_included", scope=scope, pool=pool, destination=destination)
    if funded:
        ctx.params["funding"] = "communications_credits" if has_credits else "overage"
        return ctx.verdict("per_minute", "international_via_credits", scope=scope, destination=destination)
    return ctx.verdict(
        "per_minute",
        "international_needs_credits",
        scope=scope,
        needs=("communications_credits", "overage", "domestic_and_international_plan"),
        destination=destination,
    )


def _shares_code_with(catalog: Catalog, parsed: ParsedNumber, destination: str | None) -> str | None:
    """The listed country whose calling code an unlisted region shares (GB for a Guernsey,
    Jersey or Isle of Man number on +44; FI for Åland on +358), or None: a number of its own
    code, or one whose code's main country is not on the list either."""
    if destination is None or parsed.calling_code is None:
        return None
    main = main_region_of_code(parsed.calling_code)
    if main is None or main == destination or not catalog.is_callable_destination(catalog.listed_region(main)):
        return None
    return main


def _pool(plan: Plan, pool_country: str, line: Literal["domestic", "international"], upn: object) -> PoolKey | None:
    """The pool the call draws on: the plan's capability's (the bundle reports MCOPSTN1, so its
    users draw on the Domestic plan's pool, although the bundle's own minutes are undocumented),
    with the caller's UPN for a per-user plan (MCOPSTN8)."""
    shared = _plan_pool(plan.sku, pool_country, line)
    if shared is None or plan.pool != "per_user":
        return shared
    user = upn.strip().lower() if isinstance(upn, str) and upn.strip() and "|" not in upn else None
    return PoolKey(country=pool_country, plan=plan.capability, line=line, upn=user) if user else shared


@lru_cache(maxsize=1024)
def _plan_pool(sku: str, pool_country: str, line: Literal["domestic", "international"]) -> PoolKey | None:
    """The pool, without a UPN, that a plan's calls on ``line`` draw on for callers whose pool
    country is ``pool_country``; None when the plan has no pool there. Made once per catalog keys
    (plan SKU, country, line): the catalog does not change while the process runs, and a
    ``PoolKey`` is frozen, so every check of a pool shares one, not one built and validated
    (``PoolKey.__post_init__``) again with the capability's plan looked up (~3 us a check)."""
    catalog = load_catalog()
    plan = catalog.plan(sku)
    pooled = catalog.find_plan(plan.capability) or plan
    if plan.pool == "none" or pooled.minutes_for(pool_country, line) is None:
        return None
    return PoolKey(country=pool_country, plan=plan.capability, line=line)


def _paid_per_minute(ctx: _Ctx, funded: bool, scope: Scope, destination: str | None) -> CallVerdict:
    if funded:
        return ctx.verdict("per_minute", "payg_per_minute", scope=scope, destination=destination)
    return ctx.verdict(
        "per_minute",
        "payg_needs_funding",
        scope=scope,
        needs=("communications_credits", "overage"),
        destination=destination,
    )


def _premium(
    ctx: _Ctx, parsed: ParsedNumber, destination: str | None, has_credits: bool, scope: Scope
) -> CallVerdict | None:
    """Premium-rate and shared-cost numbers, by the destination country's rule (None: not one)."""
    rule = ctx.catalog.premium_rule(destination)
    treatment = None
    kind = parsed.kind
    for prefix in rule.prefixes:
        if parsed.national_number.startswith(prefix.prefix):
            treatment, kind = prefix.treatment, prefix.kind
            break
    if treatment is None:
        if parsed.kind == "premium_rate":
            treatment = rule.premium_rate
        elif parsed.kind == "shared_cost":
            treatment = rule.shared_cost
        else:
            return None
    ctx.params["number_kind"] = kind.replace("_", "-")
    ctx.kind = kind
    ctx.sources.extend(rule.sources)
    if destination is None:  # a number of no country (premium rules are per country)
        ctx.params["destination"] = parsed.e164 or ctx.number
    if treatment == "undocumented":
        # The sheet is silent for this country or number type: say so, not "blocked".
        return ctx.verdict("not_callable", "premium_undocumented", scope=scope, destination=destination)
    if treatment == "blocked":
        return ctx.verdict("not_callable", "premium_blocked", scope=scope, destination=destination)
    if treatment == "credits":
        if has_credits:
            return ctx.verdict("per_minute", "premium_via_credits", scope=scope, destination=destination)
        return ctx.verdict(
            "per_minute",
            "premium_needs_credits",
            scope=scope,
            needs=("communications_credits",),
            destination=destination,
        )
    ctx.notes.append("premium_charges_may_apply")
    return None  # allowed: the ordinary domestic/international rules decide
