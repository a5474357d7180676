"""The usage store on Azure Blob Storage (Azurite on loopback) against the local store.

* ``pool_lookup_blob``: ``Store.pools`` of a warm store, nothing changed since the last lookup:
  the blob store asks for the summary with If-None-Match (a 304, no body), the local one reads
  the summary file; ratio blob / local. Also counted: requests and bodies per lookup.
* ``pool_lookup_blob_changed``: a lookup right after another replica committed (the summary
  downloaded and parsed again), vs the same on the local store.
* ``import_rows_per_s_blob``: ``Store.import_paths`` of an N-row PSTN export into an empty
  tenant, blob vs local (ratio < 1: the blob store is slower).

Azurite is an emulator on 127.0.0.1 sharing this machine's 2 cores: these figures show the cost
of the protocol (round trips, no body on an unchanged summary), not of Azure, where every round
trip is a few ms in-region. Needs Azurite installed (``make azurite``).

Run: ``python -m bench.bench_store_backends`` (``--quick`` for smaller sizes).
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench.bench_store import MONTH, TENANT, write_pstn_csv, write_roster
from bench.common import main, median, percentile, result, sample_seconds
from knowledge.store import Store
from knowledge.store.objects import CountingObjects
from knowledge.store.shared import SharedStore

#: The tests' Azurite helper (start on a free loopback port, stop by PID) lives here.
TESTKIT = Path(__file__).resolve().parent.parent / "tests" / "support"

AS_OF = date(2025, 6, 20)


def _blob_store(connection_string: str, container: str, data_dir: Path) -> tuple[SharedStore, CountingObjects]:
    from bot.blob_objects import AzureBlobObjects

    objects = CountingObjects(AzureBlobObjects(connection_string, container))
    return SharedStore(objects, data_dir), objects


def _import(store: Store, export: Path, roster: Path) -> float:
    store.import_paths([roster], tenant_id=TENANT)
    begin = time.perf_counter()
    summary = store.import_paths([export], tenant_id=TENANT)
    elapsed = time.perf_counter() - begin
    assert summary.ok and summary.imported > 0, summary
    return elapsed


def _lookups_us(store: Store, repeats: int) -> list[float]:
    store.pools(TENANT, MONTH, AS_OF)  # warm
    return [s * 1e6 for s in sample_seconds(lambda: store.pools(TENANT, MONTH, AS_OF), repeats)]


def _changed_us(store: Store, other: Store, work: Path, rounds: int) -> list[float]:
    """Lookups each right after ``other`` (another replica) committed one more call."""
    samples = []
    for n in range(rounds):
        other.import_paths([write_pstn_csv(work / f"PSTN.calls.one-{n}.csv", 1, seed=1000 + n)], tenant_id=TENANT)
        begin = time.perf_counter()
        store.pools(TENANT, MONTH, AS_OF)
        samples.append((time.perf_counter() - begin) * 1e6)
    return samples


def run(quick: bool = False) -> list[dict[str, Any]]:
    sys.path.insert(0, str(TESTKIT))
    from testkit.azurite import running_azurite

    rows = 20_000 if quick else 50_000
    repeats = 100 if quick else 400
    rounds = 5 if quick else 20
    with tempfile.TemporaryDirectory(prefix="bench-store-backends-") as tmp:
        work = Path(tmp)
        export = write_pstn_csv(work / "PSTN.calls.2025-06-30.csv", rows)
        roster = write_roster(work / "roster.csv")
        local = Store(work / "local")
        local_import = _import(local, export, roster)
        local_lookup = _lookups_us(local, repeats)
        local_changed = _changed_us(local, Store(work / "local"), work, rounds)
        with running_azurite(work / "azurite") as azurite:
            blob, counted = _blob_store(azurite.connection_string, "bench", work / "blob")
            blob_import = _import(blob, export, roster)
            blob.pools(TENANT, MONTH, AS_OF)
            before = dict(counted.counts)
            blob_lookup = _lookups_us(blob, repeats)
            lookups = repeats + 1
            requests = (counted.counts["get"] - before["get"]) / lookups
            bodies = (counted.counts["get_body"] - before["get_body"]) / lookups
            other, _ = _blob_store(azurite.connection_string, "bench", work / "blob-other")
            blob_changed = _changed_us(blob, other, work, rounds)
            blob.close()
            other.close()
    where = "Azurite 3.35 on 127.0.0.1 (same 2 cores), not Azure"
    return [
        result(
            "store_backends",
            "pool_lookup_blob_unchanged",
            median(blob_lookup),
            "us",
            median(local_lookup),
            f"median of {repeats}, p99 {percentile(blob_lookup, 0.99):.0f} us; {requests:.2f} requests and "
            f"{bodies:.2f} bodies per lookup (If-None-Match: 304); baseline: local store; {where}",
        ),
        result(
            "store_backends",
            "pool_lookup_blob_after_a_commit",
            median(blob_changed),
            "us",
            median(local_changed),
            f"median of {rounds} lookups, each after another replica's commit (summary downloaded "
            f"and parsed); baseline: local store; {where}",
        ),
        result(
            "store_backends",
            f"import_rows_per_s_blob ({rows:,} rows)",
            rows / blob_import,
            "rows/s",
            rows / local_import,
            f"blob {blob_import:.2f} s vs local {local_import:.2f} s; baseline: local store; {where}",
        ),
    ]


if __name__ == "__main__":
    sys.exit(main(run, description=__doc__.splitlines()[0]))
