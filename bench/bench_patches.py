"""What each SDK patch of :mod:`bot.sdk_patches` buys on real turns (issue 14).

The rule: a patch stays only if it buys at least 10% on a real turn. So each patch is
measured by leaving it out: the real bot (as in :mod:`bench.bench_chat`: real root dialog,
demo tenant, Teams-shaped channel messages with ``expectReplies``, one core per server) with
every patch applied, against the same bot with every patch but that one, in the same run,
interleaved in short slices. One more server has none applied (the SDK as shipped, clients
still reused), against all of them. Turns: a pool lookup, a number check, a guided-purchase
step, the help card, each at one conversation (the CPU a turn costs; at 32 conversations the
same work queues up); and the production delivery path (``pool-bc``, ``check-bc``): the same
pool lookup and number check without ``expectReplies``, the bot POSTing each reply to a
loopback fake Bot Connector (:mod:`bench.fake_connector`, its own process on the load
generator's core) through the SDK's connector client, as real Teams traffic makes it do.

Metric ``cpu_<turn>_without_<patch>``: the server's CPU time per turn (user + system, all its
threads, from ``/proc``; the median over slices) with every patch (value) against every patch but that one (baseline):
CPU time, unlike turns/s, hardly moves when other work shares the machine. ``ratio`` < 1: the
patch saves CPU; the note gives the gain as a throughput (baseline / value - 1): 10% is the bar
(ratio <= 0.909). Wall-clock p50s are in the note, for the record only.

Run: ``python -m bench.bench_patches`` (``--quick`` for shorter slices).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.bench_chat import CHECK_TEXT, HELP_TEXT, POOL_TEXT, PURCHASE_TEXT, seed_demo
from bench.common import main, result
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

#: (case, what it is, how a conversation's script is made)
TURNS: tuple[tuple[str, str, Any], ...] = (
    ("pool", "pool lookup", lambda prefix, _: Repeat(prefix, POOL_TEXT)),
    ("check", "number check", lambda prefix, _: Repeat(prefix, CHECK_TEXT)),
    ("dialog", "purchase step", lambda prefix, _: DialogWalk(prefix, PURCHASE_TEXT)),
    ("help", "help card", lambda prefix, _: Repeat(prefix, HELP_TEXT)),
    # The production delivery path: no expectReplies, replies POSTed to the fake Bot Connector.
    ("pool-bc", "pool lookup via the Bot Connector", lambda prefix, url: Repeat(prefix, POOL_TEXT, service_url=url)),
    ("check-bc", "number check via the Bot Connector", lambda prefix, url: Repeat(prefix, CHECK_TEXT, service_url=url)),
)


def variants() -> list[tuple[str, str]]:
    """(server name, ``BENCH_SDK_PATCHES``): all, none, and all but each one."""
    from bot.sdk_patches import PATCHES

    out = [("all", "all"), ("none", "none")]
    out += [(f"without-{name}", ",".join(p for p in PATCHES if p != name) or "none") for name in PATCHES]
    return out


def _scripts(make: Callable[[str, str], Script], prefix: str, service_url: str) -> Callable[[int], Script]:
    """Conversation ``i`` of a case: ``make`` given its own conversation id (and the fake
    connector's URL, which the connector-path turns use as their serviceUrl)."""
    return lambda i: make(f"{prefix}-{i}", service_url)


def run(quick: bool = False) -> list[dict[str, Any]]:
    from bot.sdk_patches import PATCHES

    rounds, seconds, warmup = (3, 0.3, 0.1) if quick else (6, 0.5, 0.1)
    with tempfile.TemporaryDirectory(prefix="bench-patches-") as tmp:
        work = Path(tmp)
        seeded = seed_demo(work / "seed")
        servers: dict[str, Server] = {}
        connector: Server | None = None
        load_before = load_average()
        try:
            for name, patches in variants():
                shutil.copytree(work / "seed", work / f"data-{name}")
                servers[name] = Server("bot", work / f"data-{name}", env={"BENCH_SDK_PATCHES": patches}, name=name)
            connector = fake_connector(work / "connector")
            pinned = pin_load_generator()
            cases = [
                Case(
                    f"{server}/{turn}",
                    servers[server].url,
                    _scripts(make, f"bench-{server}-{turn}", connector.base_url),
                    pid=servers[server].pid,
                )
                for turn, _, make in TURNS
                for server in servers
            ]
            # Every server's first turns load what it loads lazily (the recognizer, the card
            # schemas...): get that done before anything is measured.
            warm_up(cases, 1, 0.4)
            measured = interleave(cases, (1,), rounds=rounds, seconds=seconds, warmup=warmup)
        finally:
            for server in servers.values():
                server.stop()
            if connector is not None:
                connector.stop()
    context = f"demo tenant: {seeded:,} rows; {pinned}; {load_before} before, {load_average()} after"
    results = []
    for turn, label, _ in TURNS:
        everything = measured[f"all/{turn}", 1]
        for name in [*PATCHES, "all"]:
            other = measured[f"{'none' if name == 'all' else 'without-' + name}/{turn}", 1]
            value, baseline = everything.cpu_ms_per_turn, other.cpu_ms_per_turn
            if value is None or baseline is None:
                raise RuntimeError("no CPU time measured for a server")
            gain = baseline / value - 1
            what = "none (the SDK as shipped, clients reused)" if name == "all" else f"every patch but {name}"
            results.append(
                result(
                    "sdk patches: gain per patch",
                    f"cpu_{turn}_without_{name}",
                    value,
                    "ms CPU/turn",
                    baseline,
                    f"{label}: every patch vs {what}, 1 conversation: {gain:+.0%} turns per CPU second"
                    f"{' (below the 10% bar)' if gain < 0.10 and name != 'all' else ''}; wall p50 "
                    f"{everything.p50_ms:.2f} vs {other.p50_ms:.2f} ms; {context}",
                )
            )
    return results


if __name__ == "__main__":
    sys.exit(main(run, description=__doc__.splitlines()[0]))
