"""A fake Bot Connector on 127.0.0.1 for tests and benchmarks: records every activity the bot
posts (replies and proactive messages), per conversation, and answers like the service.

One copy for the HTTP tests (``tests/bot/conftest.py``) and the held-out harness
(``bench/heldout_eval.py``). As a process of its own (the connector-path turns of
:mod:`bench.bench_chat` and :mod:`bench.profile_turn`, pinned to the load generator's core so
that its work is never counted as the bot's):

    python -m bench.fake_connector

prints its port first (like :mod:`bench.servers`), then answers every post as the service does
but only *counts* them (a benchmark posts hundreds of thousands): ``GET /stats`` gives
``{"posts": n, "with_attachments": m}``, what :func:`connector_stats` reads.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any, Self

from aiohttp import web

from bench.servers import pin_to_cpu, serve_app


class FakeConnector:
    """Stands in for the Bot Connector service: records every activity the bot posts."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.posts: list[dict[str, Any]] = []
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def _reply(self, request: web.Request) -> web.Response:
        raw = await request.read()
        body = json.loads(raw)
        self.posts.append(
            {
                "path": request.path,
                "conversation_id": request.match_info["conversation_id"],
                "reply_to_id": request.match_info.get("reply_to_id"),
                "authorization": request.headers.get("Authorization"),
                "headers": dict(request.headers),
                "activity": body,
                "raw": raw,  # the bytes as posted
            }
        )
        if self.status != 200:
            return web.json_response(
                {"error": {"code": "NotFound", "message": "no such conversation"}}, status=self.status
            )
        return web.json_response({"id": f"reply-{len(self.posts)}"})

    async def start(self, port: int = 0) -> Self:
        """Listen on 127.0.0.1, on ``port`` (default: any free one)."""
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation_id}/activities/{reply_to_id}", self._reply)
        app.router.add_post("/v3/conversations/{conversation_id}/activities", self._reply)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", port)
        await site.start()
        server = site._server
        assert server is not None and hasattr(server, "sockets")  # a TCPSite listens on a socket
        port = server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/"
        return self

    async def close(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    def activities(self, conversation_id: str) -> list[dict[str, Any]]:
        """What the bot posted to one conversation, in order."""
        return [post["activity"] for post in self.posts if post["conversation_id"] == conversation_id]


def counting_app() -> web.Application:
    """The service's reply routes, answering like it, counting posts and those with a card."""
    counts = {"posts": 0, "with_attachments": 0}

    async def reply(request: web.Request) -> web.Response:
        body = await request.json()
        counts["posts"] += 1
        if isinstance(body, dict) and body.get("attachments"):
            counts["with_attachments"] += 1
        return web.json_response({"id": f"reply-{counts['posts']}"})

    async def stats(request: web.Request) -> web.Response:
        return web.json_response(counts)

    app = web.Application()
    app.router.add_post("/v3/conversations/{conversation_id}/activities/{reply_to_id}", reply)
    app.router.add_post("/v3/conversations/{conversation_id}/activities", reply)
    app.router.add_get("/stats", stats)
    return app


def connector_stats(base_url: str, timeout: float = 10.0) -> dict[str, int]:
    """What a counting fake connector (``base_url``, ending in "/") has received so far."""
    with urllib.request.urlopen(f"{base_url}stats", timeout=timeout) as answer:
        return {key: int(value) for key, value in json.loads(answer.read()).items()}


def serve() -> None:
    """Serve :func:`counting_app` on 127.0.0.1 until SIGTERM; the port is the first line out.
    ``BENCH_CPU`` pins it, as :mod:`bench.servers` does."""
    pin_to_cpu()
    serve_app(counting_app())


if __name__ == "__main__":
    serve()
