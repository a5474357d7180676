"""The load generator's HTTP client against real aiohttp servers on loopback."""

from __future__ import annotations

import asyncio
import json

from aiohttp import web
from aiohttp.test_utils import TestServer

from bench.http_client import Connection
from bench.servers import raw_app


async def _serving(app: web.Application) -> TestServer:
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return server


def test_posts_answer_with_their_status_and_body_on_one_kept_connection():
    async def main() -> None:
        server = await _serving(raw_app())
        connection = Connection(str(server.make_url("/api/messages")))
        try:
            answers = [await connection.post(json.dumps({"id": f"a{i}"}).encode()) for i in range(3)]
            kept = connection._answer
            status, body = await connection.post(b'{"id": "last"}')
            assert connection._answer is kept  # keep-alive: no new connection per request
        finally:
            connection.close()
            await server.close()
        assert [s for s, _ in answers] == [200, 200, 200]
        assert [json.loads(b)["activities"][0]["replyToId"] for _, b in answers] == ["a0", "a1", "a2"]
        assert status == 200 and json.loads(body)["activities"][0]["replyToId"] == "last"

    asyncio.run(main())


def test_a_closed_connection_is_opened_again_and_an_error_status_comes_through():
    async def handler(request: web.Request) -> web.Response:
        await request.read()
        response = web.Response(status=400, text="bad")
        response.force_close()  # "Connection: close", as the bot's 408 does
        return response

    async def main() -> None:
        app = web.Application()
        app.router.add_post("/api/messages", handler)
        server = await _serving(app)
        connection = Connection(str(server.make_url("/api/messages")))
        try:
            first = await connection.post(b"{}")
            second = await connection.post(b"{}")
        finally:
            connection.close()
            await server.close()
        assert first == (400, b"bad") and second == (400, b"bad")

    asyncio.run(main())


def test_no_answer_in_time_or_an_unreadable_one_fails_the_request_with_status_0():
    async def silent(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(30)
        return web.Response()

    async def chunked(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        await response.write(b"part")
        await response.write_eof()
        return response

    async def main() -> None:
        app = web.Application()
        app.router.add_post("/silent", silent)
        app.router.add_post("/chunked", chunked)
        server = await _serving(app)
        late = Connection(str(server.make_url("/silent")), timeout_s=0.2)
        unreadable = Connection(str(server.make_url("/chunked")))
        try:
            assert await late.post(b"{}") == (0, b"")
            assert late._answer is None  # dropped: the next request opens a new connection
            assert await unreadable.post(b"{}") == (0, b"")
        finally:
            late.close()
            unreadable.close()
            await server.close()

    asyncio.run(main())
