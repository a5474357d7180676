"""Loopback TCP servers for tests of outbound calls: one that runs a handler per connection,
and a black hole that takes connections and never answers (timeouts, bounded waits)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager


@asynccontextmanager
async def loopback_server(
    handle: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]], held: list[asyncio.StreamWriter]
) -> AsyncIterator[int]:
    """A TCP server on 127.0.0.1 running ``handle`` per connection; its port. On exit the
    connections ``handle`` kept open (``held``) are closed, then the server."""
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        for writer in held:
            writer.close()
        server.close()


@asynccontextmanager
async def black_hole() -> AsyncIterator[tuple[int, list[int]]]:
    """A port on 127.0.0.1 that takes connections and never answers; the list counts them."""
    held: list[asyncio.StreamWriter] = []
    accepted: list[int] = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)
        accepted.append(1)
        await asyncio.sleep(3600)

    async with loopback_server(hold, held) as port:
        yield port, accepted
