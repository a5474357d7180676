"""What an admin's turns cost in the real bot, measured like production (issues 7 and 14).

Every turn runs through the real application (``bot.app.create_app`` with the real root
dialog of ``dialogs.root``: recognizer, dialogs, cards, state in the TinyDB files, the store)
as ``callplan serve`` builds it, on the SDK as shipped, in a server process
of its own pinned to one core, over a ``DATA_DIR`` seeded with ``knowledge.store.demo.load_demo``.
The load generator runs on the other core (:func:`bench.loadgen.pin_load_generator`; the
machine has two, shared with other work). Each activity is a ~1.3 KB Teams channel message
(:func:`bench.loadgen.teams_message`: @mention, clientInfo entity, channelData with tenant,
team and channel, ``conversation.tenantId``, ``aadObjectId``) posted over loopback HTTP with
``expectReplies`` (the replies come back in the HTTP answer: no connector is involved), at
1 and 32 concurrent conversations:

* ``turn: pool lookup``: "pool balance": the pool table card (14.8 KB), one turn.
* ``turn: number check``: "can alice.martin@contoso.com call 01 23 45 67 89?": the user is
  looked up in the store, then the verdict card.
* ``turn: dialog step``: the guided purchase walked like a person does it: "which calling plan
  should we buy?" starts it (not timed), then every answer is a timed step: the first button
  of each question card is clicked, a plain-text question gets "40" typed, until the summary
  card; then it starts again. Latency is the steps'; throughput counts every turn of the walk.
* ``turn: help card``: "help".
* ``turn: 1,000 conversations``: 1,000 pool lookups at 32 concurrent, each from a conversation
  the bot has never seen (its state is looked up, not found, then written).
* ``turn: open loop, 32 admins``: how 32 admins really chat, next to the closed-loop rows
  above (which post back to back, so at 32 conversations every turn waits behind 31 others:
  by Little's law a closed-loop p99 is at least 32 x the CPU of a turn). Here 32 conversations
  each send a message on a Poisson schedule, :data:`OPEN_LOOP_RATE` turns/s in all (one
  message per admin per second: far above real use, where an admin types a message every
  several seconds at most), each waiting for its answer before the next (:func:`bench.loadgen.drive_open`);
  latency counts from when the message was due. p50/p99 of the pool lookup, the number check
  and the purchase step against the raw handler under the same schedule, in the same run.

The production delivery path, ``turn: ... via the Bot Connector``: real Teams traffic never
sets ``expectReplies``; the bot POSTs each reply to the Bot Connector at the activity's
``serviceUrl`` (:mod:`bot.connector`: aiohttp on the event loop, :mod:`bot.outbound`). The same
pool lookup and number check, without ``expectReplies``, with ``serviceUrl`` pointing to a
loopback fake Bot Connector (:mod:`bench.fake_connector`, a process of its own pinned to the
load generator's core, so its work is not the bot's), at 1 and 32 conversations, against the
raw handler, interleaved with the rows above. Latency runs until the HTTP answer (201), which
the bot sends only once the connector has acknowledged every reply of the turn.
``cpu_vs_expect_replies_c*``: the bot's CPU per turn on this path against the same turn with
``expectReplies``, same run. ``cpu_vs_sdk_connector_client_c*``: against a second bot, the same
but posting through the SDK's connector client as shipped (msrest serialization, ``requests``
on a worker thread; ``BENCH_REPLIES=sdk``, :mod:`bench.servers`), same run, on the same core.
Local mode: no app id, so no token is fetched or attached (in production a token the bot
holds is, once per reply).

Sanity checks (notes, never failures): the share of replies that carried a card, and the
purchases walked to their end. Baseline, in the same run and under the same load: a raw
aiohttp handler parsing the same Teams JSON and answering JSON (:mod:`bench.servers`), pinned
to the same core. ``ratio`` = value / baseline: for throughput the fraction of the raw
handler's rate, for latency how many times slower. At 32 conversations the raw handler is
limited by this load generator (one core of Python), not by the server: its rate is the
ceiling of what any handler could show here.

Run: ``python -m bench.bench_chat`` (``--quick`` for shorter slices).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from bench.common import main, result
from bench.fake_connector import connector_stats
from bench.loadgen import (
    Case,
    DialogWalk,
    Distinct,
    Repeat,
    Script,
    Server,
    Summary,
    fake_connector,
    interleave,
    load_average,
    open_loop,
    pin_load_generator,
    warm_up,
)

CONCURRENCY = (1, 32)
CONNECTOR_CONCURRENCY = CONCURRENCY
POOL_TEXT = "pool balance"
CHECK_TEXT = "can alice.martin@contoso.com call 01 23 45 67 89?"
HELP_TEXT = "help"
PURCHASE_TEXT = "which calling plan should we buy?"
#: The open-loop measure: this many admins, this many turns per second in all (Poisson).
OPEN_LOOP_ADMINS = 32
OPEN_LOOP_RATE = 32.0
OPEN_LOOP_BENCHMARK = "turn: open loop, 32 admins"
#: The distinct-conversation case: this many conversations, this many at a time.
DISTINCT_CONVERSATIONS = 1_000
DISTINCT_CONCURRENCY = 32
#: (case, benchmark name, what it says) for the one-turn lookups, each a :class:`Repeat`.
LOOKUPS = (
    ("pool", "turn: pool lookup", POOL_TEXT),
    ("check", "turn: number check", CHECK_TEXT),
    ("help", "turn: help card", HELP_TEXT),
)
#: (case, benchmark name, what it says, its expectReplies case) on the production delivery path.
CONNECTOR_LOOKUPS = (
    ("pool-bc", "turn: pool lookup via the Bot Connector", POOL_TEXT, "pool"),
    ("check-bc", "turn: number check via the Bot Connector", CHECK_TEXT, "check"),
)
#: The same cases on the bot posting through the SDK's connector client: ``<case><SDK_CLIENT>``.
SDK_CLIENT = "-sdk-client"


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


def card_note(scripts: list[Any], what: str) -> str:
    answered = sum(s.answered for s in scripts)
    carded = sum(s.with_attachment for s in scripts)
    if answered and carded == answered:
        return f"every reply carried a card ({what}), {answered:,} turns"
    return (
        f"SANITY: only {carded:,} of {answered:,} replies carried a card: the bot did not "
        f"answer with {what} (help text? an apology?); the figures are not this turn's"
    )


def dialog_note(scripts: list[DialogWalk]) -> str:
    completed = sum(s.completed for s in scripts)
    steps = sum(s.steps for s in scripts)
    capped = sum(s.capped for s in scripts)
    if not completed:
        return (
            f"SANITY: no walk reached a reply without a question in {steps:,} steps "
            f"({capped} stopped at {scripts[0].max_steps} steps): not the guided purchase"
        )
    per_walk = sum(s.completed_steps for s in scripts) / completed
    text = f"{completed:,} purchases walked to the summary card, {per_walk:.1f} steps each"
    return text + (f"; SANITY: {capped} walks stopped at {scripts[0].max_steps} steps" if capped else "")


def rows(
    name: str,
    measured: Summary,
    raw: Summary,
    concurrency: int,
    note: str,
    throughput: str = "turns_per_s",
    prefix: str = "",
) -> list[dict[str, Any]]:
    """Throughput, p50, p99 and CPU per turn against the raw handler; the first row carries the
    whole note. ``prefix`` starts every metric's name (``bench_turn``: one set per server mode)."""
    value_rate = measured.all_turns_per_s if throughput == "all_turns_per_s" else measured.turns_per_s
    errors = f"; {measured.errors} failed requests" if measured.errors else ""
    timed = f"{concurrency} concurrent conversation(s), {measured.samples:,} timed turns{errors}"
    out = [
        result(
            name,
            f"{prefix}turns_per_s_c{concurrency}",
            value_rate,
            "turns/s",
            raw.turns_per_s,
            f"vs the raw aiohttp JSON handler; {timed}; {note}",
        ),
        result(name, f"{prefix}p50_ms_c{concurrency}", measured.p50_ms, "ms", raw.p50_ms, timed),
        result(name, f"{prefix}p99_ms_c{concurrency}", measured.p99_ms, "ms", raw.p99_ms, timed),
    ]
    if measured.cpu_ms_per_turn and raw.cpu_ms_per_turn:
        out.append(
            result(
                name,
                f"{prefix}cpu_ms_per_turn_c{concurrency}",
                measured.cpu_ms_per_turn,
                "ms CPU",
                raw.cpu_ms_per_turn,
                f"the server process's CPU time per turn (all its threads, median over slices) vs the raw "
                f"handler's: what a dedicated core would do, whatever else this machine runs; "
                f"1/ratio = {raw.cpu_ms_per_turn / measured.cpu_ms_per_turn:.3g}x raw throughput per core",
            )
        )
    return out


