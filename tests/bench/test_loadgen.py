"""bench.loadgen and bench.servers: Teams-shaped turns, dialog walks, servers in their own
processes. Real servers over loopback; nothing here asserts a speed."""

from __future__ import annotations

import asyncio
import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from botbuilder.schema import Activity

from bench.bench_chat import POOL_TEXT, PURCHASE_TEXT, card_note, dialog_note, seed_demo
from bench.loadgen import (
    BOT_NAME,
    CHANNEL_ID,
    TEAM_ID,
    Case,
    DialogWalk,
    Distinct,
    Repeat,
    Server,
    Slice,
    cpu_seconds,
    drive,
    drive_open,
    interleave,
    next_answer,
    open_loop,
    submit_buttons,
    summarize,
    teams_message,
    walk_user_count,
)
from dialogs.cards import choice_card


def question_card(question: str, choices: list[tuple[str, object]]) -> dict:
    """A question exactly as the bot sends it, as it arrives in an expectReplies body."""
    return choice_card(question, choices, "en").to_activity().serialize()


def test_a_teams_message_is_shaped_like_a_teams_channel_message_and_deserializes():
    body = teams_message(7, "a:conv", "pool balance", tenant="demo-tenant")
    assert body["channelData"]["tenant"]["id"] == "demo-tenant"
    assert body["channelData"]["team"]["id"] == TEAM_ID and body["channelData"]["channel"]["id"] == CHANNEL_ID
    assert body["conversation"]["tenantId"] == "demo-tenant"
    assert body["conversation"]["conversationType"] == "channel"
    assert body["from"]["aadObjectId"]
    assert body["deliveryMode"] == "expectReplies"
    assert body["text"] == f"<at>{BOT_NAME}</at> pool balance"  # the bot's @mention, as in a channel
    kinds = [e["type"] for e in body["entities"]]
    assert kinds == ["mention", "clientInfo"]
    assert {"locale", "country", "platform", "timezone"} <= set(body["entities"][1])
    assert 1000 < len(json.dumps(body)) < 1600  # "a ~1 KB message"
    activity = Activity().deserialize(body)
    assert activity.conversation.id == f"{CHANNEL_ID};messageid=a:conv" and activity.channel_id == "msteams"

    click = teams_message(8, "a:conv", value={"value": "FR"})
    assert "text" not in click and click["value"] == {"value": "FR"}
    assert [e["type"] for e in click["entities"]] == ["clientInfo"]  # a click mentions no one


def test_distinct_scripts_never_repeat_a_conversation():
    shared = [0]
    scripts = [Distinct(f"a:fresh-{i}", POOL_TEXT, shared) for i in range(3)]
    seen = {script.next_activity(n)[0]["conversation"]["id"] for n in range(4) for script in scripts}
    assert len(seen) == 12 and shared == [12]


def test_cpu_seconds_counts_a_process_and_its_threads():
    before = cpu_seconds(os.getpid())
    end = time.process_time() + 0.05
    while time.process_time() < end:
        pass
    assert cpu_seconds(os.getpid()) > before


def test_the_next_answer_clicks_the_first_choice_of_the_last_question():
    noted = {"type": "message", "text": "Noted: 40 users in France."}
    card = question_card("Do these users call abroad?", [("Yes", True), ("No", False)])
    assert list(submit_buttons(card)) == [{"value": True}, {"value": False}]
    assert next_answer([noted, card]) == {"value": {"value": True}}

    older = question_card("Which country?", [("France", "FR")])
    assert next_answer([older, card]) == {"value": {"value": True}}  # the last question wins


def test_a_plain_text_question_gets_a_number_typed_and_no_question_ends_the_walk():
    assert next_answer([{"type": "message", "text": "How many users in France? "}]) == {"text": "40"}
    assert next_answer([{"type": "message", "text": "How many users?"}], "137") == {"text": "137"}
    assert next_answer([{"type": "message", "text": "Your purchase plan: 5 steps."}]) is None
    assert next_answer([]) is None
    menu = {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "content": {"actions": [{"type": "Action.Submit", "data": {"intent": "pool"}}]},
            }
        ],
    }
    assert next_answer([menu]) is None  # menu buttons start things; they answer no question


