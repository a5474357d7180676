"""Monthly minute pools: pure functions from users and calls to pool balances.

The rules (fact sheet §3, issue 3):

* one pool per licence usage location (US and Puerto Rico merged under "US") per identical
  plan capability; the Domestic and International plan has a domestic line and an
  international line; MCOPSTN8 is per user (the UPN is part of its key); PAYG has no pool;
* size = users x minutes per user for that country; used = the month's outbound calls
  (``OUTBOUND_POOL_CALL_TYPES``) of that capability, each rounded UP to the whole minute
  (an assumption: the sources do not say how seconds are rounded);
* remaining never goes below zero; what is above the size is overage.

WHY split in pieces: the store keeps per-pool sizes and running monthly usage totals in a small
summary file and calls :func:`compute_pools` on lookup, never re-reading call records. So the
per-call step (:func:`pool_key_for_call`, :func:`billable_minutes`), the aggregation
(:func:`usage_from_calls`, :class:`UsageTotal.merge`), the sizing (:func:`pool_sizes`) and the
balance (:func:`compute_pools`) are separate; :func:`pools_for_month` chains them.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, computed_field

from knowledge.catalog import Plan, load_catalog
from knowledge.phone import parse_number
from knowledge.pool_key import PoolKey as PoolKey  # re-exported: its home has no pydantic (`check`)
from knowledge.pool_key import PoolLine as PoolLine
from knowledge.store.records import OUTBOUND_POOL_CALL_TYPES, CallRecord, UserRecord


class PoolSize(BaseModel):
    """How many users share the pool and the minutes each brings per month."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    users: int = Field(ge=0)
    minutes_per_user: int = Field(ge=0)

    @property
    def total_minutes(self) -> int:
        return self.users * self.minutes_per_user


class UsageTotal(BaseModel):
    """Billable minutes and calls drawn on one pool in one month.

    ``days``: billable minutes per day of the month (UTC), so a pool that ran out can say the
    day its use crossed the total. Summaries written before it have no ``days``: then
    :attr:`has_daily` is False and no past run-out day is stated (see :func:`crossing_day`).
    """

    model_config = ConfigDict(frozen=True, defer_build=True)

    minutes: int = Field(0, ge=0)
    calls: int = Field(0, ge=0)
    first_call: datetime | None = None
    last_call: datetime | None = None
    days: dict[int, int] = Field(default_factory=dict)

    @property
    def has_daily(self) -> bool:
        """Every minute is placed on a day (False for totals from older summaries)."""
        return sum(self.days.values()) == self.minutes

    def merge(self, other: UsageTotal) -> UsageTotal:
        """The sum of two totals (associative and commutative, so batches can arrive in any order)."""
        firsts = [t for t in (self.first_call, other.first_call) if t is not None]
        lasts = [t for t in (self.last_call, other.last_call) if t is not None]
        days = dict(self.days)
        for day, minutes in other.days.items():
            days[day] = days.get(day, 0) + minutes
        return UsageTotal(
            minutes=self.minutes + other.minutes,
            calls=self.calls + other.calls,
            first_call=min(firsts) if firsts else None,
            last_call=max(lasts) if lasts else None,
            days=dict(sorted(days.items())),
        )


def crossing_day(usage: UsageTotal, total: int) -> int | None:
    """The day of the month the cumulative use first reached ``total`` (and was above zero).

    None when it never did, or when ``usage`` has no complete per-day record (an older
    summary): then the day is unknown and nothing is said rather than a guess.
    """
    if not usage.has_daily or not usage.minutes:
        return None
    running = 0
    for day in sorted(usage.days):
        running += usage.days[day]
        if running >= total and running > 0:
            return day
    return None


