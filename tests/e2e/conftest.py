"""Fixtures for the end-to-end tests: bot process, playground, Chromium, chat page.

Lifetimes, and why:
- the bot runs once per session (its state is keyed by conversation id, so tests do not
  see each other's dialogs);
- the playground is started fresh for every test (0.4 s) with its own conversation id and
  working directory, so no dialog state or chat history crosses tests;
- Chromium runs once per session; every test gets a fresh context (cookies, storage).

Everything started is stopped in fixture teardown, also on failure or timeout; a SIGTERM
(e.g. ``timeout`` in the Makefile) is turned into KeyboardInterrupt so the teardown runs,
and ``processes`` adds PDEATHSIG and atexit as backstops.

Tests here are marked ``e2e``: ``make test`` deselects them (``-m 'not e2e'`` in
pyproject's addopts), ``make e2e`` selects them with ``-m e2e``. Choose the bot with
``E2E_BOT=stub|real`` (see ``e2e_harness/bots.py``). Artifacts (screenshots, logs, page
HTML on failure, timings.json) go to ``artifacts/e2e/<test>/``.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # --import-mode=importlib adds none

from e2e_harness.bots import REAL, REPO, STUB, RunningBot, selected_bot, start_bot
from e2e_harness.playground import PlaygroundConfig, RunningPlayground, start_playground
from e2e_harness.processes import free_port, stop_all

if TYPE_CHECKING:  # Playwright is the e2e extra: imported when a browser test runs
    from e2e_harness.browser import OfflineContext

if TYPE_CHECKING:
    from e2e_harness.chat import TeamsChat

ARTIFACTS = REPO / "artifacts" / "e2e"
_TIMINGS: dict[str, dict[str, float]] = {}


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Keep each phase's report on the item, so fixtures know whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _slug(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("::", 1)[-1]).strip("_")[:120]


@pytest.fixture(scope="session", autouse=True)
def _stop_everything_on_sigterm() -> Iterator[None]:
    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    shutil.rmtree(ARTIFACTS, ignore_errors=True)  # this run's evidence only
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        stop_all()
        if _TIMINGS:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            (ARTIFACTS / "timings.json").write_text(json.dumps(_TIMINGS, indent=2))


@pytest.fixture(scope="session")
def e2e_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e2e")


def _start(spec, e2e_tmp: Path) -> Iterator[RunningBot]:
    started = time.monotonic()
    running = start_bot(spec, free_port(), e2e_tmp / f"bot-{spec.name}", e2e_tmp / "logs")
    _TIMINGS.setdefault("_session", {})[f"bot_{spec.name}_start_s"] = round(time.monotonic() - started, 3)
    try:
        yield running
    finally:
        running.stop()
        log = running.service.log_path
        if log.exists():
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shutil.copy(log, ARTIFACTS / log.name)


@pytest.fixture(scope="session")
def bot(e2e_tmp: Path) -> Iterator[RunningBot]:
    """The bot chosen by ``E2E_BOT`` (default in e2e_harness/bots.py), listening on loopback."""
    yield from _start(selected_bot(), e2e_tmp)


@pytest.fixture(scope="session")
def stub_bot(request: pytest.FixtureRequest, e2e_tmp: Path) -> Iterator[RunningBot]:
    """Always the stub: the harness's own self-test does not depend on the real bot."""
    if selected_bot().name == STUB.name:
        yield request.getfixturevalue("bot")
    else:
        yield from _start(STUB, e2e_tmp)


@pytest.fixture(scope="session")
def real_bot(request: pytest.FixtureRequest, e2e_tmp: Path) -> Iterator[RunningBot]:
    """Always the real bot (``python -m bot`` on the demo tenant): the scenarios test it,
    whatever ``E2E_BOT`` says; shared with ``bot`` when that is the real one too."""
    if selected_bot().name == REAL.name:
        yield request.getfixturevalue("bot")
    else:
        yield from _start(REAL, e2e_tmp)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    from e2e_harness.browser import launch_chromium

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def artifacts_dir(request: pytest.FixtureRequest) -> Path:
    path = ARTIFACTS / _slug(request.node.nodeid)
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


@pytest.fixture
def chat_factory(
    request: pytest.FixtureRequest, browser, e2e_tmp: Path, artifacts_dir: Path
) -> Iterator[Callable[..., TeamsChat]]:
    """``chat_factory(bot, config=None, open=True)``: a fresh playground for ``bot`` and a
    page on its personal chat. Everything is torn down after the test; on failure the
    page's screenshot, HTML, console and the playground's log land in the artifacts."""
    from e2e_harness.browser import offline_context
    from e2e_harness.chat import TeamsChat

    opened: list[tuple[RunningPlayground, OfflineContext, TeamsChat, list[str]]] = []

    def make(running_bot: RunningBot, config: PlaygroundConfig | None = None, *, open: bool = True) -> TeamsChat:
        index = len(opened) + 1
        started = time.monotonic()
        workdir = e2e_tmp / f"pg-{_slug(request.node.nodeid)}-{index}"
        playground = start_playground(running_bot.endpoint, workdir, config=config)
        playground_s = time.monotonic() - started
        context = offline_context(browser)
        console: list[str] = []
        page = context.context.new_page()
        page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
        chat = TeamsChat(page, playground, artifacts_dir, blocked_requests=context.blocked)
        chat.timings["playground_start"] = playground_s
        opened.append((playground, context, chat, console))
        if open:
            chat.open()
        return chat

    try:
        yield make
    finally:
        failed = any(getattr(getattr(request.node, f"rep_{w}", None), "failed", False) for w in ("setup", "call"))
        for n, (playground, context, chat, console) in enumerate(opened, 1):
            # Each step on its own: a dead browser (e.g. after SIGTERM) must not keep
            # the playground running.
            with _best_effort():
                if failed:
                    _save_failure_evidence(chat, console, artifacts_dir, n)
            with _best_effort():
                context.close()
            playground.stop()
            with _best_effort():
                (artifacts_dir / f"playground-{n}.log").write_text(playground.log_text())
            _TIMINGS[request.node.nodeid] = {k: round(v, 3) for k, v in chat.timings.items()}


@contextlib.contextmanager
def _best_effort() -> Iterator[None]:
    try:
        yield
    except Exception as exc:  # teardown evidence must not mask the failure
        print(f"e2e teardown: {exc!r}", file=sys.stderr)


def _save_failure_evidence(chat, console: list[str], artifacts_dir: Path, n: int) -> None:
    try:
        chat.screenshot(f"FAILED-page-{n}")
        (artifacts_dir / f"FAILED-page-{n}.html").write_text(chat.page.content())
    except Exception as exc:  # the page may be what broke; keep the other evidence
        (artifacts_dir / f"FAILED-page-{n}.txt").write_text(f"no screenshot: {exc!r}")
    (artifacts_dir / f"console-{n}.log").write_text("\n".join(console))


@pytest.fixture
def chat(chat_factory, bot: RunningBot) -> TeamsChat:
    """The personal chat with the selected bot, opened, welcome rendered."""
    return chat_factory(bot)


@pytest.fixture
def real_chat(chat_factory, real_bot: RunningBot) -> TeamsChat:
    """The personal chat with the real bot, opened, welcome rendered."""
    return chat_factory(real_bot)


@pytest.fixture
def stub_chat(chat_factory, stub_bot: RunningBot) -> TeamsChat:
    """The personal chat with the stub bot, opened, welcome rendered."""
    return chat_factory(stub_bot)
