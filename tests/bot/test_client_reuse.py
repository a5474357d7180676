"""Connector and user-token clients reused across turns (``bot/client_reuse.py``), and closed:
every client the adapter's authentication made is closed when the app stops, those the LRU
let go of included."""

from __future__ import annotations

from typing import Any

from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    ClaimsIdentity,
    MicrosoftAppCredentials,
)

from bot import client_reuse
from bot.app import ADAPTER_KEY, AUTH_KEY
from bot.client_reuse import ClientCache, ReusingBotFrameworkAuthentication


def _connector_client(url: str) -> ConnectorClient:
    return ConnectorClient(MicrosoftAppCredentials("", ""), base_url=url)


async def test_connector_and_token_clients_are_reused_across_turns(client, connector, h):
    auth = client.app[AUTH_KEY]
    assert isinstance(auth, ReusingBotFrameworkAuthentication)
    for text in ("hello", "plan", "France"):
        response = await h.post(client, h.activity(text, expect_replies=False, service_url=connector.url))
        assert response.status == 201
    assert len(connector.posts) == 3
    assert auth.connector_clients.created == 1
    assert auth.user_token_clients.created == 1

    second = await h.FakeConnector().start()
    try:
        await h.post(client, h.activity("hello", expect_replies=False, service_url=second.url))
        assert len(second.posts) == 1
        assert auth.connector_clients.created == 2  # one client per service URL
    finally:
        await second.close()


async def test_stock_mode_builds_new_clients(start_app, make_settings, connector, h):
    client = await start_app(make_settings(), reuse_clients=False)
    assert not isinstance(client.app[AUTH_KEY], ReusingBotFrameworkAuthentication)
    response = await h.post(client, h.activity("hello", expect_replies=False, service_url=connector.url))
    assert response.status == 201 and len(connector.posts) == 1


async def test_app_cleanup_closes_every_client_it_opened(start_app, make_settings, connector, h, monkeypatch):
    closed: list[Any] = []
    real_close = client_reuse.close_client

    async def recording_close(item: Any) -> None:
        closed.append(item)
        await real_close(item)

    monkeypatch.setattr(client_reuse, "close_client", recording_close)
    client = await start_app(make_settings())
    auth = client.app[AUTH_KEY]
    await h.post(client, h.activity("hello", expect_replies=False, service_url=connector.url))
    opened = [*auth.connector_clients._items.values(), *auth.user_token_clients._items.values()]
    assert len(opened) == 2
    assert await client.app[ADAPTER_KEY].close() == 2
    assert [id(c) for c in closed] == [id(c) for c in opened]
    assert len(auth.connector_clients) == len(auth.user_token_clients) == 0


async def test_the_lru_keeps_what_it_lets_go_of_until_it_is_closed(monkeypatch):
    exits: list[str] = []

    async def recording_exit(self: ConnectorClient, *exc: Any) -> None:
        exits.append(self.config.base_url)

    monkeypatch.setattr(ConnectorClient, "__aexit__", recording_exit)
    cache = ClientCache(limit=2)
    for n in range(3):
        cache.put((n,), _connector_client(f"https://smba.example/{n}/"))
    raced = cache.put((2,), _connector_client("https://smba.example/raced/"))  # two first turns raced
    assert raced.config.base_url == "https://smba.example/2/"  # the first one is kept
    assert len(cache) == 2 and cache.get((0,)) is None
    assert await cache.close_all() == 4
    assert sorted(exits) == sorted(f"https://smba.example/{n}/" for n in ("0", "1", "2", "raced"))
    assert len(cache) == 0 and await cache.close_all() == 0


async def test_closing_a_real_client_closes_its_http_session(monkeypatch):
    """The real close path (no spy on ours): msrest's pipeline closes the requests session."""
    client = _connector_client("https://smba.example/emea/")
    session = client.config.pipeline._sender.driver.session
    closed: list[bool] = []
    monkeypatch.setattr(session, "close", lambda: closed.append(True))
    await client_reuse.close_client(client)
    assert closed == [True]


class _Inner:
    """A ``BotFrameworkAuthentication`` stand-in: authenticates as the identity it is given."""

    def __init__(self) -> None:
        self.identity: ClaimsIdentity | None = None

    async def authenticate_request(self, activity: Any, auth_header: str) -> AuthenticateRequestResult:
        result = AuthenticateRequestResult()
        result.claims_identity = self.identity
        result.connector_factory = None
        return result

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> Any:
        return object()


def _identity(app_id: str) -> ClaimsIdentity:
    return ClaimsIdentity({AuthenticationConstants.AUDIENCE_CLAIM: app_id}, True)


async def test_each_identitys_token_client_is_keyed_by_its_own_app_id():
    """The app id worked out when a request is authenticated is reused for that identity's
    token client only: another identity (a turn that interleaved) gets its own."""
    inner = _Inner()
    auth = ReusingBotFrameworkAuthentication(inner)
    first, second = _identity("app-a"), _identity("app-b")
    inner.identity = first
    await auth.authenticate_request(None, "")
    inner.identity = second
    await auth.authenticate_request(None, "")
    token_a = await auth.create_user_token_client(first)
    token_b = await auth.create_user_token_client(second)
    assert token_a is not token_b
    assert list(auth.user_token_clients._items) == [("app-a",), ("app-b",)]
    assert await auth.create_user_token_client(_identity("app-a")) is token_a
