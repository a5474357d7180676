"""Three real bot processes (``callplan serve``) sharing bot state in one Azurite container:
a guided purchase whose turns go round-robin across them completes, and a replica killed
(SIGKILL) in the middle of a turn loses no acknowledged state: the next one goes on.

Each replica has its own ``DATA_DIR`` (the usage store stays local here, seeded with the demo
tenant); only ``STATE_BACKEND=azure-blob`` is shared. Every wait is bounded; every process is
killed by its PID in ``finally``."""

from __future__ import annotations

import asyncio
import itertools
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from dialogs.cards import purchase_summary_card
from dialogs.nlu.i18n import t
from knowledge.advisor import AdviceRequest, recommend
from testkit.chat import Chat
from testkit.clock import DEMO_NOW_ENV

CALLPLAN = str(Path(sys.executable).parent / "callplan")
URL_LINE = re.compile(r"(http://127\.0\.0\.1:\d+)/api/messages")
START_TIMEOUT_S = 90.0
_containers = itertools.count()


class Replica:
    """One ``callplan serve`` process on a free port; its output read on a thread (bounded waits)."""

    def __init__(self, name: str, data_dir: Path, env: dict[str, str]) -> None:
        self.name = name
        self.proc = subprocess.Popen(
            [CALLPLAN, "serve", "--port", "0"],
            cwd=data_dir.parent,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()
        self.url = ""

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)

    def wait_for_url(self, deadline: float) -> str:
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            self.output.append(line)
            match = URL_LINE.search(line)
            if match:
                self.url = match.group(1)
                return self.url
        raise AssertionError(f"replica {self.name} did not start: {''.join(self.output)}")

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)


class RoundRobin:
    """Posts each request to the next replica: what a load balancer in front of them does."""

    def __init__(self, session: aiohttp.ClientSession, urls: list[str]) -> None:
        self.session, self.urls = session, urls
        self.turn = 0
        self.skip: set[str] = set()

    def post(self, path: str, **kwargs: Any):
        while True:
            url = self.urls[self.turn % len(self.urls)]
            self.turn += 1
            if url not in self.skip:
                return self.session.post(url + path, timeout=aiohttp.ClientTimeout(total=30), **kwargs)


class HoldingProxy:
    """A TCP proxy in front of Azurite for one replica: it forwards everything, except that once
    ``hold_writes`` is set, the first blob upload (``PUT``) is held and ``write_held`` set. The
    test then kills the replica exactly mid-turn: state read, dialog run, save in flight."""

    def __init__(self, port: int) -> None:
        self.upstream_port = port
        self.hold_writes = False
        self.write_held = asyncio.Event()
        self.server: asyncio.AbstractServer | None = None
        self.port = 0

    async def start(self) -> HoldingProxy:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)

        async def pump(src: asyncio.StreamReader, dst: asyncio.StreamWriter, requests: bool) -> None:
            try:
                while data := await src.read(65536):
                    if requests and self.hold_writes and data.startswith(b"PUT "):
                        self.write_held.set()
                        return  # never forwarded
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                dst.close()

        await asyncio.gather(pump(reader, up_writer, True), pump(up_reader, writer, False))

    def connection_string(self, azurite) -> str:
        return azurite.connection_string.replace(f":{azurite.port}/", f":{self.port}/")


@pytest.fixture
async def proxy(azurite):
    holding = await HoldingProxy(azurite.port).start()
    yield holding
    await holding.close()


@pytest.fixture
async def replicas(tmp_path, azurite, demo_store_dir, proxy):
    """r1, r2 talk to Azurite; r3 through the holding proxy."""
    container = f"replicas-{next(_containers)}"
    started: list[Replica] = []
    try:
        for name in ("r1", "r2", "r3"):
            data_dir = tmp_path / name / "data"
            shutil.copytree(demo_store_dir, data_dir / "store")
            env = {
                "PATH": os.environ.get("PATH", ""),
                "HOME": str(tmp_path),
                "LANG": "C.UTF-8",
                "PYTHONUNBUFFERED": "1",
                "CALLPLAN_NOW": DEMO_NOW_ENV,
                "DATA_DIR": str(data_dir),
                "STATE_BACKEND": "azure-blob",
                "STATE_CONTAINER": container,
                "AZURE_STORAGE_CONNECTION_STRING": (
                    proxy.connection_string(azurite) if name == "r3" else azurite.connection_string
                ),
                "SYNC_INTERVAL_MINUTES": "0",
                "LOG_LEVEL": "WARNING",
            }
            started.append(Replica(name, data_dir, env))
        deadline = time.monotonic() + START_TIMEOUT_S
        for replica in started:  # off the loop: the proxy serves r3's start-up meanwhile
            await asyncio.to_thread(replica.wait_for_url, deadline)
        yield started
    finally:
        for replica in started:
            replica.kill()


PURCHASE = [
    ("which plan should we buy?", "prompt.countries"),
    ("France", "prompt.users_in"),
]


def asked(key: str) -> str:
    return t("en", key, country="France", countries="France")


async def test_three_replicas_share_the_state_and_a_killed_one_loses_nothing_acknowledged(replicas, proxy, h):
    """One set of processes for both scenarios (their start-up is most of the cost)."""
    rec = recommend(AdviceRequest(countries=["FR"], users=40))  # "no" abroad: the assumptions card
    async with aiohttp.ClientSession() as session:
        # 1. A guided purchase whose turns go round-robin across the three completes.
        balancer = RoundRobin(session, [r.url for r in replicas])
        chat = Chat(balancer, h, conversation_id="a:round-robin")
        for text, question in [*PURCHASE, ("40", "prompt.international")]:
            assert (await chat.say(text))[-1]["said"] == asked(question)
        replies = await chat.say("no")
        assert balancer.turn == 4  # every replica served turns of it (r1 twice)
        assert replies[-1]["said"] == purchase_summary_card(rec, "en").text

        # 2. r3 is killed (SIGKILL) while it saves a turn's state: nothing acknowledged is lost.
        balancer = RoundRobin(session, [r.url for r in replicas])
        chat = Chat(balancer, h, conversation_id="a:killed")
        for text, question in PURCHASE:  # acknowledged: the user-count question is pending
            assert (await chat.say(text))[-1]["said"] == asked(question)
        victim = replicas[2]
        balancer.turn = 2  # the next turn goes to r3, behind the proxy
        proxy.hold_writes = True
        in_flight = asyncio.ensure_future(chat.say("40"))
        await asyncio.wait_for(proxy.write_held.wait(), 30)  # r3 is saving the turn's state
        victim.kill()
        with pytest.raises(aiohttp.ClientError):
            await asyncio.wait_for(in_flight, 30)
        balancer.skip.add(victim.url)

        # The next replica goes on from the acknowledged state: the user-count question.
        replies = await chat.say("help")
        assert [r["said"] for r in replies] == [t("en", "help.purchase"), asked("prompt.users_in")]
        assert (await chat.say("40"))[-1]["said"] == asked("prompt.international")
        replies = await chat.say("no")
    assert replies[-1]["said"] == purchase_summary_card(rec, "en").text
