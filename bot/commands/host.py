"""``callplan serve`` (the bot alone, = ``python -m bot``) and ``callplan dev`` (= ``make run``).

``dev`` starts the bot first (so ``/healthz`` answers within seconds), then, when Node.js is
installed, the Microsoft 365 Agents Playground pointed at it: a Teams-like chat page on
``PLAYGROUND_PORT``. The playground (pinned npm version, Microsoft pre-release licence) is
installed on first use into ``./.playground/`` (self-ignored by git), never committed. It picks
another port silently when the one asked for is busy, so the URL printed is the one from its
``Listening on`` line. Ctrl-C stops both; if either dies, the other is stopped too.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import re
import shutil
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.commands import CommandError
from bot.commands.common import add_command, add_data_dir, cli_settings
from bot.config import Settings, is_loopback

if TYPE_CHECKING:  # aiohttp is loaded by `serve`/`dev` only: the other commands start without it
    from aiohttp import web

log = logging.getLogger("bot")

PLAYGROUND_PACKAGE = "@microsoft/m365agentsplayground"
PLAYGROUND_VERSION = "0.2.28"
PLAYGROUND_DIR = Path(".playground")
PLAYGROUND_LISTEN_TIMEOUT = 90.0
NPM_INSTALL_TIMEOUT = 600.0
_LISTENING = re.compile(r"Listening on\D*(\d+)")

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

NODE_HINT = """\
Node.js was not found, so the Microsoft 365 Agents Playground (a Teams-like chat page) is not
started. To get it, install Node.js 18 or later (https://nodejs.org/, or on Debian/Ubuntu
`sudo apt-get install nodejs npm`) and run `make run` again.
The bot runs on its own meanwhile."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``serve`` and ``dev``."""
    serve = add_command(
        subparsers, "serve", serve_command,
        description=(
            "Run the Calling Plan Assistant bot (the same as `python -m bot`). It answers Bot "
            "Framework activities on POST /api/messages and its health on GET /healthz. "
            "Without MicrosoftAppId it runs in local mode: no authentication, loopback only."
        ),
        epilog=SETTINGS_HELP,
    )
    _add_overrides(serve)

    dev = add_command(
        subparsers, "dev", dev_command,
        description=(
            "Run the bot in local mode and, when Node.js is installed, the Microsoft 365 Agents "
            f"Playground ({PLAYGROUND_PACKAGE}@{PLAYGROUND_VERSION}, installed on first use into "
            "./.playground/) pointed at it, then print both URLs. Seeds demo data when the store "
            "is empty. Ctrl-C stops both."
        ),
        epilog=SETTINGS_HELP,
    )
    _add_overrides(dev)
    dev.add_argument(
        "--no-playground", action="store_true", help="run the bot only, even when Node.js is installed"
    )


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
            settings.HOST, settings.bind_host,
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
    from knowledge.demo import load_demo
    from knowledge.store import Store

    store = Store(settings.DATA_DIR, settings.clock)
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

    from bot.app import create_app, make_runner
    from bot.sdk_patches import apply_sdk_patches
    from bot.state import StateFolderBusyError

    apply_sdk_patches()  # the entry point's choice, never a side effect of create_app
    runner = make_runner(create_app(settings), handle_signals=False)
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
            f"cannot listen on {settings.bind_host}:{settings.PORT}: {exc.strerror or exc} "
            "(set PORT or pass --port)"
        ) from None
    return runner


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
    settings = _prepare(args)
    return asyncio.run(_serve(settings))


async def _serve(settings: Settings) -> int:
    stop = asyncio.Event()
    _stop_on_signals(stop)
    runner = await start_bot(settings)
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
    ensure_demo_data(settings)
    return asyncio.run(_dev(settings, use_playground=not args.no_playground))


async def _dev(settings: Settings, *, use_playground: bool) -> int:
    stop = asyncio.Event()
    _stop_on_signals(stop)
    runner = await start_bot(settings)
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
        done, pending = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
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


