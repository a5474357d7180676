"""Hostile input against the host (issue 13): each test is one row of the issue's table, sent
over real HTTP (or raw sockets) into the real app factory, with real bot-state files.

Every "within a bound" below is generous (seconds where the fix takes milliseconds and the bug
took 10-200 s): the test fails on the bug, never on a slow machine.
"""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import socket
import time

import jwt
import pytest
from aiohttp import web
from botframework.connector.auth import AuthenticationConstants, jwt_token_extractor
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from hypothesis import given
from hypothesis import strategies as st

from bot import outbound
from bot.app import create_app, make_runner
from bot.messages import MAX_JSON_DEPTH, _may_nest_too_deep, json_depth_exceeds
from bot.state import TinyDBStorage
from dialogs.nlu.i18n import t
from dialogs.root import state_reset_text
from knowledge.logsafe import clean
from testkit.loopback import black_hole
from testkit.narrow import present

APP_ID = "c9e8c047-2a74-40a2-b28a-b162d5f5327c"
BOUND_S = 10.0  # generous: every request here is answered in well under a second when fixed


async def bounded(awaitable, bound: float = BOUND_S):
    return await asyncio.wait_for(awaitable, timeout=bound)


def no_tracebacks(caplog) -> None:
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"


def one_line_logs(caplog) -> None:
    for record in caplog.records:
        message = record.getMessage()
        assert "\n" not in message and "\r" not in message and "\x00" not in message, message[:300]
        assert len(message) < 2000, len(message)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- row 1: a quadratic @mention regex on the event loop -----------------------------------------


async def test_row1_a_64_kb_mention_storm_is_answered_quickly_and_health_does_not_wait(client, h):
    storm = h.activity("<at>" * 16_000, conversation_type="channel")
    named = h.activity(
        "hello <at>Calling Plan Assistant</at>",
        conversation_type="channel",
        entities=[
            {"type": "mention", "text": "<at>" * 4000 + "(a+)+$", "mentioned": {"id": h.BOT_ID, "name": "(a+)+$"}}
        ],
    )
    storm_reply = asyncio.ensure_future(h.post(client, storm))
    health = asyncio.ensure_future(client.get("/healthz"))
    assert (await bounded(health, 3)).status == 200
    assert (await bounded(storm_reply, 5)).status == 200
    assert (await bounded(h.post(client, named), 5)).status == 200


# --- row 2: deep JSON ----------------------------------------------------------------------------