def repeating(prefix: str, text: str) -> Callable[[int], Script]:
    """Conversation ``i`` of a case says ``text`` every turn."""
    return lambda i: Repeat(f"{prefix}-{i}", text)


def via_connector(prefix: str, text: str, service_url: str) -> Callable[[int], Repeat]:
    """Conversation ``i`` says ``text`` every turn, without expectReplies: replies go to ``service_url``."""
    return lambda i: Repeat(f"{prefix}-{i}", text, service_url=service_url)


def connector_note(stats: dict[str, int], turns: int) -> str:
    """Did the replies of the connector-path turns reach the fake connector, with their cards?"""
    posts, carded = stats.get("posts", 0), stats.get("with_attachments", 0)
    if not turns and not posts:  # only expectReplies turns were run (compare_trees --only pool,check)
        return "no turn posted to the Bot Connector (expectReplies only)"
    if turns and carded >= turns:
        return f"the fake connector received {posts:,} posts, {carded:,} with a card, for {turns:,} answered turns"
    return (
        f"SANITY: the fake connector received {carded:,} posts with a card for {turns:,} answered turns "
        f"({posts:,} posts in all): the replies did not all reach it; the figures are not this turn's"
    )


def connector_rows(
    measured: dict[tuple[str, int], Summary], cases: list[Case], stats: dict[str, int], context: str
) -> list[dict[str, Any]]:
    """The connector-path rows: against the raw handler, and the CPU against expectReplies."""
    by_name = {case.name: case for case in cases}
    names = [n for name, *_ in CONNECTOR_LOOKUPS for n in (name, name + SDK_CLIENT) if n in by_name]
    scripts = [s for name in names for c in by_name[name].scripts.values() for s in c]
    turns = sum(s.answered for s in scripts if isinstance(s, Repeat))
    note = f"{connector_note(stats, turns)}; latency until the HTTP answer (after the connector acknowledged)"
    out = []
    for concurrency in CONNECTOR_CONCURRENCY:
        for name, benchmark, _, expect in CONNECTOR_LOOKUPS:
            bot, direct = measured[name, concurrency], measured[expect, concurrency]
            out += rows(benchmark, bot, measured["raw", concurrency], concurrency, f"{note}; {context}")
            sdk = measured.get((name + SDK_CLIENT, concurrency))
            if sdk is not None and bot.cpu_ms_per_turn and sdk.cpu_ms_per_turn:
                out.append(
                    result(
                        benchmark,
                        f"cpu_vs_sdk_connector_client_c{concurrency}",
                        bot.cpu_ms_per_turn,
                        "ms CPU",
                        sdk.cpu_ms_per_turn,
                        f"the bot's CPU per turn posting its replies with bot.connector vs the same bot posting "
                        f"them through the SDK's connector client, same run: "
                        f"{sdk.cpu_ms_per_turn / bot.cpu_ms_per_turn - 1:+.0%} turns per CPU second; "
                        f"p50 {bot.p50_ms:.2f} vs {sdk.p50_ms:.2f} ms, p99 {bot.p99_ms:.2f} vs {sdk.p99_ms:.2f} ms",
                    )
                )
            if bot.cpu_ms_per_turn and direct.cpu_ms_per_turn:
                out.append(
                    result(
                        benchmark,
                        f"cpu_vs_expect_replies_c{concurrency}",
                        bot.cpu_ms_per_turn,
                        "ms CPU",
                        direct.cpu_ms_per_turn,
                        f"the bot's CPU per turn posting its replies to the Bot Connector vs the same turn "
                        f"answered with expectReplies, same run: +{bot.cpu_ms_per_turn - direct.cpu_ms_per_turn:.2f} "
                        f"ms per turn for the production path",
                    )
                )
    return out


