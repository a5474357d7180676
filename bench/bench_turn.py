"""Turn benchmarks: what the Bot Framework plumbing costs per message, and state at scale.

* ``turn``: turns per second and p50/p99 latency of a message turn through the real app
  (``bot.app.create_app``: our /api/messages handler, CloudAdapter, the Teams handler, a
  one-step dialog run by ``DialogExtensions.run_dialog``, conversation state read and written
  to the TinyDB state files every turn), posted over loopback HTTP with ``expectReplies`` at
  1 and 32 concurrent conversations. Baseline, in the same run and under the same load: a raw
  aiohttp handler that parses the same ~1 KB Teams JSON and answers JSON. ``ratio`` is value /
  baseline (for throughput, the fraction of the raw handler's speed; for latency, how many
  times slower). The same turn with the SDK as shipped (``speedups=False``: no msrest patch,
  new connector and token clients every turn) shows what ``bot/speedups.py`` buys.
  Each server runs in its own process (all started together, the load visiting them in turn in
  short slices so machine noise hits every case alike); this process is the load generator.
* ``state``: one state write + read (what a turn does) with 10,000 conversations stored
  against 10 (baseline): ~1x expected, since each conversation has its own small file.

Run: ``python -m bench.bench_turn`` (``--quick`` for shorter runs and 2,000 conversations).
"""
from __future__ import annotations

import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CONCURRENCY = (1, 32)


# --- the server side (runs in a child process) --------------------------------------------------


def _one_step_dialog(*, conversation_state, **_: Any):
    """A root dialog of one waterfall step: count the turn in conversation state, reply, end.

    Counting makes every turn write its conversation's state, as a turn inside a real dialog does.
    """
    from botbuilder.dialogs import ComponentDialog, WaterfallDialog

    turns = conversation_state.create_property("Turns")

    class OneStep(ComponentDialog):
        def __init__(self) -> None:
            super().__init__("one_step")
            self.add_dialog(WaterfallDialog("main", [self.step]))
            self.initial_dialog_id = "main"

        async def step(self, step):
            count = (await turns.get(step.context) or 0) + 1  # (a default of 0 is ignored: falsy)
            await turns.set(step.context, count)
            await step.context.send_activity(f"turn {count}")
            return await step.end_dialog()

    return OneStep()


def _raw_app():
    from aiohttp import web

    async def messages(request: web.Request) -> web.Response:
        activity = await request.json()
        return web.json_response(
            {"activities": [{"type": "message", "text": "ok", "replyToId": activity.get("id"),
                             "conversation": activity.get("conversation")}]}
        )

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    return app


def _use_memory_storage() -> None:
    """For the "memory" case only: the app's state storage becomes the SDK's MemoryStorage.

    Shows what the SDK plumbing costs without durable state (no file I/O, no fsync).
    """
    import bot.app
    from botbuilder.core import MemoryStorage

    class ClosableMemoryStorage(MemoryStorage):
        def __init__(self, folder: Any) -> None:
            super().__init__()
            self.folder = folder

        async def close(self) -> None:
            pass

    bot.app.TinyDBStorage = ClosableMemoryStorage


def _serve(mode: str, data_dir: str) -> None:
    import logging

    from aiohttp import web

    logging.basicConfig(level=logging.ERROR)
    if mode == "raw":
        app = _raw_app()
    else:
        from bot.app import create_app
        from bot.config import Settings

        if mode == "memory":
            _use_memory_storage()
        settings = Settings(_env_file=None, DATA_DIR=Path(data_dir), LOG_LEVEL="ERROR")
        app = create_app(settings, root_dialog=_one_step_dialog, speedups=(mode != "stock"))

    async def main() -> None:
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        print(runner.addresses[0][1], flush=True)
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()
        await runner.cleanup()

    asyncio.run(main())


# --- the load generator -------------------------------------------------------------------------


