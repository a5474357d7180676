"""Pool alerts in the Agents Playground: subscribing in chat, then the proactive alert card.

The playground's connector (``/_connector``) accepts a bot's post to a conversation that is
not a reply (``POST /v3/conversations/{id}/activities``), which is what
``continue_conversation`` sends, and shows it in the chat: this test proves it on screen.
Which alerts are due comes from the bot's own data (``callplan pools --json``): the demo
tenant has pools that run out this month. The subscription wakes the bot's scheduler, so the
alert follows within seconds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime

import pytest

from e2e_harness.bots import E2E_NOW, REPO

pytestmark = pytest.mark.e2e


def pools(data_dir) -> list[dict]:
    month = E2E_NOW[:7]  # the bot's "this month" (its clock is pinned)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "pools",
            "--data-dir",
            str(data_dir),
            "--tenant",
            "demo-tenant",
            "--month",
            month,
            "--json",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "CALLPLAN_NOW": E2E_NOW},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["pools"]


def test_subscribe_in_chat_then_a_proactive_alert_card(real_chat, real_bot):
    chat = real_chat
    chat.wait_for_card("Calling Plan Assistant")
    due = [p for p in pools(real_bot.data_dir) if p["percent_used"] >= 80 or (p["runs_out_on"] and not p["exhausted"])]
    assert due, "the demo tenant has a pool past 80% or running out this month"
    chat.send("alert me when a pool hits 80%")
    chat.wait_for_bot_text("I'll post in this chat when a pool reaches 80% and 100%")
    chat.screenshot("subscribed")
    for pool in due:  # each due pool's alert, with the figures of the bot's own data
        if pool["percent_used"] >= 80:
            wanted = "has used all its minutes" if pool["exhausted"] else f"has used {round(pool['percent_used'])}%"
        else:
            day = datetime.fromisoformat(pool["runs_out_on"])
            wanted = f"runs out on {day:%B} {day.day}, {day.year}"
        card = chat.wait_for_card(wanted, timeout=60)
        assert card.startswith("Pool alert") and pool["plan_names"]["en"] in card
        assert f"{pool['total_minutes']:,}" in card and 'Say "stop alerts" to stop these messages.' in card
    chat.screenshot("proactive alert")
    chat.send("stop alerts")
    chat.wait_for_bot_text("no more pool alerts in this chat")
