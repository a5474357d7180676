"""A fake Bot Connector on 127.0.0.1 for tests and benchmarks: records every activity the bot
posts (replies and proactive messages), per conversation, and answers like the service.

One copy for the HTTP tests (``tests/bot/conftest.py``) and the held-out harness
(``bench/heldout_eval.py``)."""

from __future__ import annotations

from typing import Any, Self

from aiohttp import web


class FakeConnector:
    """Stands in for the Bot Connector service: records every activity the bot posts."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.posts: list[dict[str, Any]] = []
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def _reply(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.posts.append(
            {
                "path": request.path,
                "conversation_id": request.match_info["conversation_id"],
                "reply_to_id": request.match_info.get("reply_to_id"),
                "authorization": request.headers.get("Authorization"),
                "activity": body,
            }
        )
        if self.status != 200:
            return web.json_response(
                {"error": {"code": "NotFound", "message": "no such conversation"}}, status=self.status
            )
        return web.json_response({"id": f"reply-{len(self.posts)}"})

    async def start(self) -> Self:
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation_id}/activities/{reply_to_id}", self._reply)
        app.router.add_post("/v3/conversations/{conversation_id}/activities", self._reply)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
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
