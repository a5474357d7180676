"""STORE_BACKEND=azure-blob in the real app (Azurite): answers, an outage, one scheduler.

The bot's pool answers come from the usage store in Azure Blob Storage; with Azurite stopped,
``/healthz`` says degraded (503, with the reason) and a pool question gets the apology; both
recover when it is back. Two schedulers on one Azurite: only the lease holder ticks, and when
it stops the other takes over (ticks driven by the test: no timers, bounded waits).
"""

from __future__ import annotations

import asyncio
import os
import socket

import pytest

from bot.app import SCHEDULER_KEY, STORE_KEY
from bot.blob_objects import AzureBlobObjects, BlobLeaseSchedulerLock
from bot.scheduler import Scheduler
from bot.usage_store import open_usage_store, scheduler_lock
from dialogs.cards import pool_table_card
from dialogs.nlu.i18n import t
from knowledge.alerts import AlertBook
from knowledge.provenance import DataProvenance
from knowledge.store import DEFAULT_TENANT_ID, AsyncStore
from knowledge.store.demo import load_demo
from knowledge.store.objects import ObjectStoreUnavailable
from knowledge.store.shared import SharedStore
from testkit.azurite import Azurite
from testkit.chat import Chat


def _blob_settings(make_settings, azurite, container: str, **values):
    return make_settings(
        STORE_BACKEND="azure-blob",
        STORE_CONTAINER=container,
        AZURE_STORAGE_CONNECTION_STRING=azurite.connection_string,
        **values,
    )


async def test_pool_answers_and_healthz_through_a_storage_outage(own_azurite, make_settings, start_app, h):
    settings = _blob_settings(make_settings, own_azurite, "usage-store")
    seeding = open_usage_store(settings)
    assert isinstance(seeding, SharedStore)
    assert load_demo(seeding).ok
    balances = [b for b in seeding.pools(DEFAULT_TENANT_ID) if b.country == "FR"]
    data = DataProvenance.from_summary(seeding._view(DEFAULT_TENANT_ID).summary)
    seeding.close()
    expected = pool_table_card(balances, "en", month=balances[0].month, as_of=settings.clock().date(), data=data)

    client = await start_app(settings, scheduler=False)
    assert isinstance(client.server.app[STORE_KEY].sync, SharedStore)
    chat = Chat(client, h)
    assert [r["said"] for r in await chat.say("minutes left in France")] == [expected.text]
    assert (await client.get("/healthz")).status == 200

    own_azurite.stop()
    response = await client.get("/healthz")
    body = await response.json()
    assert response.status == 503 and body["status"] == "degraded" and body["store"] is False
    assert "calling-plan store" in body["reason"]
    assert [r["said"] for r in await chat.say("minutes left in France")] == [t("en", "data.error")]

    own_azurite.start()
    assert (await client.get("/healthz")).status == 200
    assert [r["said"] for r in await chat.say("minutes left in France")] == [expected.text]


def _scheduler(settings, tmp_path, name: str) -> Scheduler:
    store = AsyncStore(settings.DATA_DIR, settings.clock, store=open_usage_store(settings))
    return Scheduler(settings, store, AlertBook(tmp_path / name), adapter=None, lock=scheduler_lock(settings))


async def test_one_scheduler_across_replicas(azurite, make_settings, tmp_path):
    settings = _blob_settings(make_settings, azurite, f"lease-{os.getpid()}")
    first, second = _scheduler(settings, tmp_path, "a"), _scheduler(settings, tmp_path, "b")
    assert isinstance(first.lock, BlobLeaseSchedulerLock)
    try:
        for _ in range(3):  # the holder keeps the lease from tick to tick; the other never runs
            assert (await first.run_once()).ran is True
            assert (await second.run_once()).ran is False
        await first.stop()  # shutdown releases it: the other takes over at its next tick
        assert (await second.run_once()).ran is True
        assert (await first.run_once()).ran is False

        # The same through the scheduler's own loop: cancelling it (app shutdown) releases.
        ticking = asyncio.create_task(second.run_forever(tick=0.05, first=0))
        for _ in range(100):
            await asyncio.sleep(0.02)
            if ticking.done():
                break
        assert not ticking.done() and (await first.run_once()).ran is False
        ticking.cancel()
        await asyncio.gather(ticking, return_exceptions=True)
        assert (await first.run_once()).ran is True
    finally:
        for scheduler in (first, second):
            await scheduler.stop()
            scheduler.store.close()


async def test_the_app_uses_the_lease_and_releases_it_on_shutdown(azurite, make_settings, start_app, tmp_path):
    container = f"app-lease-{os.getpid()}"
    one = await start_app(_blob_settings(make_settings, azurite, container))  # its scheduler runs
    two = await start_app(_blob_settings(make_settings, azurite, container, DATA_DIR=tmp_path / "two"), scheduler=False)
    assert isinstance(one.server.app[SCHEDULER_KEY].lock, BlobLeaseSchedulerLock)
    assert (await one.server.app[SCHEDULER_KEY].run_once()).ran is True
    assert (await two.server.app[SCHEDULER_KEY].run_once()).ran is False
    await one.close()  # the app's shutdown stops its scheduler, which releases the lease
    assert (await two.server.app[SCHEDULER_KEY].run_once()).ran is True


async def test_a_held_lease_is_renewed_while_the_schedule_runs(make_settings, azurite, monkeypatch, tmp_path):
    settings = _blob_settings(make_settings, azurite, f"renew-{os.getpid()}")
    scheduler = _scheduler(settings, tmp_path, "renew")
    lock = scheduler.lock
    assert isinstance(lock, BlobLeaseSchedulerLock) and lock.renew_seconds == 20
    renewals: list[int] = []
    original = lock.keep

    def keep() -> None:
        renewals.append(1)
        original()

    monkeypatch.setattr(lock, "keep", keep)
    assert await asyncio.to_thread(lock.try_acquire)  # a 60 s lease
    # Now renewed every 0.05 s (between ticks and during a long one); a real lease is whole seconds.
    monkeypatch.setattr(lock, "lease_seconds", 0.15)
    keeper = asyncio.create_task(scheduler.keep_lease())
    for _ in range(200):  # bounded: at most ~4 s
        await asyncio.sleep(0.02)
        if len(renewals) >= 2:
            break
    keeper.cancel()
    await asyncio.gather(keeper, return_exceptions=True)
    assert len(renewals) >= 2 and lock.lease is not None  # renewed, still the holder
    other = BlobLeaseSchedulerLock(lock.container)
    assert not await asyncio.to_thread(other.try_acquire)
    await scheduler.stop()
    assert await asyncio.to_thread(other.try_acquire)
    await asyncio.to_thread(other.release)
    scheduler.store.close()


def test_a_service_that_never_answers_is_unavailable_within_the_bounds(tmp_path):
    """A listener that accepts and says nothing: every request ends at the read timeout (an
    unbounded client would hang here until pytest-timeout fails the test)."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        dead = Azurite(tmp_path, port=silent.getsockname()[1])  # only for its connection string
        objects = AzureBlobObjects(dead.connection_string, "never", read_timeout=0.3, retries=1)
        store = SharedStore(objects, tmp_path / "data")
        with pytest.raises(ObjectStoreUnavailable, match="did not answer"):
            objects.get("tenants/contoso/summary.json")
        assert store.ping() is False
        store.close()
