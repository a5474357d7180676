"""Start time and memory of the bot process (issue 7).

* ``start time``: from starting ``python -m bot`` (local mode, a ``DATA_DIR`` seeded with the
  demo tenant, our packages' bytecode compiled, as after ``make run``) to its first
  ``GET /healthz`` answered 200, polled every few milliseconds; against a minimal aiohttp app
  (``bench.servers raw``) measured the same way, and against a bare interpreter (``python -c
  pass``, start to exit): what any Python server pays before its first line of its own. Median
  of several starts, the three interleaved.
* ``cli start``: ``callplan --help`` and ``callplan check ...``, start to exit, against
  ``python -c pass`` (commands that do not serve load neither aiohttp nor the bot host).
* ``memory``: resident set size (``VmRSS``) of the bot process after start, and after 1,000
  turns (16 conversations: half ask "pool balance", half walk the guided purchase, see
  :mod:`bench.bench_chat`); against the minimal aiohttp app's RSS after start and after 1,000
  requests of the same bodies.

Run: ``python -m bench.bench_startup`` (``--quick`` for fewer starts).
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.bench_chat import POOL_TEXT, PURCHASE_TEXT, seed_demo
from bench.common import main, median, result
from bench.loadgen import ROOT, DialogWalk, Repeat, Script, drive, load_average, rss_mb, server_env, teams_message

START_TIMEOUT = 60.0
POLL_SECONDS = 0.005
TURNS = 1_000
CONVERSATIONS = 16


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthz_ok(port: int) -> bool:
    """One GET /healthz; True on 200, False when refused or not 200 yet."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def first_turn(port: int) -> None:
    """One real turn (a pool question, Teams-shaped, ``expectReplies``), answered 200."""
    body = json.dumps(teams_message(0, "a:first-turn", POOL_TEXT)).encode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", "/api/messages", body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"the first turn got {response.status}")
    finally:
        connection.close()


