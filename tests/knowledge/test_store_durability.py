"""Crashes, kills, concurrent readers and writers, chunking, and the async wrapper.

Generated exports (``make_pstn_csv``) hold French MCOPSTN1 calls of 120 s each, so every
committed call adds exactly 2 minutes to the FR MCOPSTN1 domestic pool: a used-minutes figure
that is not twice the call count, or not a whole number of batches, is a half-applied batch.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pytest

from knowledge.pools import PoolLine
from knowledge.store import AsyncStore, Store
from knowledge.store import importing as store_import
from knowledge.store import writer as store_writer
from testkit.narrow import present

REPO = Path(__file__).resolve().parents[2]
FR_POOL: tuple[str, str, PoolLine] = ("FR", "MCOPSTN1", "domestic")
AS_OF = date(2025, 6, 28)


def _used(store: Store, tenant: str = "contoso") -> int:
    pools = {(b.country, b.plan, b.line): b for b in store.pools(tenant, "2025-06", AS_OF)}
    return pools[FR_POOL].used_minutes if FR_POOL in pools else 0


def _data_files(data_dir: Path) -> set[str]:
    root = data_dir / "store" / "tenants"
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and p.name != "imports.json"}


def _committed_files(store: Store, tenant: str = "contoso") -> set[str]:
    from knowledge.store.layout import read_summary

    summary = read_summary(store.layout.summary_path(tenant), tenant)
    return {f"{tenant}/{name}" for name in summary.files()} | {f"{tenant}/summary.json"}


def _import_script(batch_rows: int) -> str:
    return (
        "import sys\n"
        "from knowledge.store import importing as store_import\n"
        f"store_import.BATCH_ROWS = {batch_rows}\n"
        "from knowledge.store import Store\n"
        "summary = Store(sys.argv[1]).import_paths(sys.argv[2:], tenant_id='contoso')\n"
        "print(summary.imported, summary.duplicates)\n"
    )


def test_exception_mid_import_keeps_whole_batches_only(store, make_pstn_csv, monkeypatch) -> None:
    monkeypatch.setattr(store_import, "BATCH_ROWS", 100)
    export = make_pstn_csv(450)
    real_checkpoint = store_writer.checkpoint
    calls = {"n": 0}

    def failing_checkpoint(name: str) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk on fire")
        real_checkpoint(name)

    monkeypatch.setattr(store_writer, "checkpoint", failing_checkpoint)
    with pytest.raises(RuntimeError, match="disk on fire"):
        store.import_paths([export], "contoso")
    # Two batches committed, the third never was: 200 calls, 400 minutes, readable.
    reopened = Store(store.layout.data_dir)
    assert reopened.call_count("contoso") == 200 and _used(reopened) == 400

    monkeypatch.setattr(store_writer, "checkpoint", real_checkpoint)
    summary = reopened.import_paths([export], "contoso")
    assert (summary.imported, summary.duplicates) == (250, 200)
    assert reopened.call_count("contoso") == 450 and _used(reopened) == 900
    assert _data_files(store.layout.data_dir) == _committed_files(reopened)  # orphans cleaned


def test_sigkill_mid_import_leaves_the_previous_batches_intact(tmp_path, make_pstn_csv) -> None:
    data = tmp_path / "data"
    export = make_pstn_csv(2500)
    env = {**os.environ, store_writer.KILL_AT_ENV: "before-commit:3"}
    killed = subprocess.run(
        [sys.executable, "-c", _import_script(500), str(data), str(export)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    # The third batch's data files were written but never committed: orphans on disk...
    store = Store(data)
    assert _data_files(data) - _committed_files(store), "expected the killed batch's files on disk"
    # ...which nobody reads: the store opens, and holds exactly the first two batches.
    assert store.ping()
    assert store.call_count("contoso") == 1000 and _used(store) == 2000
    assert sum(1 for _ in store.calls("contoso", "2025-06")) == 1000

    resumed = store.import_paths([export], "contoso")
    assert (resumed.imported, resumed.duplicates) == (1500, 1000)
    assert store.call_count("contoso") == 2500 and _used(store) == 5000  # no double counting
    assert _data_files(data) == _committed_files(store)


def test_two_processes_importing_at_once_lose_nothing(tmp_path, make_pstn_csv) -> None:
    data = tmp_path / "data"
    first, second = make_pstn_csv(2000, tag=1), make_pstn_csv(2000, tag=2)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _import_script(250), str(data), str(path)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path in (first, second)
    ]
    outputs = [proc.communicate(timeout=120) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], outputs
    assert [out.split() for out, _ in outputs] == [["2000", "0"], ["2000", "0"]]
    store = Store(data)
    assert store.call_count("contoso") == 4000 and _used(store) == 8000
    assert _data_files(data) == _committed_files(store)


def test_readers_never_see_half_a_batch(store, make_pstn_csv, monkeypatch) -> None:
    monkeypatch.setattr(store_import, "BATCH_ROWS", 200)
    export = make_pstn_csv(3000)
    reader = Store(store.layout.data_dir)  # like the bot: another Store on the same folder
    seen: list[int] = []
    failures: list[BaseException] = []
    done = threading.Event()

    def read_loop() -> None:
        try:
            while not done.is_set():
                seen.append(_used(reader))
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    thread = threading.Thread(target=read_loop)
    thread.start()
    try:
        store.import_paths([export], "contoso")
    finally:
        done.set()
        thread.join(timeout=30)
    assert not failures
    assert all(used % 400 == 0 for used in seen), sorted(set(seen))  # 200 calls x 2 min per batch
    assert max([*seen, _used(reader)]) == 6000 and len(seen) > 1


def test_months_are_partitioned_and_chunks_stay_small(store, make_pstn_csv, monkeypatch) -> None:
    monkeypatch.setattr(store_writer, "CHUNK_ROWS", 40)
    monkeypatch.setattr(store_import, "BATCH_ROWS", 25)
    june, july = make_pstn_csv(95), make_pstn_csv(30, tag=1, month="2025-07")
    store.import_paths([june, july], "contoso")
    # A small second import tops up the last June chunk (copied to a new file).
    store.import_paths([make_pstn_csv(7, start_row=95)], "contoso")
    summary = store._view("contoso").summary
    assert sorted(summary.chunks) == ["2025-06", "2025-07"]
    assert [c.rows for c in summary.chunks["2025-06"]] == [40, 40, 22]
    assert [c.rows for c in summary.chunks["2025-07"]] == [30]
    assert store.call_count("contoso", "2025-06") == 102
    ids = [c.id for c in store.calls("contoso", "2025-06")]
    assert len(ids) == len(set(ids)) == 102
    assert _data_files(store.layout.data_dir) == _committed_files(store)
    again = store.import_paths([june], "contoso")
    assert (again.imported, again.duplicates) == (0, 95)


def test_a_file_failing_half_way_keeps_its_committed_batches(store, make_pstn_csv, monkeypatch) -> None:
    monkeypatch.setattr(store_import, "BATCH_ROWS", 100)
    export = make_pstn_csv(300)
    good = export.read_bytes()
    broken = export.with_name("broken.csv")
    cut = good.index(b"\r\n", len(good) * 2 // 3)
    broken.write_bytes(good[:cut] + b"\r\n\xff\xfe not utf-8 " + good[cut:])
    summary = store.import_paths([broken], "contoso")
    result = summary.files[0]
    assert result.error and "not UTF-8" in result.error and "kept" in result.error
    assert result.imported % 100 == 0 and 0 < result.imported < 300
    assert store.call_count("contoso") == result.imported
    fixed = store.import_paths([export], "contoso").files[0]
    assert fixed.imported + fixed.duplicates == 300 and store.call_count("contoso") == 300


async def test_async_store_runs_off_the_event_loop(tmp_path, fixtures, make_pstn_csv, monkeypatch) -> None:
    threads: list[str] = []
    real_pools = Store.pools

    def spy(self, *args, **kwargs):
        threads.append(threading.current_thread().name)
        return real_pools(self, *args, **kwargs)

    monkeypatch.setattr(Store, "pools", spy)
    store = AsyncStore(tmp_path / "data")
    try:
        assert await store.ping() and await store.is_empty()
        summary = await store.import_paths(
            [fixtures / "users.admin-center.csv", make_pstn_csv(10)], tenant_id="contoso"
        )
        assert summary.imported == 18
        assert await store.tenants() == ["contoso"] and await store.resolve_tenant(None) == "contoso"
        assert len(await store.users("contoso")) == 8
        assert present(await store.find_user("contoso", "Dave Smith")).usage_location == "GB"
        results = await asyncio.gather(*(store.pools("contoso", "2025-06", AS_OF) for _ in range(5)))
        assert all(r == results[0] for r in results)
        used = {(b.country, b.plan, b.line): b.used_minutes for b in results[0]}
        assert used[FR_POOL] == 20
    finally:
        store.close()
    assert threads and all(name.startswith("callplan-store") for name in threads)
    assert threading.main_thread().name not in threads
