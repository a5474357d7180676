"""The load generator of the turn benchmarks: Teams-shaped turns over loopback HTTP.

Servers run in their own processes (:mod:`bench.servers`, started by :class:`Server`); this
process only posts activities and times the answers, so on two cores the server has one to
itself. Every turn uses ``deliveryMode: expectReplies``: the replies come back in the HTTP
response, so a turn's latency is the whole turn, replies included, with no connector needed.

What a conversation says is a *script* (:class:`Repeat` or :class:`DialogWalk`): one per
simulated conversation, asked for the next activity and told the replies, so a dialog can be
walked the way a person does it (click the first button of each question card).

Fairness: :func:`interleave` runs every case in short slices, round after round, so whatever
else the machine does at a given moment (another process, a disk flush) falls on every case
alike, baseline included.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from bench.common import median, percentile
from bench.http_client import Connection

ROOT = Path(__file__).resolve().parents[1]
DEMO_TENANT = "demo-tenant"


# --- activities -----------------------------------------------------------------------------


#: The serviceUrl, team and channel of every activity: a Teams channel thread in EMEA.
SERVICE_URL = "https://smba.trafficmanager.net/emea/"
TEAM_ID = "19:Gv0pYv2qm4WCBl7nIhsmBEq7TDNzT7Y2xqW9aJ5ZbY41@thread.tacv2"
CHANNEL_ID = "19:5d0c8b9f6a8b4a3e9a1f7b6e0c2d4e6f@thread.tacv2"
BOT_ID = "28:c9e8c047-2a74-40a2-b28a-b162d5f5327c"
BOT_NAME = "Calling Plan Assistant"


def teams_message(
    n: int,
    conversation: str,
    text: str | None = None,
    *,
    tenant: str = DEMO_TENANT,
    value: dict[str, Any] | None = None,
    locale: str = "en-US",
    service_url: str | None = None,
) -> dict[str, Any]:
    """A ~1.3 KB channel message shaped like Teams sends it, with ``expectReplies``.

    What Teams sends in a team channel: the bot's @mention in the text and as a mention
    entity, the client's ``clientInfo`` entity (locale, country, platform, timezone),
    ``channelData`` with the tenant, team and channel, ``conversation.tenantId``, and the
    sender's ``aadObjectId``. ``conversation`` becomes the thread's id. ``value`` makes it a
    card click (``Action.Submit``): Teams sends the button's data as ``value`` and no text.
    ``service_url`` makes it what Teams really sends: no ``deliveryMode`` (the bot POSTs each
    reply to that Bot Connector URL, a loopback fake one under a benchmark) instead of
    ``expectReplies``.
    """
    mention = f"<at>{BOT_NAME}</at>"
    entities: list[dict[str, Any]] = [
        {"locale": locale, "country": "US", "platform": "Web", "timezone": "Europe/Paris", "type": "clientInfo"}
    ]
    if text is not None:
        entities.insert(0, {"mentioned": {"id": BOT_ID, "name": BOT_NAME}, "text": mention, "type": "mention"})
    activity: dict[str, Any] = {
        "type": "message",
        "id": f"1700000000{n:06d}",
        "timestamp": "2026-11-26T12:00:00.000Z",
        "localTimestamp": "2026-11-26T13:00:00.000+01:00",
        "serviceUrl": service_url or SERVICE_URL,
        "channelId": "msteams",
        "from": {
            "id": "29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQtHieVkKilBZ9XHoq9j7Zaqt7CZ-NJWi7me2kHTL3Bw",
            "name": "Megan Bowen",
            "aadObjectId": "00000000-0000-0000-0000-000000000007",
        },
        "conversation": {
            "isGroup": True,
            "conversationType": "channel",
            "tenantId": tenant,
            "id": f"{CHANNEL_ID};messageid={conversation}",
        },
        "recipient": {"id": BOT_ID, "name": BOT_NAME},
        "textFormat": "plain",
        "locale": locale,
        "entities": entities,
        "channelData": {
            "teamsChannelId": CHANNEL_ID,
            "teamsTeamId": TEAM_ID,
            "channel": {"id": CHANNEL_ID},
            "team": {"id": TEAM_ID},
            "tenant": {"id": tenant},
        },
    }
    if service_url is None:
        activity["deliveryMode"] = "expectReplies"
    if text is not None:
        activity["text"] = f"{mention} {text}"
    if value is not None:
        activity["value"] = value
    return activity


def submit_buttons(activity: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The ``Action.Submit`` data of every button on the activity's Adaptive Cards, in order."""

    def walk(node: Any) -> Iterator[dict[str, Any]]:
        if isinstance(node, dict):
            if node.get("type") == "Action.Submit" and isinstance(node.get("data"), dict):
                yield node["data"]
            for child in node.values():
                yield from walk(child)
        elif isinstance(node, list):
            for child in node:
                yield from walk(child)

    for attachment in activity.get("attachments") or []:
        yield from walk(attachment.get("content"))