@pytest.mark.parametrize("app_id", ["", APP_ID])
async def test_row2_deeply_nested_json_is_a_400_before_auth(start_app, make_settings, h, app_id, caplog):
    client = await start_app(make_settings(APP_ID=app_id, APP_PASSWORD="secret" if app_id else ""))
    brackets = await client.post(
        "/api/messages", data="[" * 990 + "]" * 990, headers={"Content-Type": "application/json"}
    )
    assert brackets.status == 400
    unclosed = await client.post("/api/messages", data="[" * 990, headers={"Content-Type": "application/json"})
    assert unclosed.status == 400
    body = json.dumps(h.activity("hello", tenant=None))
    assert '"channelData": {}' in body
    body = body.replace('"channelData": {}', '"channelData": ' + '{"x": ' * 980 + "{}" + "}" * 980)
    response = await client.post("/api/messages", data=body, headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert "nested" in (await response.json())["error"]["message"]
    no_tracebacks(caplog)


# --- row 3: JWT-shaped tokens while the key service is unreachable --------------------------------


@pytest.fixture
def unreachable_keys(monkeypatch):
    """The Bot Framework OpenID metadata URLs point at a closed port on loopback."""
    url = f"http://127.0.0.1:{closed_port()}/v1/.well-known/openidconfiguration"
    for real in (
        AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL,
        AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL,
    ):
        monkeypatch.setitem(
            jwt_token_extractor.JwtTokenExtractor.metadataCache, real, jwt_token_extractor._OpenIdMetadata(url)
        )
    monkeypatch.setattr(outbound, "KEY_RETRY_AFTER_S", 0.0)


def hostile_tokens() -> dict[str, tuple[str, set[int]]]:
    """name -> (token, the statuses allowed). exp in 2100 or 1970: no wall clock involved."""
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    claims = {
        "iss": "https://api.botframework.com",
        "aud": APP_ID,
        "exp": 4102444800,
        "serviceurl": "https://smba.trafficmanager.net/emea/",
    }
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key.public_key()))
    unsigned = jwt.encode(claims, None, algorithm="none")  # type: ignore[arg-type]  # alg none: no key
    return {
        "alg none": (unsigned, {401}),
        "HS256": (jwt.encode(claims, "k" * 32, algorithm="HS256", headers={"kid": "k1"}), {401}),
        "ES256": (jwt.encode(claims, ec_key, algorithm="ES256", headers={"kid": "k1"}), {401}),
        "jku": (
            jwt.encode(claims, rsa_key, algorithm="RS256", headers={"kid": "k1", "jku": "http://127.0.0.1:9/keys"}),
            {401},
        ),
        "embedded jwk": (jwt.encode(claims, rsa_key, algorithm="RS256", headers={"kid": "k1", "jwk": jwk}), {401}),
        "expired": (jwt.encode({**claims, "exp": 1}, rsa_key, algorithm="RS256", headers={"kid": "k1"}), {401}),
        "no kid": (jwt.encode(claims, rsa_key, algorithm="RS256"), {401}),
        "garbage": ("e30.e30.e30." + "A" * 7000, {401}),
        # Only the signature can tell: the keys are needed, and cannot be fetched.
        "self-signed RS256": (jwt.encode(claims, rsa_key, algorithm="RS256", headers={"kid": "k1"}), {401, 503}),
        "emulator RS256": (
            jwt.encode(
                {
                    **claims,
                    "iss": "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/",
                    "ver": "1.0",
                    "appid": APP_ID,
                },
                rsa_key,
                algorithm="RS256",
                headers={"kid": "k1"},
            ),
            {401, 503},
        ),
    }


async def test_row3_hostile_tokens_are_fast_401s_or_503_never_500(
    start_app, make_settings, h, caplog, unreachable_keys
):
    caplog.set_level(logging.INFO)
    client = await start_app(make_settings(APP_ID=APP_ID, APP_PASSWORD="secret"))
    statuses = {}
    for name, (token, allowed) in hostile_tokens().items():
        response = await bounded(h.post(client, h.activity("hello"), headers={"Authorization": f"Bearer {token}"}), 8)
        statuses[name] = response.status
        assert response.status in allowed, (name, response.status, await response.text())
    assert statuses["self-signed RS256"] == 503  # the key service is down: not the client's fault
    no_tracebacks(caplog)
    one_line_logs(caplog)
    assert not any(p.is_file() for p in make_settings().state_dir.rglob("*.json"))  # no turn ran


async def test_row3_a_key_service_that_never_answers_is_a_bounded_503(start_app, make_settings, h, monkeypatch, caplog):
    monkeypatch.setattr(outbound, "KEY_FETCH_TIMEOUT_S", 0.5)
    async with black_hole() as (port, _):
        url = f"http://127.0.0.1:{port}/v1/.well-known/openidconfiguration"
        monkeypatch.setitem(
            jwt_token_extractor.JwtTokenExtractor.metadataCache,
            AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL,
            jwt_token_extractor._OpenIdMetadata(url),
        )
        client = await start_app(make_settings(APP_ID=APP_ID, APP_PASSWORD="secret"))
        token, _ = hostile_tokens()["self-signed RS256"]
        # Eight at once: one fetch waits out its timeout; the others wait for it, then fail fast.
        responses = await bounded(
            asyncio.gather(
                *[h.post(client, h.activity("hello"), headers={"Authorization": f"Bearer {token}"}) for _ in range(8)]
            ),
            8,
        )
        assert {r.status for r in responses} == {503}
        # Meanwhile the event loop was free: health answered.
        assert (await bounded(client.get("/healthz"), 3)).status == 200
    no_tracebacks(caplog)


