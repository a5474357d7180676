"""The production delivery path of the turn benchmarks: activities without expectReplies, the
bot posting its replies to a fake Bot Connector in a process of its own. Plumbing only, over
real HTTP (the real bot, the real fake connector process); nothing here asserts a speed."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from botbuilder.schema import Activity

from bench import bench_chat
from bench.bench_chat import (
    CHECK_TEXT,
    CONNECTOR_LOOKUPS,
    POOL_TEXT,
    SDK_CLIENT,
    connector_note,
    connector_rows,
    seed_demo,
    via_connector,
)
from bench.fake_connector import connector_stats
from bench.loadgen import (
    SERVER_CPU,
    Case,
    Repeat,
    Server,
    Summary,
    answered_replies,
    drive,
    fake_connector,
    load_generator_cpu,
    teams_message,
)


def allowed_cpus(pid: int) -> str:
    status = Path(f"/proc/{pid}/status").read_text()
    return next(line.split(":")[1].strip() for line in status.splitlines() if line.startswith("Cpus_allowed_list"))


def test_a_production_message_has_no_delivery_mode_and_names_the_connector():
    body = teams_message(3, "a:conv", POOL_TEXT, service_url="http://127.0.0.1:9/")
    assert "deliveryMode" not in body and body["serviceUrl"] == "http://127.0.0.1:9/"
    expect = teams_message(3, "a:conv", POOL_TEXT)
    assert {k: v for k, v in expect.items() if k not in ("deliveryMode", "serviceUrl")} == {
        k: v for k, v in body.items() if k != "serviceUrl"
    }  # the same Teams message in every other field
    activity = Activity().deserialize(body)
    assert activity.delivery_mode is None and activity.service_url == "http://127.0.0.1:9/"
    script = Repeat("a:conv", POOL_TEXT, service_url="http://127.0.0.1:9/")
    assert "deliveryMode" not in script.next_activity(1)[0]
    assert Repeat("a:conv", POOL_TEXT).next_activity(1)[0]["deliveryMode"] == "expectReplies"


def test_an_answer_is_judged_by_the_delivery_mode_of_what_was_sent():
    expect = teams_message(1, "a:c", "hi")
    production = teams_message(1, "a:c", "hi", service_url="http://127.0.0.1:9/")
    replies = json.dumps({"activities": [{"type": "message"}]}).encode()
    assert answered_replies(expect, 200, replies) == [{"type": "message"}]
    assert answered_replies(expect, 201, b"") is None  # expectReplies must carry the replies
    assert answered_replies(expect, 200, b"not json") is None
    assert answered_replies(production, 201, b"") == []  # the bot: replies went to the connector
    assert answered_replies(production, 200, replies) == []  # the raw handler
    assert answered_replies(production, 502, b"") is None  # the connector refused a reply


def test_the_fake_connector_process_counts_posts_and_cards_on_the_load_generators_core(tmp_path):
    with fake_connector(tmp_path / "connector") as connector:
        assert connector.base_url == f"http://127.0.0.1:{connector.port}/"
        if load_generator_cpu() is not None:
            assert allowed_cpus(connector.pid) == str(load_generator_cpu()) != str(SERVER_CPU)
        assert connector_stats(connector.base_url) == {"posts": 0, "with_attachments": 0}
        for body in ({"type": "message", "text": "hi"}, {"type": "message", "attachments": [{"contentType": "x"}]}):
            request = urllib.request.Request(
                f"{connector.base_url}v3/conversations/a%3Ac/activities/17",
                data=json.dumps(body).encode(),
                headers={"Content-Type": "application/json"},
            )
            with urllib.request.urlopen(request, timeout=10) as answer:
                assert json.loads(answer.read())["id"].startswith("reply-")
        assert connector_stats(connector.base_url) == {"posts": 2, "with_attachments": 1}


def test_the_real_bot_posts_its_cards_to_the_fake_connector(tmp_path):
    """The bench's assumption about the production path: every pool lookup and number check
    ends in a card posted to the serviceUrl, and the HTTP answer (201) comes after it."""
    now = datetime(2027, 1, 1, 8, 0, tzinfo=UTC)
    assert seed_demo(tmp_path / "data", now) > 1000
    with (
        Server("bot", tmp_path / "data", env={"CALLPLAN_NOW": now.isoformat()}) as bot,
        fake_connector(tmp_path / "connector") as connector,
    ):
        scripts = [via_connector("a:bc", text, connector.base_url)(i) for i, text in enumerate((POOL_TEXT, CHECK_TEXT))]
        done = asyncio.run(drive(bot.url, scripts, seconds=60, max_turns=6))
        stats = connector_stats(connector.base_url)
    assert done.errors == 0 and done.turns == 6 and len(done.latencies) == 6
    assert sum(s.answered for s in scripts) == 6
    assert stats["with_attachments"] >= 6  # a card per turn reached the connector
    assert connector_note(stats, 6).startswith("the fake connector received")


def test_the_connector_note_tells_no_connector_turn_from_lost_replies():
    assert connector_note({"posts": 0, "with_attachments": 0}, 0) == (
        "no turn posted to the Bot Connector (expectReplies only)"
    )
    assert connector_note({"posts": 3, "with_attachments": 3}, 5).startswith("SANITY:")  # replies lost
    assert connector_note({"posts": 2, "with_attachments": 0}, 0).startswith("SANITY:")  # posts nobody counted


def test_the_connector_rows_compare_with_the_raw_handler_and_with_expect_replies():
    def summary(cpu: float) -> Summary:
        return Summary(100.0, 100.0, 2.0, 5.0, 200, 0, cpu)

    measured = {}
    for concurrency in (1, 32):
        measured["raw", concurrency] = summary(0.1)
        measured["pool", concurrency], measured["check", concurrency] = summary(3.0), summary(4.0)
        measured["pool-bc", concurrency], measured["check-bc", concurrency] = summary(4.5), summary(5.0)
    cases = [Case(name, "http://x", via_connector(name, POOL_TEXT, "http://c/")) for name, *_ in CONNECTOR_LOOKUPS]
    for case in cases:
        script = case.scripts_for(1)[0]
        assert isinstance(script, Repeat)
        script.answered = 5
    out = connector_rows(measured, cases, {"posts": 10, "with_attachments": 10}, "ctx")
    vs_expect = {(r["benchmark"], r["metric"]): r for r in out if r["metric"].startswith("cpu_vs_expect")}
    pool = vs_expect["turn: pool lookup via the Bot Connector", "cpu_vs_expect_replies_c1"]
    assert (pool["value"], pool["baseline"]) == (4.5, 3.0)
    assert len(vs_expect) == 4
    turns_row = next(r for r in out if r["metric"] == "turns_per_s_c32")
    assert "latency until the HTTP answer" in turns_row["note"] and "SANITY" not in turns_row["note"]
    short = connector_rows(measured, cases, {"posts": 10, "with_attachments": 3}, "ctx")
    assert "SANITY" in short[0]["note"]


def test_the_connector_rows_compare_with_the_sdk_client_when_it_was_measured(monkeypatch):
    def summary(cpu: float, p50: float) -> Summary:
        return Summary(100.0, 100.0, p50, 5.0, 200, 0, cpu)

    measured = {("raw", 1): summary(0.1, 1.0)}
    measured["pool", 1], measured["check", 1] = summary(3.0, 2.0), summary(4.0, 2.0)
    measured["pool-bc", 1], measured["check-bc", 1] = summary(4.0, 3.0), summary(5.0, 3.0)
    measured["pool-bc" + SDK_CLIENT, 1] = summary(5.0, 4.0)  # check-bc has no SDK-client case
    cases = [
        Case(name, "http://x", via_connector(name, POOL_TEXT, "http://c/"))
        for name in ("pool-bc", "check-bc", "pool-bc" + SDK_CLIENT)
    ]
    for case in cases:
        script = case.scripts_for(1)[0]
        assert isinstance(script, Repeat)
        script.answered = 5
    monkeypatch.setattr(bench_chat, "CONNECTOR_CONCURRENCY", (1,))
    out = connector_rows(measured, cases, {"posts": 15, "with_attachments": 15}, "ctx")
    vs_sdk = [r for r in out if r["metric"].startswith("cpu_vs_sdk_connector_client")]
    assert [(r["benchmark"], r["value"], r["baseline"]) for r in vs_sdk] == [
        ("turn: pool lookup via the Bot Connector", 4.0, 5.0)
    ]
    assert "+25% turns per CPU second" in vs_sdk[0]["note"] and "p50 3.00 vs 4.00 ms" in vs_sdk[0]["note"]
    assert "for 15 answered turns" in out[0]["note"]  # the SDK client's turns count in the sanity check
