"""Two start-up fixes for the Bot Framework SDK 4.17.1's per-turn overhead.

Measured on a 2-core machine (see ``../shared/notes/botbuilder-4.17.md``, "Where a turn's
time goes"): a stock dialog turn costs ~8 ms against ~0.1 ms for a raw aiohttp JSON handler.

1. ``msrest`` 0.7.1's ``ClientRetryPolicy.__init__`` builds its retry list as
   ``[i for i in range(999) if i not in self.safe_codes]`` where ``safe_codes`` is a ~500-item
   *list*: ~2.8 ms, and botbuilder builds two msrest configurations per turn (connector and
   user-token clients). :func:`apply_msrest_retry_patch` turns the class attribute into a
   ``frozenset`` with the same members, so the retry list is identical and costs microseconds.
2. ``CloudAdapter`` builds a new ``ConnectorClient`` and ``UserTokenClient`` (each with its own
   ``requests`` session, so a new TCP/TLS connection per reply) for every turn.
   :class:`ReusingBotFrameworkAuthentication` wraps the real authentication and hands out one
   client per (app id, service URL, audience) and one token client per app id, for the life of
   the app. Credentials objects refresh their own tokens, so reuse is safe; the sessions are
   ``requests`` sessions used from the SDK's thread pool (msrest keeps one per thread).

3. ``DialogExtensions.run_dialog`` builds a memory snapshot of every dialog scope and sends it
   as a "Bot State" trace activity on every turn (a deep copy, then msrest serialization in
   ``expectReplies`` answers). Trace activities are for the Bot Framework Emulator: CloudAdapter
   drops them for every other channel. :func:`apply_snapshot_trace_patch` builds the snapshot
   only when the channel is the Emulator, so nothing a Teams user or test sees changes.

The app factory applies all three; nothing here is a module-level singleton except the class
attributes the patches set, and both patches are idempotent.
"""
from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

from botbuilder.dialogs import DialogExtensions
from botbuilder.schema import Activity
from botframework.connector import Channels
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
from msrest.universal_http.requests import ClientRetryPolicy

log = logging.getLogger(__name__)

#: How many distinct (app id, service URL, audience) clients to keep. Teams uses a handful of
#: regional service URLs; the bound only matters if something feeds the bot many fake ones.
MAX_CACHED_CLIENTS = 64


def apply_msrest_retry_patch() -> bool:
    """Make ``ClientRetryPolicy.safe_codes`` a frozenset. Returns True if this call changed it."""
    current = ClientRetryPolicy.safe_codes
    if isinstance(current, frozenset):
        return False
    ClientRetryPolicy.safe_codes = frozenset(current)
    return True


def apply_snapshot_trace_patch() -> bool:
    """Send run_dialog's "Bot State" trace to the Emulator only. True if this call changed it."""
    current = DialogExtensions._send_state_snapshot_trace
    if getattr(current, "emulator_only", False):
        return False

    async def snapshot_trace_for_emulator_only(dialog_context) -> None:
        if dialog_context.context.activity.channel_id == Channels.emulator:
            await current(dialog_context)

    snapshot_trace_for_emulator_only.emulator_only = True
    DialogExtensions._send_state_snapshot_trace = staticmethod(snapshot_trace_for_emulator_only)
    return True


def _app_id(claims_identity: ClaimsIdentity) -> str | None:
    # The same rule as the SDK's _BuiltinBotFrameworkAuthentication.get_app_id.
    return claims_identity.get_claim_value(
        AuthenticationConstants.AUDIENCE_CLAIM
    ) or claims_identity.get_claim_value(AuthenticationConstants.APP_ID_CLAIM)


class _ClientCache:
    """A small LRU of clients, closed together when the app stops."""

    def __init__(self, limit: int = MAX_CACHED_CLIENTS) -> None:
        self._items: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._limit = limit
        self.created = 0

    def get(self, key: tuple[Any, ...]) -> Any | None:
        item = self._items.get(key)
        if item is not None:
            self._items.move_to_end(key)
        return item

    def put(self, key: tuple[Any, ...], item: Any) -> Any:
        existing = self._items.get(key)
        if existing is not None:  # two first turns raced: keep the first client
            return existing
        self._items[key] = item
        self.created += 1
        while len(self._items) > self._limit:
            self._items.popitem(last=False)
        return item

    def __len__(self) -> int:
        return len(self._items)

    def pop_all(self) -> list[Any]:
        items = list(self._items.values())
        self._items.clear()
        return items


class _ReusingConnectorFactory(ConnectorFactory):
    def __init__(self, inner: ConnectorFactory, app_id: str | None, cache: _ClientCache) -> None:
        self._inner = inner
        self._app_id = app_id
        self._cache = cache

    async def create(self, service_url: str, audience: str = None) -> ConnectorClient:
        key = (self._app_id, service_url, audience)
        client = self._cache.get(key)
        if client is None:
            client = self._cache.put(key, await self._inner.create(service_url, audience))
        return client


class ReusingBotFrameworkAuthentication(BotFrameworkAuthentication):
    """Delegates everything to ``inner``, but reuses connector and user-token clients."""

    def __init__(self, inner: BotFrameworkAuthentication) -> None:
        self._inner = inner
        self.connector_clients = _ClientCache()
        self.user_token_clients = _ClientCache()

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
                key, await self._inner.create_user_token_client(claims_identity)
            )
        return client

    def create_bot_framework_client(self) -> BotFrameworkClient:
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self._inner.get_originating_audience()

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self._inner.authenticate_channel_request(auth_header)

    async def close(self) -> None:
        """Close the cached connector clients' HTTP pipelines (on app shutdown)."""
        self.user_token_clients.pop_all()
        for client in self.connector_clients.pop_all():
            try:
                await client.__aexit__(None, None, None)
            except Exception:  # pragma: no cover - best effort at shutdown
                log.debug("closing a connector client failed", exc_info=True)