# --- row 4: one user, four conversations, the same moment ----------------------------------------


async def test_row4_one_user_in_four_conversations_at_once_keeps_every_dialog(demo_bot, h, caplog):
    say = {"en": "which plan should we buy?", "fr": "quel forfait acheter ?"}
    langs = ["en", "fr", "en", "fr"]
    conversations = [f"a:user-conversation-{i}" for i in range(4)]
    first = await bounded(
        asyncio.gather(
            *[
                h.replies(demo_bot, h.activity(say[lang], conversation_id=cid))
                for cid, lang in zip(conversations, langs, strict=True)
            ]
        )
    )
    for lang, replies in zip(langs, first, strict=True):
        assert h.texts(replies)[-1] == t(lang, "prompt.countries")
    second = await bounded(
        asyncio.gather(*[h.replies(demo_bot, h.activity("France", conversation_id=cid)) for cid in conversations])
    )
    for lang, replies in zip(langs, second, strict=True):  # every dialog went on, each in its language
        assert h.texts(replies)[-1] == t(lang, "prompt.users_in", country="France")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# --- row 5: a key file truncated by hand ---------------------------------------------------------


async def test_row5_a_truncated_state_file_is_set_aside_and_the_conversation_starts_over(start_app, demo_settings, h):
    cid = "a:truncated"
    first = await start_app(demo_settings)
    assert h.texts(await h.replies(first, h.activity("which plan should we buy?", conversation_id=cid)))[-1] == t(
        "en", "prompt.countries"
    )
    await first.close()  # checkpoints the journal into the key files
    storage = TinyDBStorage(demo_settings.state_dir)
    path = storage.path_for(f"msteams/conversations/{cid}")
    await storage.close()
    path.write_bytes(path.read_bytes()[:40])

    second = await start_app(demo_settings)
    replies = h.texts(await h.replies(second, h.activity("which plan should we buy?", conversation_id=cid)))
    assert replies == [state_reset_text("en"), t("en", "prompt.countries")]
    replies = h.texts(await h.replies(second, h.activity("France", conversation_id=cid)))
    assert replies == [t("en", "prompt.users_in", country="France")]  # working again, no second note
    assert path.with_name(path.name + ".bad").exists()  # kept for a look, out of the way


# --- row 6: log injection ------------------------------------------------------------------------


async def test_row6_request_fields_reach_the_log_escaped_and_capped(start_app, make_settings, h, caplog):
    caplog.set_level(logging.INFO)
    configured = await start_app(make_settings(APP_ID=APP_ID, APP_PASSWORD="secret"))
    forged = "1\n2026-12-02 03:00:00,000 INFO    bot.app: admin password reset for everyone"
    response = await h.post(configured, h.activity("hello", id=forged))
    assert response.status == 401
    gated = await start_app(
        make_settings(
            ALLOWED_TENANTS="72f988bf-86f1-41af-91ab-2d7cd011db47", DATA_DIR=make_settings().DATA_DIR / "gated"
        )
    )
    huge_tenant = "\x00evil\n" * 8_000
    response = await h.post(gated, h.activity("hello", tenant=huge_tenant))
    assert response.status == 200
    messages = [r.getMessage() for r in caplog.records]
    assert any("refused activity 1\\x0a2026" in m for m in messages)
    assert any("\\x00evil" in m and "chars)" in m for m in messages)
    one_line_logs(caplog)


def test_row6_clean_escapes_controls_surrogates_and_backslashes_and_caps_the_length():
    assert clean("a\nb\r\x00\ud800\\n") == "a\\x0ab\\x0d\\x00\\ud800\\\\n"
    assert clean("\u2028x\U000e0001") == "\\u2028x\\U000e0001"  # a line separator, a tag character
    assert clean("é" * 300) == "é" * 200 + "...(+100 chars)"
    assert clean(None) == "(none)" and clean(ValueError("bad\nline")) == "bad\\x0aline"


