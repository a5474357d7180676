"""Alert subscriptions and Graph sync marks shared by replicas (STORE_BACKEND=azure-blob, Azurite).

Two apps (``create_app``) on one container, each with its own ``DATA_DIR`` (separate disks):
a chat that subscribes through the replica that is not elected is alerted by the elected one,
once, and the next leader does not repeat it; two replicas subscribing at the same moment
both land (conditional writes, redone after a 412); the sync marks written by one replica let
another go on where it stopped instead of re-reading the month from Graph.
"""

from __future__ import annotations

import os
import threading
from datetime import timedelta

from bot.app import ALERTS_KEY, SCHEDULER_KEY
from bot.blob_objects import AzureBlobObjects
from bot.graph import sync_all
from bot.usage_store import open_alert_book, open_usage_store
from knowledge.alerts import AlertBook
from knowledge.graph.sync import OVERLAP, SyncMarks
from knowledge.store.objects import StoredObject
from testkit.fake_graph import FakeGraph, FakeTenant, graph_user, pstn_row
from testkit.pool_alerts import NOW, alerts_of, calls_page, roster, say, title_of

CONV = "a:conversation-shared"


def _blob_settings(make_settings, azurite, container: str, **values):
    return make_settings(
        STORE_BACKEND="azure-blob",
        STORE_CONTAINER=container,
        AZURE_STORAGE_CONNECTION_STRING=azurite.connection_string,
        **values,
    )


async def test_a_subscription_through_one_replica_is_alerted_once_by_the_elected_one(
    azurite, make_settings, start_app, connector, h, tmp_path
):
    container = f"shared-alerts-{os.getpid()}"
    one = _blob_settings(make_settings, azurite, container, DATA_DIR=tmp_path / "one")
    two = _blob_settings(make_settings, azurite, container, DATA_DIR=tmp_path / "two")
    seeding = open_usage_store(one)
    try:
        roster(tmp_path / "users.csv", 2)
        seeding.import_paths([tmp_path / "users.csv"], h.TENANT)
        total = seeding.pools(h.TENANT, "2026-11", as_of=NOW.date())[0].total_minutes
        calls_page(tmp_path / "p.json", total * 85 // 100, first=0)
        seeding.import_paths([tmp_path / "p.json"], h.TENANT)
    finally:
        seeding.close()

    leader = await start_app(one, scheduler=False)
    other = await start_app(two, scheduler=False)
    for client in (leader, other):
        client.server.app[SCHEDULER_KEY].now = lambda: NOW
    assert (await leader.server.app[SCHEDULER_KEY].run_once()).ran  # elected: holds the lease
    assert connector.posts == []

    reply = await say(other, h, connector, "alert me when a pool hits 80%", CONV)  # through the other
    assert "80%" in reply[0]
    assert not (tmp_path / "two" / "alerts").exists()  # nothing on the other replica's disk
    assert list(other.server.app[ALERTS_KEY].subscriptions(h.TENANT)) == [CONV]
    assert (await other.server.app[SCHEDULER_KEY].run_once()).ran is False  # not elected

    tick = await leader.server.app[SCHEDULER_KEY].run_once()
    assert sorted(str(a.kind) for a in tick.alerts) == ["80", "runout"]
    assert any("has used 85" in title_of(a) for a in alerts_of(connector, CONV))
    assert (await leader.server.app[SCHEDULER_KEY].run_once()).alerts == []  # once

    await leader.server.app[SCHEDULER_KEY].stop()  # the other replica takes over: no repeat
    tick = await other.server.app[SCHEDULER_KEY].run_once()
    assert tick.ran and tick.alerts == []
    assert len(connector.posts) == 2


class _Interleaved:
    """An object store whose first ``put`` lets another writer go first (a deterministic race)."""

    def __init__(self, inner: AzureBlobObjects, before_first_put) -> None:
        self.inner = inner
        self.before_first_put = before_first_put
        self.puts = 0

    def get(self, name: str, *, if_none_match: str | None = None) -> StoredObject | None:
        return self.inner.get(name, if_none_match=if_none_match)

    def put(self, name: str, data: bytes, *, if_match: str | None = None, if_none_match: str | None = None) -> str:
        self.puts += 1
        if self.puts == 1:
            self.before_first_put()
        return self.inner.put(name, data, if_match=if_match, if_none_match=if_none_match)

    def list(self, prefix: str, *, shallow: bool = False) -> list[str]:
        return self.inner.list(prefix, shallow=shallow)

    def delete(self, name: str) -> None:
        self.inner.delete(name)


def test_two_replicas_subscribing_at_once_both_land(azurite, make_settings, tmp_path, h):
    settings = _blob_settings(make_settings, azurite, f"subscribe-race-{os.getpid()}")
    reference = {"conversation": {"id": "x"}}
    first, second = open_alert_book(settings), open_alert_book(settings)
    assert isinstance(first.objects, AzureBlobObjects)
    try:
        # The first tenant subscription (If-None-Match: *) and then an update (If-Match), each
        # overtaken by the other replica between its read and its write: both must survive.
        for round_ in ("create", "update"):
            racing = _Interleaved(first.objects, lambda r=round_: second.subscribe(h.TENANT, f"b-{r}", reference, "en"))
            AlertBook(tmp_path / "racer", objects=racing).subscribe(
                h.TENANT, f"a-{round_}", reference, "fr", percent=90
            )
            assert racing.puts == 2  # lost once (412), read again, redone
        subs = first.subscriptions(h.TENANT)
        assert sorted(subs) == ["a-create", "a-update", "b-create", "b-update"]
        assert subs["a-update"].lang == "fr" and subs["a-update"].thresholds == (90, 100)

        # And really at once: two threads, two clients, many subscriptions each.
        errors: list[BaseException] = []

        def many(book: AlertBook, side: str) -> None:
            try:
                for n in range(6):
                    book.subscribe(h.TENANT, f"{side}-{n}", reference, "en")
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=many, args=(book, side)) for book, side in ((first, "l"), (second, "r"))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == []
        assert set(second.subscriptions(h.TENANT)) >= {f"{s}-{n}" for s in "lr" for n in range(6)}
        assert second.tenants() == [h.TENANT]
        assert first.unsubscribe(h.TENANT, "l-0") and "l-0" not in second.subscriptions(h.TENANT)
        assert not (tmp_path / "racer" / "alerts").exists() and not (settings.DATA_DIR / "alerts").exists()
    finally:
        first.close()
        second.close()


