"""POST /api/messages through the real app factory: every status code the endpoint promises."""

from __future__ import annotations

import codecs
import gzip
import json
import logging
import time

import jwt
import orjson
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import given
from hypothesis import strategies as st

from bot import messages
from bot.messages import MAX_BODY_BYTES, read_activity


async def test_expect_replies_returns_the_replies_in_the_body(client, h):
    activities = await h.replies(client, h.activity("hello"))
    messages = [a for a in activities if a["type"] == "message"]
    assert len(messages) == 1
    assert "plan" in h.texts(messages)[0].lower()  # the welcome card's summary (shown once)
    # Replies are addressed back to the user, in the same conversation.
    assert messages[0]["recipient"]["id"] == h.USER_ID
    assert messages[0]["conversation"]["id"] == h.activity()["conversation"]["id"]
    # Emulator-only trace activities are not part of a Teams answer.
    assert all(a["type"] != "trace" for a in activities)


async def test_default_delivery_posts_the_reply_to_the_connector(client, connector, h):
    activity = h.activity("hello", expect_replies=False, service_url=connector.url)
    response = await h.post(client, activity)
    assert response.status == 201
    assert await response.read() == b""
    assert len(connector.posts) == 1
    post = connector.posts[0]
    assert post["path"] == f"/v3/conversations/{activity['conversation']['id']}/activities/{activity['id']}"
    assert post["reply_to_id"] == activity["id"]
    assert "plan" in connector.texts()[0].lower()
    assert post["activity"]["replyToId"] == activity["id"]
    assert post["authorization"] is None  # local mode: no token is requested or sent


async def test_non_json_content_type_is_415(client):
    response = await client.post("/api/messages", data="hello", headers={"Content-Type": "text/plain"})
    assert response.status == 415
    assert (await response.json())["error"]["status"] == 415
    response = await client.post("/api/messages", data=b"{}")  # no content type at all
    assert response.status == 415


async def test_invalid_json_is_400(client):
    for body in (b"{not json", b"\xff\xfe\x00", b"", b"[1, 2]", b'"text"', b"null"):
        response = await client.post("/api/messages", data=body, headers={"Content-Type": "application/json"})
        assert response.status == 400, body
        payload = await response.json()
        assert set(payload) == {"error"}
        assert "Traceback" not in json.dumps(payload)


async def test_activity_missing_required_fields_is_400(client, h):
    cases = {
        "type": lambda a: a.pop("type"),
        "channelId": lambda a: a.pop("channelId"),
        "conversation": lambda a: a.pop("conversation"),
        "conversation.id": lambda a: a["conversation"].pop("id"),
        "from": lambda a: a.pop("from"),
    }
    for name, breaks in cases.items():
        activity = h.activity("hello")
        breaks(activity)
        response = await h.post(client, activity)
        assert response.status == 400, name
        assert name.split(".")[0] in (await response.json())["error"]["message"]


async def test_service_url_is_needed_unless_replies_come_back_in_the_response(client, h):
    activity = h.activity("hello", expect_replies=False)
    del activity["serviceUrl"]
    response = await h.post(client, activity)
    assert response.status == 400
    assert "serviceUrl" in (await response.json())["error"]["message"]
    response = await h.post(client, h.activity("hello", expect_replies=False, service_url="ftp://x"))
    assert response.status == 400
    # With expectReplies nothing is sent to the service, so it may be absent.
    activity = h.activity("hello")
    del activity["serviceUrl"]
    assert (await h.post(client, activity)).status == 200


async def test_wrongly_typed_activity_is_400_not_500(client, h):
    for field, value in (("conversation", "not an object"), ("entities", {"a": 1}), ("timestamp", "yesterday")):
        activity = h.activity("hello")
        activity[field] = value
        response = await h.post(client, activity)
        assert response.status == 400, (field, response.status)


async def test_body_above_256_kb_is_413(client, h):
    activity = h.activity("x" * (MAX_BODY_BYTES + 10))
    response = await h.post(client, activity)
    assert response.status == 413
    assert (await response.json())["error"]["status"] == 413

    async def chunks():  # no Content-Length: the limit still holds while reading
        yield json.dumps(activity).encode()

    response = await client.post("/api/messages", data=chunks(), headers={"Content-Type": "application/json"})
    assert response.status == 413
    # Just under the limit is fine.
    small = h.activity("y" * (MAX_BODY_BYTES - 4096))
    assert len(json.dumps(small)) < MAX_BODY_BYTES
    assert (await h.post(client, small)).status == 200


