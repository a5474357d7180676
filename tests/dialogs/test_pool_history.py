"""Past run-out days and the "Data:" line, through real imported files and the real dialogs.

A 120-minute pool of one UK user crosses its total on the 9th; looked up on the 20th (the
store's clock), the answer says it ran out on the 9th, not today, in English and French. The
pool card ends with the data its figures rest on.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from botbuilder.core import MemoryStorage

from dialogs.cards import pool_table_card
from dialogs.nlu.i18n import t
from dialogs.provenance import data_text
from knowledge.clock import fixed_clock
from knowledge.provenance import DataProvenance
from knowledge.store import AsyncStore
from testkit.narrow import present

TENANT = "contoso.example"
LOOKED_UP = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
#: (day of March 2026, minutes): 60 + 55 = 115 by the 8th... then 10 on the 9th crosses 120.
CALLS = ((2, 60), (8, 55), (9, 10), (15, 30))


def _graph_row(n: int, day: int, minutes: int) -> dict:
    start = datetime(2026, 3, day, 10, 0, tzinfo=UTC)
    return {
        "id": f"00000000-0000-4000-8000-{n:012d}",
        "callId": f"call-{n}",
        "userId": "1a1e0f3e-2b52-4c1d-9a6e-000000000001",
        "userPrincipalName": "uma@contoso.example",
        "userDisplayName": "Uma Patel",
        "startDateTime": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "endDateTime": (start + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "duration": minutes * 60,
        "charge": 0.0,
        "callType": "user_out",
        "currency": "GBP",
        "calleeNumber": "+44207946****",
        "usageCountryCode": "GB",
        "tenantCountryCode": "GB",
        "connectionCharge": 0.0,
        "callerNumber": "+442079460000",
        "destinationContext": "Domestic",
        "destinationName": "United Kingdom",
        "conferenceId": None,
        "licenseCapability": "MCOPSTN5",
        "inventoryType": "Subscriber",
        "operator": "Microsoft",
        "callDurationSource": "microsoft",
    }


@pytest.fixture
async def crossed_store(tmp_path):
    roster = tmp_path / "users.csv"
    roster.write_text("upn,usage_location,licenses\numa@contoso.example,GB,SPE_E5+MCOPSTN5\n")
    calls = tmp_path / "getPstnCalls.json"
    calls.write_text(json.dumps([_graph_row(n, day, minutes) for n, (day, minutes) in enumerate(CALLS)]))
    store = AsyncStore(tmp_path / "data", fixed_clock(LOOKED_UP))
    summary = await store.import_paths([roster, calls], TENANT)
    assert summary.ok and summary.imported == 1 + len(CALLS)
    yield store
    store.close()


@pytest.mark.parametrize(
    "lang, ran_out, date_text, locale, text",
    [
        ("en", "Ran out", "March 9, 2026", "en-US", "pool balance"),
        ("fr", "Épuisé le", "9 mars 2026", "fr-FR", "solde du pool de minutes"),
    ],
)
async def test_a_pool_that_ran_out_on_the_9th_says_the_9th_on_the_20th(
    crossed_store, h, lang, ran_out, date_text, locale, text
):
    talk = h.Conversation(MemoryStorage(), store=crossed_store, tenant=TENANT)
    replies = await talk.send(text, locale=locale)
    [card] = h.cards(replies)
    texts = h.card_texts(card)
    assert ran_out in texts and date_text in texts
    # "As of" is the store's clock (the 20th); the ran-out day is the crossing, not today.
    assert t(lang, "pools.as_of", date=LOOKED_UP.date()) in texts
    assert t(lang, "pools.text_ran_out", date=LOOKED_UP.date().replace(day=9)) in h.said(replies[-1])
    # The card ends with what it rests on: Graph and a roster, imported on the 20th; not demo data.
    data = await crossed_store.provenance(TENANT)
    assert data.source_kinds == ["graph", "roster"] and not data.demo
    assert data.newest_call == datetime(2026, 3, 15, 10, 0, tzinfo=UTC)
    assert data.last_import == LOOKED_UP
    assert texts[-2] == data_text(data, lang)  # just above the Source line
    assert t(lang, "data.kind.graph") in texts[-2] and t(lang, "data.demo") not in texts[-2]


async def test_the_verdict_card_pool_block_says_what_data_it_rests_on(crossed_store, h):
    talk = h.Conversation(MemoryStorage(), store=crossed_store, tenant=TENANT)
    replies = await talk.send("can uma@contoso.example call +44 20 7946 0958?")
    texts = h.card_texts(h.cards(replies)[-1])
    assert data_text(await crossed_store.provenance(TENANT), "en") in texts


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_data_line_names_kinds_dates_and_demo(lang):
    data = DataProvenance(
        tenant_id="demo-tenant",
        source_kinds=["pstn_csv", "graph", "roster"],
        newest_call=datetime(2026, 3, 27, 17, 0, tzinfo=UTC),
        last_import=datetime(2026, 3, 28, 10, 0, tzinfo=UTC),
        demo=True,
    )
    line = data_text(data, lang)
    assert line.startswith(t(lang, "data.line", parts=""))
    for key in ("data.kind.pstn_csv", "data.kind.graph", "data.kind.roster", "data.demo"):
        assert t(lang, key) in line
    assert t(lang, "data.newest_call", date=present(data.newest_call).date()) in line
    assert t(lang, "data.last_import", date=present(data.last_import).date()) in line
    # A store written before kinds were recorded says so rather than naming none.
    old = DataProvenance(tenant_id="contoso", source_kinds=[], newest_call=None, last_import=None, demo=False)
    assert data_text(old, lang) == t(lang, "data.line", parts=t(lang, "data.kinds_unknown"))


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_an_exhausted_pool_without_daily_minutes_shows_no_invented_day(lang, crossed_store):
    """An exhausted balance with no day (a summary from before per-day minutes): "Ran out: day
    not recorded", never "not this month" nor today."""
    from knowledge.pools import PoolKey, PoolSize, UsageTotal, compute_pools

    key = PoolKey(country="GB", plan="MCOPSTN5", line="domestic")
    [balance] = compute_pools(
        {key: PoolSize(users=1, minutes_per_user=120)},
        {key: UsageTotal(minutes=130, calls=3)},
        "2026-03",
        LOOKED_UP.date(),
    )
    assert balance.exhausted and balance.runs_out_on is None
    reply = pool_table_card([balance], lang, as_of=LOOKED_UP.date())
    texts = reply.card["body"][-2]["items"][1]  # the pool block, above the Source line
    texts = texts["columns"][-1]["items"]
    assert [item["text"] for item in texts] == [t(lang, "pools.col.ran_out"), t(lang, "pools.ran_out_undated")]
    assert t(lang, "pools.text_ran_out_undated") in reply.text
    assert t(lang, "pools.not_this_month") not in reply.text