def run(quick: bool = False) -> list[dict[str, Any]]:
    rounds, seconds, warmup = (2, 0.5, 0.2) if quick else (6, 1.0, 0.25)
    distinct = 200 if quick else DISTINCT_CONVERSATIONS
    with tempfile.TemporaryDirectory(prefix="bench-chat-") as tmp:
        work = Path(tmp)
        seeded = seed_demo(work / "data-bot")
        load_before = load_average()
        shutil.copytree(work / "data-bot", work / "data-bot-sdk-client")
        with (
            Server("raw", work / "data-raw") as raw,
            Server("bot", work / "data-bot") as bot,
            Server("bot", work / "data-bot-sdk-client", env={"BENCH_REPLIES": "sdk"}, name="bot-sdk-client") as sdk,
            fake_connector(work / "connector") as connector,
        ):
            pinned = pin_load_generator()
            cases = [Case("raw", raw.url, repeating("bench-raw", POOL_TEXT), pid=raw.pid)]
            cases += [Case(name, bot.url, repeating(f"bench-{name}", text), pid=bot.pid) for name, _, text in LOOKUPS]
            cases += [
                Case(name, bot.url, via_connector(f"bench-{name}", text, connector.base_url), pid=bot.pid)
                for name, _, text, _ in CONNECTOR_LOOKUPS
            ]
            cases += [
                Case(
                    name + SDK_CLIENT,
                    sdk.url,
                    via_connector(f"bench-{name}{SDK_CLIENT}", text, connector.base_url),
                    pid=sdk.pid,
                )
                for name, _, text, _ in CONNECTOR_LOOKUPS
            ]
            cases.append(Case("dialog", bot.url, lambda i: DialogWalk(f"bench-dialog-{i}", PURCHASE_TEXT), pid=bot.pid))
            warm_up(cases, 1, 0.3)
            measured = interleave(cases, CONCURRENCY, rounds=rounds, seconds=seconds, warmup=warmup)
            open_rounds, open_seconds = (2, 4.0) if quick else (3, 8.0)
            opened = open_loop(
                [c for c in cases if c.name in ("raw", "pool", "check", "dialog")],
                OPEN_LOOP_ADMINS,
                OPEN_LOOP_RATE,
                rounds=open_rounds,
                seconds=open_seconds,
                warmup=0.5,
            )
            fresh = distinct_conversations(raw, bot, distinct)
            stats = connector_stats(connector.base_url)
        context = f"demo tenant: {seeded:,} rows imported; {pinned}; {load_before} before, {load_average()} after"
    by_name = {case.name: case for case in cases}
    results = []
    for concurrency in CONCURRENCY:
        raw_summary = measured["raw", concurrency]
        for name, benchmark, _ in LOOKUPS:
            scripts = by_name[name].scripts[concurrency]
            what = {"pool": "the pool table", "check": "the verdict", "help": "the help card"}[name]
            results += rows(
                benchmark,
                measured[name, concurrency],
                raw_summary,
                concurrency,
                f"{card_note(scripts, what)}; {context}",
            )
        walks = cast(list[DialogWalk], by_name["dialog"].scripts[concurrency])
        results += rows(
            "turn: dialog step",
            measured["dialog", concurrency],
            raw_summary,
            concurrency,
            f"{dialog_note(walks)}; throughput counts every turn of the walk, latency the steps; {context}",
            throughput="all_turns_per_s",
        )
    results += connector_rows(measured, cases, stats, context)
    results += open_loop_rows(opened, context)
    bot_fresh, raw_fresh, fresh_scripts = fresh
    results += rows(
        "turn: 1,000 conversations",
        bot_fresh,
        raw_fresh,
        DISTINCT_CONCURRENCY,
        f"{distinct:,} pool lookups, each from a new conversation; "
        f"{card_note(fresh_scripts, 'the pool table')}; {context}",
    )
    return results


