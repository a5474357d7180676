"""Soak: 32 conversations of mixed turns against the real bot for minutes (issue 13).

The real application in a server process of its own (``python -m bench.servers bot``, demo
tenant, state in the TinyDB files), 32 conversations posting back to back over loopback with
``expectReplies``: a quarter look up the pool, a quarter walk the guided purchase in English, a
quarter in French, a quarter rotate through a number check, the user list, help, a stale card
click and text the recognizer does not know. Reported: failed turns (a non-200 answer, or the
host's apology in a reply), p50 / p99 of every turn, and the server's RSS after a warm-up and
at the end. Goal: 0 errors and RSS growth under 20 %.

The duration is ``SOAK_SECONDS`` (default 300, the issue's 5 minutes); ``--quick`` runs 20 s.
There is no baseline: this is a stability run, not a speed comparison (the turn benchmarks
compare speed with a raw handler).

Run: ``python -m bench.bench_soak`` (``SOAK_SECONDS=60 python -m bench.bench_soak`` for less).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.bench_chat import seed_demo
from bench.common import main, median, percentile, result
from bench.loadgen import DialogWalk, Repeat, Script, Server, Slice, drive, load_average, teams_message

CONVERSATIONS = 32
DEFAULT_SECONDS = 300.0
QUICK_SECONDS = 20.0
#: Slices the run is cut into, to sample the server's RSS between them.
SLICES = 10
ROTATION = [
    "can alice.martin@contoso.com call 01 23 45 67 89?",
    "list users in France",
    "help",
    None,  # a click on a question's button with no question open
    "zzz qwerty <at>nobody</at>",
    "minutes left in France",
]


def soak_seconds(quick: bool = False) -> float:
    """The soak's duration: ``SOAK_SECONDS`` from the environment, else 300 s (20 s quick)."""
    if quick:
        return QUICK_SECONDS
    return float(os.environ.get("SOAK_SECONDS", DEFAULT_SECONDS))


@dataclass
class Rotate:
    """A different kind of turn each time, every turn measured."""

    conversation: str
    offset: int
    answered: int = 0

    def next_activity(self, n: int) -> tuple[dict[str, Any], bool]:
        text = ROTATION[(n + self.offset) % len(ROTATION)]
        if text is None:
            return teams_message(n, self.conversation, value={"value": "E5"}), True
        return teams_message(n, self.conversation, text), True

    def replies(self, activities: list[dict[str, Any]], measured: bool) -> None:
        self.answered += 1


@dataclass
class Watched:
    """Any script, every turn measured, counting replies that are the host's apology."""

    inner: Script
    apology: str
    apologies: int = 0
    seen: list[int] = field(default_factory=lambda: [0])

    def next_activity(self, n: int) -> tuple[dict[str, Any], bool]:
        activity, _ = self.inner.next_activity(n)
        return activity, True

    def replies(self, activities: list[dict[str, Any]], measured: bool) -> None:
        if any(self.apology in (a.get("text") or "") for a in activities):
            self.apologies += 1
        self.inner.replies(activities, measured)


def scripts(apology: str) -> list[Watched]:
    made: list[Script] = []
    for i in range(CONVERSATIONS):
        kind = i % 4
        if kind == 0:
            made.append(Repeat(f"a:soak-pool-{i}", "pool balance"))
        elif kind == 1:
            made.append(DialogWalk(f"a:soak-buy-{i}", "which calling plan should we buy?"))
        elif kind == 2:
            made.append(DialogWalk(f"a:soak-achat-{i}", "quel forfait d'appels acheter ?"))
        else:
            made.append(Rotate(f"a:soak-mixed-{i}", offset=i))
    return [Watched(script, apology) for script in made]


def run(quick: bool = False) -> list[dict[str, Any]]:
    from dialogs.root import apology_text

    seconds = soak_seconds(quick)
    warmup = min(10.0, seconds / 10)
    with tempfile.TemporaryDirectory(prefix="bench-soak-") as tmp:
        work = Path(tmp)
        seeded = seed_demo(work / "data-bot")
        load_before = load_average()
        watched = scripts(apology_text("en"))
        with Server("bot", work / "data-bot") as bot:
            rss_ready = bot.rss_mb()
            asyncio.run(drive(bot.url, watched, warmup))  # warm-up: imports, caches, first files
            rss_start = bot.rss_mb()
            slices: list[Slice] = []
            rss_samples = [rss_start]
            for _ in range(SLICES):
                slices.append(asyncio.run(drive(bot.url, watched, seconds / SLICES)))
                rss_samples.append(bot.rss_mb())
            rss_end = rss_samples[-1]
            alive = bot.proc.poll() is None
    latencies = [x for s in slices for x in s.latencies]
    if not latencies:
        raise RuntimeError("no turn of the soak succeeded")
    failed = sum(s.errors for s in slices)
    apologies = sum(w.apologies for w in watched)
    errors = failed + apologies
    turns = len(latencies) + failed
    growth = 100 * (rss_end - rss_start) / rss_start
    context = (
        f"{CONVERSATIONS} conversations, {seconds:.0f} s, {turns:,} turns "
        f"({failed} non-200, {apologies} apologies); demo tenant {seeded:,} rows; "
        f"{load_before} before, {load_average()} after"
    )
    verdict = "goal met" if errors == 0 and growth < 20 and alive else "GOAL MISSED"
    return [
        result("soak", "errors", errors, "turns", None, f"{verdict} (0 errors, RSS growth < 20 %); {context}"),
        result("soak", "p50_ms", 1000 * median(latencies), "ms", None, "every turn of every conversation"),
        result("soak", "p99_ms", 1000 * percentile(latencies, 0.99), "ms", None, "every turn of every conversation"),
        result(
            "soak",
            "rss_start_mb",
            rss_start,
            "MB",
            None,
            f"after a {warmup:.0f} s warm-up ({rss_ready:.1f} MB when the server was ready)",
        ),
        result(
            "soak",
            "rss_end_mb",
            rss_end,
            "MB",
            None,
            "RSS between slices: " + ", ".join(f"{x:.1f}" for x in rss_samples),
        ),
        result("soak", "rss_growth_pct", growth, "%", None, "end against start (after the warm-up)"),
    ]


if __name__ == "__main__":
    sys.exit(main(run, description=__doc__.splitlines()[0]))