def test_a_dialog_walk_starts_untimed_times_each_answer_and_starts_again():
    walk = DialogWalk("a:walk", "which plan?", max_steps=3)
    first, timed = walk.next_activity(1)
    assert first["text"] == f"<at>{BOT_NAME}</at> which plan?" and not timed
    walk.replies([question_card("Which country?", [("France", "FR")])], timed)

    step, timed = walk.next_activity(2)
    assert timed and step["value"] == {"value": "FR"} and "text" not in step
    walk.replies([{"type": "message", "text": "How many users in France?"}], timed)
    step, timed = walk.next_activity(3)
    assert timed and step["text"] == f"<at>{BOT_NAME}</at> {walk_user_count(1)}"
    walk.replies([{"type": "message", "text": "Here is your summary."}], timed)
    assert walk.completed == 1 and walk.steps == 2 and walk.completed_steps == 2

    again, timed = walk.next_activity(4)
    assert again["text"] == f"<at>{BOT_NAME}</at> which plan?" and not timed and walk.starts == 2
    walk.replies([{"type": "message", "text": "How many users in France?"}], False)
    step, timed = walk.next_activity(5)
    assert step["text"] == f"<at>{BOT_NAME}</at> {walk_user_count(2)}"  # each walk its own count

    for n in range(6, 9):  # the same question forever: stopped at max_steps
        walk.replies([{"type": "message", "text": "How many users?"}], True)
        walk.next_activity(n)
    assert walk.capped == 1 and walk.starts == 3


def test_repeat_counts_replies_that_carry_a_card():
    script = Repeat("a:pool", POOL_TEXT)
    body, timed = script.next_activity(1)
    assert timed and body["text"] == f"<at>{BOT_NAME}</at> {POOL_TEXT}"
    script.replies([{"type": "message", "text": "help"}], True)
    script.replies([{"type": "message", "attachments": [{"contentType": "x"}]}], True)
    assert (script.answered, script.with_attachment) == (2, 1)
    assert card_note([script], "the pool table").startswith("SANITY: only 1 of 2 replies carried a card")
    script.with_attachment = 2
    assert card_note([script], "the pool table").startswith("every reply carried a card (the pool table)")


def test_the_dialog_note_says_when_no_walk_reached_the_end():
    stuck = DialogWalk("a:x", "plan", max_steps=2, steps=6, capped=3, starts=3)
    assert dialog_note([stuck]).startswith("SANITY: no walk reached a reply without a question")
    done = DialogWalk("a:y", "plan", completed=4, completed_steps=24, steps=27, starts=5)
    assert dialog_note([done]) == "4 purchases walked to the summary card, 6.0 steps each"


def test_summaries_pool_the_slices():
    slices = [
        Slice(latencies=[0.001, 0.003], turns=4, errors=1, seconds=1.0),
        Slice(latencies=[0.002], turns=2, seconds=0.5),
    ]
    summary = summarize(slices)
    assert summary.turns_per_s == 2.0 and summary.all_turns_per_s == 4.0
    assert summary.p50_ms == pytest.approx(2.0) and summary.samples == 3 and summary.errors == 1
    with pytest.raises(RuntimeError):
        summarize([Slice(seconds=1.0)])


