"""Pool lookups from memory while the summary file is unchanged (``knowledge/store/memo.py``):
a repeated lookup does not reach the store's thread, any commit (another process's import) is
seen on the next lookup, and "today" still comes from the clock on every call."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from knowledge.store import DEFAULT_TENANT_ID, Store
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
    """How many times each read reached the synchronous store (the worker thread)."""
    counts = {"pools": 0, "provenance": 0}
    for name in counts:
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