async def test_configured_app_id_refuses_unsigned_and_badly_signed_requests(start_app, make_settings, h, caplog):
    client = await start_app(make_settings(APP_ID="c9e8c047-2a74-40a2-b28a-b162d5f5327c", APP_PASSWORD="secret"))
    response = await h.post(client, h.activity("hello"))
    assert response.status == 401
    assert (await response.json())["error"]["status"] == 401

    response = await h.post(client, h.activity("hello"), headers={"Authorization": "Bearer not-a-jwt"})
    assert response.status == 401

    # A well-formed token from an issuer the Bot Framework does not trust.
    forged = jwt.encode(
        {
            "iss": "https://evil.example.com",
            "aud": "c9e8c047-2a74-40a2-b28a-b162d5f5327c",
            "exp": int(time.time()) + 600,
            "serviceurl": "https://smba.trafficmanager.net/emea/",
        },
        "k" * 32,
        algorithm="HS256",
    )
    response = await h.post(client, h.activity("hello"), headers={"Authorization": f"Bearer {forged}"})
    assert response.status == 401
    response = await h.post(client, h.activity("hello"), headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert response.status == 401
    # Nothing reached the bot: no state was written for the refused conversation.
    assert not any(p.is_file() for p in (make_settings().state_dir).rglob("*.json"))


async def test_local_mode_accepts_requests_without_a_token(client, h):
    assert (await h.post(client, h.activity("hello"))).status == 200


async def test_answers_are_utf_8_json_with_the_headers_json_response_gives(client, h):
    """The answer is sent as bytes already encoded, orjson's (compact, non-ASCII as UTF-8, as
    the charset says): the headers ``json_response`` gives, a body of the same JSON value."""
    for text in ("hello", "combien de minutes reste-t-il ?"):
        response = await h.post(client, h.activity(text))
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/json; charset=utf-8"
        raw = await response.read()
        assert int(response.headers["Content-Length"]) == len(raw)
        assert raw == orjson.dumps(json.loads(raw)) and b"\\u" not in raw


def _read_activity_app() -> web.Application:
    """``read_activity`` alone behind real HTTP: what it parsed, as reprs (types, order, NaN)."""

    async def handler(request: web.Request) -> web.Response:
        activity = await read_activity(request)
        if isinstance(activity, web.Response):
            return activity
        seen = {"value": activity.value, "channelData": activity.channel_data, "text": activity.text}
        return web.json_response({key: repr(value) for key, value in seen.items()})

    app = web.Application()
    app.router.add_post("/api/messages", handler)
    return app


#: Values orjson alone would read otherwise, or refuses where json takes them.
ODD_VALUES = [
    b'{"n": 18446744073709551616, "m": -9223372036854775809, "big": ' + b"7" * 300 + b"}",
    b'{"n": 1e400, "m": NaN, "i": -Infinity, "j": Infinity}',
    b'{"s": "\\ud800", "t": "\xed\xb0\x80", "dup": 1, "x": 0, "dup": 2}',
    b'{"f": [0.1, 1E5, -0, -0.0, 5e-324, 1e-400, 123456789012345678.123456789012345678]}',
]


async def test_bodies_parse_to_the_values_json_loads_gives(h):
    """Big ints stay ints, NaN/1e400 and lone surrogates are taken as json takes them, a BOM
    and UTF-16 are read as json reads them: what the turn gets is json.loads's value."""
    template = json.dumps(h.activity("hé", value="VALUE", channelData={"tenant": {"id": "t"}, "n": 10**20}))
    bodies = [template.replace('"VALUE"', odd.decode("utf-8", "surrogatepass")) for odd in ODD_VALUES]
    raws = [body.encode("utf-8", "surrogatepass") for body in bodies]
    raws += [codecs.BOM_UTF8 + raws[0], bodies[1].encode("utf-16"), bodies[3].encode("utf-32")]
    async with TestClient(TestServer(_read_activity_app())) as client:
        for raw in raws:
            response = await client.post("/api/messages", data=raw, headers={"Content-Type": "application/json"})
            assert response.status == 200, await response.text()
            parsed = json.loads(raw)
            expected = {"value": parsed["value"], "channelData": parsed["channelData"], "text": parsed["text"]}
            assert await response.json() == {key: repr(value) for key, value in expected.items()}


async def test_bodies_refused_are_refused_as_with_json_alone(client, h, monkeypatch):
    """Each 4xx (status and message) is what the stdlib parser alone gave: orjson's refusals go
    to json.loads, and nesting orjson parses but json could not is refused by depth alike."""
    good = json.dumps(h.activity("hello", tenant=None))
    assert '"channelData": {}' in good and '"hello"' in good
    bad_id = json.dumps(h.activity("hello", **{"from": {"id": "29:\ud800"}}))
    bodies = [
        bad_id.encode(),  # a lone surrogate, escaped: json takes it, the id check refuses it
        bad_id.encode("utf-8", "surrogatepass").replace(b"\\ud800", b"\xed\xa0\x80"),  # the same, raw
        good.replace('"hello"', '"h\xff"').encode("latin-1"),  # not UTF-8
        good.replace('"channelData": {}', '"channelData": ' + '{"a": ' * 999 + "1" + "}" * 999).encode(),
        b'{"a": ' * 1000 + b"1" + b"}" * 1000,  # past json's recursion limit, within orjson's
        b'{"a": ' * 1030 + b"1" + b"}" * 1030,  # past both
        b"[" * 5000 + b"]" * 5000,
        good.replace('"hello"', "1" * 4301).encode(),  # json: past the int digit limit
        b"[1e400]",
        b"NaN",
        b'{"a": [1,]}',
        codecs.BOM_UTF8 + b"[1]",
        b"",
    ]

    async def answers() -> list[tuple[int, str]]:
        found = []
        for raw in bodies:
            response = await client.post("/api/messages", data=raw, headers={"Content-Type": "application/json"})
            found.append((response.status, await response.text()))
        return found

    ours = await answers()
    monkeypatch.setattr(messages, "loads", json.loads)  # the stdlib alone, as before orjson
    assert ours == await answers()
    assert [status for status, _ in ours if status != 400] == [], ours


async def test_invoke_returns_its_invoke_response_with_body(client, h):
    # Action.Execute without a value: the SDK answers a 400 invoke response *with a body*,
    # the case the stock CloudAdapter.process turns into a 500.
    activity = h.activity(None, type="invoke", name="adaptiveCard/action", expect_replies=False)
    response = await h.post(client, activity)
    assert response.status == 400
    body = await response.json()
    assert body["statusCode"] == 400
    assert body["type"] == "application/vnd.microsoft.error"
    assert body["value"]["code"] == "BadRequest"


async def test_unknown_invoke_is_501_without_a_body(client, h):
    activity = h.activity(None, type="invoke", name="composeExtension/unknown", expect_replies=False)
    response = await h.post(client, activity)
    assert response.status == 501


async def test_non_message_activities_are_201(client, connector, h):
    activity = h.activity(None, type="typing", expect_replies=False, service_url=connector.url)
    response = await h.post(client, activity)
    assert response.status == 201
    assert connector.posts == []


async def test_replies_the_connector_refuses_are_a_502_without_a_traceback(client, h, caplog):
    # The connector refuses every reply: the serviceUrl is at fault, not the bot. No apology is
    # tried (it would fail the same way) and the dialog state was not saved: the user can retry.
    fake = await h.FakeConnector(status=404).start()
    try:
        caplog.set_level(logging.INFO)
        activity = h.activity("hello", expect_replies=False, service_url=fake.url)
        response = await h.post(client, activity)
        assert response.status == 502
        body = await response.json()
        assert body == {"error": {"status": 502, "message": "the replies could not be delivered to serviceUrl"}}
        assert len(fake.posts) == 1
        # Logged with the activity id, as one line: no traceback, nothing of the request echoed.
        assert any(activity["id"] in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)
        assert not any(r.exc_info for r in caplog.records)
    finally:
        await fake.close()


async def test_get_on_messages_is_405(client):
    response = await client.get("/api/messages")
    assert response.status == 405


@given(
    st.text(
        alphabet=st.one_of(st.characters(), st.sampled_from(["\ud800", "\udfff", "\x00", "\u2028", "\x7f"])),
        max_size=12,
    )
)
def test_unsafe_ids_are_exactly_those_with_unprintable_characters_or_surrogates(value):
    """The C-speed check refuses exactly what a per-character rule refuses."""
    from bot.messages import _unsafe_id

    per_character = not all(c.isprintable() and not 0xD800 <= ord(c) <= 0xDFFF for c in value)
    assert _unsafe_id(value) == per_character


async def test_a_body_read_whole_or_in_pieces_or_compressed_gives_the_same_answer(client, h):
    """The body is taken from the stream's buffer when it came whole with the headers, else
    read as it arrives, and a gzip body is inflated by aiohttp either way: the same answer."""
    activity = h.activity("help")
    raw = json.dumps(activity).encode()
    plain = await (await h.post(client, activity)).json()

    async def pieces():
        for start in range(0, len(raw), 100):
            yield raw[start : start + 100]

    headers = {"Content-Type": "application/json"}
    split = await client.post("/api/messages", data=pieces(), headers=headers)
    packed = await client.post(
        "/api/messages", data=gzip.compress(raw), headers={**headers, "Content-Encoding": "gzip"}
    )
    assert split.status == packed.status == 200
    assert await split.json() == await packed.json() == plain
    assert plain["activities"]
