"""The load generator's HTTP/1.1 client: one keep-alive connection per conversation, a POST at
a time, on an ``asyncio.Protocol``.

WHY not aiohttp's client: at 32 conversations the raw aiohttp handler answers a turn in
~0.07-0.1 ms of CPU, and aiohttp's client spends more than that on each request (its session,
connector, request and response objects), so on the one core the load generator has it could
keep the raw handler only ~2/3 busy. A server that is not busy wakes up for fewer requests at a
time and spends more CPU on each, so the baseline's CPU per turn came out 18-22% too high and
every per-core ratio at 32 conversations too kind to the bot (measured side by side:
``bench/records/issue14_session_20261205.md``). The issue measured with wrk, a C client that
keeps any server busy; this client does the least a Python client can (a request is one
``write`` of bytes made with one format, an answer is read by its ``Content-Length``) and keeps
the raw handler ~90% busy.

What it understands of an answer is what the servers under test send (aiohttp's
``web.Response``): a status line, headers with ``Content-Length``, the body. An answer it cannot
read (no length, chunked), a closed connection or no answer within ``timeout_s`` fails that
request (status 0: the turn is an error) and the next request opens a new connection.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

#: At most this long for one answer: far above any turn, so only a stuck server meets it.
ANSWER_TIMEOUT_S = 60.0
#: An answer's head larger than this is not what the servers under test send: the request fails.
MAX_HEAD_BYTES = 16 * 1024


class _Answer(asyncio.Protocol):
    """One connection: bytes in, whole answers out (one outstanding request at a time)."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future[tuple[int, bytes, bool]] | None = None
        self.lost = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # a TCP connection's is an asyncio.Transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.waiter is None or self.waiter.done():
            return
        try:
            answer = _parse(self.buffer)
        except ValueError as exc:
            self.waiter.set_exception(ConnectionError(str(exc)))
            return
        if answer is not None:
            status, body, used, close = answer
            del self.buffer[:used]
            self.waiter.set_result((status, body, close))

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("the server closed the connection"))


def _parse(buffer: bytearray) -> tuple[int, bytes, int, bool] | None:
    """(status, body, bytes used, whether the server closes) of the answer at the start of
    ``buffer``, None while it is incomplete; ValueError if it cannot be read by its length."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        if len(buffer) > MAX_HEAD_BYTES:
            raise ValueError("the answer's head is too large")
        return None
    lines = bytes(buffer[:end]).split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length: int | None = None
    close = False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection":
            close = value.strip().lower() == b"close"
        elif name == b"transfer-encoding":
            raise ValueError("a chunked answer (not sent by the servers under test)")
    if length is None:
        raise ValueError("an answer without Content-Length")
    start = end + 4
    if len(buffer) < start + length:
        return None
    return status, bytes(buffer[start : start + length]), start + length, close


class Connection:
    """A conversation's connection to ``url``: :meth:`post` a JSON body, get (status, body)."""

    def __init__(self, url: str, timeout_s: float = ANSWER_TIMEOUT_S) -> None:
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname or not parts.port:
            raise ValueError(f"not a loopback http URL with a port: {url}")
        self.host, self.port = parts.hostname, parts.port
        self.timeout_s = timeout_s
        self._head = (
            f"POST {parts.path or '/'} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
        ).encode()
        self._answer: _Answer | None = None

    async def post(self, body: bytes) -> tuple[int, bytes]:
        """The answer's status and body; status 0 (and the connection dropped) if none came."""
        try:
            return await asyncio.wait_for(self._post(body), self.timeout_s)
        except (OSError, TimeoutError, ValueError):  # ConnectionError is an OSError
            self.close()
            return 0, b""

    async def _post(self, body: bytes) -> tuple[int, bytes]:
        answer = self._answer
        if answer is None or answer.lost:
            loop = asyncio.get_running_loop()
            _, answer = await loop.create_connection(_Answer, self.host, self.port)
            self._answer = answer
        assert answer.transport is not None
        answer.waiter = asyncio.get_running_loop().create_future()
        answer.transport.write(self._head % len(body) + body)
        status, payload, close = await answer.waiter
        if close:
            self.close()
        return status, payload

    def close(self) -> None:
        if self._answer is not None and self._answer.transport is not None:
            self._answer.transport.close()
        self._answer = None
