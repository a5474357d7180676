"""How the serve command starts: what it loads (the real ``python -m bot``, started, asked real
turns, stopped) and its garbage collector pause.

``python -X importtime -m bot`` lists on stderr every module the process imported, up to its
exit; the bot is stopped after a few turns (help, a guided purchase with a question and a click,
a pool lookup, a number check), so the list covers start-up and serving. Modules left out of the
start on purpose (:mod:`bot.lazy_prompts`, the Graph sync when it is not configured) must not be
in it. (How fast the bot starts is measured in bench/bench_startup.py, as ratios.)
"""

from __future__ import annotations

import gc
import json
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

from bot.commands.host import pause_gc, resume_gc
from bot.lazy_prompts import RECOGNIZER_PACKAGES
from testkit.narrow import present

URL_LINE = re.compile(r"(http://127\.0\.0\.1:\d+)/api/messages")
IMPORTED = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)\s*$", re.MULTILINE)
#: The Graph sync's modules: loaded by the scheduler only when a sync is configured.
GRAPH_SYNC_MODULES = {"knowledge.graph.sync", "knowledge.graph.client", "bot.graph"}


def _post(url: str, activity: dict[str, Any]) -> list[dict[str, Any]]:
    request = urllib.request.Request(
        f"{url}/api/messages", data=json.dumps(activity).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        return json.loads(response.read())["activities"]


def served_modules(tmp_path: Path, h, env: dict[str, str] | None = None) -> tuple[set[str], list[list[dict]]]:
    """Start ``python -X importtime -m bot``, check /healthz, chat, stop it: (modules, replies)."""
    log = tmp_path / "stderr.txt"  # a file: the import list would fill a pipe nobody reads yet
    with log.open("w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-X", "importtime", "-m", "bot", "--port", "0"],
            cwd=tmp_path,
            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "DATA_DIR": str(tmp_path / "data"), **(env or {})},
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    replies: list[list[dict]] = []
    try:
        line = present(proc.stdout).readline()  # the "listening on" line, or nothing if it failed
        match = URL_LINE.search(line)
        assert match, f"no URL in {line!r}"
        url = match.group(1)
        with urllib.request.urlopen(f"{url}/healthz", timeout=30) as response:
            assert response.status == 200
        conversation = {"conversation_id": "a:imports"}
        for text in ("help", "which calling plan should we buy?", None, "pool balance", "can FR call +44 20 7946 0958"):
            if text is None:  # a click on the question the purchase asked
                replies.append(_post(url, h.activity(None, value={"value": "FR"}, **conversation)))
            else:
                replies.append(_post(url, h.activity(text, **conversation)))
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)
    err = log.read_text()
    assert proc.returncode == 0, err[-2000:]
    modules = set(IMPORTED.findall(err))
    assert "bot.app" in modules and "dialogs.prompts" in modules  # -X importtime listed the host
    return modules, replies


def test_serving_turns_loads_no_recognizer_and_no_graph_sync(tmp_path, h):
    modules, replies = served_modules(tmp_path, h)
    assert all(replies), "every turn was answered"
    # The purchase asked a question (an AnswerPrompt, the base Prompt of botbuilder.dialogs).
    assert "botbuilder.dialogs.prompts.prompt" in modules
    assert {m for m in modules if m.split(".")[0] in RECOGNIZER_PACKAGES} == set()
    assert {m for m in modules if m.startswith("botbuilder.dialogs.prompts.") and m.endswith("_prompt")} <= {
        "botbuilder.dialogs.prompts.prompt",
        "botbuilder.dialogs.prompts.activity_prompt",
        "botbuilder.dialogs.prompts.attachment_prompt",
        "botbuilder.dialogs.prompts.oauth_prompt",
        "botbuilder.dialogs.prompts.text_prompt",
    }
    assert modules & GRAPH_SYNC_MODULES == set()


def test_collection_is_paused_while_starting_then_resumed_with_the_start_up_objects_frozen():
    assert gc.isenabled()
    frozen_before = gc.get_freeze_count()
    try:
        pause_gc()
        assert not gc.isenabled()
        built = [[i] for i in range(1000)]  # what a start builds and keeps
        resume_gc()
        assert gc.isenabled()
        assert gc.get_freeze_count() >= frozen_before + len(built)  # skipped by later full collections
    finally:
        gc.unfreeze()  # this test process goes on as before
        gc.enable()
