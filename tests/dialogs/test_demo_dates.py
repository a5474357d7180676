"""The demo as an admin sees it on awkward days: the 1st, the 15th, the last day of a month
and a leap day. The store's clock is pinned to each; nothing reads the wall clock.

On each day: the demo imports; last month's pools are all there and all used (the demo writes
the previous full month); this month's card shows every pool with a forecast day or an
explicit "not this month"; nothing crashes, in English and French.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from botbuilder.core import MemoryStorage

from dialogs.nlu.i18n import format_date, format_month, t
from knowledge.clock import fixed_clock, month_of
from knowledge.store import DEFAULT_TENANT_ID, AsyncStore, Store
from knowledge.store.demo import load_demo, previous_month
from testkit.months import MONTH_NAMES

DAYS = {
    "the 1st (a new year)": datetime(2027, 1, 1, 8, 0, tzinfo=UTC),
    "the 15th": datetime(2026, 12, 15, 8, 0, tzinfo=UTC),
    "the last day of February": datetime(2027, 2, 28, 20, 0, tzinfo=UTC),
    "a leap day": datetime(2028, 2, 29, 12, 0, tzinfo=UTC),
}


@pytest.fixture(scope="module", params=list(DAYS), ids=list(DAYS))
def demo_on(request, tmp_path_factory):
    now = DAYS[request.param]
    path = tmp_path_factory.mktemp("demo-on")
    store = Store(path, fixed_clock(now))
    summary = load_demo(store)
    assert summary.ok and summary.imported > 1000  # last month whole, even on the 1st
    store.close()
    return now, path


def _pools(card: dict) -> list[tuple[str, list[str]]]:
    """(title, [total, used, left, runs-out label, runs-out value]) of each pool block."""
    blocks = []
    for item in card["body"]:
        if item.get("type") == "Container":
            title = item["items"][0]["text"]
            figures = [text["text"] for column in item["items"][1]["columns"] for text in column["items"]]
            blocks.append((title, figures))
    return blocks


@pytest.mark.parametrize("lang, locale", [("en", "en-US"), ("fr", "fr-FR")])
async def test_what_an_admin_sees_on_each_awkward_day(demo_on, h, lang, locale):
    now, path = demo_on
    store = AsyncStore(path, fixed_clock(now))
    try:
        talk = h.Conversation(MemoryStorage(), store=store, tenant_fallback=DEFAULT_TENANT_ID)
        balances = await store.pools(DEFAULT_TENANT_ID)
        assert balances and all(b.month == month_of(now) for b in balances)

        # This month: every pool shown, each with a forecast day or an explicit "not this month".
        [card] = h.cards(await talk.send("pool balance" if lang == "en" else "solde du pool de minutes", locale=locale))
        assert t(lang, "pools.title", month=format_month(month_of(now), lang)) in h.card_texts(card)
        assert t(lang, "pools.as_of", date=now.date()) in h.card_texts(card)
        shown = _pools(card)
        assert len(shown) == len(balances)
        for (_, figures), balance in zip(shown, balances, strict=True):
            label, value = figures[-2:]
            if balance.runs_out_on is None:
                assert (label, value) == (t(lang, "pools.col.runs_out"), t(lang, "pools.not_this_month"))
            else:
                assert value == format_date(balance.runs_out_on, lang)
                assert balance.runs_out_on.month == now.month and balance.runs_out_on.year == now.year
                # A forecast is never in the past; a day it ran out never in the future.
                assert (balance.runs_out_on <= now.date()) == balance.exhausted

        # Last month, by name: all pools there, all used, the near-exhaustion pool ran out on a
        # day of that month.
        year, month = previous_month(now)
        ask = {
            "en": f"pool balance for {MONTH_NAMES['en'][month - 1]}",
            "fr": f"solde du pool de minutes en {MONTH_NAMES['fr'][month - 1]}",
        }[lang]
        replies = await talk.send(ask, locale=locale)
        [card] = h.cards(replies)
        last = f"{year:04d}-{month:02d}"
        assert t(lang, "pools.title", month=format_month(last, lang)) in h.card_texts(card)
        previous = await store.pools(DEFAULT_TENANT_ID, last)
        assert len(_pools(card)) == len(previous) and all(b.used_minutes > 0 for b in previous)
        [gb] = [b for b in previous if b.plan == "MCOPSTN5"]
        assert gb.exhausted and gb.runs_out_on is not None and month_of(gb.runs_out_on) == last
        assert format_date(gb.runs_out_on, lang) in h.card_texts(card)
        # Sized by the roster imported this month: the card says the sizes come from a later list.
        assert t(lang, "pools.roster_later", roster_month=format_month(month_of(now), lang)) in h.card_texts(card)
    finally:
        store.close()
