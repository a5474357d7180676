"""The HTTP servers the turn benchmarks put under load, each in a process of its own.

    python -m bench.servers MODE DATA_DIR

prints the port it listens on (127.0.0.1; ``BENCH_PORT`` from the environment, else any free
port) as its first line of output, then serves until SIGTERM. Why a process each: the machine
has two cores, and a server sharing its interpreter with the load generator would measure the
generator's work as the bot's. Modes:

* ``raw``: the baseline, a bare aiohttp handler that parses the same Teams JSON and answers
  JSON (plus ``GET /healthz`` for the start-time baseline);
* ``bot``: the real application (``bot.app.create_app``) with the real root dialog
  (``dialogs.root``) over ``DATA_DIR``, which the caller seeds with the demo tenant;
* ``onestep``: the real host with a one-step dialog that counts turns in conversation state
  (the Bot Framework plumbing alone, state in the TinyDB files);
* ``memory``: the same, with the SDK's ``MemoryStorage`` (no file I/O at all);
* ``stock``: the same as ``onestep`` with the SDK's clients as shipped (new connector and
  token clients every turn: ``reuse_clients=False``);
* ``atonce``: the real host with a root dialog that answers every message at once with one
  line, as the real one answers a pool lookup or a number check (``answer_at_once``: no dialog
  stack, no state written; the conversation's state is still read, in the TinyDB files).

Like production, a server process gets one core: ``BENCH_CPU`` (a CPU number) pins it there
with ``os.sched_setaffinity`` before it builds the app, so its worker threads (the store's, bot
state's, the SDK's thread pool) share that core instead of borrowing the load generator's.
``BENCH_REPLIES=sdk`` makes a bot mode post its replies
through the SDK's connector client as shipped (``create_app(reply_connector=False)``) instead of
:mod:`bot.connector`: the baseline of the connector-path rows of :mod:`bench.bench_chat`;
``stock`` always does.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from pathlib import Path
from typing import Any

from aiohttp import web

MODES = ("raw", "bot", "onestep", "memory", "stock", "atonce")


def raw_app() -> web.Application:
    """What any JSON endpoint pays: parse ~1 KB of Teams JSON, answer a small JSON body."""

    async def messages(request: web.Request) -> web.Response:
        activity = await request.json()
        return web.json_response(
            {
                "activities": [
                    {
                        "type": "message",
                        "text": "ok",
                        "replyToId": activity.get("id"),
                        "conversation": activity.get("conversation"),
                    }
                ]
            }
        )

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    return app


def one_step_dialog(*, conversation_state: Any, **_: Any) -> Any:
    """A root dialog of one waterfall step: count the turn in conversation state, reply, end.

    Counting makes every turn write its conversation's state, as a turn inside a real dialog
    does, without any of our dialogs' own work: what is left is the SDK and the host.
    """
    from botbuilder.dialogs import ComponentDialog, WaterfallDialog

    turns = conversation_state.create_property("Turns")

    class OneStep(ComponentDialog):
        def __init__(self) -> None:
            super().__init__("one_step")
            self.add_dialog(WaterfallDialog("main", [self.step]))
            self.initial_dialog_id = "main"

        async def step(self, step: Any) -> Any:
            count = (await turns.get(step.context) or 0) + 1
            await turns.set(step.context, count)
            await step.context.send_activity(f"turn {count}")
            return await step.end_dialog()

    return OneStep()


def at_once_dialog(**services: Any) -> Any:
    """:func:`one_step_dialog` that answers every message at once (``answer_at_once``, what
    ``bot.teams_bot.CallingPlanBot._answered_at_once`` calls) with one line, so its step never
    runs: what is left of a pool lookup or a number check is the host, none of our
    understanding or answers."""
    dialog = one_step_dialog(**services)

    async def answer_at_once(context: Any) -> bool:
        await context.send_activity("ok")
        return True

    dialog.answer_at_once = answer_at_once
    return dialog


def _use_memory_storage() -> None:
    """The app's state storage becomes the SDK's MemoryStorage (the ``memory`` mode only)."""
    from botbuilder.core import MemoryStorage

    import bot.app

    class ClosableMemoryStorage(MemoryStorage):
        def __init__(self, folder: Any) -> None:
            super().__init__()
            self.folder = folder

        async def close(self) -> None:
            pass

    bot.app.TinyDBStorage = ClosableMemoryStorage  # type: ignore[misc, assignment]  # a stand-in class, for the bench


def build_app(mode: str, data_dir: Path) -> web.Application:
    if mode == "raw":
        return raw_app()
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r} (one of {', '.join(MODES)})")
    from bot.app import create_app
    from bot.config import Settings

    if mode == "memory":
        _use_memory_storage()
    # No .env, no app id: local mode, the same as `make run`.
    settings = Settings(
        _env_file=None, DATA_DIR=data_dir, LOG_LEVEL="ERROR", APP_ID="", APP_PASSWORD="", ALLOWED_TENANTS=frozenset()
    )
    ours = mode != "stock" and os.environ.get("BENCH_REPLIES", "ours") != "sdk"
    if mode == "bot":
        return create_app(settings, freeze_heap=True, reply_connector=ours)  # as `callplan serve`
    # Served like ``callplan serve`` (``freeze_heap``): without it the collector's full passes over
    # the long-lived heap (catalog, understanding indexes) were these modes' p99 at 32
    # conversations (one-step dialog: 67.6 ms, 30.2 ms with the collector off).
    return create_app(
        settings,
        root_dialog=at_once_dialog if mode == "atonce" else one_step_dialog,
        reuse_clients=(mode != "stock"),
        reply_connector=ours,
        freeze_heap=True,
    )


def pin_to_cpu() -> None:
    """``BENCH_CPU``: run this process (and every thread it starts) on that one CPU."""
    cpu = os.environ.get("BENCH_CPU")
    if cpu:
        os.sched_setaffinity(0, {int(cpu)})


def serve_app(app: web.Application, port: int = 0) -> None:
    """Serve ``app`` on 127.0.0.1 until SIGTERM; the port it took is the first line out (what
    :class:`bench.loadgen.Server` reads)."""

    async def main() -> None:
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", port)
        await site.start()
        print(runner.addresses[0][1], flush=True)
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()
        await runner.cleanup()

    asyncio.run(main())


def serve(mode: str, data_dir: Path) -> None:
    logging.basicConfig(level=logging.ERROR)
    pin_to_cpu()
    serve_app(build_app(mode, data_dir), int(os.environ.get("BENCH_PORT", "0")))


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in MODES:
        print(f"usage: python -m bench.servers {{{'|'.join(MODES)}}} DATA_DIR", file=sys.stderr)
        sys.exit(2)
    serve(sys.argv[1], Path(sys.argv[2]))