class PoolBalance(BaseModel):
    """One pool's state for a month, as of a day."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    month: str
    country: str
    plan: str
    plan_name: str  # English
    plan_names: dict[str, str]  # by language: {"en": ..., "fr": ...}
    line: PoolLine
    upn: str | None
    users: int
    minutes_per_user: int
    total_minutes: int
    used_minutes: int
    calls: int
    remaining_minutes: int
    overage_minutes: int
    percent_used: float
    runs_out_on: date | None
    exhausted: bool
    #: The month of the roster import the size comes from (None: unknown, a store written
    #: before roster history). Later than ``month`` when no roster was imported by then.
    roster_month: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def sources(self) -> list[str]:
        """The source keys of the pooling facts the balance rests on: the plan's minutes on this
        line (per user, per country) and the plan itself (who pools with whom)."""
        plan = load_catalog().find_plan(self.plan)
        if plan is None:
            return []
        minutes = plan.domestic_minutes if self.line == "domestic" else plan.international_minutes
        return list(dict.fromkeys([*(minutes.sources if minutes else ()), *plan.sources]))

    @property
    def roster_is_later(self) -> bool:
        """The size comes from a roster imported after ``month``: licences may have changed."""
        return self.roster_month is not None and self.roster_month > self.month

    @property
    def key(self) -> PoolKey:
        return PoolKey(country=self.country, plan=self.plan, line=self.line, upn=self.upn)


def billable_minutes(duration_seconds: int) -> int:
    """Each call is rounded UP to the whole minute (61 s -> 2 min; 0 s -> 0)."""
    if duration_seconds <= 0:
        return 0
    return -(-int(duration_seconds) // 60)


def parse_month(month: str) -> tuple[int, int]:
    """``"2025-03"`` -> (2025, 3); ``ValueError`` naming the bad value otherwise."""
    try:
        year_text, month_text = month.split("-")
        if len(year_text) != 4 or len(month_text) != 2:
            raise ValueError
        year, mon = int(year_text), int(month_text)
        if not 1 <= mon <= 12:
            raise ValueError
    except (ValueError, AttributeError):
        raise ValueError(f"month must look like 2025-03, not {month!r}") from None
    return year, mon


@lru_cache(maxsize=256)
def _pooled_plan(capability: str | None) -> Plan | None:
    plan = load_catalog().find_plan(capability)
    if plan is None or plan.pool == "none":
        return None
    # A capability code names the plan whose pool it draws on (the bundle reports MCOPSTN1).
    return load_catalog().find_plan(plan.capability)


def _call_line(call: CallRecord) -> PoolLine | None:
    """Domestic or international, from the record's context or else from the dialled number.

    None: an international call to a destination outside the Calling Plan list, which
    Communications Credits pay for rather than the international minutes. The number is parsed
    only when the record does not already say "Domestic": parsing is most of an import's cost.
    """
    context = (call.destination_context or "").strip().lower()
    if context == "domestic":
        return "domestic"
    parsed = parse_number(call.number, call.usage_location) if call.number and call.usage_location else None
    catalog = load_catalog()
    if context == "international":
        line: PoolLine = "international"
    elif parsed is None or (parsed.region is None and parsed.error):
        return "domestic"  # no way to tell: most Calling Plan minutes are domestic (see README)
    elif parsed.region is not None and catalog.is_domestic(call.usage_location or "", parsed.region):
        return "domestic"
    else:
        line = "international"
    if parsed is not None and parsed.ok:
        region = catalog.listed_region(parsed.region) if parsed.region else None
        if region is None or not catalog.is_callable_destination(region):
            return None
    return line


def pool_key_for_call(call: CallRecord) -> PoolKey | None:
    """The pool an outbound call draws on, or None when it draws on none.

    None for: inbound and bot/conference call types, PAYG (no pool), partner and unknown
    capabilities, a missing usage location, a Domestic-only call abroad (paid by Communications
    Credits or overage, not the pool), and MCOPSTN8 calls without a UPN.
    """
    if call.call_type not in OUTBOUND_POOL_CALL_TYPES or not call.usage_location:
        return None
    plan = _pooled_plan(call.capability)
    if plan is None:
        return None
    line = _call_line(call)
    if line is None or (line == "international" and not plan.international):
        return None
    upn = None
    if plan.pool == "per_user":
        if not call.upn:
            return None
        upn = call.upn
    return _pool_key(call.usage_location, plan.capability, line, upn)


@lru_cache(maxsize=4096)
def _pool_key(usage_location: str, capability: str, line: PoolLine, upn: str | None) -> PoolKey:
    """One shared, immutable key per pool: an import builds millions of these otherwise."""
    country = load_catalog().pool_country(usage_location)
    return PoolKey(country=country, plan=capability, line=line, upn=upn)


def usage_from_calls(calls: Iterable[CallRecord], month: str) -> dict[PoolKey, UsageTotal]:
    """Billable minutes per pool for the calls that started in ``month`` (``YYYY-MM``, UTC).

    Sums in plain tuples and builds one ``UsageTotal`` per pool at the end: the store runs this
    over every imported batch, so per-call model instances would dominate the import's cost.
    """
    year, number = parse_month(month)
    sums: dict[PoolKey, list] = {}
    for call in calls:
        if call.start.month != number or call.start.year != year:
            continue
        key = pool_key_for_call(call)
        if key is None:
            continue
        minutes = billable_minutes(call.duration_seconds)
        entry = sums.get(key)
        day = call.start.day
        if entry is None:
            sums[key] = [minutes, 1, call.start, call.start, {day: minutes}]
        else:
            entry[0] += minutes
            entry[1] += 1
            entry[2] = min(entry[2], call.start)
            entry[3] = max(entry[3], call.start)
            entry[4][day] = entry[4].get(day, 0) + minutes
    return {
        key: UsageTotal(minutes=m, calls=n, first_call=first, last_call=last, days=dict(sorted(days.items())))
        for key, (m, n, first, last, days) in sums.items()
    }


def pool_sizes(users: Iterable[UserRecord]) -> dict[PoolKey, PoolSize]:
    """Users and minutes per user of every pool, from licences and usage locations.

    Users without a usage location, and plans without documented minutes in the user's country
    (partner offers, PAYG, countries without Calling Plans), add to no pool.
    """
    catalog = load_catalog()
    counts: dict[PoolKey, int] = {}
    minutes: dict[PoolKey, int] = {}
    for user in users:
        if not user.usage_location:
            continue
        seen: set[PoolKey] = set()
        for sku in user.licenses:
            plan = _pooled_plan(_capability_of(sku))
            if plan is None:
                continue
            country = catalog.country(user.usage_location)
            if country is None or not country.has_microsoft_calling_plans:
                continue
            pool_country = country.pool_country
            lines: list[PoolLine] = ["domestic", "international"] if plan.international_minutes else ["domestic"]
            for line in lines:
                per_user = plan.minutes_for(pool_country, line)
                if not per_user:
                    continue
                key = PoolKey(
                    country=pool_country,
                    plan=plan.capability,
                    line=line,
                    upn=user.upn if plan.pool == "per_user" else None,
                )
                if key in seen:  # the same capability twice on one user counts once
                    continue
                seen.add(key)
                counts[key] = counts.get(key, 0) + 1
                minutes[key] = per_user
    return {key: PoolSize(users=counts[key], minutes_per_user=minutes[key]) for key in counts}


def _capability_of(sku: str) -> str | None:
    plan = load_catalog().calling_plan_for(sku)
    return plan.capability if plan else None


def _run_out_day(total: int, used: int, elapsed_days: int) -> int:
    """Day of the month the cumulative use reaches ``total`` at ``used / elapsed_days`` per day."""
    return max(1, -(-total * elapsed_days // used))


def compute_pools(
    sizes: Mapping[PoolKey, PoolSize],
    usage: Mapping[PoolKey, UsageTotal],
    month: str,
    as_of: date,
    roster_month: str | None = None,
) -> list[PoolBalance]:
    """Balances of every pool that has a size or a use in ``month``, sorted by key.

    ``roster_month``: the month of the roster import ``sizes`` come from, carried on each
    balance so that an answer can say when the sizes are a later month's.

    ``runs_out_on``: for a pool not yet exhausted, a forecast: the burn rate is the month's use
    so far divided by the days elapsed (the whole of ``as_of`` counts; after the month, all its
    days), and a pool that will not run out by the month's end gets None. For one already
    exhausted, a fact: the day its use crossed the total (:func:`crossing_day`, from the
    per-day minutes), or None when the summary predates per-day minutes (``exhausted`` still
    says it ran out; no day is invented). A pool with usage but no size (users lost the
    licence, or the calls came from a plan nobody in the roster holds) has 0 minutes and is
    exhausted.
    """
    year, mon = parse_month(month)
    days_in_month = calendar.monthrange(year, mon)[1]
    start, end = date(year, mon, 1), date(year, mon, days_in_month)
    if as_of < start:
        elapsed = 0
    elif as_of > end:
        elapsed = days_in_month
    else:
        elapsed = as_of.day
    catalog = load_catalog()
    balances = []
    for key in sorted(set(sizes) | set(usage), key=lambda k: (k.country, k.plan, k.line, k.upn or "")):
        size = sizes.get(key, PoolSize(users=0, minutes_per_user=0))
        used = usage.get(key, UsageTotal())
        total = size.total_minutes
        exhausted = used.minutes >= total and (total > 0 or used.minutes > 0)
        percent = round(100.0 * used.minutes / total, 2) if total else (100.0 if used.minutes else 0.0)
        runs_out_on = None
        if exhausted:
            crossed = crossing_day(used, total)
            runs_out_on = date(year, mon, crossed) if crossed else None
        elif used.minutes and elapsed:
            day = _run_out_day(total, used.minutes, elapsed)
            if day <= days_in_month:
                runs_out_on = date(year, mon, day)
        plan = catalog.find_plan(key.plan)
        names = {"en": plan.name.en, "fr": plan.name.fr} if plan else {"en": key.plan, "fr": key.plan}
        balances.append(
            PoolBalance(
                month=month,
                country=key.country,
                plan=key.plan,
                plan_name=names["en"],
                plan_names=names,
                line=key.line,
                upn=key.upn,
                users=size.users,
                minutes_per_user=size.minutes_per_user,
                total_minutes=total,
                used_minutes=used.minutes,
                calls=used.calls,
                remaining_minutes=max(0, total - used.minutes),
                overage_minutes=max(0, used.minutes - total),
                percent_used=percent,
                runs_out_on=runs_out_on,
                exhausted=exhausted,
                roster_month=roster_month,
            )
        )
    return balances


def pools_for_month(
    users: Iterable[UserRecord], calls: Iterable[CallRecord], month: str, as_of: date
) -> list[PoolBalance]:
    """All pools of a tenant for ``month``, straight from users and call records."""
    return compute_pools(pool_sizes(users), usage_from_calls(calls, month), month, as_of)