class Started:
    """A server process started and polled until ``/healthz`` answers 200 (then, with
    ``turn=True``, asked one real turn: ``turn_seconds`` is start to that answer)."""

    def __init__(self, command: list[str], env: dict[str, str], cwd: Path, log: Path, turn: bool = False) -> None:
        self.port = free_port()
        full_env = server_env({"PORT": str(self.port), "BENCH_PORT": str(self.port), **env})
        begin = time.perf_counter()
        self.proc = subprocess.Popen(
            command,
            cwd=cwd,
            env=full_env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log.open("w"),
            start_new_session=True,
        )
        while not healthz_ok(self.port):
            if self.proc.poll() is not None or time.perf_counter() - begin > START_TIMEOUT:
                self.stop()
                raise RuntimeError(f"{' '.join(command[1:])} did not answer /healthz: {log.read_text()[-2000:]}")
            time.sleep(POLL_SECONDS)
        self.seconds = time.perf_counter() - begin
        self.url = f"http://127.0.0.1:{self.port}/api/messages"
        if turn:
            first_turn(self.port)
        self.turn_seconds = time.perf_counter() - begin

    def rss_mb(self) -> float:
        return rss_mb(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def bare_interpreter_seconds() -> float:
    return command_seconds([sys.executable, "-c", "pass"])


#: ``callplan`` commands that do not serve, timed start to exit (issue 14): they load only
#: their own subcommand's module, not aiohttp, the SDK or the bot host.
CALLPLAN = str(Path(sys.executable).parent / "callplan")
CLI_COMMANDS = {
    "callplan --help": [CALLPLAN, "--help"],
    "callplan check": [CALLPLAN, "check", "+44 20 7946 0958", "--country", "FR", "--plan", "MCOPSTN1"],
}


def command_seconds(command: list[str], cwd: Path | None = None) -> float:
    """Start to exit of ``command`` (which must succeed), output discarded. This checkout's
    packages come first on ``PYTHONPATH``: the venv's ``callplan`` script imports whichever
    checkout the editable install points to, which need not be the one benchmarked."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    begin = time.perf_counter()
    subprocess.run(command, check=True, timeout=60, cwd=cwd, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - begin


def _turns(url: str, scripts: list[Script]) -> int:
    done = asyncio.run(drive(url, scripts, seconds=600, max_turns=TURNS))
    if done.errors:
        raise RuntimeError(f"{done.errors} of {TURNS} turns failed")
    return done.turns


def compile_bytecode() -> None:
    """Our packages' ``.pyc``, as ``make setup`` leaves them (``make bytecode``): the starts then
    measure a set-up checkout, whether or not the shell sets ``PYTHONDONTWRITEBYTECODE``."""
    packages = [str(ROOT / name) for name in ("bot", "dialogs", "knowledge", "manifest")]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *packages], check=True, stdout=subprocess.DEVNULL)


def run(quick: bool = False) -> list[dict[str, Any]]:
    starts = 2 if quick else 5
    compile_bytecode()
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        work = Path(tmp)
        data = work / "data"
        seed_demo(data)
        bot_command = [sys.executable, "-m", "bot"]
        raw_command = [sys.executable, "-m", "bench.servers", "raw", str(work / "raw")]
        bot_env = {"DATA_DIR": str(data), "HOST": "127.0.0.1", "LOG_LEVEL": "WARNING"}
        load_before = load_average()
        bot_s: list[float] = []
        raw_s: list[float] = []
        bot_turn_s: list[float] = []
        raw_turn_s: list[float] = []
        bare_s: list[float] = []
        cli_s: dict[str, list[float]] = {name: [] for name in CLI_COMMANDS}
        for _ in range(starts):
            for command, env, into, turn_into in (
                (bot_command, bot_env, bot_s, bot_turn_s),
                (raw_command, {}, raw_s, raw_turn_s),
            ):
                server = Started(command, env, work, work / "server.log", turn=True)
                server.stop()
                into.append(server.seconds)
                turn_into.append(server.turn_seconds)
            bare_s.append(bare_interpreter_seconds())
            for name, command in CLI_COMMANDS.items():
                cli_s[name].append(command_seconds(command, cwd=work))

        # Memory: one more start of each, then the same number of turns.
        bot = Started(bot_command, bot_env, work, work / "bot.log")
        try:
            bot_rss_start = bot.rss_mb()
            scripts: list[Script] = [
                Repeat(f"a:mem-pool-{i}", POOL_TEXT) if i % 2 else DialogWalk(f"a:mem-dialog-{i}", PURCHASE_TEXT)
                for i in range(CONVERSATIONS)
            ]
            bot_turns = _turns(bot.url, scripts)
            bot_rss_end = bot.rss_mb()
        finally:
            bot.stop()
        raw = Started(raw_command, {}, work, work / "raw.log")
        try:
            raw_rss_start = raw.rss_mb()
            raw_turns = _turns(raw.url, [Repeat(f"a:mem-raw-{i}", POOL_TEXT) for i in range(CONVERSATIONS)])
            raw_rss_end = raw.rss_mb()
        finally:
            raw.stop()
        load = f"{load_before} before, {load_average()} after"

    bot_ms, raw_ms, bare_ms = (1000 * median(s) for s in (bot_s, raw_s, bare_s))
    starts_note = f"median of {starts} starts, interleaved; polled every {POLL_SECONDS * 1000:.0f} ms"
    cli_rows = [
        result(
            "start time",
            f"{name} (start to exit)",
            1000 * median(samples),
            "ms",
            bare_ms,
            f"baseline: python -c pass, start to exit; median of {starts} runs, interleaved "
            "with the server starts; goal: at most 0.3 s and 6x",
        )
        for name, samples in cli_s.items()
    ]
    return [
        *cli_rows,
        result(
            "start time",
            "python -m bot -> first /healthz 200",
            bot_ms,
            "ms",
            raw_ms,
            f"vs a minimal aiohttp app (bench.servers raw) started and polled the same way; {starts_note}; {load}",
        ),
        result(
            "start time",
            "python -m bot -> first turn answered",
            1000 * median(bot_turn_s),
            "ms",
            1000 * median(raw_turn_s),
            "one pool question right after the first /healthz 200 (what a turn loads or builds on first "
            f"use is paid here) vs the same request to the minimal aiohttp app; {starts_note}",
        ),
        result(
            "start time",
            "python -m bot vs bare interpreter",
            bot_ms,
            "ms",
            bare_ms,
            f"baseline: python -c pass, start to exit; {starts_note}",
        ),
        result(
            "memory",
            "bot RSS after start",
            bot_rss_start,
            "MB",
            raw_rss_start,
            "VmRSS at the first /healthz 200 vs a minimal aiohttp app's",
        ),
        result(
            "memory",
            f"bot RSS after {bot_turns:,} turns",
            bot_rss_end,
            "MB",
            raw_rss_end,
            f"{CONVERSATIONS} conversations: half pool lookups, half guided purchases; "
            f"baseline: the minimal aiohttp app after {raw_turns:,} requests; "
            f"the bot grew {bot_rss_end - bot_rss_start:+.1f} MB",
        ),
    ]


if __name__ == "__main__":
    sys.exit(main(run, description=__doc__.splitlines()[0]))