def next_answer(replies: list[dict[str, Any]], typed: str = "40") -> dict[str, Any] | None:
    """What a person does next in a dialog, from the bot's replies to the last turn.

    The last question wins: a card whose buttons answer it (their data has ``value``, the
    contract of ``dialogs.cards.choice_card``) gets its first button clicked; a plain-text
    question (it ends with "?") gets a number typed (``typed``), the one thing our text
    questions ask for. ``{"value": ...}`` is a click, ``{"text": ...}`` a typed answer, None:
    no question is open.
    """
    for activity in reversed(replies):
        for data in submit_buttons(activity):
            if "value" in data:
                return {"value": data}
        text = (activity.get("text") or "").strip()
        if not activity.get("attachments") and text.endswith("?"):
            return {"text": typed}
    return None


def walk_user_count(walk: int) -> int:
    """The user count typed in the ``walk``-th purchase walk (1-based): 5 to 999, a different one
    for each of 995 walks in a row. Why not always the same: admins do not all have 40 users,
    and a summary made for one count must not make the next walk's look cheaper than it is
    (a memo of the sentences filled with the count would always be hit)."""
    return 5 + ((walk - 1) * 137) % 995


# --- scripts: what each simulated conversation says -----------------------------------------


class Script(Protocol):
    def next_activity(self, n: int) -> tuple[dict[str, Any], bool]:
        """The next activity and whether its turn is measured."""

    def replies(self, activities: list[dict[str, Any]], measured: bool) -> None:
        """What the bot answered to that activity."""


@dataclass
class Repeat:
    """The same message every turn (a lookup), every turn measured.

    Counts the turns whose replies carry an attachment: a sanity check that the bot really
    answered with its card (a pool table) and not with help text or an apology.
    """

    conversation: str
    text: str
    #: Set: the production delivery path, replies POSTed to this Bot Connector URL (the HTTP
    #: answer is an empty 201 and :attr:`with_attachment` stays 0: the connector counts cards).
    service_url: str | None = None
    with_attachment: int = 0
    answered: int = 0

    def next_activity(self, n: int) -> tuple[dict[str, Any], bool]:
        return teams_message(n, self.conversation, self.text, service_url=self.service_url), True

    def replies(self, activities: list[dict[str, Any]], measured: bool) -> None:
        self.answered += 1
        if any(a.get("attachments") for a in activities):
            self.with_attachment += 1


@dataclass
class DialogWalk:
    """A multi-turn dialog walked like a person: the first message starts it (not measured),
    then every answer to a question is a measured *dialog step*, until no question is open;
    then it starts again. ``max_steps`` bounds a walk that keeps being asked the same thing.
    """

    conversation: str
    start_text: str
    max_steps: int = 12
    answer: dict[str, Any] | None = None
    steps_in_walk: int = 0
    completed: int = 0  # walks that ended with no question open
    completed_steps: int = 0  # the steps those walks took
    capped: int = 0  # walks stopped at max_steps
    steps: int = 0
    starts: int = 0

    def next_activity(self, n: int) -> tuple[dict[str, Any], bool]:
        if self.answer is None or self.steps_in_walk >= self.max_steps:
            if self.answer is not None:
                self.capped += 1
            self.steps_in_walk = 0
            self.starts += 1
            return teams_message(n, self.conversation, self.start_text), False
        self.steps_in_walk += 1
        self.steps += 1
        if "value" in self.answer:
            return teams_message(n, self.conversation, value=self.answer["value"]), True
        return teams_message(n, self.conversation, self.answer["text"]), True

    def replies(self, activities: list[dict[str, Any]], measured: bool) -> None:
        self.answer = next_answer(activities, str(walk_user_count(self.starts)))
        if self.answer is None and self.steps_in_walk:
            self.completed += 1
            self.completed_steps += self.steps_in_walk


@dataclass
class Distinct:
    """The same message, every turn from a conversation the bot has never seen (its state is
    read from storage that does not have it, then written): ``count`` shared across the
    scripts of one case numbers the conversations, so no two turns share one."""

    prefix: str
    text: str
    count: list[int] = field(default_factory=lambda: [0])
    with_attachment: int = 0
    answered: int = 0

    def next_activity(self, n: int) -> tuple[dict[str, Any], bool]:
        self.count[0] += 1
        return teams_message(n, f"{self.prefix}-{self.count[0]}", self.text), True

    def replies(self, activities: list[dict[str, Any]], measured: bool) -> None:
        self.answered += 1
        if any(a.get("attachments") for a in activities):
            self.with_attachment += 1