def open_loop_rows(opened: dict[str, Summary], context: str) -> list[dict[str, Any]]:
    """p50 and p99 of each goal turn under the open-loop schedule, against the raw handler's."""
    raw = opened["raw"]
    out = []
    for name, label in (("pool", "pool lookup"), ("check", "number check"), ("dialog", "purchase step")):
        bot = opened[name]
        errors = f"; {bot.errors} failed requests" if bot.errors else ""
        busy = f"; the bot's core {bot.cpu_ms_per_turn * OPEN_LOOP_RATE / 10:.0f}% busy" if bot.cpu_ms_per_turn else ""
        note = (
            f"{label}: {OPEN_LOOP_ADMINS} admins, Poisson arrivals, {OPEN_LOOP_RATE:g} turns/s in all "
            f"(one message per admin per second), each admin waiting for the answer; latency from when "
            f"the message was due; {bot.samples:,} timed turns (raw handler {raw.samples:,}){errors}{busy}; "
            f"vs the raw aiohttp JSON handler under the same schedule; {context}"
        )
        out.append(result(OPEN_LOOP_BENCHMARK, f"p50_ms_{name}", bot.p50_ms, "ms", raw.p50_ms, note))
        out.append(result(OPEN_LOOP_BENCHMARK, f"p99_ms_{name}", bot.p99_ms, "ms", raw.p99_ms, note))
    return out


