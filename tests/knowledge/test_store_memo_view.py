"""The memo's read view (``knowledge.store.memo.one_read_view``, one per bot turn): inside it a
tenant's ``summary.json`` is stamped once, however many reads the turn makes; a commit by another
process during a view is seen by the next view (and, outside views, by the next call, as
always); an import made through the store inside a view is seen by that same view."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from knowledge.store import DEFAULT_TENANT_ID, Store
from knowledge.store import memo as memo_module
from knowledge.store.demo import load_demo, write_demo_files
from knowledge.store.memo import MemoizedAsyncStore, one_read_view

EARLY = datetime(2026, 11, 10, 12, tzinfo=UTC)
LATE = datetime(2026, 11, 26, 12, tzinfo=UTC)


def clock() -> datetime:
    return LATE


@pytest.fixture
def stamped(monkeypatch) -> Counter[str]:
    """The paths the memo stats (``_stat_stamp``), counted."""
    seen: Counter[str] = Counter()
    original = memo_module._stat_stamp

    def counted(path: Any) -> Any:
        seen[Path(path).name] += 1
        return original(path)

    monkeypatch.setattr(memo_module, "_stat_stamp", counted)
    return seen


async def _a_check_turns_reads(store: MemoizedAsyncStore) -> tuple[Any, ...]:
    """What a number check reads of the store: the tenants, the user, the pool, its provenance."""
    tenants = await store.tenants()
    user = await store.find_user(DEFAULT_TENANT_ID, "alice.martin@contoso.com")
    return tenants, user, await store.pools(DEFAULT_TENANT_ID), await store.provenance(DEFAULT_TENANT_ID)


async def test_a_view_stamps_each_summary_once(tmp_path: Path, stamped: Counter[str]):
    load_demo(Store(tmp_path, clock), now=LATE)
    store = MemoizedAsyncStore(tmp_path, clock)
    try:
        outside = await _a_check_turns_reads(store)
        assert stamped["summary.json"] == 3  # find_user, pools, provenance: one stat each
        for _ in range(2):
            stamped.clear()
            with one_read_view():
                assert await _a_check_turns_reads(store) == outside
            assert stamped["summary.json"] == 1  # each view: once
        stamped.clear()
        await _a_check_turns_reads(store)
        assert stamped["summary.json"] == 3  # the view is closed: every call stamps again
    finally:
        store.close()


async def test_a_commit_during_a_view_is_seen_by_the_next_view(tmp_path: Path):
    writer = Store(tmp_path, clock)
    load_demo(writer, now=EARLY)
    store = MemoizedAsyncStore(tmp_path, clock)
    try:
        with one_read_view():
            before = await store.pools(DEFAULT_TENANT_ID)
            load_demo(writer, now=LATE)  # another process's import: a new summary.json
            assert await store.pools(DEFAULT_TENANT_ID) == before  # this turn: what it read first
        with one_read_view():
            after = await store.pools(DEFAULT_TENANT_ID)
        assert after != before
        assert after == Store(tmp_path, clock).pools(DEFAULT_TENANT_ID)
    finally:
        store.close()


async def test_an_import_through_the_store_is_seen_by_the_same_view(tmp_path: Path):
    writer = Store(tmp_path, clock)
    load_demo(writer, now=EARLY)
    store = MemoizedAsyncStore(tmp_path, clock)
    try:
        with one_read_view():
            before = await store.pools(DEFAULT_TENANT_ID)
            paths = write_demo_files(tmp_path / "later", LATE)
            await store.import_paths(paths, tenant_id=DEFAULT_TENANT_ID)
            after = await store.pools(DEFAULT_TENANT_ID)
        assert after != before
        assert after == Store(tmp_path, clock).pools(DEFAULT_TENANT_ID)
    finally:
        store.close()


async def test_views_of_concurrent_turns_are_their_own(tmp_path: Path):
    """Each asyncio task (a turn) has its own view: a turn that begins after a commit sees it,
    while one that stamped before keeps what it read."""
    writer = Store(tmp_path, clock)
    load_demo(writer, now=EARLY)
    store = MemoizedAsyncStore(tmp_path, clock)
    committed = asyncio.Event()
    read_first = asyncio.Event()

    async def early_turn() -> tuple[Any, Any]:
        with one_read_view():
            first = await store.pools(DEFAULT_TENANT_ID)
            read_first.set()
            await committed.wait()
            return first, await store.pools(DEFAULT_TENANT_ID)

    async def late_turn() -> Any:
        await read_first.wait()
        load_demo(writer, now=LATE)
        committed.set()
        with one_read_view():
            return await store.pools(DEFAULT_TENANT_ID)

    try:
        (first, again), late = await asyncio.gather(early_turn(), late_turn())
        assert again == first
        assert late != first and late == Store(tmp_path, clock).pools(DEFAULT_TENANT_ID)
    finally:
        store.close()