# --- row 10: serviceUrls that never answer, closed ports, CR/LF ids -------------------------------


async def test_row10_a_dead_service_url_is_a_bounded_502(client, h, monkeypatch, caplog):
    monkeypatch.setattr(outbound, "READ_TIMEOUT_S", 0.5)
    async with black_hole() as (port, _):
        silent = h.activity("hello", expect_replies=False, service_url=f"http://127.0.0.1:{port}/")
        response = await bounded(h.post(client, silent))
        assert response.status == 502
    closed = h.activity(
        "hello",
        expect_replies=False,
        service_url=f"http://127.0.0.1:{closed_port()}/",
        conversation={"conversationType": "personal", "id": "a:other"},
    )
    response = await bounded(h.post(client, closed))
    assert response.status == 502
    no_tracebacks(caplog)


async def test_row10_dead_service_urls_do_not_starve_other_replies(client, connector, h, monkeypatch):
    monkeypatch.setattr(outbound, "READ_TIMEOUT_S", 4.0)
    async with black_hole() as (port, _):
        dead = [
            asyncio.ensure_future(
                h.post(
                    client,
                    h.activity(
                        "hello",
                        expect_replies=False,
                        service_url=f"http://127.0.0.1:{port}/",
                        conversation={"conversationType": "personal", "id": f"a:dead-{i}"},
                    ),
                )
            )
            for i in range(8)
        ]
        await asyncio.sleep(0.3)  # the eight are waiting on the dead port
        normal = asyncio.ensure_future(
            h.post(client, h.activity("hello", expect_replies=False, service_url=connector.url))
        )
        done, _ = await bounded(asyncio.wait([normal, *dead], return_when=asyncio.FIRST_COMPLETED), 20)
        assert normal in done and normal.result().status == 201  # answered while the others still wait
        assert connector.texts()
        statuses = [r.status for r in await bounded(asyncio.gather(*dead), 20)]
        assert set(statuses) == {502}


@pytest.mark.parametrize("field", ["conversation", "from"])
@pytest.mark.parametrize("bad", ["a:1\r\nX-Injected: yes", "a:\u0000", "a:\ud800", "a:\udfff-tail"])
async def test_rows10_11_control_characters_and_lone_surrogates_in_ids_are_a_400(client, h, field, bad, caplog):
    activity = h.activity("hello")
    activity[field] = {**activity[field], "id": bad}
    body = json.dumps(activity)  # lone surrogates travel as \\udXXX escapes, as a client would send them
    response = await client.post("/api/messages", data=body, headers={"Content-Type": "application/json"})
    assert response.status == 400
    no_tracebacks(caplog)


async def test_row11_state_keys_with_lone_surrogates_still_have_a_file(tmp_path):
    storage = TinyDBStorage(tmp_path / "state")
    key = "msteams/conversations/a:\ud800\r\n"
    await storage.write({key: {"dialog": [1, 2]}})
    await storage.close()
    reopened = TinyDBStorage(tmp_path / "state")
    try:
        assert (await reopened.read([key]))[key]["dialog"] == [1, 2]
        assert reopened.path_for(key).is_file()
    finally:
        await reopened.close()


# --- row 12: a damaged summary.json --------------------------------------------------------------


async def test_row12_a_damaged_store_is_a_plain_sentence_without_paths(demo_bot, demo_settings, h, caplog):
    for summary in (demo_settings.DATA_DIR / "store").rglob("summary.json"):
        summary.write_text("{ half a file", "utf-8")
    replies = h.texts(await h.replies(demo_bot, h.activity("minutes left in France")))
    assert replies == [t("en", "data.error")]
    assert not any(str(demo_settings.DATA_DIR) in text or "summary.json" in text for text in replies)
    assert any("summary.json" in r.getMessage() for r in caplog.records)  # the detail is in the log


# --- row 13: the disk full -----------------------------------------------------------------------


