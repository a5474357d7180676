"""Store benchmarks: import speed of a PSTN usage export, and pool lookup latency by store size.

* ``import_rows_per_s``: ``Store.import_paths`` on a generated 100k-row ``PSTN.calls.*.csv``
  (the 20 documented columns), against a baseline of plain ``csv.reader`` over the same file
  (the floor any CSV import pays). Goal: >= 50,000 rows/s. Two more lines split the time:
  parsing + validation alone, and ``pools.usage_from_calls`` (the pool attribution) alone.
* ``pool_lookup``: ``Store.pools`` with 10k, 100k and 1M call rows stored, against a baseline
  of reading and parsing a tiny JSON file. Goal: < 1 ms at every size. The 10k and 100k stores
  are filled through the real import. The 1M store is filled by importing 100k rows and then
  hard-linking those partition files (and copying their summary totals) into nine more months:
  the same files the import writes, without spending a minute generating and parsing 1M CSV
  rows.
  A lookup reads only the summary, so how the rows got there does not change what it does.

Run: ``python -m bench.bench_store`` (``--quick`` for smaller sizes).
"""

from __future__ import annotations

import csv
import json
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import main, median, median_seconds, percentile, result, sample_seconds
from knowledge import pools
from knowledge.importers.detect import open_text
from knowledge.importers.pstn_csv import PSTN_COLUMNS, read_pstn_csv
from knowledge.importers.summary import RowError
from knowledge.store import Store
from knowledge.store.layout import read_summary, write_summary

TENANT = "bench-tenant"
MONTH = "2025-06"
COUNTRIES = (
    ("FR", "France", "+3314"),
    ("GB", "United Kingdom", "+44207"),
    ("DE", "Germany", "+4930"),
    ("US", "United States", "+1206"),
)
PLANS = ("MCOPSTN1", "MCOPSTN2", "MCOPSTN5")
CALL_TYPES = ("user_out", "user_out", "user_out", "user_in", "user_out_transfer", "user_out_forwarding")


