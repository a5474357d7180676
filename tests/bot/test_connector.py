"""Replies posted to the Bot Connector on the event loop (``bot/connector.py``), over real HTTP
into the real app factory, a fake Bot Connector on 127.0.0.1: the same requests the SDK's
connector client sends, the token in production mode, and the bounds of ``bot/outbound.py``."""

from __future__ import annotations

import asyncio
import json
import shutil
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import jwt
import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticationConstants,
    MicrosoftAppCredentials,
    jwt_token_extractor,
)
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from bot import connector as connector_module
from bot import outbound
from bot.app import ADAPTER_KEY, create_app
from bot.connector import TOKEN_REUSE_S, ReplyConnector, _Token
from testkit.loopback import black_hole, loopback_server

APP_ID = "c9e8c047-2a74-40a2-b28a-b162d5f5327c"
POOL_TEXT = "pool balance"
CHECK_TEXT = "can alice.martin@contoso.com call 01 23 45 67 89?"
#: What both clients send the same way (aiohttp and requests add their own transport headers).
SAME_HEADERS = ("Accept", "Content-Type", "x-ms-conversation-id", "User-Agent", "Authorization")
BOUND_S = 10.0  # generous: each request here is answered in well under a second


async def bounded(awaitable: Any, bound: float = BOUND_S) -> Any:
    return await asyncio.wait_for(awaitable, timeout=bound)


def reply_connector(client: TestClient) -> ReplyConnector:
    connector = client.app[ADAPTER_KEY].reply_connector
    assert connector is not None
    return connector


def closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sent_the_same_way(posts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the Bot Connector sees of each post that both clients must send identically."""
    return [
        {
            "path": post["path"],
            "activity": post["activity"],
            "headers": {name: post["headers"].get(name) for name in SAME_HEADERS},
        }
        for post in posts
    ]


# --- the same requests as the SDK's connector client ------------------------------------------------


async def test_replies_are_the_requests_the_sdk_client_sends(
    start_app, make_settings, demo_settings, demo_store_dir, tmp_path, connector, h
):
    """The same turns (welcome card, pool table, the number check's card, a text reply) through this
    connector and through the SDK's client as shipped, each app over its own copy of the demo
    tenant: the Bot Connector receives the same paths, JSON and headers."""
    sdk_dir = tmp_path / "sdk-data"
    shutil.copytree(demo_store_dir, sdk_dir / "store")
    ours = await start_app(demo_settings)
    sdk = await start_app(make_settings(DATA_DIR=sdk_dir), reply_connector=False)
    assert sdk.app[ADAPTER_KEY].reply_connector is None
    mine: list[dict[str, Any]] = []
    theirs: list[dict[str, Any]] = []
    for text in ("hello", POOL_TEXT, CHECK_TEXT, "thanks"):
        activity = h.activity(text, expect_replies=False, service_url=connector.url)
        for app, posts in ((ours, mine), (sdk, theirs)):
            before = len(connector.posts)
            assert (await h.post(app, activity)).status == 201
            posts += connector.posts[before:]
    assert len(mine) >= 4  # a card a turn, and a text line
    assert any(not post["activity"].get("attachments") for post in mine)
    assert reply_connector(ours).posts == len(mine)
    assert sent_the_same_way(mine) == sent_the_same_way(theirs)
    assert any(post["activity"].get("attachments") for post in mine)
    assert mine[0]["headers"]["x-ms-conversation-id"] == activity["conversation"]["id"]


async def test_a_message_to_the_conversation_is_the_sdks_send_to_conversation(connector, h):
    """No replyToId (a proactive message): POST .../activities, no conversation header, and the
    answer's id, with awkward ids quoted as msrest quotes them."""
    activity = Activity(
        type="message",
        text="Pool at 80%",
        conversation=ConversationAccount(id="19:abc/def?x=1 y@thread.tacv2"),
        recipient=ChannelAccount(id=h.USER_ID),
        from_property=ChannelAccount(id=h.BOT_ID),
        service_url=connector.url,
        channel_id="msteams",
    )
    sdk = ConnectorClient(MicrosoftAppCredentials("", ""), base_url=connector.url)
    ours = ReplyConnector()
    ours.open()
    try:
        answer = await bounded(ours.send(sdk, activity))
        expected = await bounded(sdk.conversations.send_to_conversation(activity.conversation.id, activity))
    finally:
        await ours.close()
        await sdk.__aexit__(None, None, None)
    assert answer is not None and answer.id == "reply-1" and expected.id == "reply-2"
    mine, theirs = sent_the_same_way(connector.posts)
    assert mine == theirs
    assert connector.posts[0]["conversation_id"] == activity.conversation.id  # decoded back as sent
    assert mine["headers"]["x-ms-conversation-id"] is None and mine["headers"]["Authorization"] is None


async def test_shared_cards_are_spliced_into_the_posts_as_orjson_would_encode_them(demo_bot, connector, h, monkeypatch):
    """The production path reuses a shared card's JSON text (a pool table asked twice while the
    store is unchanged, the welcome menu): every post is the JSON value ``json.dumps`` gave of the
    activity the SDK would serialize, its bytes exactly orjson's encoding of it (UTF-8, as the
    Content-Type says), and the shared cards were spliced, not encoded again."""
    from bot import replies

    spliced: list[list[bytes]] = []  # per post, the card texts spliced into it
    real = replies._splice

    def spy(body: Any, marked: Any, cards: list[tuple[bytes, bytes]]) -> bytes:
        spliced.append([text for _, text in cards])
        return real(body, marked, cards)

    monkeypatch.setattr(replies, "_splice", spy)
    for text in ("hello", POOL_TEXT, POOL_TEXT, CHECK_TEXT):
        activity = h.activity(text, expect_replies=False, service_url=connector.url)
        assert (await h.post(demo_bot, activity)).status == 201
    posts = connector.posts
    assert len(posts) == 4 and len(spliced) == len(posts)  # a card a turn (the check's user in its card)
    for post in posts:
        assert post["raw"] == orjson.dumps(post["activity"])  # byte for byte orjson, the splice included
        assert json.loads(post["raw"]) == json.loads(json.dumps(post["activity"]))  # the value json.dumps gave
    cards = [post["activity"].get("attachments", [{}])[0].get("content") for post in posts]
    welcome, pool, again = cards[:3]
    assert welcome["type"] == "AdaptiveCard" and spliced[0] == [orjson.dumps(welcome)]
    assert pool == again and len(orjson.dumps(pool)) > 5_000  # the pool table, the store unchanged
    assert spliced[1] == spliced[2] == [orjson.dumps(pool)]
    assert spliced[1][0] is spliced[2][0]  # encoded once, the same text spliced again
    # The number check's verdict card (built for its caller): nothing shared.
    assert cards[-1]["type"] == "AdaptiveCard" and spliced[3:] == [[]]


async def test_a_marker_in_a_text_is_posted_as_written_and_the_card_encoded_whole(connector, h):
    """The splice's fallback on the real path: a reply whose text holds the very marker that
    stands in for a shared card (no user can know it: it is random per process) is encoded whole,
    and the bytes posted are orjson's encoding of the activity msrest serializes (the value
    ``json.dumps`` gave)."""
    from botbuilder.schema import Attachment

    from bot import replies
    from dialogs.api import CardReply
    from dialogs.cards import shared_card

    shared = shared_card(
        ("test-connector-splice",),
        (),
        lambda: CardReply(attachment=Attachment(content={"type": "AdaptiveCard", "t": "é"}), text="s"),
    )
    sdk = ConnectorClient(MicrosoftAppCredentials("", ""), base_url=connector.url)
    ours = ReplyConnector()
    ours.open()
    sent = []
    try:
        for text in (None, f"{replies._MARKER}0", f'say "{replies._MARKER}0" twice'):
            activity = Activity(
                type="message",
                text=text,
                conversation=ConversationAccount(id="19:conversation"),
                reply_to_id="1",
                attachments=[Attachment(content_type="application/vnd.microsoft.card.adaptive", content=shared.card)],
            )
            await bounded(ours.send(sdk, activity))
            sent.append(activity)
    finally:
        await ours.close()
        await sdk.__aexit__(None, None, None)
    assert len(connector.posts) == 3
    for post, activity in zip(connector.posts, sent, strict=True):
        assert post["raw"] == orjson.dumps(activity.serialize())
        assert json.loads(post["raw"]) == json.loads(json.dumps(activity.serialize()))
        assert post["activity"]["attachments"][0]["content"] == shared.card
        assert post["activity"].get("text") == activity.text


# --- the token, in production mode ------------------------------------------------------------------


@pytest.fixture
async def bot_framework_keys(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Callable[[str], str]]:
    """A loopback Bot Framework key service the app checks tokens against; yields ``sign(serviceUrl)``:
    a channel token as Teams sends it (expiry in 2100: no wall clock involved)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    public.update(kid="test-key", endorsements=["msteams"])
    app = web.Application()
    runner = web.AppRunner(app, access_log=None)

    async def metadata(request: web.Request) -> web.Response:
        return web.json_response({"issuer": "https://api.botframework.com", "jwks_uri": f"{base}keys"})

    async def keys(request: web.Request) -> web.Response:
        return web.json_response({"keys": [public]})

    app.router.add_get("/openid", metadata)
    app.router.add_get("/keys", keys)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}/"
    monkeypatch.setitem(
        jwt_token_extractor.JwtTokenExtractor.metadataCache,
        AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL,
        jwt_token_extractor._OpenIdMetadata(f"{base}openid"),
    )

    def sign(service_url: str) -> str:
        claims = {"iss": "https://api.botframework.com", "aud": APP_ID, "exp": 4102444800, "serviceurl": service_url}
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "test-key"})

    yield sign
    await runner.cleanup()


class IssuedTokens:
    """Stands in for the identity service behind ``MicrosoftAppCredentials.get_access_token``
    (msal would call login.microsoftonline.com): numbered tokens, and the threads asking."""

    def __init__(self) -> None:
        self.threads: list[int] = []
        self.release = threading.Event()
        self.hang = False

    def get_access_token(self, credentials: MicrosoftAppCredentials, force_refresh: bool = False) -> str:
        assert credentials.microsoft_app_id == APP_ID and credentials.microsoft_app_password == "secret"
        self.threads.append(threading.get_ident())
        if self.hang:
            self.release.wait()  # untimed: a timed wait never returns under faketime
        return f"token-{len(self.threads)}"


@pytest.fixture
def issued(monkeypatch: pytest.MonkeyPatch) -> Any:
    tokens = IssuedTokens()

    def get_access_token(credentials: MicrosoftAppCredentials, force_refresh: bool = False) -> str:
        return tokens.get_access_token(credentials, force_refresh)

    monkeypatch.setattr(MicrosoftAppCredentials, "get_access_token", get_access_token)
    yield tokens
    tokens.release.set()


async def test_production_replies_carry_the_bots_token_fetched_off_the_loop(
    start_app, make_settings, tmp_path, connector, h, bot_framework_keys, issued
):
    client = await start_app(make_settings(APP_ID=APP_ID, APP_PASSWORD="secret"))
    now = [1000.0]
    reply_connector(client).monotonic = lambda: now[0]
    headers = {"Authorization": f"Bearer {bot_framework_keys(connector.url)}"}
    activity = h.activity("hello", expect_replies=False, service_url=connector.url)
    assert (await h.post(client, activity, headers=headers)).status == 201
    assert (await h.post(client, {**activity, "id": "second"}, headers=headers)).status == 201
    assert [p["authorization"] for p in connector.posts] == ["Bearer token-1", "Bearer token-1"]
    assert issued.threads and threading.get_ident() not in issued.threads  # never on the event loop
    now[0] += TOKEN_REUSE_S  # then the credentials are asked again (msal: its cache, or a new token)
    assert (await h.post(client, {**activity, "id": "third"}, headers=headers)).status == 201
    assert connector.posts[-1]["authorization"] == "Bearer token-2"
    # The SDK's client sends the same header (it asks the credentials for every request).
    (tmp_path / "sdk").mkdir()
    production = {"APP_ID": APP_ID, "APP_PASSWORD": "secret", "DATA_DIR": tmp_path / "sdk"}
    sdk = await start_app(make_settings(**production), reply_connector=False)
    assert (await h.post(sdk, {**activity, "id": "fourth"}, headers=headers)).status == 201
    assert connector.posts[-1]["authorization"] == "Bearer token-3"


async def test_after_a_refused_token_the_credentials_are_asked_again(
    start_app, make_settings, h, bot_framework_keys, issued
):
    fake = await h.FakeConnector(status=401).start()
    try:
        client = await start_app(make_settings(APP_ID=APP_ID, APP_PASSWORD="secret"))
        headers = {"Authorization": f"Bearer {bot_framework_keys(fake.url)}"}
        activity = h.activity("hello", expect_replies=False, service_url=fake.url)
        assert (await h.post(client, activity, headers=headers)).status == 502
        fake.status = 200
        assert (await h.post(client, {**activity, "id": "again"}, headers=headers)).status == 201
        assert [p["authorization"] for p in fake.posts] == ["Bearer token-1", "Bearer token-2"]
    finally:
        await fake.close()


class IdentityService:
    """What msal's ``http_client`` reaches for login.microsoftonline.com, in process: the tenant's
    OpenID configuration and numbered client-credentials tokens (msal's own cache and rules run)."""

    class Answer:
        def __init__(self, body: dict[str, Any]) -> None:
            self.status_code, self.text = 200, json.dumps(body)
            self.headers: dict[str, str] = {}

        def raise_for_status(self) -> None:
            pass

    def __init__(self) -> None:
        self.issued = 0

    def get(self, url: str, **kwargs: Any) -> Answer:
        base = url.split("/v2.0/.well-known")[0]
        return self.Answer(
            {
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "issuer": f"{base}/v2.0",
            }
        )

    def post(self, url: str, **kwargs: Any) -> Answer:
        self.issued += 1
        return self.Answer({"access_token": f"aad-{self.issued}", "token_type": "Bearer", "expires_in": 3600})

    def close(self) -> None:
        pass


async def test_a_refused_token_is_replaced_by_a_new_one_from_the_identity_service(
    start_app, make_settings, h, bot_framework_keys, monkeypatch
):
    """The SDK's credentials alone would hand out msal's cached token again (``get_access_token``
    ignores ``force_refresh``): after a 401 the next reply carries a new token."""
    from botframework.connector.auth import microsoft_app_credentials

    identity = IdentityService()
    real = microsoft_app_credentials.ConfidentialClientApplication

    def with_identity(*args: Any, **kwargs: Any) -> Any:
        return real(*args, http_client=identity, **kwargs)

    monkeypatch.setattr(microsoft_app_credentials, "ConfidentialClientApplication", with_identity)
    fake = await h.FakeConnector(status=401).start()
    try:
        client = await start_app(make_settings(APP_ID=APP_ID, APP_PASSWORD="secret"))
        headers = {"Authorization": f"Bearer {bot_framework_keys(fake.url)}"}
        activity = h.activity("hello", expect_replies=False, service_url=fake.url)
        assert (await bounded(h.post(client, activity, headers=headers))).status == 502
        fake.status = 200
        assert (await bounded(h.post(client, {**activity, "id": "again"}, headers=headers))).status == 201
        assert (await bounded(h.post(client, {**activity, "id": "third"}, headers=headers))).status == 201
        assert [p["authorization"] for p in fake.posts] == ["Bearer aad-1", "Bearer aad-2", "Bearer aad-2"]
        assert identity.issued == 2  # the good one is reused from msal's cache
    finally:
        await fake.close()


async def test_a_token_that_does_not_come_is_a_bounded_502(
    start_app, make_settings, connector, h, bot_framework_keys, issued, monkeypatch
):
    monkeypatch.setattr(outbound, "TOKEN_FETCH_TIMEOUT_S", 0.3)
    issued.hang = True
    client = await start_app(make_settings(APP_ID=APP_ID, APP_PASSWORD="secret"))
    headers = {"Authorization": f"Bearer {bot_framework_keys(connector.url)}"}
    activity = h.activity("hello", expect_replies=False, service_url=connector.url)
    responses = await bounded(
        asyncio.gather(*[h.post(client, {**activity, "id": f"m{i}"}, headers=headers) for i in range(4)])
    )
    assert [r.status for r in responses] == [502] * 4
    assert len(issued.threads) == 1  # one fetch at a time: the others waited for it
    assert connector.posts == []  # nothing was sent without the token
    health = await bounded(client.get("/healthz"), 3)  # the event loop stayed free
    assert health.status == 200
    issued.release.set()


# --- bounds: timeouts, retries ------------------------------------------------------------------------


async def test_a_read_timeout_is_a_502_and_never_retried(client, h, monkeypatch):
    monkeypatch.setattr(outbound, "READ_TIMEOUT_S", 0.3)
    async with black_hole() as (port, accepted):
        activity = h.activity("hello", expect_replies=False, service_url=f"http://127.0.0.1:{port}/")
        response = await bounded(h.post(client, activity))
        assert response.status == 502
        assert len(accepted) == 1  # sent once: the activity may have been delivered
    assert reply_connector(client).posts == 1


async def test_a_refused_connection_is_retried_once(client, h):
    """Nothing was sent, so once more: here the Bot Connector starts listening in between."""
    port = closed_port()
    late = h.FakeConnector()
    pauses: list[float] = []

    async def start_listening(seconds: float) -> None:
        pauses.append(seconds)
        await late.start(port)

    reply_connector(client).pause = start_listening
    try:
        activity = h.activity("hello", expect_replies=False, service_url=f"http://127.0.0.1:{port}/")
        response = await bounded(h.post(client, activity))
        assert response.status == 201
        assert len(pauses) == 1 and len(late.posts) == 1
    finally:
        await late.close()


async def test_a_connection_refused_twice_is_a_502(client, h):
    pauses: list[float] = []

    async def pause(seconds: float) -> None:
        pauses.append(seconds)

    reply_connector(client).pause = pause
    activity = h.activity("hello", expect_replies=False, service_url=f"http://127.0.0.1:{closed_port()}/")
    response = await bounded(h.post(client, activity))
    assert response.status == 502
    assert len(pauses) == 1 and reply_connector(client).posts == 2


async def test_a_busy_answer_is_retried_once_and_a_failure_never(client, h):
    class OnceBusy(h.FakeConnector):  # type: ignore[name-defined]
        async def _reply(self, request: web.Request) -> web.Response:
            response = await super()._reply(request)
            self.status = 200
            return response

    async def no_pause(seconds: float) -> None:
        pass

    reply_connector(client).pause = no_pause
    busy = await OnceBusy(status=503).start()
    failing = await h.FakeConnector(status=500).start()
    try:
        response = await h.post(client, h.activity("hello", expect_replies=False, service_url=busy.url))
        assert response.status == 201 and len(busy.posts) == 2  # 503: the service took nothing
        response = await h.post(client, h.activity("hello", expect_replies=False, service_url=failing.url))
        assert response.status == 502 and len(failing.posts) == 1  # 500: it may have posted it
    finally:
        await busy.close()
        await failing.close()


@asynccontextmanager
async def cut_answers(stall: bool) -> AsyncIterator[tuple[int, list[dict[str, Any]]]]:
    """A Bot Connector on 127.0.0.1 that takes each post, sends "201 Created" and its headers,
    then the first bytes of the body and either resets the connection or never sends the rest.
    The list holds the activities it took."""
    taken: list[dict[str, Any]] = []
    held: list[asyncio.StreamWriter] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
        )
        taken.append(json.loads(await reader.readexactly(length)))
        writer.write(b'HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 64\r\n\r\n{"id": ')
        await writer.drain()
        if stall:
            held.append(writer)
            await asyncio.sleep(3600)
        else:
            writer.transport.abort()  # a reset, not a clean end

    async with loopback_server(answer, held) as port:
        yield port, taken


@pytest.mark.parametrize("stall", [False, True], ids=["reset", "stalled"])
async def test_a_reply_taken_but_whose_answer_is_cut_is_delivered(client, connector, h, monkeypatch, stall):
    """201 then a reset or a stalled body: the reply was taken, so the turn goes on (its later
    replies are posted) and /api/messages answers 201, not a 502 that makes the channel send the
    message again (duplicates)."""
    if stall:  # long enough for the headers to come on a busy machine, short for the body
        monkeypatch.setattr(outbound, "READ_TIMEOUT_S", 1.0)

    def seen(activity: dict[str, Any]) -> tuple[Any, ...]:
        return activity["type"], activity.get("text"), json.dumps(activity.get("attachments"))

    reference = h.activity(CHECK_TEXT, expect_replies=False, service_url=connector.url, conversation_id="a:reference")
    assert (await h.post(client, reference)).status == 201
    whole = [seen(post["activity"]) for post in connector.posts]
    before = reply_connector(client).posts
    async with cut_answers(stall) as (port, taken):
        activity = h.activity(CHECK_TEXT, expect_replies=False, service_url=f"http://127.0.0.1:{port}/")
        response = await bounded(h.post(client, activity))
        assert response.status == 201
        assert len(whole) == 2 and [seen(a) for a in taken] == whole  # both replies of the turn, each once
    assert reply_connector(client).posts - before == len(whole)  # none posted twice


# --- one session per app, closed with it ------------------------------------------------------------


async def test_the_session_opens_with_the_app_and_closes_when_it_stops(make_settings, connector, h):
    client = TestClient(TestServer(create_app(make_settings())))
    await client.start_server()
    try:
        replies = reply_connector(client)
        session = replies._session
        assert session is not None and not session.closed
        assert (
            await h.post(client, h.activity("hello", expect_replies=False, service_url=connector.url))
        ).status == 201
    finally:
        await client.close()
    assert replies.closed and session.closed
    with pytest.raises(outbound.DeliveryError):
        await replies._post(connector_module.URL(connector.url), b"{}", {}, None)


@pytest.mark.parametrize(
    "environment",
    [
        {},
        {"HTTPS_PROXY": "http://proxy.example:8080"},
        {"HTTPS_PROXY": "http://proxy.example:8080", "NO_PROXY": "smba.trafficmanager.net"},
        {"HTTP_PROXY": "http://plain.example:3128", "ALL_PROXY": "http://all.example:1"},
    ],
)
def test_the_proxy_is_the_one_requests_would_use(environment, monkeypatch):
    """The SDK's client (``requests``) honours proxy variables: so does this, read once per service URL."""
    import requests

    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY", "https_proxy", "http_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    for url in ("https://smba.trafficmanager.net/emea/", "http://127.0.0.1:3978/", "http://bot.example/x/"):
        connector_module._proxy.cache_clear()
        proxies = requests.utils.get_environ_proxies(url)
        scheme = url.split(":")[0]
        assert connector_module._proxy(url) == (proxies.get(scheme) or proxies.get("all")), (environment, url)
    connector_module._proxy.cache_clear()


async def test_a_new_token_done_before_its_callback_ran_is_taken_not_asked_again():
    """After a 401 the new token's fetch may finish, and a reply come, before the loop runs the
    callback that adopts it (seen under load: a third token asked for): the reply takes it."""
    asked: list[int] = []

    class Credentials(MicrosoftAppCredentials):
        def get_access_token(self, force_refresh: bool = False) -> str:
            asked.append(1)
            return f"token-{len(asked) + 1}"

    credentials = Credentials(APP_ID, "secret")
    ours = ReplyConnector()
    done: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    done.set_result("token-2")  # the refused token's replacement, fetched; no callback has run
    ours._tokens[credentials] = _Token(header=None, fetching=done)
    assert await ours._authorization(credentials) == "Bearer token-2"
    assert asked == []
    ours._tokens[credentials].got_at -= 3600  # and once it is old, the credentials are asked again
    assert await ours._authorization(credentials) == "Bearer token-2" and asked == [1]