async def test_row13_health_says_degraded_while_writes_fail_and_recovers(demo_bot, h, monkeypatch):
    import bot.app
    import bot.state.local

    real, real_segment = bot.state.local.atomic_write_bytes, bot.state.local.append_record

    def disk_full(path, payload):
        raise OSError(errno.ENOSPC, "No space left on device")

    assert (await demo_bot.get("/healthz")).status == 200
    monkeypatch.setattr(bot.state.local, "atomic_write_bytes", disk_full)
    monkeypatch.setattr(bot.state.local, "append_record", disk_full)  # the journal's commits
    monkeypatch.setattr(bot.app, "atomic_write_bytes", disk_full)
    response = await h.post(demo_bot, h.activity("which plan should we buy?", conversation_id="a:full"))
    assert response.status == 200  # the turn apologizes; it is not a 500
    health = await demo_bot.get("/healthz")
    body = await health.json()
    assert health.status == 503 and body["status"] == "degraded" and body["state"] is False
    assert "No space left on device" in body["reason"]

    monkeypatch.setattr(bot.state.local, "atomic_write_bytes", real)
    monkeypatch.setattr(bot.state.local, "append_record", real_segment)
    monkeypatch.setattr(bot.app, "atomic_write_bytes", real)
    health = await demo_bot.get("/healthz")
    assert health.status == 200 and "reason" not in await health.json()
    replies = h.texts(await h.replies(demo_bot, h.activity("which plan should we buy?", conversation_id="a:full")))
    assert replies[-1] == t("en", "prompt.countries")


# --- row 14: slow clients ------------------------------------------------------------------------


