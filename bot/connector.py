"""Replies posted to the Bot Connector on the event loop, with aiohttp.

Why: ``CloudAdapterBase.send_activities`` (botbuilder-core 4.17.1, ``cloud_adapter_base.py``)
posts every reply through the SDK's ``ConnectorClient`` (botframework-connector 4.17.1,
``aio/operations_async/_conversations_operations_async.py``, ``reply_to_activity`` and
``send_to_conversation``): msrest serializes the activity node by node, ``requests`` posts it on
a worker thread of the loop's pool, msrest's pipeline builds the request around it and
deserializes the answer into a ``ResourceResponse``. That was ~1.2-1.6 ms of CPU per reply more
than what it does: :func:`bot.activity_json.dump_activity` + ``json.dumps`` + an aiohttp POST on
the loop (``bench/records/issue14_connector_path.md``). A card the dialogs share between turns
(a pool table, the menus) is neither walked nor encoded again: its JSON text, encoded once, is
spliced into the body (:func:`bot.replies.dump_reply`, :func:`bot.replies.encode_reply`). The
body is encoded as the ``expectReplies`` answer is (orjson, :func:`knowledge.wirejson.dumps`):
UTF-8 JSON of the value ``json.dumps`` gave, sent as ``charset=utf-8``; the answer is parsed
by :func:`knowledge.wirejson.loads`.

:class:`ReplyConnector` does those two calls, for the adapter
(:meth:`bot.adapter.CallingPlanAdapter.send_activities`); everything else the SDK's client
does (``TeamsInfo``, update and delete, which the bot does not use) stays with that client. It
keeps the rules of the SDK call and the bounds of :mod:`bot.outbound`:

- the same request: ``POST {serviceUrl}/v3/conversations/{id}/activities[/{replyToId}]``, the
  ids quoted as msrest quotes them, the same JSON fields (``tests/bot/test_connector.py``
  compares with what the SDK's client posts), the same headers (``x-ms-conversation-id`` on a
  reply, the client's ``User-Agent``); 200/201/202 give the answer's ``ResourceResponse``;
- the token: credentials are the SDK client's own (the adapter's authentication made them for
  this service URL and audience), sent as ``Authorization: Bearer ...`` exactly when the SDK
  sends one (``AppCredentials.signed_session``: an app id is set; local mode sends none).
  ``get_access_token`` is synchronous (msal, ``requests``; a cache miss is a call to the
  identity service), so it runs on a thread, bounded by :data:`bot.outbound.TOKEN_FETCH_TIMEOUT_S`,
  one fetch at a time per credentials, and its token is reused on the loop for
  :data:`TOKEN_REUSE_S`: msal hands out a cached token only while it has at least five minutes
  left (``_acquire_token_silent_from_cache_and_possibly_refresh_it``), so it is still good then.
  A 401 drops it, and from msal's cache too (:func:`_fetch_anew`): the credentials alone would
  hand it out again until it nears expiry (``MicrosoftAppCredentials.get_access_token`` ignores
  ``force_refresh``; msal's ``acquire_token_silent`` returns the cached token), so the next reply
  carries a new one. A token that cannot be had is a delivery failure;
- bounds: connect and read timeouts (:data:`bot.outbound.CONNECT_TIMEOUT_S`,
  :data:`~bot.outbound.READ_TIMEOUT_S`, and their sum for the whole exchange); one retry after a
  connection that could not be made (nothing was sent) or a 429/503 answer (the service took
  nothing), none after a read timeout or any other failure (the activity may have been posted:
  no duplicates); every failure is a :class:`bot.outbound.DeliveryError` (``/api/messages``: 502).
  A 200/201/202 is a delivery even if its body (the ``{"id": ...}``) then fails to arrive: the
  reply is taken, without its id;
- one ``aiohttp.ClientSession`` per app, opened and closed with the adapter (the app's
  ``cleanup_ctx``), at most :data:`CONNECTIONS_PER_HOST` connections to one service URL.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlsplit
from urllib.request import getproxies, proxy_bypass

import aiohttp
from botbuilder.schema import Activity, ResourceResponse
from botframework.connector.auth import AppCredentials
from yarl import URL

from bot import outbound
from bot.activity_json import load_model
from bot.outbound import DeliveryError
from bot.replies import dump_reply, encode_reply
from knowledge.wirejson import loads

#: Seconds a token from the credentials is used without asking them again (see the docstring).
TOKEN_REUSE_S = 60.0
#: Connections to one service URL at most, and in all (a dead one cannot take every connection).
CONNECTIONS_PER_HOST = 32
CONNECTIONS = 128
#: Answers the service gives when it took nothing: retried once, after :data:`RETRY_PAUSE_S`.
RETRY_STATUSES = frozenset({429, 503})
RETRY_PAUSE_S = 0.2
#: The most of an answer's body read (the Bot Connector answers ``{"id": "..."}``).
MAX_ANSWER_BYTES = 64 * 1024
_OK = frozenset({200, 201, 202})


@dataclass
class _Token:
    header: str | None = None
    got_at: float = 0.0
    fetching: asyncio.Future[str] | None = None


@lru_cache(maxsize=256)
def _base(service_url: str) -> str:
    """The service URL as it goes on the wire, ending in "/" (msrest's ``format_url`` joins so)."""
    return str(URL(service_url.rstrip("/") + "/"))


@lru_cache(maxsize=256)
def _proxy(service_url: str) -> str | None:
    """The proxy ``requests`` would use for ``service_url`` (``HTTPS_PROXY``, ``NO_PROXY``... as
    ``requests.utils.get_environ_proxies`` reads them), or None."""
    parts = urlsplit(service_url)
    if not parts.hostname or proxy_bypass(parts.hostname):
        return None
    return getproxies().get(parts.scheme) or getproxies().get("all")


class ReplyConnector:
    """Posts replies to the Bot Connector with one aiohttp session (see the module docstring).

    ``pause`` waits before the one retry (tests pass their own); ``monotonic`` times the token's reuse.
    """

    def __init__(
        self,
        *,
        pause: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.pause = pause
        self.monotonic = monotonic
        self._session: aiohttp.ClientSession | None = None
        self._tokens: weakref.WeakKeyDictionary[AppCredentials, _Token] = weakref.WeakKeyDictionary()
        self.posts = 0  # requests sent, retries included

    def open(self) -> None:
        """Open the session (on the app's event loop, from its ``cleanup_ctx``)."""
        if self._session is None:
            connector = aiohttp.TCPConnector(limit=CONNECTIONS, limit_per_host=CONNECTIONS_PER_HOST)
            # No cookies kept; proxies from the environment as `requests` (the SDK's client) finds
            # them, once per service URL (:func:`_proxy`): aiohttp's trust_env would look them and
            # .netrc up on a worker thread for every request.
            self._session = aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar())

    async def close(self) -> bool:
        """Close the session and its connections; True if one was open."""
        session, self._session = self._session, None
        if session is None:
            return False
        await session.close()
        return True

    @property
    def closed(self) -> bool:
        return self._session is None

    @staticmethod
    def can_post_with(client: Any) -> bool:
        """True if this can post what the SDK client ``client`` would: its credentials are the SDK's."""
        config = getattr(client, "config", None)
        return isinstance(getattr(config, "credentials", None), AppCredentials) and bool(
            getattr(config, "base_url", None)
        )

    async def send(self, client: Any, activity: Activity) -> ResourceResponse | None:
        """``reply_to_activity`` if the activity answers one, else ``send_to_conversation``, as
        ``CloudAdapterBase.send_activities`` chooses, with ``client``'s service URL and credentials."""
        conversation_id = activity.conversation.id
        path = f"v3/conversations/{quote(str(conversation_id), safe='')}/activities"
        headers = {
            "Accept": "application/json",
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": client.config.user_agent,
        }
        if activity.reply_to_id:
            path += f"/{quote(str(activity.reply_to_id), safe='')}"
            headers["x-ms-conversation-id"] = conversation_id
        authorization = await self._authorization(client.config.credentials)
        if authorization is not None:
            headers["Authorization"] = authorization
        body = encode_reply(dump_reply(activity))  # a shared card neither walked nor encoded again
        url = URL(_base(client.config.base_url) + path, encoded=True)
        status, answer = await self._post(url, body, headers, _proxy(client.config.base_url))
        if status == 401 and authorization is not None:
            self._refuse(client.config.credentials, authorization)
        if status not in _OK:
            raise DeliveryError(f"the Bot Connector answered {status}", status=status)
        try:
            data = loads(answer) if answer else None
        except ValueError:
            data = None
        return load_model(ResourceResponse, data) if isinstance(data, dict) else None

    async def _post(self, url: URL, body: bytes, headers: dict[str, str], proxy: str | None) -> tuple[int, bytes]:
        session = self._session
        if session is None:
            raise DeliveryError("the reply connector is closed")
        timeout = aiohttp.ClientTimeout(
            total=outbound.CONNECT_TIMEOUT_S + outbound.READ_TIMEOUT_S,
            sock_connect=outbound.CONNECT_TIMEOUT_S,
            sock_read=outbound.READ_TIMEOUT_S,
        )
        for attempt in range(outbound.CONNECT_RETRIES + 1):
            last = attempt == outbound.CONNECT_RETRIES
            self.posts += 1
            try:
                async with session.post(url, data=body, headers=headers, timeout=timeout, proxy=proxy) as response:
                    if response.status in _OK:
                        return response.status, await _answer_of_delivered(response)
                    if last or response.status not in RETRY_STATUSES:
                        return response.status, await _bounded_read(response)
            except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
                if last:  # else nothing was sent: safe to try again, once
                    raise DeliveryError(f"cannot connect to the Bot Connector: {type(exc).__name__}") from exc
            except (aiohttp.ClientError, TimeoutError) as exc:  # sent, maybe taken: never again
                raise DeliveryError(f"the Bot Connector failed to answer: {type(exc).__name__}") from exc
            await self.pause(RETRY_PAUSE_S)
        raise AssertionError("unreachable")  # pragma: no cover - the last attempt returns or raises

    def _refuse(self, credentials: AppCredentials, authorization: str) -> None:
        """The service refused ``authorization``: the next reply waits for a new token
        (:func:`_fetch_anew`), fetched once however many replies were refused."""
        token = self._tokens.get(credentials)
        if token is None or token.header != authorization:
            return  # already replaced
        token.header = None
        refused = authorization.removeprefix("Bearer ")
        fetching = token.fetching = asyncio.ensure_future(asyncio.to_thread(_fetch_anew, credentials, refused))

        def adopt(future: asyncio.Future[str]) -> None:  # also for a reply that comes after it is done
            if not future.cancelled() and future.exception() is None and token.fetching is future:
                token.header, token.got_at = f"Bearer {future.result()}", self.monotonic()

        fetching.add_done_callback(adopt)

    async def _authorization(self, credentials: AppCredentials) -> str | None:
        """The ``Authorization`` header the SDK would send with ``credentials``, or None."""
        if not credentials._should_set_token(None):  # the SDK's own rule (AppCredentials.signed_session)
            return None
        token = self._tokens.get(credentials)
        if token is None:
            token = self._tokens[credentials] = _Token()
        if token.header is not None and self.monotonic() - token.got_at < TOKEN_REUSE_S:
            return token.header
        if token.fetching is None or (token.fetching.done() and not _unclaimed(token)):
            token.fetching = asyncio.ensure_future(asyncio.to_thread(credentials.get_access_token))
            token.fetching.add_done_callback(_retrieve)  # a fetch every caller gave up on fails quietly
        try:
            # Shielded: a caller that gives up leaves the fetch running for the next one.
            access = await asyncio.wait_for(asyncio.shield(token.fetching), outbound.TOKEN_FETCH_TIMEOUT_S)
        except Exception as exc:
            raise DeliveryError(f"no token for the Bot Connector: {type(exc).__name__}") from exc
        token.header, token.got_at = f"Bearer {access}", self.monotonic()
        return token.header


def _unclaimed(token: _Token) -> bool:
    """Whether ``token``'s finished fetch holds a token no reply has taken yet: the new token a
    401 asked for (:meth:`ReplyConnector._refuse`), done on its thread, whose ``adopt`` callback
    has not run yet (the loop runs it on its next pass; a reply may come first). Taken as it is,
    not asked again (a second new token for nothing: seen under load)."""
    fetching = token.fetching
    return (
        token.header is None
        and fetching is not None
        and fetching.done()
        and not fetching.cancelled()
        and fetching.exception() is None
    )


def _fetch_anew(credentials: AppCredentials, refused: str) -> str:
    """A token other than ``refused``, which the Bot Connector answered 401 to (revoked, or
    expired early): that token leaves the msal cache of ``credentials`` (its ``app``, the msal
    application ``MicrosoftAppCredentials`` and ``CertificateAppCredentials`` keep), so
    ``get_access_token`` asks the identity service. On a worker thread (it may call it)."""
    cache = getattr(getattr(credentials, "app", None), "token_cache", None)
    if cache is not None:
        for item in list(cache.search(cache.CredentialType.ACCESS_TOKEN)):
            if item.get("secret") == refused:
                cache.remove_at(item)
    return credentials.get_access_token(force_refresh=True)


def _retrieve(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


async def _answer_of_delivered(response: aiohttp.ClientResponse) -> bytes:
    """The body of a 200/201/202 answer, or b"" if it cannot be read to its end.

    Why: the status says the activity was taken; the body is only its ``{"id": ...}``. A reset or
    a timeout while reading it must not turn a delivered reply into a :class:`DeliveryError`
    (502, the turn's later replies not sent, the channel redelivering: duplicates).
    """
    try:
        return await _bounded_read(response)
    except (aiohttp.ClientError, TimeoutError):
        return b""


async def _bounded_read(response: aiohttp.ClientResponse) -> bytes:
    """The answer's body, or b"" if it is larger than :data:`MAX_ANSWER_BYTES`."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(16 * 1024):
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            return b""
        chunks.append(chunk)
    return b"".join(chunks)
