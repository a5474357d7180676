"""The goals of issue 14, checked against the rows of a report: the "Goals" table at the top
of ``bench/REPORT.md``. Each line says the goal, what was measured (and by which benchmark
run) and whether it is met; a goal whose rows are missing says so instead of guessing."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol


class _Row(Protocol):
    benchmark: str
    metric: str
    value: float
    baseline: float | None
    ratio: float | None


#: The three real turns the goals name, by their benchmark name in ``bench_chat``.
TURNS = (
    ("turn: pool lookup", "pool lookup"),
    ("turn: number check", "number check"),
    ("turn: dialog step", "purchase step"),
)
#: The open-loop rows of ``bench_chat`` (32 admins, Poisson arrivals): metric suffix per turn.
OPEN_LOOP = (
    "turn: open loop, 32 admins",
    (("pool", "pool lookup"), ("check", "number check"), ("dialog", "purchase step")),
)
#: ``bench_turn``'s benchmark, and its modes that are the host's floor under the goals' turns.
FLOOR = "turn: host plumbing"
FLOORS = (
    ("atonce", "a message answered at once (pool lookup, number check; no state written)"),
    ("memory", "a dialog turn (purchase step; one-step dialog, in-memory state)"),
)
MIN_RATIO = 0.12
MAX_P99_MS = 20.0
MAX_CLI_S, MAX_CLI_X = 0.3, 6.0
MAX_HEALTHZ_S = 1.5


def _ms(value: float) -> str:
    return f"{value:.3g} ms" if value < 100 else f"{value:,.0f} ms"


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("**met**" if ok else "not met")


def goal_lines(rows: Iterable[Any]) -> list[str]:
    """Markdown lines: a table of goals, measured values and verdicts."""
    by_key: dict[tuple[str, str], _Row] = {(r.benchmark, r.metric): r for r in rows}

    def get(benchmark: str, metric: str) -> _Row | None:
        return by_key.get((benchmark, metric))

    table = ["| goal | measured | verdict |", "|---|---|---|"]
    for benchmark, label in TURNS:
        for concurrency in (1, 32):
            rate = get(benchmark, f"turns_per_s_c{concurrency}")
            cpu = get(benchmark, f"cpu_ms_per_turn_c{concurrency}")
            if rate is None or rate.ratio is None:
                table.append(f"| {label}, {concurrency} conv.: >= {MIN_RATIO}x raw aiohttp | not measured | n/a |")
                continue
            per_core = f"; per core (CPU time): {1 / cpu.ratio:.3g}x" if cpu and cpu.ratio else ""
            ok = rate.ratio >= MIN_RATIO and (cpu is None or cpu.ratio is None or 1 / cpu.ratio >= MIN_RATIO)
            table.append(
                f"| {label}, {concurrency} conv.: >= {MIN_RATIO}x raw aiohttp | "
                f"throughput {rate.ratio:.3g}x{per_core} | {_verdict(ok)} |"
            )
        p99 = get(benchmark, "p99_ms_c32")
        table.append(
            f"| {label}, 32 conv.: p99 <= {MAX_P99_MS:g} ms | "
            f"{'not measured' if p99 is None else _ms(p99.value)} | "
            f"{_verdict(None if p99 is None else p99.value <= MAX_P99_MS)} |"
        )
    # The closed-loop goal's own floor: the raw handler under the same 32 back-to-back
    # conversations (if it cannot meet the p99 goal either, the goal is inconsistent as measured).
    raw_p99 = get(TURNS[0][0], "p99_ms_c32")
    if raw_p99 is not None and raw_p99.baseline is not None:
        table.append(
            f"| (reference) raw aiohttp handler, 32 conv. closed loop: p99 <= {MAX_P99_MS:g} ms | "
            f"{_ms(raw_p99.baseline)} | {_verdict(raw_p99.baseline <= MAX_P99_MS)} (the floor of the goal above) |"
        )
    # The host's floors (``bench_turn``): a message answered at once (what a pool lookup or a
    # number check runs through) and a dialog turn (what a purchase step runs through), each with
    # none of our understanding or answers. Closed loop, a turn's p99 is at least 32 x its CPU,
    # so these rows say how much of the goal's 20 ms is gone before any work of ours.
    for mode, what in FLOORS:
        floor_p99, floor_cpu = get(FLOOR, f"{mode}_p99_ms_c32"), get(FLOOR, f"{mode}_cpu_ms_per_turn_c32")
        if floor_p99 is None:
            continue
        spent = (
            f"; {_ms(floor_cpu.value)} CPU a turn, x 32 = {_ms(32 * floor_cpu.value)} before any work of ours"
            if floor_cpu is not None
            else ""
        )
        table.append(
            f"| (reference) the host's floor under {what}, 32 conv. closed loop: p99 <= {MAX_P99_MS:g} ms | "
            f"{_ms(floor_p99.value)}{spent} | {_verdict(floor_p99.value <= MAX_P99_MS)} |"
        )
    open_benchmark, open_turns = OPEN_LOOP
    for suffix, label in open_turns:
        p99 = get(open_benchmark, f"p99_ms_{suffix}")
        measured = "not measured"
        if p99 is not None:
            measured = _ms(p99.value) + (f" (raw handler {_ms(p99.baseline)})" if p99.baseline is not None else "")
        table.append(
            f"| {label}, 32 admins **open loop** (Poisson, 32 turns/s in all): p99 <= {MAX_P99_MS:g} ms | "
            f"{measured} | {_verdict(None if p99 is None else p99.value <= MAX_P99_MS)} |"
        )
    for name in ("callplan --help", "callplan check"):
        row = get("start time", f"{name} (start to exit)")
        if row is None or row.ratio is None:
            table.append(
                f"| `{name}`: <= {MAX_CLI_S:g} s and <= {MAX_CLI_X:g}x `python -c pass` | not measured | n/a |"
            )
            continue
        ok = row.value <= 1000 * MAX_CLI_S and row.ratio <= MAX_CLI_X
        table.append(
            f"| `{name}`: <= {MAX_CLI_S:g} s and <= {MAX_CLI_X:g}x `python -c pass` | "
            f"{row.value / 1000:.3g} s, {row.ratio:.3g}x | {_verdict(ok)} |"
        )
    start = get("start time", "python -m bot -> first /healthz 200")
    table.append(
        f"| start to the first `/healthz` 200: < {MAX_HEALTHZ_S:g} s | "
        f"{'not measured' if start is None else f'{start.value / 1000:.3g} s'} | "
        f"{_verdict(None if start is None else start.value < 1000 * MAX_HEALTHZ_S)} |"
    )
    return [
        "## Goals (issue 14)",
        "",
        (
            "Checked against the rows below when this report was written (`bench/goals.py`). The "
            "machine has 2 cores shared with other work: wall-clock rates and latencies move with "
            "its load (each section says how busy it was), so the turn goals are also checked per "
            "core, from each server's CPU time per turn (`cpu_ms_per_turn` rows), and a goal is "
            "met only if both say so. The closed-loop p99 goal posts 32 conversations back to back "
            "at one core, so every turn waits behind the 31 others: p99 >= 32 x the CPU of a turn; "
            "the raw handler's own p99 there is its floor (reference row). The open-loop rows are "
            "a separate reading, not the issue's goal: 32 admins each sending a message on a "
            "Poisson schedule, 32 turns/s in all (one per admin per second, far above real use)."
        ),
        "",
        *table,
        "",
    ]