def teams_message(n: int, conversation: str) -> dict[str, Any]:
    """A ~1 KB message shaped like Teams sends it, with expectReplies."""
    return {
        "type": "message", "id": f"1700000000{n:06d}", "timestamp": "2026-11-26T12:00:00.000Z",
        "localTimestamp": "2026-11-26T13:00:00.000+01:00", "serviceUrl": "https://smba.trafficmanager.net/emea/",
        "channelId": "msteams",
        "from": {"id": "29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQtHieVkKilBZ9XHoq9j7Zaqt7CZ-NJWi7me2kHTL3Bw",
                 "name": "Megan Bowen", "aadObjectId": "00000000-0000-0000-0000-000000000007"},
        "conversation": {"conversationType": "personal", "tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47",
                         "id": conversation},
        "recipient": {"id": "28:c9e8c047-2a74-40a2-b28a-b162d5f5327c", "name": "Calling Plan Assistant"},
        "textFormat": "plain", "locale": "en-US", "text": "how many minutes are left in the French pool this month?",
        "entities": [{"locale": "en-US", "country": "US", "platform": "Web", "timezone": "Europe/Paris",
                      "type": "clientInfo"}],
        "channelData": {"tenant": {"id": "72f988bf-86f1-41af-91ab-2d7cd011db47"}},
        "deliveryMode": "expectReplies",
    }


class Server:
    def __init__(self, mode: str, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.log = data_dir.parent / f"server-{mode}.log"
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        for name in ("MicrosoftAppId", "MicrosoftAppPassword", "ALLOWED_TENANTS"):
            env.pop(name, None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.bench_turn", "--serve", mode, str(data_dir)],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=self.log.open("w"), text=True,
        )
        line = self.proc.stdout.readline()
        if not line.strip().isdigit():
            self.stop()
            raise RuntimeError(f"the {mode} server did not start: {self.log.read_text()[-2000:]}")
        self.url = f"http://127.0.0.1:{int(line)}/api/messages"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


async def _load(url: str, concurrency: int, seconds: float, warmup: float) -> dict[str, Any]:
    """``concurrency`` conversations posting turns back to back for ``seconds`` (after ``warmup``)."""
    import aiohttp

    latencies: list[float] = []
    errors = 0
    deadline_warm = time.perf_counter() + warmup
    deadline = deadline_warm + seconds
    counter = 0

    async def worker(session: aiohttp.ClientSession, index: int) -> None:
        nonlocal counter, errors
        conversation = f"a:bench-conversation-{index}"
        while True:
            counter += 1
            body = json.dumps(teams_message(counter, conversation)).encode()
            start = time.perf_counter()
            if start >= deadline:
                return
            async with session.post(url, data=body, headers={"Content-Type": "application/json"}) as response:
                payload = await response.read()
            end = time.perf_counter()
            if response.status != 200 or (b'"turn ' not in payload and b'"ok"' not in payload):
                errors += 1
            elif start >= deadline_warm:
                latencies.append(end - start)

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(worker(session, i) for i in range(concurrency)))
    return {"latencies": latencies, "errors": errors, "seconds": seconds}


def _summary(slices: list[dict[str, Any]]) -> dict[str, float]:
    latencies = sorted(x for s in slices for x in s["latencies"])
    seconds = sum(s["seconds"] for s in slices)
    if not latencies:
        raise RuntimeError("no successful turn was measured")
    return {
        "turns_per_s": len(latencies) / seconds,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "errors": sum(s["errors"] for s in slices),
        "samples": len(latencies),
    }


MODES = ("raw", "bot", "memory", "stock")