def write_pstn_csv(path: Path, rows: int, month: str = MONTH, seed: int = 7, users: int = 500) -> Path:
    """A realistic ``PSTN.calls`` export of ``rows`` calls in ``month`` (UTC)."""
    rng = random.Random(seed)
    year, mon = map(int, month.split("-"))
    start = datetime(year, mon, 1, tzinfo=UTC)
    people = []
    for n in range(users):
        iso, name, prefix = COUNTRIES[n % len(COUNTRIES)]
        people.append(
            (
                iso,
                name,
                prefix,
                f"user{n}@contoso.com",
                str(uuid.UUID(int=rng.getrandbits(128))),
                PLANS[n % len(PLANS)] if iso != "US" or n % 3 != 2 else "MCOPSTN1",
            )
        )
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(PSTN_COLUMNS)
        for _ in range(rows):
            iso, name, prefix, upn, oid, plan = people[rng.randrange(users)]
            kind = CALL_TYPES[rng.randrange(len(CALL_TYPES))]
            begin = start + timedelta(seconds=rng.randrange(27 * 86400))
            seconds = rng.randint(5, 1200)
            number = f"{prefix}{rng.randrange(1000, 9999)}****"
            writer.writerow(
                (
                    uuid.UUID(int=rng.getrandbits(128), version=4),
                    f"{rng.getrandbits(64):016x}",
                    "",
                    iso,
                    oid,
                    upn,
                    f"User {upn[:-12]}",
                    number,
                    kind,
                    "Subscriber",
                    "" if kind == "user_in" else "Domestic",
                    name,
                    number,
                    begin.strftime("%Y-%m-%dT%H:%M:%S.0000000Z"),
                    (begin + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.0000000Z"),
                    seconds,
                    "0.00",
                    "0.00",
                    "EUR",
                    plan,
                )
            )
    return path


def write_roster(path: Path, users: int = 500) -> Path:
    with path.open("w", newline="") as handle:
        handle.write("upn,usage_location,licenses\n")
        for n in range(users):
            iso = COUNTRIES[n % len(COUNTRIES)][0]
            plan = PLANS[n % len(PLANS)] if iso != "US" or n % 3 != 2 else "MCOPSTN1"
            handle.write(f"user{n}@contoso.com,{iso},SPE_E5+{plan}\n")
    return path


def _csv_reader_baseline(path: Path) -> float:
    begin = time.perf_counter()
    with path.open(newline="", encoding="utf-8-sig") as handle:
        count = sum(1 for _ in csv.reader(handle))
    assert count > 0
    return time.perf_counter() - begin


def bench_import(work: Path, rows: int) -> list[dict[str, Any]]:
    export = write_pstn_csv(work / "PSTN.calls.2025-06-30.csv", rows)
    baseline = min(_csv_reader_baseline(export) for _ in range(3))
    store = Store(work / "import-data")
    begin = time.perf_counter()
    summary = store.import_paths([export], tenant_id=TENANT)
    elapsed = time.perf_counter() - begin
    assert summary.imported == rows, summary
    begin = time.perf_counter()
    again = store.import_paths([export], tenant_id=TENANT)
    reimport = time.perf_counter() - begin
    assert again.imported == 0 and again.duplicates == rows
    # Where the time goes: parsing + validation alone, and the pool aggregation alone.
    begin = time.perf_counter()
    with export.open("rb") as handle:
        calls = [c for c in read_pstn_csv(open_text(handle), TENANT) if not isinstance(c, RowError)]
    parse = time.perf_counter() - begin
    begin = time.perf_counter()
    pools.usage_from_calls(calls, MONTH)
    usage = time.perf_counter() - begin
    base_rate = rows / baseline
    return [
        result(
            "import_parse_rows_per_s",
            "read_pstn_csv (parse + pydantic)",
            rows / parse,
            "rows/s",
            base_rate,
            f"{parse / elapsed:.0%} of the import time; baseline: csv.reader only",
        ),
        result(
            "import_pool_usage_rows_per_s",
            "pools.usage_from_calls",
            rows / usage,
            "rows/s",
            base_rate,
            f"{usage / elapsed:.0%} of the import time; baseline: csv.reader only",
        ),
        result(
            "import_rows_per_s",
            f"{rows:,}-row PSTN CSV",
            rows / elapsed,
            "rows/s",
            base_rate,
            f"baseline: csv.reader only; goal >= 50,000 rows/s; took {elapsed:.2f} s",
        ),
        result(
            "reimport_rows_per_s",
            f"{rows:,} duplicates",
            rows / reimport,
            "rows/s",
            base_rate,
            "same file again: every row a duplicate; baseline: csv.reader only",
        ),
    ]


def _fill(data_dir: Path, work: Path, rows: int) -> Store:
    store = Store(data_dir)
    store.import_paths([write_roster(work / f"roster-{rows}.csv")], tenant_id=TENANT)
    store.import_paths([write_pstn_csv(work / f"PSTN.calls.{rows}.csv", rows)], tenant_id=TENANT)
    return store


def _replicate_months(store: Store, months: int) -> None:
    """Copy MONTH's partition into ``months`` more months, summary totals included."""
    tenant_dir = store.layout.tenant_dir(TENANT)
    path = store.layout.summary_path(TENANT)
    summary = read_summary(path, TENANT)
    for offset in range(1, months + 1):
        month = f"{2025 - (offset >= 6):04d}-{(6 - offset - 1) % 12 + 1:02d}"
        # Chunk files are immutable once written, so a hard link is as good as a copy.
        shutil.copytree(tenant_dir / "calls" / MONTH, tenant_dir / "calls" / month, copy_function=os.link)
        summary.chunks[month] = [chunk.model_copy() for chunk in summary.chunks[MONTH]]
        summary.usage[month] = dict(summary.usage[MONTH])
    summary.generation += 1
    write_summary(path, summary, summary.updated_at or datetime(2025, 6, 30, tzinfo=UTC))


def _lookup_us(store: Store, repeats: int) -> tuple[float, float, float]:
    """(median, p99, first) microseconds of ``Store.pools`` for the bench month."""
    fresh = Store(store.layout.data_dir)
    begin = time.perf_counter()
    fresh.pools(TENANT, MONTH, date(2025, 6, 20))
    first = (time.perf_counter() - begin) * 1e6
    samples = [s * 1e6 for s in sample_seconds(lambda: fresh.pools(TENANT, MONTH, date(2025, 6, 20)), repeats)]
    return median(samples), percentile(samples, 0.99), first


def _tiny_json_us(work: Path, repeats: int) -> float:
    tiny = work / "tiny.json"
    tiny.write_text(json.dumps({"pool": "FR|MCOPSTN1|domestic", "used": 17}))
    return median_seconds(lambda: json.loads(tiny.read_bytes()), repeats) * 1e6


def bench_lookup(work: Path, sizes: list[int], repeats: int) -> list[dict[str, Any]]:
    baseline = _tiny_json_us(work, repeats)
    results = []
    built: dict[int, Store] = {}
    for rows in sizes:
        if rows >= 1_000_000:
            base = 100_000
            store = built.get(base) or _fill(work / f"data-{base}", work, base)
            target = work / f"data-{rows}"
            shutil.copytree(store.layout.data_dir, target, copy_function=os.link)
            store = Store(target)
            _replicate_months(store, rows // base - 1)
            how = f"import of {base:,} rows, partition hard-linked into {rows // base - 1} more months"
        else:
            store = _fill(work / f"data-{rows}", work, rows)
            built[rows] = store
            how = "real import"
        stored = sum(store.call_count(TENANT, m) for m in store.months(TENANT))
        assert stored == rows, (stored, rows)
        typical, p99, first = _lookup_us(store, repeats)
        results.append(
            result(
                "pool_lookup",
                f"{rows:,} calls stored",
                typical,
                "us",
                baseline,
                f"p99 {p99:.0f} us, first (cold) {first:.0f} us; goal < 1000 us; baseline: tiny JSON read+parse; {how}",
            )
        )
    return results


def run(quick: bool = False) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
        work = Path(tmp)
        results = bench_import(work, 20_000 if quick else 100_000)
        sizes = [10_000, 100_000] if quick else [10_000, 100_000, 1_000_000]
        results += bench_lookup(work, sizes, 200 if quick else 2000)
    return results


if __name__ == "__main__":
    sys.exit(main(run, description=__doc__.splitlines()[0]))
