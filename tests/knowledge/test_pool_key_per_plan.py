"""Issue 14 (branch fastcheck3): a check's pool key is made once per plan, country and line.

``knowledge.numbers._pool`` built and validated a ``PoolKey`` (and looked the capability's plan
up again) on every check; a pool without a UPN now comes from ``_plan_pool``, kept per catalog
keys. These tests hold every pool it gives to the key the old code built, for every plan, pool
country and line of the catalog, with and without a UPN, and check that two checks share one key.
"""

from __future__ import annotations

import pytest

from knowledge.catalog import load_catalog
from knowledge.numbers import _pool, check_call
from knowledge.pool_key import PoolKey

_UPNS = [None, "", "  ", "Bob@Contoso.com", " alice.martin@contoso.com ", "a|b@c.com", 42]


def _built(plan, pool_country, line, upn):
    """The pool key as ``_pool`` built it before this round (a ``PoolKey`` each time)."""
    pooled = load_catalog().find_plan(plan.capability) or plan
    if plan.pool == "none" or pooled.minutes_for(pool_country, line) is None:
        return None
    user = (
        upn.strip().lower()
        if plan.pool == "per_user" and isinstance(upn, str) and upn.strip() and "|" not in upn
        else None
    )
    return PoolKey(country=pool_country, plan=plan.capability, line=line, upn=user)


def test_every_plan_country_and_line_gives_the_key_built_each_time():
    catalog = load_catalog()
    countries = sorted({c.pool_country for c in catalog.countries})
    seen = set()
    for plan in catalog.plans:
        for country in countries:
            for line in ("domestic", "international"):
                for upn in _UPNS:
                    got = _pool(plan, country, line, upn)
                    assert got == _built(plan, country, line, upn), (plan.sku, country, line, upn)
                    seen.add((plan.pool, got is not None and got.upn is not None))
    # every kind was met: shared pools, per-user pools with and without a UPN, plans with none
    assert {("shared", False), ("per_user", True), ("per_user", False)} <= seen
    assert any(pool == "none" for pool, _ in seen)


def test_two_checks_of_one_pool_share_its_key():
    first = check_call("01 23 45 67 89", "FR", "MCOPSTN1")
    second = check_call("+33 4 72 00 00 00", "FR", "MCOPSTN1", upn="bob@contoso.com")
    assert first.pool == PoolKey(country="FR", plan="MCOPSTN1", line="domestic")
    assert second.pool is first.pool


@pytest.mark.parametrize("upn", ["Bob@Contoso.com", "carol@contoso.com"])
def test_a_per_user_pool_still_names_its_user(upn):
    verdict = check_call("030 123456", "DE", "MCOPSTN8", upn=upn)
    assert verdict.pool == PoolKey(country="DE", plan="MCOPSTN8", line="domestic", upn=upn.lower())
    assert check_call("030 123456", "DE", "MCOPSTN8").pool == PoolKey(country="DE", plan="MCOPSTN8", line="domestic")
