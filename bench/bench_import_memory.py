"""Import memory: peak RSS of ``callplan import`` on a 1 GiB PSTN usage export.

* ``import_peak_rss``: a fresh interpreter imports a generated 1 GiB ``PSTN.calls.*.csv``
  (~3.8M calls of 500 users in one month, the 20 documented columns) into an empty store, and
  reports its peak resident set size (``ru_maxrss``). Baseline: a fresh interpreter reading
  the same file with a plain ``csv.reader`` (the least any CSV pass holds). Goal: < 150 MB.
  It was 345 MB at 900k rows and growing with the file before the imports streamed their
  duplicate check to disk (issue 13).
* ``import_peak_rss_small``: the same at 1/16 of the size, to show the peak does not grow
  with the file.

The file is generated on the fly in a temporary folder (it is highly compressible; nothing
is kept). Run: ``python -m bench.bench_import_memory`` (``--quick``: 64 MiB and 4 MiB). The
full run imports 3.9M rows: 19 minutes on 2 cores shared with other work (load 5), more than
``make bench``'s default 240 s per benchmark, so record it with
``python -m bench --only import_memory --timeout 1500``, once, not in a loop.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path
from typing import Any

from bench.common import main, result
from knowledge.importers.pstn_csv import PSTN_COLUMNS

TENANT = "bench-tenant"
COUNTRIES = (
    ("FR", "France", "+3314"),
    ("GB", "United Kingdom", "+44207"),
    ("DE", "Germany", "+4930"),
    ("US", "United States", "+1206"),
)
PLANS = ("MCOPSTN1", "MCOPSTN2", "MCOPSTN5")
CALL_TYPES = ("user_out", "user_out", "user_out", "user_in", "user_out_transfer")

#: Peak RSS of this process in kB. ``VmHWM`` belongs to the process's own memory map, while
#: ``ru_maxrss`` is preserved across ``execve`` (getrusage(2)), so a child would report its
#: parent's peak when that is higher.
PEAK_KB = textwrap.dedent("""
    def peak_kb():
        try:
            with open("/proc/self/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
        except OSError:
            pass
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
""")
IMPORT_CHILD = PEAK_KB + textwrap.dedent("""
    import json, sys, time
    from knowledge.store import Store
    store = Store(sys.argv[2])
    begin = time.perf_counter()
    summary = store.import_paths([sys.argv[1]], tenant_id=sys.argv[3])
    print(json.dumps({"seconds": time.perf_counter() - begin, "imported": summary.imported,
                      "rejected": summary.rejected,
                      "maxrss_kb": peak_kb()}))
""")
CSV_CHILD = PEAK_KB + textwrap.dedent("""
    import csv, json, sys, time
    begin = time.perf_counter()
    with open(sys.argv[1], newline="", encoding="utf-8-sig") as handle:
        rows = sum(1 for _ in csv.reader(handle))
    print(json.dumps({"seconds": time.perf_counter() - begin, "rows": rows,
                      "maxrss_kb": peak_kb()}))
""")


def write_export(path: Path, target_bytes: int, seed: int = 11) -> int:
    """A PSTN usage export of about ``target_bytes``; returns its number of calls.

    Rows are formatted from a few templates (an f-string per row): 1 GiB in seconds, not the
    minutes ``csv.writer`` with fresh UUIDs per cell would take.
    """
    rng = random.Random(seed)
    people = []
    for n in range(500):
        iso, name, prefix = COUNTRIES[n % len(COUNTRIES)]
        plan = PLANS[n % len(PLANS)] if iso != "US" else "MCOPSTN1"
        people.append((iso, name, prefix, f"user{n}@contoso.com", str(uuid.UUID(int=rng.getrandbits(128))), plan))
    rows = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        handle.write(",".join(PSTN_COLUMNS) + "\r\n")
        written = 0
        lines: list[str] = []
        while written < target_bytes:
            iso, name, prefix, upn, oid, plan = people[rows % 500]
            kind = CALL_TYPES[rows % len(CALL_TYPES)]
            day, second = 1 + rows % 28, rows % 84_000
            seconds = 5 + rows % 1195
            begin = f"2025-06-{day:02d}T{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"
            end_second = second + seconds
            end = f"2025-06-{day:02d}T{end_second // 3600:02d}:{end_second // 60 % 60:02d}:{end_second % 60:02d}"
            number = f"{prefix}{rows % 9000 + 1000}****"
            scope = "" if kind == "user_in" else "Domestic"
            line = (
                f"{rows:08x}-5f1e-4c2a-9b7d-{rows * 7919 % 16**12:012x},{rows * 2654435761 % 2**64:016x},,"
                f"{iso},{oid},{upn},User {rows % 500},{number},{kind},Subscriber,{scope},{name},{number},"
                f"{begin}.0000000Z,{end}.0000000Z,{seconds},0.00,0.00,EUR,{plan}\r\n"
            )
            lines.append(line)
            written += len(line)
            rows += 1
            if len(lines) == 10_000:
                handle.write("".join(lines))
                lines.clear()
        handle.write("".join(lines))
    return rows


def _child(code: str, *args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", code, *args],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def measure(work: Path, size: int, label: str) -> list[dict[str, Any]]:
    export = work / f"PSTN.calls.{label}.csv"
    begin = time.perf_counter()
    rows = write_export(export, size)
    generated = time.perf_counter() - begin
    actual = export.stat().st_size
    baseline = _child(CSV_CHILD, str(export))
    assert baseline["rows"] == rows + 1, baseline
    imported = _child(IMPORT_CHILD, str(export), str(work / f"data-{label}"), TENANT)
    assert imported["imported"] == rows and imported["rejected"] == 0, imported
    export.unlink()
    peak_mb, base_mb = imported["maxrss_kb"] / 1024, baseline["maxrss_kb"] / 1024
    return [
        result(
            "import_peak_rss" if label == "full" else "import_peak_rss_small",
            f"{actual / 2**20:,.0f} MiB PSTN CSV, {rows:,} calls",
            peak_mb,
            "MB",
            base_mb,
            f"peak RSS (VmHWM) of a fresh interpreter importing it; baseline: plain csv.reader pass over the "
            f"same file; goal < 150 MB; import took {imported['seconds']:.0f} s "
            f"({rows / imported['seconds']:,.0f} rows/s), csv.reader {baseline['seconds']:.1f} s, "
            f"generating {generated:.0f} s",
        )
    ]


def run(quick: bool = False) -> list[dict[str, Any]]:
    full = (64 if quick else 1024) * 2**20
    with tempfile.TemporaryDirectory(prefix="bench-import-memory-") as tmp:
        work = Path(tmp)
        return measure(work, full // 16, "small") + measure(work, full, "full")


if __name__ == "__main__":
    sys.exit(main(run, description=__doc__.splitlines()[0]))
