"""Connector and user-token clients reused across turns, closed when the app stops.

Why: ``CloudAdapter`` builds a new ``ConnectorClient`` and ``UserTokenClient`` for every turn
(botframework-connector 4.17.1, ``_BuiltinBotFrameworkAuthentication.authenticate_request``
and ``create_user_token_client``), each with its own ``requests`` session, so every reply
opens a new TCP (in production TLS) connection, and each new client builds two msrest
configurations. :class:`ReusingBotFrameworkAuthentication` wraps the real authentication and
hands out one client per (app id, service URL, audience) and one token client per app id.
Credentials objects refresh their own tokens, so reuse is safe; msrest keeps one session per
thread of the SDK's pool. Each client gets the timeouts of :func:`bot.outbound.bound_client`
when it is made. This is not a patch of the SDK: it is a ``BotFrameworkAuthentication`` the
adapter is given (:func:`bot.adapter.build_authentication`), and
:meth:`bot.adapter.CallingPlanAdapter.close` closes every client it opened, including those
the small LRU lets go of when too many service URLs show up.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

from botbuilder.schema import Activity
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)
from botframework.connector.skills import BotFrameworkClient

from bot.outbound import bound_client

log = logging.getLogger(__name__)

#: How many distinct (app id, service URL, audience) clients to keep. Teams uses a handful of
#: regional service URLs; the bound only matters if something feeds the bot many fake ones.
MAX_CACHED_CLIENTS = 64


async def close_client(client: Any) -> None:
    """Close an msrest async client's HTTP pipeline (its ``requests`` sessions): a
    ``ConnectorClient`` directly, a ``UserTokenClient`` through the token API client it holds."""
    inner = client if isinstance(client, ConnectorClient) else getattr(client, "_client", None)
    if inner is None:
        return
    try:
        await inner.__aexit__(None, None, None)
    except Exception:  # best effort: a client that fails to close must not stop the others
        log.warning("closing a Bot Framework client failed", exc_info=True)


def _app_id(claims_identity: ClaimsIdentity) -> str | None:
    # The same rule as the SDK's _BuiltinBotFrameworkAuthentication.get_app_id.
    return claims_identity.get_claim_value(AuthenticationConstants.AUDIENCE_CLAIM) or claims_identity.get_claim_value(
        AuthenticationConstants.APP_ID_CLAIM
    )


class ClientCache:
    """A small LRU of clients. What it lets go of waits in :attr:`evicted` until
    :meth:`close_all` (a turn may still be using it), so every client it made gets closed."""

    def __init__(self, limit: int = MAX_CACHED_CLIENTS) -> None:
        self._items: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._limit = limit
        self.evicted: list[Any] = []
        self.created = 0

    def get(self, key: tuple[Any, ...]) -> Any | None:
        item = self._items.get(key)
        if item is not None:
            self._items.move_to_end(key)
        return item

    def put(self, key: tuple[Any, ...], item: Any) -> Any:
        """Keep ``item``; if two first turns raced, keep the first and return it (the
        second client is set aside to be closed)."""
        existing = self._items.get(key)
        if existing is not None:
            self.evicted.append(item)
            return existing
        self._items[key] = item
        self.created += 1
        while len(self._items) > self._limit:
            self.evicted.append(self._items.popitem(last=False)[1])
        return item

    def __len__(self) -> int:
        return len(self._items)

    async def close_all(self) -> int:
        """Close every client, kept or let go; returns how many."""
        clients = [*self._items.values(), *self.evicted]
        self._items.clear()
        self.evicted.clear()
        for client in clients:
            await close_client(client)
        return len(clients)


class _ReusingConnectorFactory(ConnectorFactory):
    def __init__(self, inner: ConnectorFactory, app_id: str | None, cache: ClientCache) -> None:
        self._inner = inner
        self._app_id = app_id
        self._cache = cache

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        key = (self._app_id, service_url, audience)
        client = self._cache.get(key)
        if client is None:
            client = self._cache.put(key, bound_client(await self._inner.create(service_url, audience)))
        return client


class ReusingBotFrameworkAuthentication(BotFrameworkAuthentication):
    """Delegates everything to ``inner``, but reuses connector and user-token clients."""

    def __init__(self, inner: BotFrameworkAuthentication) -> None:
        self._inner = inner
        self.connector_clients = ClientCache()
        self.user_token_clients = ClientCache()

    def _wrap(self, factory: ConnectorFactory | None, claims: ClaimsIdentity) -> ConnectorFactory | None:
        if factory is None:
            return None
        return _ReusingConnectorFactory(factory, _app_id(claims), self.connector_clients)

    async def authenticate_request(self, activity: Activity, auth_header: str) -> AuthenticateRequestResult:
        result = await self._inner.authenticate_request(activity, auth_header)
        result.connector_factory = self._wrap(result.connector_factory, result.claims_identity)
        return result

    async def authenticate_streaming_request(
        self, auth_header: str, channel_id_header: str
    ) -> AuthenticateRequestResult:
        return await self._inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return self._wrap(self._inner.create_connector_factory(claims_identity), claims_identity)

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        key = (_app_id(claims_identity),)
        client = self.user_token_clients.get(key)
        if client is None:
            client = self.user_token_clients.put(
                key, bound_client(await self._inner.create_user_token_client(claims_identity))
            )
        return client

    def create_bot_framework_client(self) -> BotFrameworkClient:
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self._inner.get_originating_audience()

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self._inner.authenticate_channel_request(auth_header)

    async def close(self) -> int:
        """Close every connector and user-token client this made; returns how many."""
        return await self.connector_clients.close_all() + await self.user_token_clients.close_all()