# --- cores ----------------------------------------------------------------------------------

#: Like production, each server process runs on one core (``BENCH_CPU``, see
#: :mod:`bench.servers`): CPU 0. The load generator runs on the others (CPU 1 on this 2-core
#: machine), so the servers' worker threads cannot borrow the generator's core and the
#: generator's work is never counted as the server's.
SERVER_CPU = 0


def pin_load_generator() -> str:
    """Pin this process to every CPU but :data:`SERVER_CPU`; says what was done, for the notes."""
    cpus = sorted(os.sched_getaffinity(0))
    others = {cpu for cpu in cpus if cpu != SERVER_CPU}
    if not others or SERVER_CPU not in cpus:
        return f"not pinned: only CPUs {cpus} available"
    os.sched_setaffinity(0, others)
    return (
        f"each server process pinned to CPU {SERVER_CPU} (one core, its threads included), "
        f"the load generator to CPU(s) {sorted(others)}; {len(cpus)} CPUs, shared with other work"
    )


# --- servers --------------------------------------------------------------------------------


def server_env(extra: dict[str, str]) -> dict[str, str]:
    """The environment of a server under test: ours, in local mode (no app id, no tenant
    allow-list, whatever the developer's shell has set), ``bench`` importable, plus ``extra``."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for name in ("MicrosoftAppId", "MicrosoftAppPassword", "ALLOWED_TENANTS"):
        env.pop(name, None)
    env.update(extra)
    return env


class Server:
    """``python -m bench.servers MODE DATA_DIR`` (or any command printing its port first)."""

    def __init__(
        self,
        mode: str,
        data_dir: Path,
        *,
        command: list[str] | None = None,
        env: dict[str, str] | None = None,
        start_timeout: float = 60.0,
        cpu: int | None = SERVER_CPU,
        name: str | None = None,
    ) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.mode = mode
        self.log = data_dir.parent / f"server-{name or mode}.log"
        env = dict(env or {})
        if cpu is not None and (os.cpu_count() or 1) > 1:
            env.setdefault("BENCH_CPU", str(cpu))
        self.proc = subprocess.Popen(
            command or [sys.executable, "-m", "bench.servers", mode, str(data_dir)],
            cwd=data_dir.parent,  # never the repository: no .env is read
            env=server_env(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self.log.open("w"),
            text=True,
        )
        line = _readline(self.proc, start_timeout)
        if not line.strip().isdigit():
            self.stop()
            raise RuntimeError(f"the {mode} server did not start: {self.log.read_text()[-2000:]}")
        self.port = int(line)
        self.url = f"http://127.0.0.1:{self.port}/api/messages"

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/``: a fake Bot Connector's ``serviceUrl``."""
        return f"http://127.0.0.1:{self.port}/"

    def rss_mb(self) -> float:
        return rss_mb(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def load_generator_cpu() -> int | None:
    """The first CPU that is not :data:`SERVER_CPU` (the load generator's), None on one CPU."""
    others = sorted(cpu for cpu in os.sched_getaffinity(0) if cpu != SERVER_CPU)
    return others[0] if others else None


def fake_connector(data_dir: Path) -> Server:
    """A counting fake Bot Connector (``python -m bench.fake_connector``) in a process of its own,
    pinned to the load generator's core: the bot's replies cost the bot's core only what they
    cost in production (serialize, post, read the answer). Its ``base_url`` is the serviceUrl."""
    return Server(
        "connector",
        data_dir,
        command=[sys.executable, "-m", "bench.fake_connector"],
        cpu=load_generator_cpu(),
    )


def _readline(proc: subprocess.Popen, timeout: float) -> str:
    """The first line of ``proc``'s output, or "" after ``timeout`` s or when it exits."""
    import selectors

    assert proc.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            return ""
    return proc.stdout.readline()


def rss_mb(pid: int) -> float:
    """Resident set size of a live process, in MB (Linux ``/proc``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


# --- load -----------------------------------------------------------------------------------


@dataclass
class Slice:
    """One timed run of ``concurrency`` conversations against one server."""

    latencies: list[float] = field(default_factory=list)  # measured turns, seconds
    turns: int = 0  # every turn completed in the measured window (measured or not)
    errors: int = 0
    seconds: float = 0.0
    completed: int = 0  # every turn completed, warm-up included
    cpu_s: float | None = None  # the server's CPU time (all its threads) over the whole slice


def answered_replies(activity: dict[str, Any], status: int, payload: bytes) -> list[dict[str, Any]] | None:
    """The replies an HTTP answer carries, or None if the turn failed. ``expectReplies``: a 200
    with ``{"activities": [...]}``. Otherwise (the production path) the replies went to the
    Bot Connector and the bot answers only once they were posted: 201 (the bot) or 200 (the raw
    handler) means done, with no replies in hand."""
    if activity.get("deliveryMode") != "expectReplies":
        return [] if status in (200, 201) else None
    try:
        replies = json.loads(payload)["activities"] if status == 200 else None
    except (ValueError, KeyError, TypeError):
        return None
    return replies if isinstance(replies, list) else None


async def drive(
    url: str,
    scripts: Sequence[Script],
    seconds: float,
    warmup: float = 0.0,
    counter: list[int] | None = None,
    max_turns: int | None = None,
) -> Slice:
    """Each script is one conversation posting turns back to back for ``warmup + seconds``
    (or until ``max_turns`` turns in all have been posted), each on a connection of its own
    (:class:`bench.http_client.Connection`); turns that start in the warm-up are not counted.
    A non-200 answer is an error."""
    result = Slice(seconds=seconds)
    counter = counter if counter is not None else [0]
    start_measuring = time.perf_counter() + warmup
    deadline = start_measuring + seconds
    budget = [max_turns if max_turns is not None else -1]

    async def conversation(script: Script) -> None:
        with closing(Connection(url)) as connection:
            while time.perf_counter() < deadline and budget[0] != 0:
                budget[0] -= 1
                counter[0] += 1
                activity, measured = script.next_activity(counter[0])
                body = json.dumps(activity).encode()
                start = time.perf_counter()
                status, payload = await connection.post(body)
                end = time.perf_counter()
                replies = answered_replies(activity, status, payload)
                if replies is None:
                    result.errors += 1
                    script.replies([], measured)
                    continue
                script.replies(replies, measured)
                result.completed += 1
                if start >= start_measuring:
                    result.turns += 1
                    if measured:
                        result.latencies.append(end - start)

    await asyncio.gather(*(conversation(script) for script in scripts))
    return result


async def drive_open(
    url: str,
    scripts: Sequence[Script],
    rate_per_s: float,
    seconds: float,
    warmup: float = 0.0,
    seed: int = 0,
    counter: list[int] | None = None,
) -> Slice:
    """Open loop: how admins really chat. Each script is one admin whose messages arrive on
    a Poisson schedule (exponential gaps), ``rate_per_s`` in all, whatever the bot's speed;
    a message due while the admin's previous turn is still being answered is sent as soon as
    that answer is in (a person does not talk over the bot; the bot serializes a
    conversation's turns anyway). A turn's latency runs from when its message was *due*, not
    when it was sent, so a slow turn also counts against the turns queued behind it (no
    coordinated omission). Schedules come from ``seed``: the same for every server compared.
    Turns due in the first ``warmup`` seconds are not counted."""
    import random

    result = Slice(seconds=seconds)
    counter = counter if counter is not None else [0]
    per_admin = rate_per_s / len(scripts)
    start = time.perf_counter()
    start_measuring = start + warmup
    deadline = start_measuring + seconds

    async def admin(script: Script, rng: random.Random) -> None:
        with closing(Connection(url)) as connection:
            due = start + rng.expovariate(per_admin)
            while due < deadline:
                wait = due - time.perf_counter()
                if wait > 0:
                    await asyncio.sleep(wait)
                counter[0] += 1
                activity, measured = script.next_activity(counter[0])
                status, payload = await connection.post(json.dumps(activity).encode())
                end = time.perf_counter()
                replies = answered_replies(activity, status, payload)
                ok = replies is not None
                script.replies(replies or [], measured)
                if not ok:
                    result.errors += 1
                else:
                    result.completed += 1
                    if due >= start_measuring:
                        result.turns += 1
                        if measured:
                            result.latencies.append(end - due)
                due += rng.expovariate(per_admin)

    await asyncio.gather(*(admin(script, random.Random(seed * 1_000_003 + i)) for i, script in enumerate(scripts)))
    return result


def open_loop(
    cases: list[Case], admins: int, rate_per_s: float, *, rounds: int, seconds: float, warmup: float
) -> dict[str, Summary]:
    """Every case driven open-loop (:func:`drive_open`) by ``admins`` conversations for
    ``seconds``, one case after the other, ``rounds`` times; round ``r`` uses the same arrival
    schedule for every case. Summarized per case name (CPU per turn included)."""
    counter = [0]
    slices: dict[str, list[Slice]] = {case.name: [] for case in cases}
    key = -admins  # the scripts of this measure, apart from the closed-loop ones
    for round_ in range(rounds):
        for case in cases:
            cpu_before = cpu_seconds(case.pid) if case.pid else None
            one = asyncio.run(
                drive_open(case.url, case.scripts_for(key), rate_per_s, seconds, warmup, seed=round_, counter=counter)
            )
            if case.pid and cpu_before is not None:
                one.cpu_s = cpu_seconds(case.pid) - cpu_before
            slices[case.name].append(one)
    return {case.name: summarize(slices[case.name]) for case in cases}


@dataclass
class Summary:
    turns_per_s: float  # measured turns per second
    all_turns_per_s: float  # every turn (a dialog walk's unmeasured starts too)
    p50_ms: float
    p99_ms: float
    samples: int
    errors: int
    #: The server's CPU time per turn (user + system, all its threads), when its pid was
    #: known: what a turn costs whatever else the machine runs, unlike the rates above.
    cpu_ms_per_turn: float | None = None


def summarize(slices: list[Slice]) -> Summary:
    latencies = [x for s in slices for x in s.latencies]
    seconds = sum(s.seconds for s in slices)
    if not latencies:
        raise RuntimeError("no successful turn was measured")
    return Summary(
        turns_per_s=len(latencies) / seconds,
        all_turns_per_s=sum(s.turns for s in slices) / seconds,
        p50_ms=1000 * median(latencies),
        p99_ms=1000 * percentile(latencies, 0.99),
        samples=len(latencies),
        errors=sum(s.errors for s in slices),
        cpu_ms_per_turn=_cpu_ms_per_turn(slices),
    )


def _cpu_ms_per_turn(slices: list[Slice]) -> float | None:
    """The median over slices of the server's CPU time per completed turn: a slice that other
    work on the machine (or the server's own background checkpoint) disturbed does not move it."""
    per_slice = [1000 * s.cpu_s / s.completed for s in slices if s.cpu_s is not None and s.completed]
    if not per_slice or len(per_slice) != len(slices):
        return None
    return median(per_slice)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process and all its threads (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Case:
    """One thing to measure: a server URL and how to make its conversations' scripts."""

    name: str
    url: str
    make_script: Callable[[int], Script]  # conversation index -> script
    scripts: dict[int, list[Script]] = field(default_factory=dict)  # by concurrency, kept
    pid: int | None = None  # the server's process: its CPU time per turn is measured too

    def scripts_for(self, concurrency: int) -> list[Script]:
        """The same conversations for every slice at this concurrency (a dialog walk goes on).
        A negative key is the open-loop measure's ``-admins`` conversations, numbered apart
        from the closed-loop ones (from 1,000 on) so that no conversation is in both."""
        if concurrency not in self.scripts:
            first = 1_000 if concurrency < 0 else 0
            self.scripts[concurrency] = [self.make_script(first + i) for i in range(abs(concurrency))]
        return self.scripts[concurrency]


def interleave(
    cases: list[Case], concurrencies: tuple[int, ...], *, rounds: int, seconds: float, warmup: float
) -> dict[tuple[str, int], Summary]:
    """Every case for ``seconds`` (after ``warmup``), one after the other, ``rounds`` times,
    at each concurrency; summarized per (case name, concurrency)."""
    counter = [0]
    measured: dict[tuple[str, int], Summary] = {}
    for concurrency in concurrencies:
        slices: dict[str, list[Slice]] = {case.name: [] for case in cases}
        for _ in range(rounds):
            for case in cases:
                cpu_before = cpu_seconds(case.pid) if case.pid else None
                one = asyncio.run(drive(case.url, case.scripts_for(concurrency), seconds, warmup, counter))
                if case.pid and cpu_before is not None:
                    one.cpu_s = cpu_seconds(case.pid) - cpu_before
                slices[case.name].append(one)
        for case in cases:
            measured[case.name, concurrency] = summarize(slices[case.name])
    return measured


def warm_up(cases: list[Case], concurrency: int, seconds: float) -> None:
    """Each case for ``seconds``, nothing recorded: a server's first turns load what it loads
    lazily (the recognizer, card templates...), which is not what a turn costs."""
    for case in cases:
        asyncio.run(drive(case.url, case.scripts_for(concurrency), seconds))


def load_average() -> str:
    """The 1/5/15-minute load average, for the notes: how busy the machine was."""
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f}/{five:.2f}/{fifteen:.2f}"