class Playground:
    """The Microsoft 365 Agents Playground child process (its own process group)."""

    def __init__(self, process: asyncio.subprocess.Process, port: int, pump: asyncio.Task) -> None:
        self.process = process
        self.port = port
        self._pump = pump

    @staticmethod
    async def start(settings: Settings, messages_url: str, stop: asyncio.Event) -> "Playground | None":
        if not (shutil.which("node") and shutil.which("npm")):
            print(NODE_HINT, flush=True)
            return None
        if not settings.local_mode:
            print(
                "Note: the Agents Playground sends no token, so with MicrosoftAppId set the bot "
                "answers it 401. Unset MicrosoftAppId/MicrosoftAppPassword to chat locally.",
                flush=True,
            )
        install = asyncio.ensure_future(ensure_playground_installed())
        stopped = asyncio.ensure_future(stop.wait())
        await asyncio.wait({install, stopped}, return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        if not install.done():  # Ctrl-C during the npm install
            install.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await install
            return None
        binary = install.result()
        if binary is None:
            return None
        env = dict(os.environ, TEAMSAPPTESTER_BROWSER="none")
        process = await asyncio.create_subprocess_exec(
            str(binary.resolve()), "-e", messages_url, "-c", "msteams",
            "-p", str(settings.PLAYGROUND_PORT), "--disable-telemetry",
            cwd=str(PLAYGROUND_DIR), env=env, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
        port_found: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        pump = asyncio.ensure_future(_pump_output(process, port_found))
        playground = Playground(process, settings.PLAYGROUND_PORT, pump)
        waiters = [port_found, asyncio.ensure_future(stop.wait()), asyncio.ensure_future(process.wait())]
        done, _ = await asyncio.wait(waiters, timeout=PLAYGROUND_LISTEN_TIMEOUT, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiters[1:]:
            waiter.cancel()
        if port_found in done and not port_found.cancelled():
            playground.port = port_found.result()
            print(f"Agents Playground: http://localhost:{playground.port}   (chat with the bot here)", flush=True)
            print("Press Ctrl-C to stop both.", flush=True)
        elif process.returncode is None and not stop.is_set():
            print(
                f"The Agents Playground did not say which port it uses within {PLAYGROUND_LISTEN_TIMEOUT:.0f} s; "
                f"try http://localhost:{settings.PLAYGROUND_PORT} (log: {PLAYGROUND_DIR}/devTools/).",
                flush=True,
            )
        return playground

    async def stop(self) -> None:
        if self.process.returncode is None:
            _signal_group(self.process.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), timeout=5)
            except asyncio.TimeoutError:
                _signal_group(self.process.pid, signal.SIGKILL)
                await self.process.wait()
        else:  # the leader died; its children (node under npx) may not have
            _signal_group(self.process.pid, signal.SIGTERM)
        self._pump.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._pump


def _signal_group(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


async def _pump_output(process: asyncio.subprocess.Process, port_found: asyncio.Future[int]) -> None:
    """Echo the playground's output (prefixed) and report the port from ``Listening on N``."""
    assert process.stdout is not None
    while True:
        line = await process.stdout.readline()
        if not line:
            break
        text = line.decode("utf-8", "replace").rstrip()
        if text:
            print(f"[playground] {text}", flush=True)
        match = _LISTENING.search(text)
        if match and not port_found.done():
            port_found.set_result(int(match.group(1)))


def _installed_version(folder: Path) -> str | None:
    manifest = folder / "node_modules" / PLAYGROUND_PACKAGE / "package.json"
    try:
        return json.loads(manifest.read_text("utf-8")).get("version")
    except (OSError, ValueError):
        return None


async def ensure_playground_installed() -> Path | None:
    """The pinned playground's binary, installing it with npm into ./.playground/ if needed."""
    binary = PLAYGROUND_DIR / "node_modules" / ".bin" / "agentsplayground"
    if binary.exists() and _installed_version(PLAYGROUND_DIR) == PLAYGROUND_VERSION:
        return binary
    PLAYGROUND_DIR.mkdir(exist_ok=True)
    # Never committed: the folder ignores itself (Microsoft pre-release licence).
    (PLAYGROUND_DIR / ".gitignore").write_text("# Installed by `callplan dev`; never commit it.\n*\n")
    print(f"Installing {PLAYGROUND_PACKAGE}@{PLAYGROUND_VERSION} into {PLAYGROUND_DIR}/ (first run only)...", flush=True)
    process = await asyncio.create_subprocess_exec(
        shutil.which("npm") or "npm", "install", "--prefix", str(PLAYGROUND_DIR),
        "--no-audit", "--no-fund", "--loglevel=error", f"{PLAYGROUND_PACKAGE}@{PLAYGROUND_VERSION}",
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output, _ = await asyncio.wait_for(process.communicate(), timeout=NPM_INSTALL_TIMEOUT)
    except asyncio.CancelledError:
        _signal_group(process.pid, signal.SIGKILL)
        await process.wait()
        raise
    except asyncio.TimeoutError:
        _signal_group(process.pid, signal.SIGKILL)
        await process.wait()
        print("npm install did not finish; the bot runs without the Agents Playground.", flush=True)
        return None
    if process.returncode != 0 or not binary.exists():
        tail = "\n".join(output.decode("utf-8", "replace").strip().splitlines()[-5:])
        print(
            f"Could not install the Agents Playground (npm exit code {process.returncode}):\n{tail}\n"
            "The bot runs without it. Check your network/npm registry settings and run `make run` again.",
            flush=True,
        )
        return None
    return binary

