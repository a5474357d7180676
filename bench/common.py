"""What every benchmark shares: the result row, timing and percentiles, the printed table.

One convention for the whole report, so rows can be read side by side: ``ratio`` is always
``value / baseline``, the baseline being measured in the same run. For a time or a size,
``ratio`` is how many times the baseline's (lower is better); for a rate (turns/s, rows/s) it
is the fraction of the baseline's rate (higher is better, 1.0 = as fast).

Values are rounded to four significant digits: more is noise on a shared 2-core machine, and a
fixed number of decimals would print 0.000123 ms and 12,345.6789 rows/s alike.
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable, Sequence
from typing import Any

#: The keys of one result row, in the order of the printed table.
COLUMNS = ("benchmark", "metric", "value", "unit", "baseline", "ratio")


def significant(value: float, digits: int = 4) -> float:
    """``value`` rounded to ``digits`` significant digits (0 stays 0)."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def result(
    benchmark: str, metric: str, value: float, unit: str, baseline: float | None = None, note: str = ""
) -> dict[str, Any]:
    """One row of the contract; ``ratio`` is ``value / baseline`` (None without a baseline)."""
    ratio = value / baseline if baseline else None
    return {
        "benchmark": benchmark,
        "metric": metric,
        "value": significant(float(value)),
        "unit": unit,
        "baseline": None if baseline is None else significant(float(baseline)),
        "ratio": None if ratio is None else significant(ratio),
        "note": note,
    }


def sample_seconds(fn: Callable[[], object], repeat: int) -> list[float]:
    """The wall time of each of ``repeat`` calls of ``fn``, in seconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def median(values: Sequence[float]) -> float:
    return percentile(values, 0.5)


def median_seconds(fn: Callable[[], object], repeat: int) -> float:
    """The median wall time of ``repeat`` calls of ``fn``: robust to a hiccup of the machine."""
    return median(sample_seconds(fn, repeat))


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0 < q <= 1) by linear interpolation between the nearest ranks.

    Interpolated so that p50 of an even count is the usual median and p99 of 100 samples
    sits between the two slowest rather than on either one.
    """
    if not values:
        raise ValueError("no samples")
    if not 0 <= q <= 1:
        raise ValueError(f"quantile {q} is not between 0 and 1")
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def fmt_number(value: float | None) -> str:
    """A readable cell: thousands separators for big numbers, 3-4 significant digits else."""
    if value is None:
        return "-"
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 1:
        return f"{value:.4g}" if magnitude < 100 else f"{value:.1f}"
    return f"{value:.3g}"


def fmt_ratio(ratio: float | None) -> str:
    return "-" if ratio is None else f"{fmt_number(ratio)}x"


def format_table(results: Sequence[dict[str, Any]]) -> str:
    """The rows as aligned text columns, each followed by its note (for ``python -m bench.X``)."""
    cells = [
        [
            r["benchmark"],
            r["metric"],
            fmt_number(r["value"]),
            r["unit"],
            fmt_number(r["baseline"]),
            fmt_ratio(r["ratio"]),
        ]
        for r in results
    ]
    widths = [max([len(name), *(len(row[i]) for row in cells)]) for i, name in enumerate(COLUMNS)]
    right = {2, 4, 5}

    def line(row: Sequence[str]) -> str:
        return "  ".join(
            cell.rjust(w) if i in right else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()

    lines = [line(COLUMNS)]
    for row, r in zip(cells, results, strict=True):
        lines.append(line(row))
        if r.get("note"):
            lines.append(f"    {r['note']}")
    return "\n".join(lines)


def main(
    run: Callable[..., list[dict[str, Any]]], argv: Sequence[str] | None = None, description: str | None = None
) -> int:
    """``python -m bench.bench_X [--quick]``: run one benchmark and print its table."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--quick", action="store_true", help="smaller sizes and shorter runs (a smoke test, not for the record)"
    )
    args = parser.parse_args(argv)
    print(format_table(run(quick=args.quick)))
    return 0