async def test_row14_slow_headers_and_slow_bodies_are_cut_off(make_settings):
    runner = make_runner(create_app(make_settings(), body_timeout_s=0.5), header_timeout_s=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = site._server
    assert server is not None and hasattr(server, "sockets")
    port = server.sockets[0].getsockname()[1]
    loop = asyncio.get_running_loop()

    async def slow_client(kind: str) -> float:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        started = loop.time()
        if kind == "headers":
            writer.write(b"POST /api/messages HTTP/1.1\r\nHost: x\r\n")
            chunks = [b"X-Slow: " + b"a" * 4 + b"\r\n"] * 400
        else:
            writer.write(
                b"POST /api/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 100000\r\n\r\n{"
            )
            chunks = [b" "] * 400
        try:
            for chunk in chunks:  # one drip every 50 ms: would take 20 s
                await asyncio.sleep(0.05)
                if reader.at_eof():
                    break
                writer.write(chunk)
                await writer.drain()
            await reader.read()  # EOF once the server hangs up
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()
        return loop.time() - started

    try:
        took = await bounded(asyncio.gather(*[slow_client(k) for k in ["headers", "body"] * 20]), 15)
        assert max(took) < 6  # cut off, rather than the 20 s the drip would last
    finally:
        await runner.cleanup()


# --- row 15: Teams channelData of the wrong shape ------------------------------------------------


@pytest.mark.parametrize("kind", ["conversationUpdate", "invoke", "messageUpdate", "messageDelete", "message"])
async def test_row15_malformed_teams_channel_data_is_a_400(client, h, kind, caplog):
    activity = h.activity(None, type=kind)
    activity["channelData"]["team"] = "x"
    response = await h.post(client, activity)
    assert response.status == 400
    assert "channelData" in (await response.json())["error"]["message"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


INVOKE_NAMES = [
    "composeExtension/query",
    "task/fetch",
    "task/submit",
    "fileConsent/invoke",
    "actionableMessage/executeAction",
    "composeExtension/submitAction",
    "composeExtension/queryLink",
    "signin/verifyState",
    "adaptiveCard/action",
    "tab/fetch",
    "config/fetch",
    "handoff/action",
]


@pytest.mark.parametrize("value", ["x", 5, [1], {"data": "x", "context": 3, "action": "y"}])
async def test_row15_invokes_with_a_value_of_the_wrong_shape_are_4xx_without_errors(client, h, value, caplog):
    for name in INVOKE_NAMES:
        response = await h.post(client, h.activity(None, type="invoke", name=name, value=value))
        assert 400 <= response.status < 500 or response.status == 200, (name, response.status)
        replies = (await response.json()).get("activities", []) if response.status == 200 else []
        assert not [a for a in replies if t("en", "host.apology") in (a.get("text") or "")], name
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


# --- row 16: the journal checkpoints after load stops --------------------------------------------


async def test_row16_the_journal_is_checkpointed_soon_after_load_stops(tmp_path):
    storage = TinyDBStorage(tmp_path / "state", checkpoint_segments=4, checkpoint_idle_s=0.2)
    slow_sync = storage._checkpoint_sync

    def slower(*args):  # a checkpoint long enough that commits land while it runs
        time.sleep(0.2)
        slow_sync(*args)

    storage._checkpoint_sync = slower  # type: ignore[method-assign]  # this storage only
    try:
        for i in range(40):
            await storage.write({f"key-{i}": {"n": i}})
        assert storage.segments()  # load just stopped: some segments are not checkpointed yet
        for _ in range(100):  # up to 10 s; the idle interval is 0.2 s
            if not storage.segments():
                break
            await asyncio.sleep(0.1)
        assert storage.segments() == []
    finally:
        await storage.close()


async def test_row13_storage_remembers_a_failed_write_until_one_succeeds(tmp_path, monkeypatch):
    import bot.state.local

    storage = TinyDBStorage(tmp_path / "state")
    real, real_segment = bot.state.local.atomic_write_bytes, bot.state.local.append_record
    try:

        def read_only(path, payload):
            raise OSError(errno.EROFS, "Read-only file system")

        monkeypatch.setattr(bot.state.local, "atomic_write_bytes", read_only)  # the probe's
        monkeypatch.setattr(bot.state.local, "append_record", read_only)  # the journal's commits
        with pytest.raises(OSError):
            await storage.write({"k": {"v": 1}})
        assert "Read-only file system" in present(storage.write_problem)
        assert await storage.probe() is not None
        monkeypatch.setattr(bot.state.local, "atomic_write_bytes", real)
        monkeypatch.setattr(bot.state.local, "append_record", real_segment)
        await storage.write({"k": {"v": 1}})
        assert storage.write_problem is None and await storage.probe() is None
    finally:
        await storage.close()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
async def test_row2_depth_64_is_processed_and_65_is_a_400_in_any_json_encoding(client, h, encoding):
    """The depth limit is exact at its edge, whether the body is walked or counted
    (``_may_nest_too_deep``: a body with at most 64 opening brackets is not walked)."""
    body = json.dumps(h.activity("help", tenant=None))

    def nested(levels: int) -> bytes:  # the activity is level 1, channelData level 2
        deep = '"channelData": ' + '{"x": ' * (levels - 2) + "{}" + "}" * (levels - 2)
        return body.replace('"channelData": {}', deep).encode(encoding)

    headers = {"Content-Type": "application/json"}
    at_limit = await client.post("/api/messages", data=nested(MAX_JSON_DEPTH), headers=headers)
    assert at_limit.status == 200
    over = await client.post("/api/messages", data=nested(MAX_JSON_DEPTH + 1), headers=headers)
    assert over.status == 400 and "nested" in (await over.json())["error"]["message"]


@given(
    st.recursive(
        st.none() | st.text(alphabet='{[]}x"\\', max_size=3),
        lambda kids: (
            st.lists(kids, max_size=3) | st.dictionaries(st.text(alphabet="{[x", max_size=2), kids, max_size=3)
        ),
        max_leaves=40,
    ),
    st.integers(min_value=1, max_value=12),
    st.sampled_from(["utf-8", "utf-16", "utf-32"]),
)
def test_counting_brackets_never_passes_a_body_that_nests_too_deep(value, limit, encoding):
    raw = json.dumps(value).encode(encoding)
    assert json.loads(raw) == value
    if json_depth_exceeds(value, limit):
        assert _may_nest_too_deep(raw, limit)
