"""What the Bot Framework plumbing costs per message, and bot state at scale (issue 2).

* ``turn: host plumbing``: turns per second and p50/p99 latency of a message turn through the
  real host (``bot.app.create_app``: our /api/messages handler, CloudAdapter, the Teams handler,
  ``DialogExtensions.run_dialog``) with a one-step dialog that counts turns in conversation
  state, so every turn commits its state durably (``bot/state/local.py``: the group-commit journal,
  then the TinyDB key files); posted over loopback HTTP
  with ``expectReplies`` at 1 and 32 concurrent conversations (:mod:`bench.loadgen`). The same
  turn with ``MemoryStorage`` (no file I/O) and with the SDK's clients as shipped (new
  connector and token clients every turn) shows what durable state costs and what
  ``bot/client_reuse.py`` buys. Our own dialogs' cost is in ``bench_chat``. Each server's CPU
  time per turn is measured too (``cpu_ms_per_turn`` rows). Two of them are floors the goals
  table (``bench/goals.py``) sets against the closed-loop p99 goal: ``atonce`` under a message
  answered at once (a pool lookup, a number check: the host, no dialog stack, none of our
  understanding or answers) and ``memory`` under a dialog turn (a purchase step: the host and
  the SDK's dialog stack, no state I/O, none of our dialogs).
  Baseline, in the same run and under the same load: a raw aiohttp handler that parses the
  same ~1 KB Teams JSON and answers JSON. ``ratio`` = value / baseline (for throughput the
  fraction of the raw handler's rate; for latency how many times slower). Each server runs in
  its own process; all start together and the load visits them in turn in short slices.
* ``state``: one conversation's state traffic read from its key file, written, committed and
  checkpointed back to its key file (everything durable state costs a turn, with no cache help:
  ``cache_size=0``), with 10,000 conversations stored against 10 (baseline): ~1x expected,
  since each conversation has its own small file.

Run: ``python -m bench.bench_turn`` (``--quick`` for shorter runs and 2,000 conversations).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.bench_chat import rows
from bench.common import main, median, result
from bench.loadgen import Case, Repeat, Server, interleave, load_average

CONCURRENCY = (1, 32)
TEXT = "how many minutes are left in the French pool this month?"
#: (server mode, what it is), the baseline first.
MODES = (
    ("raw", "raw aiohttp JSON handler"),
    ("onestep", "dialog turn, state in TinyDB files (journal, fsync per commit)"),
    ("memory", "dialog turn, state in MemoryStorage"),
    ("stock", "dialog turn, SDK as shipped, TinyDB state"),
    ("atonce", "message answered at once (no dialog stack, state read not written), TinyDB state"),
)


def _repeat(mode: str) -> Callable[[int], Repeat]:
    """Conversation ``i`` of ``mode`` sends the same message every turn."""
    return lambda i: Repeat(f"a:bench-{mode}-{i}", TEXT)


def bench_turns(work: Path, quick: bool) -> list[dict[str, Any]]:
    rounds, seconds, warmup = (3, 0.6, 0.2) if quick else (6, 1.0, 0.25)
    servers: list[Server] = []
    load_before = load_average()
    try:
        for mode, _ in MODES:
            servers.append(Server(mode, work / f"data-{mode}"))
        cases = [
            Case(mode, server.url, _repeat(mode), pid=server.pid)
            for (mode, _), server in zip(MODES, servers, strict=True)
        ]
        measured = interleave(cases, CONCURRENCY, rounds=rounds, seconds=seconds, warmup=warmup)
    finally:
        for server in servers:
            server.stop()
    load = f"{load_before} before, {load_average()} after"

    results = []
    for concurrency in CONCURRENCY:
        raw = measured["raw", concurrency]
        for mode, label in MODES[1:]:
            note = f"{label}; {load}"
            results += rows(
                "turn: host plumbing", measured[mode, concurrency], raw, concurrency, note, prefix=f"{mode}_"
            )
    return results


# --- state at scale -------------------------------------------------------------------------


async def _state_cycle_s(storage: Any, key: str) -> float:
    """One stored conversation's state, not in memory: read it from its file, write it
    (journal commit), checkpoint it to its file."""
    start = time.perf_counter()
    state = (await storage.read([key]))[key]
    state["n"] += 1
    await storage.write({key: state})
    await storage.checkpoint()
    return time.perf_counter() - start


async def _bench_state(work: Path, many: int, cycles: int) -> list[dict[str, Any]]:
    """Two storages side by side, one holding 10 conversations, one ``many``; cycles alternate
    between them and the medians are compared, so disk hiccups hit both alike."""
    from bot.state import TinyDBStorage

    few_store = TinyDBStorage(work / "state-10", max_workers=4, cache_size=0)
    many_store = TinyDBStorage(work / f"state-{many}", max_workers=4, cache_size=0)
    try:

        async def fill(storage: Any, count: int) -> None:
            batch = 100
            for first in range(0, count, batch):
                await asyncio.gather(
                    *(
                        storage.write(
                            {f"msteams/conversations/a:seed-{i}/": {"DialogState": {"dialogStack": []}, "n": i}}
                        )
                        for i in range(first, min(count, first + batch))
                    )
                )

        await fill(few_store, 10)
        await fill(many_store, many)
        await few_store.checkpoint()
        await many_store.checkpoint()
        few: list[float] = []
        lots: list[float] = []
        for n in range(cycles):
            few.append(await _state_cycle_s(few_store, f"msteams/conversations/a:seed-{n % 10}/"))
            lots.append(await _state_cycle_s(many_store, f"msteams/conversations/a:seed-{n * 7 % many}/"))
    finally:
        await few_store.close()
        await many_store.close()
    return [
        result(
            "state",
            f"read_write_checkpoint_ms_{many}_conversations",
            1000 * median(lots),
            "ms",
            1000 * median(few),
            f"one stored conversation's state read from its file, written (journal commit) and "
            f"checkpointed to its file, median of {cycles}, {many:,} conversations stored vs 10, "
            f"alternating",
        )
    ]


def run(quick: bool = False) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="bench-turn-") as tmp:
        work = Path(tmp)
        results = bench_turns(work, quick)
        results += asyncio.run(_bench_state(work, 2_000 if quick else 10_000, 200 if quick else 400))
    return results


if __name__ == "__main__":
    sys.exit(main(run, description=__doc__.splitlines()[0]))
