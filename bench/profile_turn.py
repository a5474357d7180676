"""Where the CPU of one real turn goes (issue 14): the bot profiled in-process, turn by turn.

    python -m bench.profile_turn [N] [--top K] [--turns pool,check,dialog,help,pool-bc,check-bc]
                                 [--conversations C]

This process is the bot (:func:`bench.servers.build_app` ``bot`` mode, as ``callplan
serve`` builds it, the demo tenant as in :mod:`bench.bench_chat`), pinned to the
servers' core and serving on loopback; a load generator in a child process on the other core
(:func:`bench.loadgen.drive`) posts the bench's Teams-shaped ``expectReplies`` activities, one
conversation (``--conversations C``: C at once, as :mod:`bench.bench_chat`'s 32-conversation rows;
not for the dialog walk): each turn kind is warmed up, then ``N`` turns are posted to measure the CPU per
turn, then ``N`` more with a sampling profiler on (:class:`CpuSampler`: on the process's CPU
clock, no cost per call). Printed per turn kind: the process's CPU per turn (all threads), the
event loop thread's share, and the top ``K`` places by own and by inclusive CPU time, in ms
per turn. Not part of ``make bench`` (it prints, it reports nothing).

``pool-bc`` and ``check-bc`` are the production delivery path (the connector-path rows of
:mod:`bench.bench_chat`): the same turns without ``expectReplies``, every reply posted to a
counting fake Bot Connector (:mod:`bench.fake_connector`, a process of its own on the load
generator's core), started only when one of them is asked for.

To profile another checkout's bot with this script (before/after), put that checkout's ``bot``,
``dialogs`` and ``knowledge`` first on ``PYTHONPATH`` and run from outside both trees.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench.bench_chat import CHECK_TEXT, HELP_TEXT, POOL_TEXT, PURCHASE_TEXT, seed_demo
from bench.loadgen import SERVER_CPU, DialogWalk, Repeat, Script, drive, fake_connector, load_generator_cpu

#: turn kind -> its one conversation's script, given the fake Bot Connector's URL ("" if none)
TURNS: dict[str, Callable[[str], Script]] = {
    "pool": lambda _: Repeat("prof-pool", POOL_TEXT),
    "check": lambda _: Repeat("prof-check", CHECK_TEXT),
    "dialog": lambda _: DialogWalk("prof-dialog", PURCHASE_TEXT),
    "help": lambda _: Repeat("prof-help", HELP_TEXT),
    "pool-bc": lambda url: Repeat("prof-pool-bc", POOL_TEXT, service_url=url),
    "check-bc": lambda url: Repeat("prof-check-bc", CHECK_TEXT, service_url=url),
}
#: The turn kinds that post their replies to the fake Bot Connector.
VIA_CONNECTOR = frozenset({"pool-bc", "check-bc"})
DEFAULT_TURNS = ("pool", "check", "dialog", "help")


def _conversations(turn: str, service_url: str, count: int) -> list[Script]:
    """``count`` conversations of ``turn`` (each its own conversation id, as the bench's)."""
    script = TURNS[turn](service_url)
    if count == 1:
        return [script]
    if not isinstance(script, Repeat):
        raise SystemExit(f"--conversations is for the one-turn lookups, not {turn}")
    return [Repeat(f"{script.conversation}-{i}", script.text, service_url=script.service_url) for i in range(count)]


def _drive_child(url: str, turn: str, turns: int, state_file: str, service_url: str, count: int) -> None:
    """The load generator (child process): ``turns`` turns in all over ``count`` conversations,
    each back to back. A dialog walk goes on where the last run left it (its state in
    ``state_file``)."""
    scripts = _conversations(turn, service_url, count)
    script = scripts[0]
    path = Path(state_file)
    if path.exists() and isinstance(script, DialogWalk):
        saved = json.loads(path.read_text())
        script.answer, script.steps_in_walk = saved["answer"], saved["steps_in_walk"]
    result = asyncio.run(drive(url, scripts, 3600.0, max_turns=turns))
    if isinstance(script, DialogWalk):
        path.write_text(json.dumps({"answer": script.answer, "steps_in_walk": script.steps_in_walk}))
    print(json.dumps({"completed": result.completed, "errors": result.errors}))


async def _run_child(
    url: str, turn: str, turns: int, state_file: Path, service_url: str, count: int = 1
) -> dict[str, Any]:
    cpu = load_generator_cpu()
    prefix = ["taskset", "-c", str(cpu)] if cpu is not None else []
    proc = await asyncio.create_subprocess_exec(
        *prefix,
        sys.executable,
        "-m",
        "bench.profile_turn",
        "--drive",
        url,
        turn,
        str(turns),
        str(state_file),
        service_url,
        str(count),
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=600)
    if proc.returncode:
        raise RuntimeError(f"the load generator failed ({proc.returncode})")
    return json.loads(out.decode().strip().splitlines()[-1])


def _our_packages() -> list[Any]:
    return [m for name in ("bench", "bot", "dialogs", "knowledge") if (m := sys.modules.get(name)) and m.__file__]


class CpuSampler:
    """A sampling profiler on the process's CPU clock: ``setitimer(ITIMER_PROF)`` raises SIGPROF
    every ``interval_s`` of CPU time the process used, and the handler (run by the main thread,
    the event loop's) counts the Python stack it interrupted. Unlike ``cProfile`` it adds no
    cost per call (a small function called often is not inflated) and counts CPU, not the wall
    time other processes took on a shared machine. Work of other threads lands on whatever the
    main thread was doing (the state journal's commits are in the "all threads" figure)."""

    def __init__(self, interval_s: float = 0.0005) -> None:
        self.interval_s = interval_s
        self.own: Counter[str] = Counter()
        self.inclusive: Counter[str] = Counter()
        self.samples = 0
        self.cpu_s = 0.0  # the process's CPU time while sampling: each sample's share of it
        # Where our packages were imported from (this tree, or another one on PYTHONPATH).
        roots = {str(Path(module.__file__).parent.parent) + "/" for module in _our_packages()}
        self.markers = ("site-packages/", *sorted(roots, key=len, reverse=True), "python3.11/")

    def _where(self, frame: Any) -> str:
        code = frame.f_code
        name = code.co_filename
        for marker in self.markers:
            if marker in name:
                name = name.split(marker, 1)[1]
                break
        return f"{name}:{code.co_firstlineno}({code.co_name})"

    def _sample(self, signum: int, frame: Any) -> None:
        self.samples += 1
        if frame is None:
            return
        self.own[self._where(frame)] += 1
        seen = set()
        while frame is not None:
            where = self._where(frame)
            if where not in seen:
                seen.add(where)
                self.inclusive[where] += 1
            frame = frame.f_back

    def __enter__(self) -> CpuSampler:
        self._started = time.process_time()
        signal.signal(signal.SIGPROF, self._sample)
        signal.setitimer(signal.ITIMER_PROF, self.interval_s, self.interval_s)
        return self

    def __exit__(self, *exc: object) -> None:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        signal.signal(signal.SIGPROF, signal.SIG_DFL)
        self.cpu_s = time.process_time() - self._started

    def table(self, counts: Counter[str], k: int, turns: int) -> str:
        # The kernel fires ITIMER_PROF on its scheduler tick (every 4 ms at HZ=250), whatever
        # interval was asked for: a sample is worth its share of the CPU time measured.
        lines = [f"{'ms/turn':>8} {'share':>6}  where"]
        per_sample_ms = 1000 * self.cpu_s / max(self.samples, 1) / turns
        for where, n in counts.most_common(k):
            lines.append(f"{n * per_sample_ms:8.3f} {n / max(self.samples, 1):6.1%}  {where}")
        return "\n".join(lines)


async def _profile(data_dir: Path, n: int, top: int, turns: list[str], service_url: str, count: int = 1) -> None:
    from aiohttp import web

    from bench.servers import build_app

    app = build_app("bot", data_dir)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/api/messages"
    try:
        with tempfile.TemporaryDirectory(prefix="profile-turn-walk-") as walk_dir:
            for turn in turns:
                walk = Path(walk_dir) / f"{turn}.json"
                await _run_child(url, turn, 200, walk, service_url, count)  # warm: lazy loads, caches, the walk started
                cpu, thread = time.process_time(), time.thread_time()
                done = (await _run_child(url, turn, n, walk, service_url, count))["completed"]
                cpu_ms = 1000 * (time.process_time() - cpu) / done
                loop_ms = 1000 * (time.thread_time() - thread) / done
                with CpuSampler() as sampler:
                    profiled = (await _run_child(url, turn, n, walk, service_url, count))["completed"]
                print(
                    f"\n===== {turn}: {done} turns, {count} conversation(s), {cpu_ms:.3f} ms CPU per turn (all threads)"
                )
                print(f"      event loop thread {loop_ms:.3f} ms; profiled pass: {profiled} turns")
                sampled = 1000 * sampler.cpu_s / profiled
                print(f"--- sampled pass: {sampled:.3f} ms CPU per turn, {sampler.samples} samples; by own time")
                print(sampler.table(sampler.own, top, profiled))
                print("--- by inclusive time (the function or anything it called)")
                print(sampler.table(sampler.inclusive, top, profiled))
    finally:
        await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=1000)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--turns", default=",".join(DEFAULT_TURNS), help=f"of {', '.join(TURNS)}")
    parser.add_argument("--conversations", type=int, default=1, help="conversations at once (lookups only)")
    parser.add_argument(
        "--drive", nargs=6, metavar=("URL", "TURN", "N", "STATE", "SERVICE_URL", "C"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.drive:
        url, turn, count, state, service_url, conversations = args.drive
        _drive_child(url, turn, int(count), state, service_url, int(conversations))
        return
    import logging

    logging.basicConfig(level=logging.ERROR)
    turns = [t for t in args.turns.split(",") if t]
    if unknown := set(turns) - set(TURNS):
        parser.error(f"unknown turns: {', '.join(sorted(unknown))}")
    with tempfile.TemporaryDirectory(prefix="profile-turn-") as tmp, ExitStack() as stack:
        data_dir = Path(tmp) / "data"
        seed_demo(data_dir)
        service_url = ""
        if VIA_CONNECTOR & set(turns):  # started before this process is pinned: it pins itself
            service_url = stack.enter_context(fake_connector(Path(tmp) / "connector")).base_url
        if (os.cpu_count() or 1) > 1:
            os.sched_setaffinity(0, {SERVER_CPU})
        asyncio.run(_profile(data_dir, args.n, args.top, turns, service_url, args.conversations))


if __name__ == "__main__":
    main()
