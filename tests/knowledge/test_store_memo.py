"""Pool lookups from memory while the summary file is unchanged (``knowledge/store/memo.py``):
a repeated lookup does not reach the store's thread, any commit (another process's import) is
seen on the next lookup, and "today" still comes from the clock on every call."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from knowledge.store import DEFAULT_TENANT_ID, AsyncStore, Store, StoreError
from knowledge.store import memo as memo_module
from knowledge.store.demo import load_demo
from knowledge.store.memo import MemoizedAsyncStore

EARLY = datetime(2026, 11, 10, 12, tzinfo=UTC)
LATE = datetime(2026, 11, 26, 12, tzinfo=UTC)


class MovableClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def counting(store: MemoizedAsyncStore) -> dict[str, int]:
    """How many times the pool reads reached the synchronous store (the worker thread)."""
    return counting_reads(store, "pools", "provenance")


def counting_reads(store: MemoizedAsyncStore, *names: str) -> dict[str, int]:
    """How many times each named read of the synchronous store ran (on the worker thread)."""
    counts = dict.fromkeys(names, 0)
    for name in names:
        real = getattr(store.sync, name)

        def spy(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            counts[_name] += 1
            return _real(*args, **kwargs)

        setattr(store.sync, name, spy)
    return counts


async def test_a_repeated_lookup_is_answered_from_memory(tmp_path: Path):
    clock = MovableClock(LATE)
    load_demo(Store(tmp_path, clock), now=LATE)
    store = MemoizedAsyncStore(tmp_path, clock)
    try:
        counts = counting(store)
        first = await store.pools(DEFAULT_TENANT_ID)
        first_provenance = await store.provenance(DEFAULT_TENANT_ID)
        assert first and counts == {"pools": 1, "provenance": 1}
        assert await store.pools(DEFAULT_TENANT_ID) == first
        assert await store.provenance(DEFAULT_TENANT_ID) == first_provenance
        assert counts == {"pools": 1, "provenance": 1} and store.hits == 2
        assert first == Store(tmp_path, clock).pools(DEFAULT_TENANT_ID)  # what the store itself says
    finally:
        store.close()


async def test_a_commit_by_another_process_is_seen_on_the_next_lookup(tmp_path: Path):
    clock = MovableClock(LATE)
    writer = Store(tmp_path, clock)
    load_demo(writer, now=EARLY)
    store = MemoizedAsyncStore(tmp_path, clock)
    try:
        before = await store.pools(DEFAULT_TENANT_ID)
        before_provenance = await store.provenance(DEFAULT_TENANT_ID)
        assert await store.pools(DEFAULT_TENANT_ID) == before
        load_demo(writer, now=LATE)  # more calls imported: a new summary.json renamed into place
        after = await store.pools(DEFAULT_TENANT_ID)
        assert after != before
        assert after == Store(tmp_path, clock).pools(DEFAULT_TENANT_ID)
        assert await store.provenance(DEFAULT_TENANT_ID) != before_provenance
    finally:
        store.close()


async def test_today_comes_from_the_clock_on_every_call(tmp_path: Path):
    clock = MovableClock(LATE)
    load_demo(Store(tmp_path, clock), now=LATE)
    store = MemoizedAsyncStore(tmp_path, clock)
    try:
        counts = counting(store)
        await store.pools(DEFAULT_TENANT_ID)
        clock.now = datetime(2026, 11, 27, 9, tzinfo=UTC)  # the next day: another as-of date
        next_day = await store.pools(DEFAULT_TENANT_ID)
        assert counts["pools"] == 2
        assert next_day == Store(tmp_path, clock).pools(DEFAULT_TENANT_ID)
        clock.now = datetime(2026, 12, 1, 9, tzinfo=UTC)  # a new month
        assert await store.pools(DEFAULT_TENANT_ID) == Store(tmp_path, clock).pools(DEFAULT_TENANT_ID)
        assert counts["pools"] == 3
    finally:
        store.close()


async def test_a_tenant_without_data_and_a_bad_tenant_id_behave_as_the_store(tmp_path: Path):
    clock = MovableClock(LATE)
    store = MemoizedAsyncStore(tmp_path, clock)
    try:
        assert await store.pools("other-tenant") == Store(tmp_path, clock).pools("other-tenant")
        raised: type[Exception] | None
        for call in (store.pools("../etc"), store.provenance("../etc")):
            try:
                await call
            except Exception as exc:
                raised = type(exc)
            else:
                raised = None
            try:
                Store(tmp_path, clock).pools("../etc")
            except Exception as exc:
                expected = type(exc)
            assert raised is expected is not None
    finally:
        store.close()


async def test_tenants_and_users_are_answered_from_memory_until_a_commit(tmp_path: Path):
    clock = MovableClock(LATE)
    writer = Store(tmp_path, clock)
    load_demo(writer, now=EARLY)
    store = MemoizedAsyncStore(tmp_path, clock)
    try:
        counts = counting_reads(store, "tenants", "user_index")
        roster = await store.users(DEFAULT_TENANT_ID)
        alice = roster[0]
        for _ in range(3):
            assert await store.tenants() == writer.tenants() == [DEFAULT_TENANT_ID]
            assert await store.find_user(DEFAULT_TENANT_ID, alice.upn.upper()) == alice
            assert await store.find_user(DEFAULT_TENANT_ID, "nobody@contoso.com") is None
            assert await store.users(DEFAULT_TENANT_ID) == writer.users(DEFAULT_TENANT_ID) == roster
        assert counts == {"tenants": 1, "user_index": 1}
        assert await store.find_user(DEFAULT_TENANT_ID, "  ") is None  # as the store: no lookup at all
        load_demo(writer, now=LATE)  # another process's import: a new summary (and roster file)
        assert await store.find_user(DEFAULT_TENANT_ID, alice.upn) == writer.find_user(DEFAULT_TENANT_ID, alice.upn)
        assert counts["user_index"] == 2
    finally:
        store.close()


async def test_a_new_tenant_is_seen_even_when_its_folder_came_before_its_summary(tmp_path: Path):
    clock = MovableClock(LATE)
    writer = Store(tmp_path, clock)
    load_demo(writer, now=LATE)
    store = MemoizedAsyncStore(tmp_path, clock)
    try:
        counts = counting_reads(store, "tenants")
        assert await store.tenants() == [DEFAULT_TENANT_ID]
        # A writer has made the new tenant's folder but not yet renamed its summary into it:
        # not a tenant yet, and the list is not kept (the summary will not touch the tenants folder).
        (writer.layout.tenants_dir / "contoso.com").mkdir()
        assert await store.tenants() == [DEFAULT_TENANT_ID]
        summary = writer.layout.summary_path(DEFAULT_TENANT_ID).read_bytes()
        writer.layout.summary_path("contoso.com").write_bytes(summary)
        assert await store.tenants() == writer.tenants() == ["contoso.com", DEFAULT_TENANT_ID]
        assert await store.tenants() == ["contoso.com", DEFAULT_TENANT_ID]
        assert counts["tenants"] == 3  # the first, the incomplete folder, the new tenant; then memory
    finally:
        store.close()


async def test_users_of_a_bad_tenant_id_fail_as_the_store_does(tmp_path: Path):
    clock = MovableClock(LATE)
    store = MemoizedAsyncStore(tmp_path, clock)
    try:
        for call in (store.users("../etc"), store.find_user("../etc", "alice")):
            try:
                await call
            except Exception as exc:
                raised: type[Exception] | None = type(exc)
            else:
                raised = None
            assert raised is StoreError
        assert await store.users("other-tenant") == [] and await store.tenants() == []
    finally:
        store.close()


# --- pools and provenance in one read (issue 14, branch checkcost3) ----------------------------
# ``pools_and_provenance`` is ``pools`` and ``provenance`` as one read: one hop to the store's
# thread on a miss, one ``stat`` of the tenant's summary.json to see whether both answers hold.


@pytest.fixture
def stats(monkeypatch) -> list[str]:
    """The paths the memo stats, in order."""
    seen: list[str] = []
    real = memo_module._stat_stamp

    def spy(path: Any) -> Any:
        seen.append(str(path))
        return real(path)

    monkeypatch.setattr(memo_module, "_stat_stamp", spy)
    return seen


async def test_both_answers_are_the_stores_and_stated_once_a_read(tmp_path: Path, stats):
    clock = MovableClock(LATE)
    load_demo(Store(tmp_path, clock), now=LATE)
    store = MemoizedAsyncStore(tmp_path, clock)
    try:
        counts = counting(store)
        balances, provenance = await store.pools_and_provenance(DEFAULT_TENANT_ID)
        truth = Store(tmp_path, clock)
        assert balances == truth.pools(DEFAULT_TENANT_ID) and balances
        assert provenance == truth.provenance(DEFAULT_TENANT_ID)
        assert counts == {"pools": 1, "provenance": 1}
        assert await store.pools_and_provenance(DEFAULT_TENANT_ID) == (balances, provenance)
        assert counts == {"pools": 1, "provenance": 1}  # from memory
        assert len(stats) == 2 and all(p.endswith("summary.json") for p in stats)  # one a read
        # the same memo as the single reads: each answers from it
        assert await store.pools(DEFAULT_TENANT_ID) == balances
        assert await store.provenance(DEFAULT_TENANT_ID) == provenance
        assert counts == {"pools": 1, "provenance": 1}
    finally:
        store.close()


async def test_a_month_is_read_as_pools_reads_it(tmp_path: Path):
    clock = MovableClock(LATE)
    load_demo(Store(tmp_path, clock), now=LATE)
    store = MemoizedAsyncStore(tmp_path, clock)
    try:
        balances, _ = await store.pools_and_provenance(DEFAULT_TENANT_ID, "2026-10")
        assert balances == Store(tmp_path, clock).pools(DEFAULT_TENANT_ID, "2026-10")
        assert balances != (await store.pools_and_provenance(DEFAULT_TENANT_ID))[0]
    finally:
        store.close()


async def test_a_commit_by_another_process_is_seen_by_the_next_read(tmp_path: Path):
    clock = MovableClock(LATE)
    writer = Store(tmp_path, clock)
    load_demo(writer, now=EARLY)
    store = MemoizedAsyncStore(tmp_path, clock)
    try:
        before = await store.pools_and_provenance(DEFAULT_TENANT_ID)
        load_demo(writer, now=LATE)  # a new summary.json renamed into place
        balances, provenance = await store.pools_and_provenance(DEFAULT_TENANT_ID)
        truth = Store(tmp_path, clock)
        assert (balances, provenance) != before
        assert (balances, provenance) == (truth.pools(DEFAULT_TENANT_ID), truth.provenance(DEFAULT_TENANT_ID))
    finally:
        store.close()


async def test_a_store_without_memo_reads_both_in_one_hop(tmp_path: Path):
    clock = MovableClock(LATE)
    load_demo(Store(tmp_path, clock), now=LATE)
    store = AsyncStore(tmp_path, clock)
    hops: list[Any] = []
    real_call = store.call

    async def counted(fn: Any, *args: Any, **kwargs: Any) -> Any:
        hops.append(fn)
        return await real_call(fn, *args, **kwargs)

    store.call = counted  # type: ignore[method-assign]
    try:
        balances, provenance = await store.pools_and_provenance(DEFAULT_TENANT_ID)
        truth = Store(tmp_path, clock)
        assert (balances, provenance) == (truth.pools(DEFAULT_TENANT_ID), truth.provenance(DEFAULT_TENANT_ID))
        assert len(hops) == 1
    finally:
        store.close()


# --- one look at a tenant's data per turn (issue 14, branch fastcheck2) ----------------------
# A number check reads the named user, then the pool its verdict draws on: within ``one_look``
# the tenant's summary is stated once for both, and a read the memo cannot answer still keeps
# its answer under a stamp taken right before the store read the file.


async def test_one_look_states_the_summary_once_for_a_turns_reads(tmp_path: Path, stats):
    clock = MovableClock(LATE)
    load_demo(Store(tmp_path, clock), now=LATE)
    store = MemoizedAsyncStore(tmp_path, clock)
    try:
        user = await store.find_user(DEFAULT_TENANT_ID, "alice.martin@contoso.com")
        both = await store.pools_and_provenance(DEFAULT_TENANT_ID)
        assert user is not None and both[0]
        stats.clear()
        assert await store.find_user(DEFAULT_TENANT_ID, "alice.martin@contoso.com") == user
        assert await store.pools_and_provenance(DEFAULT_TENANT_ID) == both
        assert len(stats) == 2  # outside a block: one stat a read
        stats.clear()
        with memo_module.one_look():
            assert await store.find_user(DEFAULT_TENANT_ID, "alice.martin@contoso.com") == user
            assert await store.pools_and_provenance(DEFAULT_TENANT_ID) == both
        assert len(stats) == 1 and stats[0].endswith("summary.json")
    finally:
        store.close()


async def test_within_one_look_a_read_from_the_store_is_kept_under_the_files_stamp(tmp_path: Path):
    """A commit between two reads of a turn: the second read, from the store, is kept under the
    new file's stamp (not the one the turn took first), so the next turn reads it from memory
    and sees the commit."""
    clock = MovableClock(LATE)
    writer = Store(tmp_path, clock)
    load_demo(writer, now=EARLY)
    store = MemoizedAsyncStore(tmp_path, clock)
    try:
        counts = counting(store)
        with memo_module.one_look():
            assert await store.find_user(DEFAULT_TENANT_ID, "alice.martin@contoso.com") is not None
            load_demo(writer, now=LATE)  # a new summary.json renamed into place mid-turn
            inside = await store.pools_and_provenance(DEFAULT_TENANT_ID)
        truth = Store(tmp_path, clock)
        assert inside == (truth.pools(DEFAULT_TENANT_ID), truth.provenance(DEFAULT_TENANT_ID))
        assert counts == {"pools": 1, "provenance": 1}
        assert await store.pools_and_provenance(DEFAULT_TENANT_ID) == inside  # the next turn
        assert counts == {"pools": 1, "provenance": 1}  # from memory: kept under the new stamp
    finally:
        store.close()


async def test_after_one_look_a_commit_is_seen(tmp_path: Path):
    clock = MovableClock(LATE)
    writer = Store(tmp_path, clock)
    load_demo(writer, now=EARLY)
    store = MemoizedAsyncStore(tmp_path, clock)
    try:
        with memo_module.one_look():
            before = await store.pools_and_provenance(DEFAULT_TENANT_ID)
            with memo_module.one_look():  # nested: the outer block's stamps
                assert await store.pools_and_provenance(DEFAULT_TENANT_ID) == before
        load_demo(writer, now=LATE)
        after = await store.pools_and_provenance(DEFAULT_TENANT_ID)
        assert after != before
        assert after == (
            Store(tmp_path, clock).pools(DEFAULT_TENANT_ID),
            Store(tmp_path, clock).provenance(DEFAULT_TENANT_ID),
        )
    finally:
        store.close()
