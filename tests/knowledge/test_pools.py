"""Pools: keys, sizing, usage, balances, and the seed's 12,000-minute example."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.pools import (
    PoolKey,
    PoolSize,
    UsageTotal,
    billable_minutes,
    compute_pools,
    pool_key_for_call,
    pool_sizes,
    pools_for_month,
    usage_from_calls,
)
from knowledge.store.records import CallRecord, UserRecord
from testkit.narrow import present

_ids = iter(range(10**9))


def user(upn: str, country: str | None, *licences: str) -> UserRecord:
    return UserRecord(tenant_id="t1", upn=upn, usage_location=country, licenses=licences)


def call(
    country: str | None,
    capability: str | None,
    seconds: int = 60,
    *,
    when: datetime = datetime(2025, 3, 5, 10, tzinfo=UTC),
    call_type: str = "user_out",
    number: str | None = None,
    context: str | None = None,
    upn: str | None = "alice@contoso.com",
) -> CallRecord:
    return CallRecord(
        id=f"c{next(_ids)}",
        tenant_id="t1",
        source="pstn_csv",
        call_type=call_type,
        start=when,
        duration_seconds=seconds,
        usage_location=country,
        capability=capability,
        number=number,
        destination_context=context,
        upn=upn,
    )


# --- billable minutes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "seconds, minutes", [(0, 0), (1, 1), (59, 1), (60, 1), (61, 2), (119, 2), (120, 2), (3601, 61)]
)
def test_each_call_is_rounded_up_to_the_minute(seconds: int, minutes: int) -> None:
    assert billable_minutes(seconds) == minutes


# --- PoolKey ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key, text",
    [
        (PoolKey(country="US", plan="MCOPSTN1", line="domestic"), "US|MCOPSTN1|domestic"),
        (
            PoolKey(country="fr", plan="MCOPSTN8", line="domestic", upn="Alice@Contoso.com"),
            "FR|MCOPSTN8|domestic|alice@contoso.com",
        ),
        (PoolKey(country="GB", plan="MCOPSTN2", line="international"), "GB|MCOPSTN2|international"),
    ],
)
def test_pool_key_round_trips_through_text(key: PoolKey, text: str) -> None:
    assert key.as_str() == text
    assert PoolKey.from_str(text) == key
    assert hash(PoolKey.from_str(text)) == hash(key)


@pytest.mark.parametrize(
    "text", ["", "US", "US|MCOPSTN1", "USA|MCOPSTN1|domestic", "US|MCOPSTN1|monthly", "US||domestic", "a|b|c|d|e"]
)
def test_pool_key_rejects_malformed_text(text: str) -> None:
    with pytest.raises(ValueError):
        PoolKey.from_str(text)


# --- which pool a call draws on ---------------------------------------------------------------


@pytest.mark.parametrize(
    "record, expected",
    [
        (call("US", "MCOPSTN1", number="+12125550123"), "US|MCOPSTN1|domestic"),
        (call("PR", "MCOPSTN1", number="+12125550123"), "US|MCOPSTN1|domestic"),  # PR folded into US
        (call("US", "MCOPSTN1", number="+14165550123"), "US|MCOPSTN1|domestic"),  # US -> CA domestic
        (call("CA", "MCOPSTN1", number="+12125550123"), "CA|MCOPSTN1|domestic"),  # CA -> US domestic
        (call("FR", "MCOPSTN1", number="+33123456789"), "FR|MCOPSTN1|domestic"),
        (call("FR", "MCOPSTN1", number="+4930123456"), None),  # Domestic plan abroad: credits
        (call("FR", "MCOPSTN2", number="+4930123456"), "FR|MCOPSTN2|international"),
        (call("FR", "MCOPSTN2", number="01 23 45 67 89"), "FR|MCOPSTN2|domestic"),  # national format
        (call("FR", "MCOPSTN2", number="+33 1 23 45 ****"), "FR|MCOPSTN2|domestic"),  # masked
        (call("FR", "MCOPSTN2", number="+33123456789", context="International"), "FR|MCOPSTN2|international"),
        (call("FR", "MCOPSTN2", number="+4930123456", context="Domestic"), "FR|MCOPSTN2|domestic"),  # context wins
        (call("FR", "MCOPSTN2"), "FR|MCOPSTN2|domestic"),  # nothing to tell: domestic
        (call("FR", "MCOPSTN2", number="+53 7 8123456"), None),  # Cuba is not in the list: credits
        (call("FR", "MCOPSTN2", number="+53 7 8123456", context="International"), None),
        (call("FR", "MCOPSTN2", number="+211 955 123 456"), "FR|MCOPSTN2|international"),  # South Sudan is
        (call("FR", "MCOPSTN2", number="garbage", context="International"), "FR|MCOPSTN2|international"),
        (call("DE", "MCOPSTN5"), "DE|MCOPSTN5|domestic"),
        (call("DE", "MCOPSTN6"), "DE|MCOPSTN6|domestic"),
        (call("DE", "MCOPSTN8", upn="Bob@Contoso.com"), "DE|MCOPSTN8|domestic|bob@contoso.com"),
        (call("DE", "MCOPSTN8", upn=None), None),
        (call("US", "MCOTEAMS_ESSENTIALS"), "US|MCOPSTN1|domestic"),  # the bundle draws on MCOPSTN1
        (call("GB", "MCOPSTN_PAYG_1"), None),
        (call("FR", "MCOPSTNPP"), None),
        (call("FR", "MCOPSTN9", number="+4930123456"), None),
        (call("FR", "MCOEV"), None),
        (call("FR", None), None),
        (call(None, "MCOPSTN1"), None),
        (call("FR", "MCOPSTN1", call_type="user_in"), None),
        (call("FR", "MCOPSTN1", call_type="conf_out"), None),
        (call("FR", "MCOPSTN1", call_type="ucap_out"), None),
        (call("FR", "MCOPSTN1", call_type="user_out_transfer"), "FR|MCOPSTN1|domestic"),
        (call("FR", "MCOPSTN1", call_type="user_out_forwarding"), "FR|MCOPSTN1|domestic"),
        (call("FR", "MCOPSTN1", call_type="user_out_conf"), "FR|MCOPSTN1|domestic"),
    ],
)
def test_pool_key_for_call(record: CallRecord, expected: str | None) -> None:
    key = pool_key_for_call(record)
    assert (key.as_str() if key else None) == expected


# --- sizes ------------------------------------------------------------------------------------


def test_seed_example_100_users_on_a_120_minute_plan_share_12000_minutes() -> None:
    users = [user(f"u{i}@contoso.com", "FR", "MCOPSTN5") for i in range(100)]
    sizes = pool_sizes(users)
    assert sizes == {PoolKey(country="FR", plan="MCOPSTN5", line="domestic"): PoolSize(users=100, minutes_per_user=120)}
    [balance] = compute_pools(sizes, {}, "2025-03", date(2025, 3, 1))
    assert balance.total_minutes == 12_000
    assert balance.remaining_minutes == 12_000


@pytest.mark.parametrize(
    "country, licence, expected",
    [
        ("US", "MCOPSTN1", {"US|MCOPSTN1|domestic": 3000}),
        ("PR", "MCOPSTN1", {"US|MCOPSTN1|domestic": 3000}),
        ("CA", "MCOPSTN1", {"CA|MCOPSTN1|domestic": 3000}),
        ("FR", "MCOPSTN1", {"FR|MCOPSTN1|domestic": 1200}),
        ("MX", "Microsoft_Teams_Domestic_Calling_Plan_(Mexico)", {"MX|MCOPSTN1|domestic": 1200}),
        ("US", "MCOPSTN2", {"US|MCOPSTN2|domestic": 3000, "US|MCOPSTN2|international": 600}),
        ("DE", "MCOPSTN2", {"DE|MCOPSTN2|domestic": 1200, "DE|MCOPSTN2|international": 600}),
        ("DE", "MCOPSTN6", {"DE|MCOPSTN6|domestic": 240}),
        ("US", "MCOTEAMS_ESSENTIALS", {"US|MCOPSTN1|domestic": 3000}),
        ("DE", "MCOTEAMS_ESSENTIALS", {"DE|MCOPSTN1|domestic": 1200}),
        ("DE", "SPE_E5_CALLINGMINUTES", {"DE|MCOPSTN8|domestic|a@contoso.com": 120}),
        ("GB", "MCOPSTN_PAYG_1", {}),  # PAYG: no pool
        ("AU", "TELSTRA_CALLING", {}),  # partner offer: minutes unknown
        ("AU", "MCOPSTN1", {}),  # not a Microsoft Calling Plan country
        ("BR", "MCOPSTN1", {}),  # no Calling Plans at all
        ("FR", "SPE_E5", {}),  # Teams Phone but no minutes
        ("FR", "UNKNOWN_SKU", {}),
    ],
)
def test_pool_sizes_by_country_family(country: str, licence: str, expected: dict[str, int]) -> None:
    sizes = pool_sizes([user("a@contoso.com", country, licence)])
    assert {k.as_str(): v.minutes_per_user for k, v in sizes.items()} == expected
    assert all(v.users == 1 for v in sizes.values())


def test_us_and_pr_users_share_one_pool_and_identical_plans_only_pool_together() -> None:
    users = [
        user("a@c.com", "US", "MCOPSTN1"),
        user("b@c.com", "PR", "MCOPSTN1"),
        user("c@c.com", "US", "MCOTEAMS_ESSENTIALS"),  # same capability as MCOPSTN1
        user("d@c.com", "US", "MCOPSTN2"),  # a different plan: its own pool
        user("e@c.com", None, "MCOPSTN1"),  # no usage location: no pool
        user("f@c.com", "US", "MCOPSTN1", "MCOPSTN1"),  # listed twice: counted once
    ]
    sizes = {k.as_str(): v for k, v in pool_sizes(users).items()}
    assert sizes["US|MCOPSTN1|domestic"] == PoolSize(users=4, minutes_per_user=3000)
    assert sizes["US|MCOPSTN2|domestic"] == PoolSize(users=1, minutes_per_user=3000)
    assert sizes["US|MCOPSTN2|international"] == PoolSize(users=1, minutes_per_user=600)
    assert len(sizes) == 3


def test_mcopstn8_pools_are_per_user() -> None:
    users = [user("a@c.com", "DE", "SPE_E5_CALLINGMINUTES"), user("b@c.com", "DE", "SPE_E5_CALLINGMINUTES")]
    sizes = pool_sizes(users)
    assert sorted(present(k.upn) for k in sizes) == ["a@c.com", "b@c.com"]
    assert all(v == PoolSize(users=1, minutes_per_user=120) for v in sizes.values())


# --- usage ------------------------------------------------------------------------------------


def test_usage_counts_only_the_month_and_rounds_each_call_up() -> None:
    calls = [
        call("FR", "MCOPSTN1", 61, when=datetime(2025, 3, 1, 0, 0, tzinfo=UTC)),
        call("FR", "MCOPSTN1", 1, when=datetime(2025, 3, 31, 23, 59, tzinfo=UTC)),
        call("FR", "MCOPSTN1", 600, when=datetime(2025, 2, 28, 23, 59, tzinfo=UTC)),  # February
        call("FR", "MCOPSTN1", 600, when=datetime(2025, 4, 1, 0, 0, tzinfo=UTC)),  # April
        call("FR", "MCOPSTN1", 600, call_type="user_in"),  # inbound: unlimited
    ]
    usage = usage_from_calls(calls, "2025-03")
    assert usage == {
        PoolKey(country="FR", plan="MCOPSTN1", line="domestic"): UsageTotal(
            minutes=3,
            calls=2,
            first_call=datetime(2025, 3, 1, 0, 0, tzinfo=UTC),
            last_call=datetime(2025, 3, 31, 23, 59, tzinfo=UTC),
            days={1: 2, 31: 1},
        )
    }


def test_both_lines_of_domestic_and_international_are_used_separately() -> None:
    users = [user(f"u{i}@c.com", "DE", "MCOPSTN2") for i in range(2)]
    calls = [
        call("DE", "MCOPSTN2", 60 * 100, number="+4930123456"),
        call("DE", "MCOPSTN2", 60 * 700, number="+33123456789"),
    ]
    by_key = {b.key.as_str(): b for b in pools_for_month(users, calls, "2025-03", date(2025, 3, 10))}
    domestic, international = by_key["DE|MCOPSTN2|domestic"], by_key["DE|MCOPSTN2|international"]
    assert (domestic.total_minutes, domestic.used_minutes, domestic.remaining_minutes) == (2400, 100, 2300)
    assert (international.total_minutes, international.used_minutes, international.remaining_minutes) == (
        1200,
        700,
        500,
    )
    assert not domestic.exhausted and not international.exhausted


@pytest.mark.parametrize("month", ["2025-3", "March", "2025-13", "25-03", ""])
def test_bad_month_is_a_clear_value_error(month: str) -> None:
    with pytest.raises(ValueError, match="month"):
        usage_from_calls([], month)


@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 50)), max_size=20))
def test_usage_total_merge_is_order_independent(parts: list[tuple[int, int]]) -> None:
    base = datetime(2025, 3, 1, tzinfo=UTC)
    totals = [
        UsageTotal(minutes=m, calls=c, first_call=base + timedelta(hours=i), last_call=base + timedelta(hours=i + c))
        for i, (m, c) in enumerate(parts)
    ]
    forward, backward = UsageTotal(), UsageTotal()
    for t in totals:
        forward = forward.merge(t)
    for t in reversed(totals):
        backward = t.merge(backward)
    assert forward == backward
    assert forward.minutes == sum(m for m, _ in parts)


# --- balances ---------------------------------------------------------------------------------

KEY = PoolKey(country="FR", plan="MCOPSTN5", line="domestic")
SIZE = {KEY: PoolSize(users=10, minutes_per_user=120)}  # 1,200 minutes in March (31 days)


@pytest.mark.parametrize(
    "used, as_of, remaining, overage, percent, runs_out_on, exhausted",
    [
        (0, date(2025, 3, 10), 1200, 0, 0.0, None, False),
        (300, date(2025, 3, 10), 900, 0, 25.0, None, False),  # 30/day: day 40, after the month
        (400, date(2025, 3, 10), 800, 0, 33.33, date(2025, 3, 30), False),  # 40/day -> day 30
        (600, date(2025, 3, 10), 600, 0, 50.0, date(2025, 3, 20), False),  # 60/day -> day 20
        (1200, date(2025, 3, 10), 0, 0, 100.0, date(2025, 3, 10), True),
        (1500, date(2025, 3, 10), 0, 300, 125.0, date(2025, 3, 8), True),  # 150/day -> day 8
        (600, date(2025, 4, 15), 600, 0, 50.0, None, False),  # month over, never ran out
        (600, date(2025, 2, 1), 600, 0, 50.0, None, False),  # before the month: no rate yet
    ],
)
def test_balance_figures(used, as_of, remaining, overage, percent, runs_out_on, exhausted) -> None:
    # Spread evenly over days 1-10: an exhausted pool says the day its use crossed the total.
    usage = {KEY: UsageTotal(minutes=used, calls=1, days={d: used // 10 for d in range(1, 11)})} if used else {}
    [b] = compute_pools(SIZE, usage, "2025-03", as_of)
    assert (b.total_minutes, b.used_minutes) == (1200, used)
    assert (b.remaining_minutes, b.overage_minutes, b.percent_used) == (remaining, overage, percent)
    assert (b.runs_out_on, b.exhausted) == (runs_out_on, exhausted)


def test_usage_without_a_size_is_all_overage() -> None:
    [b] = compute_pools({}, {KEY: UsageTotal(minutes=50, calls=2, days={3: 20, 4: 30})}, "2025-03", date(2025, 3, 5))
    assert (b.users, b.total_minutes, b.remaining_minutes, b.overage_minutes) == (0, 0, 0, 50)
    assert b.exhausted and b.percent_used == 100.0 and b.runs_out_on == date(2025, 3, 3)


def test_a_pool_that_ran_out_says_the_day_its_use_crossed_the_total_not_today() -> None:
    # 1,200 minutes: 500 on the 2nd, 600 on the 9th (1,100), 200 on the 9th too, 50 on the 15th.
    days = {2: 500, 9: 800, 15: 50}
    [b] = compute_pools(SIZE, {KEY: UsageTotal(minutes=1350, calls=4, days=days)}, "2025-03", date(2025, 3, 20))
    assert b.exhausted and b.runs_out_on == date(2025, 3, 9)
    # Looked up after the month: still the 9th.
    [later] = compute_pools(SIZE, {KEY: UsageTotal(minutes=1350, calls=4, days=days)}, "2025-03", date(2025, 5, 2))
    assert later.runs_out_on == date(2025, 3, 9)


def test_a_summary_without_daily_minutes_says_it_ran_out_but_no_day() -> None:
    """Totals written before per-day minutes existed: exhausted, and no invented day."""
    old = UsageTotal.model_validate(
        {"minutes": 1300, "calls": 9, "first_call": "2025-03-02T08:00:00Z", "last_call": "2025-03-12T08:00:00Z"}
    )
    assert not old.has_daily
    [b] = compute_pools(SIZE, {KEY: old}, "2025-03", date(2025, 3, 20))
    assert b.exhausted and b.runs_out_on is None
    # A newer import merged onto an old total is still incomplete: still no day.
    merged = old.merge(UsageTotal(minutes=10, calls=1, days={14: 10}))
    assert not merged.has_daily and merged.days == {14: 10}
    assert compute_pools(SIZE, {KEY: merged}, "2025-03", date(2025, 3, 20))[0].runs_out_on is None
    # Not exhausted: the forecast needs no daily data.
    [b] = compute_pools(SIZE, {KEY: UsageTotal(minutes=600, calls=3)}, "2025-03", date(2025, 3, 10))
    assert b.runs_out_on == date(2025, 3, 20)


def test_usage_from_calls_keeps_minutes_per_day() -> None:
    totals: dict[PoolKey, UsageTotal] = {}
    for day, seconds in ((9, 61), (9, 60), (2, 1)):
        call = CallRecord(
            id=f"c{day}-{seconds}",
            tenant_id="t",
            source="graph",
            upn="a@x.com",
            usage_location="FR",
            call_type="user_out",
            capability="MCOPSTN1",
            destination_context="Domestic",
            start=datetime(2025, 3, day, 10, tzinfo=UTC),
            duration_seconds=seconds,
        )
        for key, total in usage_from_calls([call], "2025-03").items():
            totals[key] = totals[key].merge(total) if key in totals else total
    [total] = totals.values()
    assert total.days == {2: 1, 9: 3} and total.minutes == 4 and total.has_daily


def test_balances_carry_plan_names_and_are_sorted() -> None:
    sizes = {
        PoolKey(country="US", plan="MCOPSTN1", line="domestic"): PoolSize(users=1, minutes_per_user=3000),
        PoolKey(country="DE", plan="MCOPSTN2", line="international"): PoolSize(users=1, minutes_per_user=600),
        PoolKey(country="DE", plan="MCOPSTN2", line="domestic"): PoolSize(users=1, minutes_per_user=1200),
    }
    balances = compute_pools(sizes, {}, "2024-02", date(2024, 2, 29))
    assert [b.key.as_str() for b in balances] == [
        "DE|MCOPSTN2|domestic",
        "DE|MCOPSTN2|international",
        "US|MCOPSTN1|domestic",
    ]
    assert balances[0].plan_names == {
        "en": "Domestic and International Calling Plan",
        "fr": "Forfait d'appels nationaux et internationaux",
    }
    assert balances[2].plan_name == "Domestic Calling Plan"


@given(
    users=st.integers(0, 500),
    per_user=st.sampled_from([0, 120, 240, 600, 1200, 3000]),
    used=st.integers(0, 2_000_000),
    day=st.integers(1, 31),
)
def test_balance_invariants(users: int, per_user: int, used: int, day: int) -> None:
    key = PoolKey(country="US", plan="MCOPSTN1", line="domestic")
    [b] = compute_pools(
        {key: PoolSize(users=users, minutes_per_user=per_user)},
        {key: UsageTotal(minutes=used)},
        "2025-01",
        date(2025, 1, day),
    )
    assert b.total_minutes == users * per_user
    assert b.remaining_minutes >= 0 and b.overage_minutes >= 0
    assert b.total_minutes - b.used_minutes == b.remaining_minutes - b.overage_minutes
    assert b.exhausted == (b.remaining_minutes == 0 and (b.total_minutes > 0 or used > 0))
    if b.runs_out_on is not None:
        assert b.runs_out_on.month == 1
        if b.exhausted:
            assert b.runs_out_on.day <= day
        else:
            assert b.runs_out_on.day > day
