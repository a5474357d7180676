"""Pool alerts end to end: subscribe in chat, a sync or import crosses a threshold, the scheduler
posts a proactive card to the fake Bot Connector, once per threshold per month, in the
subscriber's language. The clock is injected: no test reads the wall clock."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.app import ADAPTER_KEY, ALERTS_KEY, SCHEDULER_KEY, STORE_KEY
from bot.scheduler import Scheduler
from bot.sync_lock import FileSchedulerLock
from knowledge.alerts import AlertBook
from knowledge.store import Store
from testkit.fake_graph import FakeGraph, FakeTenant, graph_user, pstn_row
from testkit.pool_alerts import CONV_EN, CONV_FR, NOW, alerts_of, calls_page, roster, say, title_of


async def test_alerts_once_per_threshold_per_month_in_the_subscribers_language(
    start_app, make_settings, connector, h, tmp_path, data_dir
):
    client = await start_app(make_settings(), scheduler=False)
    app = client.server.app
    scheduler = app[SCHEDULER_KEY]
    scheduler.now = lambda: NOW
    store = Store(data_dir)
    roster(tmp_path / "users.csv", 2)
    store.import_paths([tmp_path / "users.csv"], h.TENANT)
    total = store.pools(h.TENANT, "2026-11", as_of=NOW.date())[0].total_minutes

    english = await say(client, h, connector, "alert me when a pool hits 80%", CONV_EN)
    assert "80%" in english[0] and "100%" in english[0]
    french = await say(client, h, connector, "préviens-moi à 90 %", CONV_FR, locale="fr-FR")
    assert "90" in french[0] and "pool" in french[0]
    assert connector.posts == []  # the replies came back in the response (expectReplies)

    assert (await scheduler.run_once()).alerts == []  # nothing used yet: nothing to say

    calls_page(tmp_path / "p1.json", total * 85 // 100, first=0)
    store.import_paths([tmp_path / "p1.json"], h.TENANT)
    tick = await scheduler.run_once()
    assert tick.ran
    en = alerts_of(connector, CONV_EN)
    fr = alerts_of(connector, CONV_FR)
    assert sorted(str(a.kind) for a in tick.alerts) == ["80", "runout", "runout"]
    assert len(en) == 2 and len(fr) == 1  # 80% and "runs out" / only "runs out" (90% not reached)
    assert any("has used 85" in title_of(a) for a in en)
    assert "Alerte de pool" in title_of(fr[0]) and "sera épuisé le" in title_of(fr[0])
    assert all(a["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive" for a in en + fr)

    assert (await scheduler.run_once()).alerts == []  # once per threshold and month
    assert len(connector.posts) == 3

    calls_page(tmp_path / "p2.json", total * 20 // 100, first=100_000)
    store.import_paths([tmp_path / "p2.json"], h.TENANT)
    tick = await scheduler.run_once()
    assert sorted(str(a.kind) for a in tick.alerts) == ["100", "100"]
    assert "has used all its minutes" in title_of(alerts_of(connector, CONV_EN)[-1])
    assert "a utilisé toutes ses minutes" in title_of(alerts_of(connector, CONV_FR)[-1])

    # Another scheduler over the same files (a restart, another process) does not repeat them.
    again = Scheduler(make_settings(), app[STORE_KEY], AlertBook(data_dir), app[ADAPTER_KEY], now=lambda: NOW)
    assert (await again.run_once()).alerts == []
    assert len(connector.posts) == 5


async def test_list_and_unsubscribe_in_english_and_french(start_app, make_settings, connector, h):
    client = await start_app(make_settings(), scheduler=False)
    assert "no pool alerts" in (await say(client, h, connector, "list my alerts", CONV_EN))[0]
    await say(client, h, connector, "notify me at 75 percent", CONV_EN)
    listed = (await say(client, h, connector, "which alerts do I have?", CONV_EN))[0]
    assert "75%" in listed and "100%" in listed
    assert "plus d'alertes" in (await say(client, h, connector, "arrête les alertes", CONV_EN, "fr-FR"))[0]
    assert "aucune alerte" in (await say(client, h, connector, "mes alertes", CONV_EN, "fr-FR"))[0]


async def test_the_pool_card_button_subscribes(demo_bot, connector, h):
    cards = await h.replies(demo_bot, h.activity("minutes left in France", service_url=connector.url))
    actions = cards[0]["attachments"][0]["content"]["actions"]
    button = next(a for a in actions if a["data"] == {"intent": "alert"})
    clicked = h.activity(None, value=button["data"], service_url=connector.url)
    reply = h.texts(await h.replies(demo_bot, clicked))[0]
    assert "80%" in reply and "100%" in reply
    assert demo_bot.server.app[ALERTS_KEY].tenants()


async def test_only_one_process_runs_the_scheduler(start_app, make_settings, data_dir):
    client = await start_app(make_settings(), scheduler=False)
    held = FileSchedulerLock(data_dir / "sync.lock")
    assert held.try_acquire()
    try:
        assert (await client.server.app[SCHEDULER_KEY].run_once()).ran is False
    finally:
        held.release()
    assert (await client.server.app[SCHEDULER_KEY].run_once()).ran is True


async def test_a_scheduled_sync_then_alerts(start_app, make_settings, connector, h, tmp_path, data_dir):
    fake = FakeGraph(tmp_path).start()
    try:
        users = [graph_user(f"user{n}@contoso.com", n=n) for n in range(2)]
        fake.tenants[h.TENANT] = FakeTenant(
            users=users, skus=[{"skuId": "0dab259f-bf13-4952-b7f8-7db8f131b28d", "skuPartNumber": "MCOPSTN1"}]
        )
        settings = make_settings(**fake.env([h.TENANT]), SYNC_INTERVAL_MINUTES=30)
        assert "s3cret" not in repr(settings) and "s3cret" not in str(settings.model_dump())
        client = await start_app(settings, scheduler=False)
        scheduler = client.server.app[SCHEDULER_KEY]
        scheduler.now = lambda: NOW
        await say(client, h, connector, "alert me when a pool hits 50%", CONV_EN)
        first = await scheduler.run_once()
        assert [r.tenant_id for r in first.synced] == [h.TENANT] and first.synced[0].users == 2
        total = (await client.server.app[STORE_KEY].pools(h.TENANT, "2026-11", NOW.date()))[0].total_minutes
        start = NOW - timedelta(hours=40)  # records that arrive late, inside the sync's overlap
        fake.tenants[h.TENANT].calls = [
            pstn_row(n, start + timedelta(minutes=n), upn="user0@contoso.com", duration=60)
            for n in range(total * 6 // 10)
        ]
        assert (await scheduler.run_once()).synced == []  # synced 0 minutes ago: not due
        scheduler.now = lambda: NOW + timedelta(minutes=31)
        tick = await scheduler.run_once()
        assert tick.synced[0].new == total * 6 // 10
        assert [str(a.kind) for a in tick.alerts] == ["50"]  # 60% by the 20th: lasts the month
        assert "has used 60" in title_of(alerts_of(connector, CONV_EN)[0])
    finally:
        fake.close()


async def test_a_new_subscription_wakes_the_scheduler(start_app, make_settings, connector, h, tmp_path, data_dir):
    """A pool already past a threshold is reported right after subscribing, not a tick later."""
    store = Store(data_dir)
    roster(tmp_path / "users.csv", 1)
    store.import_paths([tmp_path / "users.csv"], h.TENANT)
    total = store.pools(h.TENANT, "2026-11", as_of=NOW.date())[0].total_minutes
    calls_page(tmp_path / "p.json", total * 9 // 10, first=0)
    store.import_paths([tmp_path / "p.json"], h.TENANT)
    client = await start_app(make_settings())  # the background scheduler runs (ticks a minute apart)
    scheduler = client.server.app[SCHEDULER_KEY]
    scheduler.now = lambda: NOW
    await asyncio.sleep(0)  # let it start waiting
    await say(client, h, connector, "alert me when a pool hits 80%", CONV_EN)
    for _ in range(200):
        if connector.posts:
            break
        await asyncio.sleep(0.05)
    assert any("has used 90" in title_of(p["activity"]) for p in connector.posts)


async def test_no_sync_without_credentials_or_with_interval_zero(start_app, make_settings, h, caplog):
    client = await start_app(make_settings(SYNC_TENANTS=h.TENANT, GRAPH_CLIENT_ID="app"), scheduler=False)
    scheduler = client.server.app[SCHEDULER_KEY]
    assert scheduler.due_tenants() == [] and scheduler.due_tenants() == []
    assert caplog.text.count("GRAPH_CLIENT_SECRET or GRAPH_CERTIFICATE_PATH is required") == 1  # said once
    off = await start_app(
        make_settings(
            SYNC_TENANTS=h.TENANT,
            GRAPH_CLIENT_ID="app",
            GRAPH_CLIENT_SECRET="x",
            SYNC_INTERVAL_MINUTES=0,
            DATA_DIR=client.server.app[SCHEDULER_KEY].settings.DATA_DIR / "other",
        ),
        scheduler=False,
    )
    assert off.server.app[SCHEDULER_KEY].due_tenants() == []
    on = Scheduler(
        make_settings(SYNC_TENANTS=h.TENANT, GRAPH_CLIENT_ID="app", GRAPH_CLIENT_SECRET="x"),
        scheduler.store,
        scheduler.book,
        scheduler.adapter,
        now=lambda: NOW,
    )
    assert on.due_tenants() == [h.TENANT]  # never synced: due
