"""``callplan serve`` (the bot alone, = ``python -m bot``) and ``callplan dev`` (= ``make run``).

``dev`` starts the bot first (so ``/healthz`` answers within seconds), then, when Node.js is
installed, the Microsoft 365 Agents Playground pointed at it: a Teams-like chat page on
``PLAYGROUND_PORT`` (installing and running it: :mod:`bot.playground`). Ctrl-C stops both; if
either dies, the other is stopped too.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import os
import signal
import sys
from typing import TYPE_CHECKING

from bot.commands import CommandError
from bot.commands.common import add_command, add_data_dir, cli_settings
from bot.config import Settings, is_loopback
from bot.playground import PLAYGROUND_PACKAGE, PLAYGROUND_VERSION, Playground

if TYPE_CHECKING:  # aiohttp is loaded by `serve`/`dev` only: the other commands start without it
    from aiohttp import web

log = logging.getLogger("bot")


SETTINGS_HELP = """\
settings (environment variables, or a .env file in the current folder):
  MicrosoftAppId, MicrosoftAppPassword   the Azure Bot's credentials; leave both empty for
                                         local mode (no authentication, 127.0.0.1 only)
  MicrosoftAppType                       MultiTenant (default), SingleTenant, UserAssignedMSI
  MicrosoftAppTenantId                   required for SingleTenant and UserAssignedMSI
  HOST, PORT                             where to listen (127.0.0.1, 3978)
  DATA_DIR                               bot state and calling-plan data (./data)
  ALLOWED_TENANTS                        comma-separated tenant ids allowed to use the bot
                                         (empty: all tenants)
  LOG_LEVEL                              DEBUG, INFO (default), WARNING, ERROR
  PLAYGROUND_PORT                        the Agents Playground's port for `callplan dev` (56150)
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``serve`` and ``dev``."""
    serve = add_command(
        subparsers,
        "serve",
        serve_command,
        description=(
            "Run the Calling Plan Assistant bot (the same as `python -m bot`). It answers Bot "
            "Framework activities on POST /api/messages and its health on GET /healthz. "
            "Without MicrosoftAppId it runs in local mode: no authentication, loopback only."
        ),
        epilog=SETTINGS_HELP,
    )
    _add_overrides(serve)

    dev = add_command(
        subparsers,
        "dev",
        dev_command,
        description=(
            "Run the bot in local mode and, when Node.js is installed, the Microsoft 365 Agents "
            f"Playground ({PLAYGROUND_PACKAGE}@{PLAYGROUND_VERSION}, installed on first use into "
            "./.playground/) pointed at it, then print both URLs. Seeds demo data when the store "
            "is empty. Ctrl-C stops both."
        ),
        epilog=SETTINGS_HELP,
    )
    _add_overrides(dev)
    dev.add_argument("--no-playground", action="store_true", help="run the bot only, even when Node.js is installed")


def _add_overrides(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="listen address (overrides HOST)")
    parser.add_argument("--port", type=int, help="listen port (overrides PORT)")
    add_data_dir(parser)


# --- shared start-up ------------------------------------------------------------------------


def settings_from(args: argparse.Namespace) -> Settings:
    overrides = {
        name: value
        for name, value in (("HOST", args.host), ("PORT", args.port), ("DATA_DIR", args.data_dir))
        if value is not None
    }
    return cli_settings(serving=True, **overrides)


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level, logging.INFO),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def prepare_data_dir(settings: Settings) -> None:
    path = settings.DATA_DIR
    try:
        path.mkdir(parents=True, exist_ok=True)
        settings.state_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CommandError(f"DATA_DIR {str(path)!r} is not a usable folder: {exc.strerror or exc}") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise CommandError(f"DATA_DIR {str(path)!r} is not writable")


def warn_local_mode(settings: Settings) -> None:
    if not settings.local_mode:
        return
    if not is_loopback(settings.HOST):
        log.warning(
            "local mode: refusing to listen on %s without MicrosoftAppId; listening on %s only",
            settings.HOST,
            settings.bind_host,
        )
    log.warning(
        "local mode: no MicrosoftAppId is set, so requests are NOT authenticated; "
        "the bot is reachable from this machine only. Set MicrosoftAppId and "
        "MicrosoftAppPassword to serve Teams."
    )


def ensure_demo_data(settings: Settings) -> None:
    """Seed the demo tenant when the store is empty, so a first ``make run`` shows real answers.

    The demo is written as files in the real export formats and imported through the
    importers (``callplan demo``); a store that already holds data is left alone.
    """
    from bot.usage_store import open_usage_store
    from knowledge.store.demo import load_demo

    store = open_usage_store(settings)
    try:
        if not store.is_empty():
            return
        summary = load_demo(store)
        print(
            f"Demo data: {summary.imported:,} rows imported into tenant {summary.tenant_id!r} "
            f"under {settings.DATA_DIR} (callplan pools shows the balances).",
            flush=True,
        )
    finally:
        store.close()


def bot_urls(settings: Settings, runner: web.AppRunner | None = None) -> tuple[str, str]:
    """The messages and health URLs, with the port actually bound when ``runner`` is given."""
    port = settings.PORT
    if runner is not None and runner.addresses:
        port = runner.addresses[0][1]
    host = settings.bind_host
    if host in ("0.0.0.0", "::"):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    base = f"http://{host}:{port}"
    return f"{base}/api/messages", f"{base}/healthz"


async def start_bot(settings: Settings) -> web.AppRunner:
    """Open the app's resources and listen; raises CommandError when the port is taken or
    another bot process holds the same DATA_DIR."""
    from aiohttp import web  # imported here so `--help` and the other commands stay fast

    from bot import lazy_prompts

    lazy_prompts.install()  # before anything imports botbuilder.dialogs: no recognizers at start
    from bot.app import create_app, make_runner
    from bot.state import StateFolderBusyError

    runner = make_runner(create_app(settings, freeze_heap=True), handle_signals=False)
    try:
        await runner.setup()
    except StateFolderBusyError as exc:
        await runner.cleanup()
        raise CommandError(str(exc)) from None
    site = web.TCPSite(runner, settings.bind_host, settings.PORT)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        raise CommandError(
            f"cannot listen on {settings.bind_host}:{settings.PORT}: {exc.strerror or exc} (set PORT or pass --port)"
        ) from None
    return runner


def pause_gc() -> None:
    """No cyclic garbage collection while the process starts (until :func:`resume_gc`).

    WHY: start-up imports the SDK, aiohttp, pydantic and our modules: ~90,000 objects that live
    as long as the process. Each full collection on the way walks all of them and frees almost
    nothing (2,251 unreachable objects in all, measured): about 200 collections, 0.1 s of a
    start. Reference counting still frees everything else as usual.
    """
    gc.disable()


def resume_gc() -> None:
    """Collection back on, once the bot listens. ``gc.freeze()`` first moves what start-up built
    to the permanent generation: later full collections (during turns) skip those objects
    instead of walking them again each time. The price: the ~2,000 cyclic leftovers of start-up
    are never freed (a one-off few hundred KB, it does not grow)."""
    gc.freeze()
    gc.enable()


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)


def _prepare(args: argparse.Namespace) -> Settings:
    settings = settings_from(args)
    configure_logging(settings.LOG_LEVEL)
    prepare_data_dir(settings)
    warn_local_mode(settings)
    return settings


# --- serve ------------------------------------------------------------------------------------


def serve_command(args: argparse.Namespace) -> int:
    pause_gc()
    settings = _prepare(args)
    return asyncio.run(_serve(settings))


async def _serve(settings: Settings) -> int:
    stop = asyncio.Event()
    _stop_on_signals(stop)
    runner = await start_bot(settings)
    resume_gc()
    messages_url, health_url = bot_urls(settings, runner)
    print(f"Calling Plan Assistant is listening on {messages_url} (health: {health_url})", flush=True)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
    return 0


# --- dev ----------------------------------------------------------------------------------


def dev_command(args: argparse.Namespace) -> int:
    settings = _prepare(args)
    ensure_demo_data(settings)  # an import run: collection on, as for any import
    pause_gc()
    return asyncio.run(_dev(settings, use_playground=not args.no_playground))


async def _dev(settings: Settings, *, use_playground: bool) -> int:
    stop = asyncio.Event()
    _stop_on_signals(stop)
    runner = await start_bot(settings)
    resume_gc()
    messages_url, health_url = bot_urls(settings, runner)
    print(f"Bot:               {messages_url}   (health: {health_url})", flush=True)
    playground: Playground | None = None
    try:
        if use_playground:
            playground = await Playground.start(settings, messages_url, stop)
        if playground is None:
            if use_playground:
                print("Press Ctrl-C to stop the bot.", flush=True)
            await stop.wait()
            return 0
        waiters = {asyncio.ensure_future(stop.wait()), asyncio.ensure_future(playground.process.wait())}
        _done, pending = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        if not stop.is_set():
            print(
                f"The Agents Playground exited (code {playground.process.returncode}); stopping the bot.",
                flush=True,
            )
            return 1
        return 0
    finally:
        if playground is not None:
            await playground.stop()
        await runner.cleanup()