def test_the_raw_server_answers_turns_and_max_turns_is_exact(tmp_path):
    with Server("raw", tmp_path / "raw") as raw:
        assert raw.rss_mb() > 5
        scripts = [Repeat(f"a:c{i}", POOL_TEXT) for i in range(4)]
        done = asyncio.run(drive(raw.url, scripts, seconds=30, max_turns=50))
        assert done.turns == 50 and done.errors == 0 and len(done.latencies) == 50
        assert sum(s.answered for s in scripts) == 50

        cases = [
            Case("a", raw.url, lambda i: Repeat(f"a:a{i}", "hi")),
            Case("b", raw.url, lambda i: Repeat(f"a:b{i}", "hi")),
        ]
        # slices long enough that a turn begun in the warm-up and stalled by a busy machine
        # (CI beside other work) cannot span the whole window: at 0.15 s one did (no turn timed)
        measured = interleave(cases, (1, 2), rounds=1, seconds=0.5, warmup=0.05)
        assert set(measured) == {("a", 1), ("b", 1), ("a", 2), ("b", 2)}
        assert all(m.samples > 0 and m.errors == 0 for m in measured.values())
        assert len(cases[0].scripts[2]) == 2  # one script per conversation, kept per concurrency
        pid = raw.pid
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_open_loop_sends_on_a_poisson_schedule_and_times_turns_from_when_they_were_due(tmp_path):
    """The open-loop driver: about rate x seconds turns, none before it is due, the same
    schedule for the same seed; a server slower than the schedule shows in the latencies
    (counted from the due time), not in fewer turns."""
    with Server("raw", tmp_path / "raw") as raw:
        scripts = [Repeat(f"a:o{i}", POOL_TEXT) for i in range(8)]
        started = time.perf_counter()
        done = asyncio.run(drive_open(raw.url, scripts, rate_per_s=80.0, seconds=1.0, warmup=0.2, seed=3))
        took = time.perf_counter() - started
        assert done.errors == 0 and 30 <= done.turns <= 160  # Poisson: 80 expected
        assert len(done.latencies) == done.turns and all(x > 0 for x in done.latencies)
        assert took >= 1.0  # it waits for the schedule rather than posting back to back

        cases = [Case("raw", raw.url, lambda i: Repeat(f"a:p{i}", POOL_TEXT), pid=raw.pid)]
        summaries = open_loop(cases, 4, 40.0, rounds=2, seconds=0.3, warmup=0.05)
        assert set(summaries) == {"raw"} and summaries["raw"].errors == 0
        assert len(cases[0].scripts[-4]) == 4  # its own conversations, apart from closed-loop ones


def test_a_slow_server_shows_in_open_loop_latency_not_in_the_schedule():
    """Against a handler taking 50 ms per turn, one admin at 40 messages/s queues up: every
    latency counted from the due time grows past the handler's own 50 ms."""
    from aiohttp import web

    async def run() -> Slice:
        async def slow(request: web.Request) -> web.Response:
            await asyncio.sleep(0.05)
            return web.json_response({"activities": []})

        app = web.Application()
        app.router.add_post("/api/messages", slow)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        try:
            return await drive_open(
                f"http://127.0.0.1:{port}/api/messages", [Repeat("a:slow", "hi")], 40.0, seconds=0.6, seed=1
            )
        finally:
            await runner.cleanup()

    done = asyncio.run(run())
    assert done.errors == 0 and done.turns >= 5
    assert max(done.latencies) > 0.15  # queued behind earlier turns, not just the 50 ms


def test_the_real_bot_answers_a_pool_lookup_with_a_card_and_walks_the_purchase(tmp_path):
    """The bench's assumptions about the real bot (dialogs.root), over real HTTP."""
    # On the 1st (the hardest day: the current month is empty), the demo has last month whole.
    now = datetime(2027, 1, 1, 8, 0, tzinfo=UTC)
    assert seed_demo(tmp_path / "data", now) > 1000
    with Server("bot", tmp_path / "data", env={"CALLPLAN_NOW": now.isoformat()}) as bot:
        pool = Repeat("a:pool", POOL_TEXT)
        walk = DialogWalk("a:walk", PURCHASE_TEXT)
        # One budget each: sharing one, the faster pool turns could take all 30 before the
        # walk got through a purchase (it did, depending on the machine's load).
        pooled = asyncio.run(drive(bot.url, [pool], seconds=60, max_turns=10))
        walked = asyncio.run(drive(bot.url, [walk], seconds=60, max_turns=20))
    assert pooled.errors == walked.errors == 0 and (pooled.turns, walked.turns) == (10, 20)
    assert pool.answered > 0 and pool.with_attachment == pool.answered
    assert walk.steps >= 3 and walk.completed >= 1 and walk.capped == 0


def test_a_server_that_cannot_start_is_a_clear_error(tmp_path):
    with pytest.raises(RuntimeError, match="the nonsense server did not start"):
        Server("nonsense", tmp_path / "x", start_timeout=20)


def test_a_server_runs_on_the_one_core_it_is_given(tmp_path):
    """Like production, one core per server process (BENCH_CPU), its threads included; on a
    one-CPU machine there is nothing to pin and the server keeps what it inherited."""

    def allowed(pid: int | str) -> str:
        status = Path(f"/proc/{pid}/status").read_text()
        return next(line.split(":")[1].strip() for line in status.splitlines() if line.startswith("Cpus_allowed_list"))

    expected = "0" if (os.cpu_count() or 1) > 1 else allowed("self")
    with Server("raw", tmp_path / "raw", cpu=0) as raw:
        assert allowed(raw.pid) == expected
