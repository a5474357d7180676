"""Knowledge benchmarks: catalog load, number check cost, pool computation.

* ``catalog_load``: parse + validate + cross-check + index all ``knowledge/data`` files
  (uncached), against a baseline of bare ``json.loads`` of the same files. Goal: < 500 ms.
* ``catalog_cold_start``: a fresh interpreter importing ``knowledge.catalog`` and loading it,
  against a fresh interpreter doing nothing (``python -c pass``): what start-up really pays.
* ``check_call``: cost per call of :func:`knowledge.numbers.check_call` over a mix of formats
  (E.164, national, 00, masked, premium, emergency, invalid), against a bare
  ``phonenumbers.parse`` of the same strings in the same run. Goal: well under 1 ms.
* ``usage_from_calls``: per-call cost of assigning calls to pools and summing them, against a
  bare loop that groups the same calls by (usage location, capability) with the same rounding.

Run: ``python -m bench.bench_knowledge`` (``--quick`` for fewer repetitions).
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import phonenumbers

from bench.common import main, median_seconds, result
from knowledge import catalog as catalog_module
from knowledge.numbers import check_call
from knowledge.pools import usage_from_calls
from knowledge.store.records import CallRecord

ROOT = Path(__file__).resolve().parents[1]

#: (number, caller country, plan): a realistic mix of what admins paste.
CHECKS = [
    ("+33 1 23 45 67 89", "FR", "MCOPSTN1"),
    ("01 23 45 67 89", "FR", "MCOPSTN1"),
    ("0033 1 23 45 67 89", "DE", "MCOPSTN2"),
    ("+49 30 123456", "FR", "MCOPSTN1"),
    ("(212) 555-0123", "US", "MCOPSTN1"),
    ("+1 604 555 0123", "US", "MCOPSTN1"),
    ("+33 1 23 45 ****", "FR", "MCOPSTN2"),
    ("0845 123 4567", "GB", "MCOPSTN1"),
    ("0911 123 4567", "GB", "MCOPSTN1"),
    ("08 99 12 34 56", "FR", "MCOPSTN1"),
    ("0800 123 456", "FR", "MCOPSTN1"),
    ("112", "FR", "MCOPSTN1"),
    ("+53 7 8123456", "DE", "MCOPSTN2"),
    ("02 9876 5432", "AU", "TELSTRA_CALLING"),
    ("+1 555 555 5555", "US", "MCOPSTN1"),
    ("not a number", "FR", "MCOPSTN1"),
]


def bench_catalog_load(quick: bool) -> list[dict[str, Any]]:
    data_dir = catalog_module.DATA_DIR
    files = [data_dir / name for name in catalog_module._FILENAMES.values()]
    repeat = 5 if quick else 20
    catalog_module._load(data_dir)  # warm the imports
    load = median_seconds(lambda: catalog_module._load(data_dir), repeat)
    raw = median_seconds(lambda: [json.loads(p.read_text(encoding="utf-8")) for p in files], repeat)
    size_kb = sum(p.stat().st_size for p in files) / 1024
    return [
        result(
            "catalog_load",
            "load_ms",
            load * 1000,
            "ms",
            raw * 1000,
            f"validate+index {len(files)} files ({size_kb:.0f} KB) vs bare json.loads; goal < 500 ms",
        )
    ]


def bench_cold_start(quick: bool) -> list[dict[str, Any]]:
    repeat = 2 if quick else 5
    code = "from knowledge.catalog import load_catalog; load_catalog()"

    def spawn(source: str) -> None:
        subprocess.run([sys.executable, "-c", source], cwd=ROOT, check=True, timeout=60)

    spawn(code)
    loaded = median_seconds(lambda: spawn(code), repeat)
    bare = median_seconds(lambda: spawn("pass"), repeat)
    return [
        result(
            "catalog_cold_start",
            "process_ms",
            loaded * 1000,
            "ms",
            bare * 1000,
            "fresh interpreter: import + load the catalog vs an empty interpreter",
        )
    ]


def bench_check_call(quick: bool) -> list[dict[str, Any]]:
    rounds = 100 if quick else 600
    for number, country, plan in CHECKS:  # warm caches and metadata
        check_call(number, country, plan)

    def ours() -> None:
        for _ in range(rounds):
            for number, country, plan in CHECKS:
                check_call(number, country, plan)

    def bare() -> None:
        for _ in range(rounds):
            for number, country, _plan in CHECKS:
                with contextlib.suppress(phonenumbers.NumberParseException):
                    phonenumbers.parse(number, country)

    calls = rounds * len(CHECKS)
    ours_s = median_seconds(ours, 3)
    bare_s = median_seconds(bare, 3)
    return [
        result(
            "check_call",
            "per_call_us",
            ours_s / calls * 1e6,
            "us",
            bare_s / calls * 1e6,
            f"{len(CHECKS)} mixed inputs x {rounds}; baseline bare phonenumbers.parse; goal well under 1000 us",
        )
    ]


def _calls(count: int) -> list[CallRecord]:
    start = datetime(2025, 6, 1, tzinfo=UTC)
    people = [
        ("FR", "MCOPSTN1", "+33 1 23 45 ****"),
        ("FR", "MCOPSTN2", "+49 30 123****"),
        ("US", "MCOPSTN1", "+1 212 555 0123"),
        ("PR", "MCOPSTN1", "+1 604 555 0123"),
        ("DE", "MCOPSTN2", None),
        ("GB", "MCOPSTN_PAYG_1", "+44 20 7946 0018"),
    ]
    out = []
    for i in range(count):
        country, capability, number = people[i % len(people)]
        out.append(
            CallRecord(
                id=str(i),
                tenant_id="t",
                source="pstn_csv",
                call_type="user_out" if i % 5 else "user_in",
                start=start + timedelta(minutes=i),
                duration_seconds=30 + i % 900,
                usage_location=country,
                capability=capability,
                number=number,
                destination_context=None if i % 2 else "Domestic",
                upn=f"user{i % 50}@contoso.com",
            )
        )
    return out


def bench_usage(quick: bool) -> list[dict[str, Any]]:
    calls = _calls(2_000 if quick else 20_000)
    usage_from_calls(calls[:100], "2025-06")

    def bare() -> None:
        totals: dict[tuple[str | None, str | None], int] = {}
        for call in calls:
            if call.call_type == "user_out" and call.month == "2025-06":
                key = (call.usage_location, call.capability)
                totals[key] = totals.get(key, 0) + -(-call.duration_seconds // 60)

    ours_s = median_seconds(lambda: usage_from_calls(calls, "2025-06"), 3)
    bare_s = median_seconds(bare, 3)
    return [
        result(
            "usage_from_calls",
            "per_call_us",
            ours_s / len(calls) * 1e6,
            "us",
            bare_s / len(calls) * 1e6,
            f"{len(calls)} calls, half without destination context (number parsed); "
            "baseline: group by location+capability",
        )
    ]


def run(quick: bool = False) -> list[dict[str, Any]]:
    return [*bench_catalog_load(quick), *bench_cold_start(quick), *bench_check_call(quick), *bench_usage(quick)]


if __name__ == "__main__":
    sys.exit(main(run, description=__doc__.splitlines()[0]))