def distinct_conversations(raw: Server, bot: Server, count: int) -> tuple[Summary, Summary, list[Distinct]]:
    """``count`` pool lookups, :data:`DISTINCT_CONCURRENCY` at a time, each from a new
    conversation, against the bot and then the raw handler (twice each, alternating, the
    summaries of both passes together)."""
    import asyncio

    from bench.loadgen import Slice, cpu_seconds, drive, summarize

    shared = [0]
    bot_scripts = [Distinct(f"bench-fresh-{i}", POOL_TEXT, shared) for i in range(DISTINCT_CONCURRENCY)]
    raw_scripts = [Distinct(f"bench-fresh-raw-{i}", POOL_TEXT) for i in range(DISTINCT_CONCURRENCY)]
    bot_slices: list[Slice] = []
    raw_slices: list[Slice] = []
    for _ in range(2):
        for scripts, slices, server in ((bot_scripts, bot_slices, bot), (raw_scripts, raw_slices, raw)):
            start, cpu = time.perf_counter(), cpu_seconds(server.pid)
            one = asyncio.run(drive(server.url, cast(list[Any], scripts), 600.0, max_turns=count // 2))
            one.seconds = time.perf_counter() - start
            one.cpu_s = cpu_seconds(server.pid) - cpu
            slices.append(one)
    return summarize(bot_slices), summarize(raw_slices), bot_scripts


if __name__ == "__main__":
    sys.exit(main(run, description=__doc__.splitlines()[0]))
