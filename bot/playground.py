"""The Microsoft 365 Agents Playground for ``callplan dev``: installed on first use, run as a
child process pointed at the bot, stopped with it.

The playground (pinned npm version, Microsoft pre-release licence) is installed on first use
into ``./.playground/`` (self-ignored by git), never committed. It picks another port silently
when the one asked for is busy, so the URL printed is the one from its ``Listening on`` line.
Its process runs in its own process group, so stopping it stops node under npx too.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
from pathlib import Path
from typing import Any

from bot.config import Settings

PLAYGROUND_PACKAGE = "@microsoft/m365agentsplayground"
PLAYGROUND_VERSION = "0.2.28"
PLAYGROUND_DIR = Path(".playground")
PLAYGROUND_LISTEN_TIMEOUT = 90.0
NPM_INSTALL_TIMEOUT = 600.0
_LISTENING = re.compile(r"Listening on\D*(\d+)")

NODE_HINT = """\
Node.js was not found, so the Microsoft 365 Agents Playground (a Teams-like chat page) is not
started. To get it, install Node.js 18 or later (https://nodejs.org/, or on Debian/Ubuntu
`sudo apt-get install nodejs npm`) and run `make run` again.
The bot runs on its own meanwhile."""


class Playground:
    """The Microsoft 365 Agents Playground child process (its own process group)."""

    def __init__(self, process: asyncio.subprocess.Process, port: int, pump: asyncio.Task) -> None:
        self.process = process
        self.port = port
        self._pump = pump

    @staticmethod
    async def start(settings: Settings, messages_url: str, stop: asyncio.Event) -> Playground | None:
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
            str(binary.resolve()),
            "-e",
            messages_url,
            "-c",
            "msteams",
            "-p",
            str(settings.PLAYGROUND_PORT),
            "--disable-telemetry",
            cwd=str(PLAYGROUND_DIR),
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
        port_found: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        pump = asyncio.ensure_future(_pump_output(process, port_found))
        playground = Playground(process, settings.PLAYGROUND_PORT, pump)
        waiters: list[asyncio.Future[Any]] = [
            port_found,
            asyncio.ensure_future(stop.wait()),
            asyncio.ensure_future(process.wait()),
        ]
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
            except TimeoutError:
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
    print(
        f"Installing {PLAYGROUND_PACKAGE}@{PLAYGROUND_VERSION} into {PLAYGROUND_DIR}/ (first run only)...", flush=True
    )
    process = await asyncio.create_subprocess_exec(
        shutil.which("npm") or "npm",
        "install",
        "--prefix",
        str(PLAYGROUND_DIR),
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        f"{PLAYGROUND_PACKAGE}@{PLAYGROUND_VERSION}",
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output, _ = await asyncio.wait_for(process.communicate(), timeout=NPM_INSTALL_TIMEOUT)
    except asyncio.CancelledError:
        _signal_group(process.pid, signal.SIGKILL)
        await process.wait()
        raise
    except TimeoutError:
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
