"""Where the CPU of one reply posted to the Bot Connector goes (issue 14), part by part.

    python -m bench.profile_connector [N]

The real bot answers a pool lookup and a number check once (``expectReplies``, to get the very
reply activities it sends); then this process, pinned to the servers' core like a bot, posts
each reply ``N`` times to a counting fake Bot Connector (:mod:`bench.fake_connector`, its own
process on the load generator's core) the way the bot does (:class:`bot.connector.ReplyConnector`),
and through the SDK's connector client as ``CloudAdapterBase.send_activities`` does as shipped
(``conversations.reply_to_activity``, a client built and bounded as :mod:`bot.client_reuse`
does). Then the parts of the SDK's path alone, each ``N`` times: msrest's ``Serializer.body`` of
the activity, ``json.dumps`` of its result, a ``requests`` POST of those bytes on a reused
session, the hop to a worker thread and back; and of ours: :func:`bot.activity_json.dump_activity`
+ ``json.dumps``.

CPU is this process's (all threads, ``time.process_time``), in ms per reply. Local mode: no
app id, so no token is fetched or attached (in production a cached token is, per reply). Not
part of ``make bench`` (it prints, it reports nothing); the figures are in ``bench/REPORT.md``.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench.bench_chat import CHECK_TEXT, POOL_TEXT, seed_demo
from bench.loadgen import SERVER_CPU, Server, fake_connector, teams_message


async def bot_reply(url: str, text: str) -> dict[str, Any]:
    """The card reply (the last message) the real bot answers ``text`` with."""
    import aiohttp

    async with aiohttp.ClientSession() as session, session.post(url, json=teams_message(1, "prof", text)) as answer:
        replies = (await answer.json())["activities"]
    return [a for a in replies if a.get("type") == "message"][-1]


def cpu_ms(call: Callable[[], Any], n: int) -> float:
    start = time.process_time()
    for _ in range(n):
        call()
    return 1000 * (time.process_time() - start) / n


async def async_cpu_ms(call: Callable[[], Awaitable[Any]], n: int) -> float:
    for _ in range(min(n, 20)):  # warm: connections open, caches filled
        await call()
    start = time.process_time()
    for _ in range(n):
        await call()
    return 1000 * (time.process_time() - start) / n


async def parts(raw: dict[str, Any], base_url: str, n: int) -> dict[str, float]:
    """The whole reply both ways, and the parts alone, in ms CPU per reply."""
    import requests
    from botbuilder.schema import Activity
    from botframework.connector.aio import ConnectorClient
    from botframework.connector.auth import MicrosoftAppCredentials

    from bot.activity_json import dump_activity
    from bot.connector import ReplyConnector
    from bot.outbound import bound_client

    activity = Activity().deserialize(raw)
    activity.conversation.id, activity.reply_to_id = "prof", "1"
    client = bound_client(ConnectorClient(MicrosoftAppCredentials("", ""), base_url=base_url))
    ours = ReplyConnector()
    ours.open()
    serializer = client.conversations._serialize
    url = f"{base_url}v3/conversations/prof/activities/1"
    headers = {"Content-Type": "application/json"}
    out: dict[str, float] = {}
    try:
        out["ReplyConnector.send (the bot's path)"] = await async_cpu_ms(lambda: ours.send(client, activity), n)
        out["reply_to_activity (the SDK's path)"] = await async_cpu_ms(
            lambda: client.conversations.reply_to_activity("prof", "1", activity), n
        )
        out["  sdk: msrest Serializer.body"] = cpu_ms(lambda: serializer.body(activity, "Activity"), n)
        serialized = serializer.body(activity, "Activity")
        out["  sdk: json.dumps of it"] = cpu_ms(lambda: json.dumps(serialized), n)
        body = json.dumps(serializer.body(activity, "Activity")).encode()
        with requests.Session() as session:
            out["  sdk: requests POST (reused session)"] = cpu_ms(
                lambda: session.post(url, data=body, headers=headers).content, n
            )
        loop = asyncio.get_running_loop()
        out["  sdk: thread hop (run_in_executor)"] = await async_cpu_ms(lambda: loop.run_in_executor(None, int), n)
        out["  ours: dump_activity + json.dumps"] = cpu_ms(lambda: json.dumps(dump_activity(activity)), n)
    finally:
        await ours.close()
        await client.__aexit__(None, None, None)
    return out


TEXTS = (("pool", POOL_TEXT), ("check", CHECK_TEXT))


def main(n: int) -> None:
    with tempfile.TemporaryDirectory(prefix="profile-connector-") as tmp:
        work = Path(tmp)
        seed_demo(work / "data-bot")
        with Server("bot", work / "data-bot") as bot:
            replies = {name: asyncio.run(bot_reply(bot.url, text)) for name, text in TEXTS}
        if (os.cpu_count() or 1) > 1:
            os.sched_setaffinity(0, {SERVER_CPU})  # like a bot: one core, its threads included
        with fake_connector(work / "connector") as connector:
            for name, raw in replies.items():
                print(f"== {name} reply, {len(json.dumps(raw)):,} bytes of JSON; ms CPU per reply, {n} replies")
                measured = asyncio.run(parts(raw, connector.base_url, n))
                for part, ms in measured.items():
                    print(f"    {part:<55} {ms:7.3f}")
                named = sum(ms for part, ms in measured.items() if part.startswith("  sdk"))
                rest = measured["reply_to_activity (the SDK's path)"] - named
                print(f"    {'  sdk: the rest (msrest pipeline, answer deserialized)':<55} {rest:7.3f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
