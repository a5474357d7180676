"""The production reply path of two source trees side by side, in the same run (issue 14).

    python -m bench.compare_trees BASELINE_TREE [--quick] [--expect-replies]

``BASELINE_TREE`` is another checkout of the project (for instance ``git archive main | tar -x
-C /tmp/main``), run with this ``.venv``: its ``bench.servers`` starts its own bot, with its own
``bot``, ``dialogs`` and ``knowledge`` (``PYTHONPATH``), over a copy of the same demo tenant.
Both bots are pinned to the servers' core and measured interleaved (:func:`bench.loadgen.interleave`)
on the turns of the connector-path rows of :mod:`bench.bench_chat` (``CONNECTOR_LOOKUPS``: a
pool lookup and a number check, no ``expectReplies``, every reply posted to one counting fake
Bot Connector on the load generator's core), at 1 and 32 conversations. ``--expect-replies``
adds the ``expectReplies`` turns of :mod:`bench.bench_chat` (``LOOKUPS``: pool lookup, number
check, help card; and a purchase dialog step, ``DialogWalk``).

Metric ``cpu_ms_per_turn_c*``: this tree's bot's CPU per turn (all its threads, median over
slices) against the baseline tree's, same run; the note gives the gain in turns per CPU second
and both trees' p50 / p99. Not part of ``make bench`` (a before/after tool; its runs are in
``bench/records/issue14_connector_path.md``).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.bench_chat import (
    CONNECTOR_CONCURRENCY,
    CONNECTOR_LOOKUPS,
    LOOKUPS,
    PURCHASE_TEXT,
    connector_note,
    repeating,
    seed_demo,
    via_connector,
)
from bench.common import format_table, result
from bench.fake_connector import connector_stats
from bench.loadgen import (
    Case,
    DialogWalk,
    Repeat,
    Script,
    Server,
    fake_connector,
    interleave,
    load_average,
    pin_load_generator,
    warm_up,
)

TREES = ("this", "baseline")


#: The purchase dialog's step, one answer per turn (the ``dialog`` case of :mod:`bench.bench_chat`).
DIALOG_STEP = ("dialog", "turn: purchase dialog step")


#: A turn compared: (case, benchmark name, conversation ``i``'s script for a conversation prefix).
Turn = tuple[str, str, Callable[[str], Callable[[int], Script]]]


def _turns(service_url: str, expect_replies: bool) -> list[Turn]:
    """Every turn compared: the connector-path lookups, and the ``expectReplies`` turns if asked."""

    def posted(text: str) -> Callable[[str], Callable[[int], Script]]:
        return lambda prefix: via_connector(prefix, text, service_url)

    def answered(text: str) -> Callable[[str], Callable[[int], Script]]:
        return lambda prefix: repeating(prefix, text)

    def walk(prefix: str) -> Callable[[int], Script]:
        return lambda i: DialogWalk(f"{prefix}-{i}", PURCHASE_TEXT)

    turns: list[Turn] = [(name, benchmark, posted(text)) for name, benchmark, text, _ in CONNECTOR_LOOKUPS]
    if expect_replies:
        turns += [(name, benchmark, answered(text)) for name, benchmark, text in LOOKUPS]
        turns.append((*DIALOG_STEP, walk))
    return turns


def run(
    baseline_tree: Path, quick: bool = False, expect_replies: bool = False, only: frozenset[str] = frozenset()
) -> list[dict[str, Any]]:
    rounds, seconds, warmup = (2, 0.5, 0.2) if quick else (6, 1.0, 0.25)
    with tempfile.TemporaryDirectory(prefix="bench-trees-") as tmp:
        work = Path(tmp)
        seed_demo(work / "data-this")
        shutil.copytree(work / "data-this", work / "data-baseline")
        load_before = load_average()
        with (
            Server("bot", work / "data-this", name="this") as this,
            Server("bot", work / "data-baseline", env={"PYTHONPATH": str(baseline_tree)}, name="baseline") as base,
            fake_connector(work / "connector") as connector,
        ):
            pinned = pin_load_generator()
            compared = [t for t in _turns(connector.base_url, expect_replies) if not only or t[0] in only]
            cases = [
                Case(f"{tree}/{name}", server.url, script(f"trees-{tree}-{name}"), pid=server.pid)
                for name, _, script in compared
                for tree, server in (("this", this), ("baseline", base))
            ]
            warm_up(cases, 1, 0.3)
            measured = interleave(cases, CONNECTOR_CONCURRENCY, rounds=rounds, seconds=seconds, warmup=warmup)
            stats = connector_stats(connector.base_url)
    turns = sum(
        s.answered
        for case in cases
        for group in case.scripts.values()
        for s in group
        if isinstance(s, Repeat) and s.service_url
    )
    context = f"{connector_note(stats, turns)}; {pinned}; {load_before} before, {load_average()} after"
    out = []
    for concurrency in CONNECTOR_CONCURRENCY:
        for name, benchmark, _ in compared:
            mine, theirs = measured[f"this/{name}", concurrency], measured[f"baseline/{name}", concurrency]
            if mine.cpu_ms_per_turn is None or theirs.cpu_ms_per_turn is None:
                raise RuntimeError("no CPU time measured for a server")
            out.append(
                result(
                    benchmark,
                    f"cpu_ms_per_turn_c{concurrency}",
                    mine.cpu_ms_per_turn,
                    "ms CPU",
                    theirs.cpu_ms_per_turn,
                    f"this tree vs {baseline_tree}, same run, {concurrency} conversation(s): "
                    f"{theirs.cpu_ms_per_turn / mine.cpu_ms_per_turn - 1:+.0%} turns per CPU second; "
                    f"p50 {mine.p50_ms:.2f} vs {theirs.p50_ms:.2f} ms, "
                    f"p99 {mine.p99_ms:.2f} vs {theirs.p99_ms:.2f} ms, "
                    f"{mine.samples:,} vs {theirs.samples:,} timed turns; {context}",
                )
            )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("baseline_tree", type=Path, help="another checkout of the project (its bot/, dialogs/...)")
    parser.add_argument("--quick", action="store_true", help="shorter slices (a smoke test, not for the record)")
    parser.add_argument(
        "--expect-replies", action="store_true", help="the expectReplies turns too (pool, check, help, purchase step)"
    )
    parser.add_argument(
        "--only",
        default="",
        help="comma list of turn names to compare (e.g. dialog with --expect-replies); all if empty",
    )
    args = parser.parse_args()
    only = frozenset(name for name in args.only.split(",") if name)
    if not (args.baseline_tree / "bench" / "servers.py").is_file():
        parser.error(f"{args.baseline_tree} is not a checkout of the project (no bench/servers.py)")
    print(format_table(run(args.baseline_tree.resolve(), args.quick, args.expect_replies, only)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