def bench_turns(work: Path, quick: bool) -> list[dict[str, Any]]:
    """All servers run at once; the load visits them in turn, in short slices, several rounds,
    so that whatever else the machine does at a given moment falls on every case alike."""
    rounds, slice_seconds, warmup = (3, 0.6, 0.2) if quick else (6, 1.0, 0.25)
    servers = {}
    try:
        for mode in MODES:
            servers[mode] = Server(mode, work / f"data-{mode}")
        measured: dict[tuple[str, int], dict[str, float]] = {}
        for concurrency in CONCURRENCY:
            slices: dict[str, list[dict[str, Any]]] = {mode: [] for mode in MODES}
            for _ in range(rounds):
                for mode in MODES:
                    slices[mode].append(asyncio.run(_load(servers[mode].url, concurrency, slice_seconds, warmup)))
            for mode in MODES:
                measured[mode, concurrency] = _summary(slices[mode])
    finally:
        for server in servers.values():
            server.stop()

    results = []
    for concurrency in CONCURRENCY:
        raw = measured["raw", concurrency]
        for mode, label in (
            ("bot", "dialog turn, state in TinyDB files (fsync)"),
            ("memory", "dialog turn, state in MemoryStorage"),
            ("stock", "dialog turn, SDK as shipped, TinyDB state"),
        ):
            m = measured[mode, concurrency]
            errors = f"; {m['errors']} failed requests" if m["errors"] else ""
            for metric, unit in (("turns_per_s", "turns/s"), ("p50_ms", "ms"), ("p99_ms", "ms")):
                results.append({
                    "benchmark": "turn",
                    "metric": f"{mode}_{metric}_c{concurrency}",
                    "value": round(m[metric], 3),
                    "unit": unit,
                    "baseline": round(raw[metric], 3),
                    "ratio": round(m[metric] / raw[metric], 4) if raw[metric] else None,
                    "note": f"{label} vs raw aiohttp JSON handler, {concurrency} concurrent "
                            f"conversation(s), {int(m['samples'])} turns{errors}",
                })
    return results


# --- state at scale -------------------------------------------------------------------------------


async def _state_cycle_s(storage, key: str, n: int) -> float:
    """One turn's state traffic: write the conversation's state, read it back."""
    state = {"DialogState": {"dialogStack": []}, "Turns": n}
    start = time.perf_counter()
    await storage.write({key: state})
    await storage.read([key])
    return time.perf_counter() - start


async def _bench_state(work: Path, many: int, cycles: int) -> list[dict[str, Any]]:
    """Two storages side by side, one holding 10 conversations, one ``many``; cycles alternate
    between them and the medians are compared, so disk hiccups hit both alike."""
    from bot.state import TinyDBStorage

    few_store = TinyDBStorage(work / "state-10", max_workers=4)
    many_store = TinyDBStorage(work / f"state-{many}", max_workers=4)
    try:
        async def fill(storage, count: int) -> None:
            batch = 100
            for first in range(0, count, batch):
                await asyncio.gather(*(
                    storage.write({f"msteams/conversations/a:seed-{i}/": {"DialogState": {"dialogStack": []}, "n": i}})
                    for i in range(first, min(count, first + batch))
                ))

        await fill(few_store, 10)
        await fill(many_store, many)
        few: list[float] = []
        lots: list[float] = []
        for n in range(cycles):
            few.append(await _state_cycle_s(few_store, "msteams/conversations/a:probe/", n))
            lots.append(await _state_cycle_s(many_store, "msteams/conversations/a:probe/", n))
    finally:
        await few_store.close()
        await many_store.close()
    few_ms, lots_ms = 1000 * statistics.median(few), 1000 * statistics.median(lots)
    return [{
        "benchmark": "state",
        "metric": f"write_read_ms_{many}_conversations",
        "value": round(lots_ms, 3),
        "unit": "ms",
        "baseline": round(few_ms, 3),
        "ratio": round(lots_ms / few_ms, 3),
        "note": f"one conversation's state write (fsync + rename) and read, median of {cycles}, "
                f"{many:,} conversations stored vs 10, alternating",
    }]


def run(quick: bool = False) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="bench-turn-") as tmp:
        work = Path(tmp)
        results = bench_turns(work, quick)
        results += asyncio.run(_bench_state(work, 2_000 if quick else 10_000, 200 if quick else 400))
    return results


def _print(results: list[dict[str, Any]]) -> None:
    columns = ("benchmark", "metric", "value", "unit", "baseline", "ratio")
    rows = [[str(r[c]) if r[c] is not None else "-" for c in columns] for r in results]
    widths = [max(len(c), *(len(row[i]) for row in rows)) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths)))
    for row, result in zip(rows, results):
        print("  ".join(v.ljust(w) for v, w in zip(row, widths)) + f"  {result['note']}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--serve":
        _serve(sys.argv[2], sys.argv[3])
    else:
        _print(run(quick="--quick" in sys.argv[1:]))