async def test_sync_marks_of_one_replica_are_read_by_the_other(azurite, make_settings, start_app, tmp_path, h):
    fake = FakeGraph(tmp_path).start()
    try:
        fake.tenants[h.TENANT] = FakeTenant(
            users=[graph_user("user0@contoso.com", n=0)],
            skus=[{"skuId": "0dab259f-bf13-4952-b7f8-7db8f131b28d", "skuPartNumber": "MCOPSTN1"}],
        )
        fake.tenants[h.TENANT].calls = [
            pstn_row(n, NOW - timedelta(days=3, minutes=n), upn="user0@contoso.com", duration=60) for n in range(5)
        ]
        container = f"shared-sync-{os.getpid()}"
        env = fake.env([h.TENANT])
        one = _blob_settings(
            make_settings, azurite, container, DATA_DIR=tmp_path / "one", SYNC_INTERVAL_MINUTES=30, **env
        )
        two = _blob_settings(
            make_settings, azurite, container, DATA_DIR=tmp_path / "two", SYNC_INTERVAL_MINUTES=30, **env
        )
        first = sync_all(one, [h.TENANT], lambda: NOW)
        assert first[0].error is None and first[0].new == 5
        assert not (tmp_path / "one" / "sync").exists()  # the marks are in the container

        client = await start_app(two, scheduler=False)  # the replica elected next
        scheduler = client.server.app[SCHEDULER_KEY]
        scheduler.now = lambda: NOW + timedelta(minutes=10)
        assert scheduler.due_tenants() == []  # synced 10 minutes ago, by the other replica
        later = NOW + timedelta(minutes=31)
        scheduler.now = lambda: later
        assert scheduler.due_tenants() == [h.TENANT]
        fake.windows.clear()
        tick = await scheduler.run_once()
        # It went on from the other replica's marks: only the overlap, not the month again.
        assert fake.windows == [((NOW - OVERLAP).strftime("%Y-%m-%dT%H:%M:%SZ"), later.strftime("%Y-%m-%dT%H:%M:%SZ"))]
        assert tick.synced[0].calls == 0  # the 5 calls of 3 days ago are not fetched again
        objects = AzureBlobObjects(azurite.connection_string, container)
        try:
            assert SyncMarks(tmp_path / "elsewhere", objects).read(h.TENANT).synced_until == later
        finally:
            objects.close()
    finally:
        fake.close()


def test_a_sync_mark_written_over_another_leaders_keeps_the_later_progress(azurite, tmp_path, h):
    """A lease that changed hands mid-sync: the old leader's late write loses its If-Match (412),
    reads the new marks and keeps the furthest ``synced_until``; its own ``last_run`` is kept."""
    objects = AzureBlobObjects(azurite.connection_string, f"marks-race-{os.getpid()}")
    try:
        old, new = SyncMarks(tmp_path / "old", objects), SyncMarks(tmp_path / "new", objects)
        stale = old.read(h.TENANT)
        stale.synced_until = NOW
        old.write(stale)
        ahead = new.read(h.TENANT)
        ahead.synced_until = NOW + timedelta(hours=2)
        new.write(ahead)
        stale.synced_until, stale.last_run = NOW + timedelta(hours=1), NOW + timedelta(hours=1)
        old.write(stale)  # over a version it did not read
        stored = SyncMarks(tmp_path / "third", objects).read(h.TENANT)
        assert stored.synced_until == NOW + timedelta(hours=2)
        assert stored.last_run == NOW + timedelta(hours=1)
    finally:
        objects.close()
