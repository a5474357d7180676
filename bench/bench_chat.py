"""What an admin's turns cost in the real bot: a pool lookup and a dialog step (issue 7).

Both run through the real application (``bot.app.create_app`` with the real root dialog of
``dialogs.root``: recognizer, dialogs, cards, state in the TinyDB files, the store) in a server
process of its own, over a ``DATA_DIR`` seeded with ``knowledge.store.demo.load_demo``, posted over
loopback HTTP with ``expectReplies`` at 1 and 32 concurrent conversations:

* ``turn: pool lookup``: "pool balance" from tenant ``demo-tenant`` (``channelData.tenant.id``
  and ``conversation.tenantId``); answered at once with the pool table card. Sanity check (a
  note, never a failure): the share of replies that carried an attachment.
* ``turn: dialog step``: the guided purchase walked like a person does it: "which calling plan
  should we buy?" starts it (not timed), then every answer is a timed step: the first button
  of each question card is clicked, a plain-text question gets "40" typed, until the summary
  card; then it starts again. Latency is the steps'; throughput counts every turn of the walk
  (the start turns too, one in seven), i.e. how many dialog turns the server gets through.

Baseline, in the same run and under the same load: a raw aiohttp handler parsing the same
Teams JSON and answering JSON (:mod:`bench.servers`). ``ratio`` = value / baseline: for
throughput the fraction of the raw handler's rate, for latency how many times slower. At 32
conversations the raw handler is limited by this load generator, not by the server: its rate
is the ceiling what any handler could show here.

Run: ``python -m bench.bench_chat`` (``--quick`` for shorter slices).
"""
from __future__ import annotations

import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from bench.common import main, result
from bench.loadgen import Case, DialogWalk, Repeat, Server, Summary, interleave, load_average

CONCURRENCY = (1, 32)
POOL_TEXT = "pool balance"
PURCHASE_TEXT = "which calling plan should we buy?"


def seed_demo(data_dir: Path, now: datetime | None = None) -> int:
    """The demo tenant as of ``now`` (default: the system clock, the bot's under a benchmark),
    imported through the real importers; returns the rows imported."""
    from knowledge.clock import fixed_clock, system_clock
    from knowledge.store import Store
    from knowledge.store.demo import load_demo

    store = Store(data_dir, fixed_clock(now) if now else system_clock)
    try:
        return load_demo(store).imported
    finally:
        store.close()


def pool_note(scripts: list[Repeat]) -> str:
    answered = sum(s.answered for s in scripts)
    carded = sum(s.with_attachment for s in scripts)
    if answered and carded == answered:
        return f"every reply carried a card (the pool table), {answered:,} turns"
    return (f"SANITY: only {carded:,} of {answered:,} replies carried a card: the bot did not "
            "answer with the pool table (help text? an apology?); the figures are not a pool lookup's")


def dialog_note(scripts: list[DialogWalk]) -> str:
    completed = sum(s.completed for s in scripts)
    steps = sum(s.steps for s in scripts)
    capped = sum(s.capped for s in scripts)
    if not completed:
        return (f"SANITY: no walk reached a reply without a question in {steps:,} steps "
                f"({capped} stopped at {scripts[0].max_steps} steps): not the guided purchase")
    per_walk = sum(s.completed_steps for s in scripts) / completed
    text = f"{completed:,} purchases walked to the summary card, {per_walk:.1f} steps each"
    return text + (f"; SANITY: {capped} walks stopped at {scripts[0].max_steps} steps" if capped else "")


def rows(name: str, measured: Summary, raw: Summary, concurrency: int, note: str,
         throughput: str = "turns_per_s") -> list[dict[str, Any]]:
    """Throughput, p50 and p99 against the raw handler; the first row carries the whole note."""
    value_rate = measured.all_turns_per_s if throughput == "all_turns_per_s" else measured.turns_per_s
    errors = f"; {measured.errors} failed requests" if measured.errors else ""
    timed = f"{concurrency} concurrent conversation(s), {measured.samples:,} timed turns{errors}"
    return [
        result(name, f"turns_per_s_c{concurrency}", value_rate, "turns/s", raw.turns_per_s,
               f"vs the raw aiohttp JSON handler; {timed}; {note}"),
        result(name, f"p50_ms_c{concurrency}", measured.p50_ms, "ms", raw.p50_ms, timed),
        result(name, f"p99_ms_c{concurrency}", measured.p99_ms, "ms", raw.p99_ms, timed),
    ]


def run(quick: bool = False) -> list[dict[str, Any]]:
    rounds, seconds, warmup = (2, 0.5, 0.2) if quick else (6, 1.0, 0.25)
    with tempfile.TemporaryDirectory(prefix="bench-chat-") as tmp:
        work = Path(tmp)
        seeded = seed_demo(work / "data-bot")
        load_before = load_average()
        with Server("raw", work / "data-raw") as raw, Server("bot", work / "data-bot") as bot:
            cases = [
                Case("raw", raw.url, lambda i: Repeat(f"a:bench-raw-{i}", POOL_TEXT)),
                Case("pool", bot.url, lambda i: Repeat(f"a:bench-pool-{i}", POOL_TEXT)),
                Case("dialog", bot.url, lambda i: DialogWalk(f"a:bench-dialog-{i}", PURCHASE_TEXT)),
            ]
            measured = interleave(cases, CONCURRENCY, rounds=rounds, seconds=seconds, warmup=warmup)
        context = f"demo tenant: {seeded:,} rows imported; {load_before} before, {load_average()} after"
    by_name = {case.name: case for case in cases}
    results = []
    for concurrency in CONCURRENCY:
        raw_summary = measured["raw", concurrency]
        pool_scripts = cast(list[Repeat], by_name["pool"].scripts[concurrency])
        walks = cast(list[DialogWalk], by_name["dialog"].scripts[concurrency])
        results += rows("turn: pool lookup", measured["pool", concurrency], raw_summary, concurrency,
                        f"{pool_note(pool_scripts)}; {context}")
        results += rows("turn: dialog step", measured["dialog", concurrency], raw_summary, concurrency,
                        f"{dialog_note(walks)}; throughput counts every turn of the walk, "
                        f"latency the steps; {context}", throughput="all_turns_per_s")
    return results


if __name__ == "__main__":
    sys.exit(main(run, description=__doc__.splitlines()[0]))
