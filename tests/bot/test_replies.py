"""The ``expectReplies`` answer built by ``bot/replies.py``: the same body as the SDK's
``ExpectedReplies(...).serialize()`` (traces left out but for the Emulator), on made-up
activities and on the real replies of real turns through ``create_app``."""

from __future__ import annotations

import json
from datetime import datetime
from functools import partial
from typing import Any

import orjson
import pytest
from botbuilder.core import TurnContext
from botbuilder.core.cloud_adapter_base import CloudAdapterBase
from botbuilder.schema import Activity, ActivityTypes, Attachment, ExpectedReplies

from bench.loadgen import next_answer
from bot.activity_json import dump_activity as serialize_activity
from bot.activity_json import is_plain_json
from bot.app import ADAPTER_KEY
from bot.replies import expected_replies_body
from dialogs.api import shared_card_json

ADAPTIVE = "application/vnd.microsoft.card.adaptive"


def card(content: Any) -> Activity:
    return Activity(
        type="message",
        text="summary",
        reply_to_id="in-1",
        attachments=[Attachment(content_type=ADAPTIVE, content=content, name="c")],
    )


def sdk_body(replies: list[Activity]) -> dict[str, Any]:
    return ExpectedReplies(activities=replies).serialize()


def test_a_plain_card_is_put_in_as_it_is_and_the_body_is_the_sdks():
    content = {"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": "é", "wrap": True, "n": 1.5}]}
    out = serialize_activity(card(content))
    assert out["attachments"][0]["content"] is content  # not walked, not copied
    assert json.dumps(out) == json.dumps(card(content).serialize())  # same keys, same order


@pytest.mark.parametrize(
    "content",
    [
        {"when": datetime(2026, 12, 1, 10, 0)},  # msrest writes a date its own way
        {"pair": (1, 2)},
        {1: "int key"},
        "a string content",
        None,
    ],
)
def test_content_that_is_not_plain_json_is_left_to_msrest(content):
    assert serialize_activity(card(content)) == card(content).serialize()


def test_the_plain_json_check():
    assert is_plain_json({"a": [1, 2.0, True, None, "x", {"b": []}]})
    assert not is_plain_json({"a": [(1,)]})
    assert not is_plain_json({"a": {2: "x"}})
    assert not is_plain_json({"a": b"bytes"})


def test_traces_only_for_the_emulator():
    trace = Activity.create_trace_activity("BotState", value={"x": 1}, label="Bot State")
    text = Activity(type="message", text="hi")
    assert expected_replies_body([text, trace], "msteams") == sdk_body([text])
    assert expected_replies_body([text, trace], "emulator") == sdk_body([text, trace])


async def test_real_turns_answer_what_the_sdk_would(demo_bot, h):
    """Every reply of real turns (a pool table, the help card, a purchase walked by clicks, a
    number check) compared with the SDK's own serialization of the same replies."""
    adapter = demo_bot.server.app[ADAPTER_KEY]
    compared: list[int] = []
    ours = adapter._process_turn_results

    def both(context: TurnContext) -> Any:
        answer = ours(context)
        sdk = CloudAdapterBase._process_turn_results(adapter, context)
        expected = {"activities": [a for a in sdk.body["activities"] if a.get("type") != ActivityTypes.trace]}
        assert answer.status == sdk.status
        assert json.dumps(answer.body) == json.dumps(expected)
        compared.append(len(expected["activities"]))
        return answer

    adapter._process_turn_results = both  # this app's adapter only
    for text in ("pool balance", "help", "can alice.martin@contoso.com call 01 23 45 67 89?"):
        assert await h.replies(demo_bot, h.activity(text))
    activity = h.activity("which calling plan should we buy?")
    for _ in range(8):  # answer each question as a person does (click the first button)
        answer = next_answer(await h.replies(demo_bot, activity))
        if answer is None:
            break
        activity = h.activity(answer.get("text"), value=answer.get("value"))
    assert len(compared) >= 7, compared


async def test_shared_cards_are_spliced_into_the_answer_as_orjson_would_encode_them(demo_bot, h):
    """A pool table asked twice is the same shared card (the store unchanged): the second answer
    splices its JSON text, encoded once, and the bytes on the wire are exactly orjson's encoding
    of the whole body (UTF-8, as the Content-Type says); so are the help card's and a number
    check's (no shared card)."""

    bodies = []
    for text in ("pool balance", "pool balance", "help", "can alice.martin@contoso.com call 01 23 45 67 89?"):
        response = await h.post(demo_bot, h.activity(text))
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/json; charset=utf-8"
        raw = await response.read()
        body = json.loads(raw)
        assert raw == orjson.dumps(body)  # byte for byte what orjson gives for the whole body
        bodies.append(body)
    from dialogs import cards

    pool_card = bodies[0]["activities"][-1]["attachments"][0]["content"]
    assert pool_card == bodies[1]["activities"][-1]["attachments"][0]["content"]
    assert pool_card["type"] == "AdaptiveCard" and len(orjson.dumps(pool_card)) > 5_000
    # The host asked for the shared card's text (that is what it splices), and it is the card's.
    assert orjson.dumps(pool_card) in {text for _, text in cards._SHARED_JSON.values()}
    assert shared_card_json(json.loads(json.dumps(pool_card))) is None  # only the very object is shared


def same_value_as_json_dumps(encoded: bytes, value: Any) -> bool:
    """``encoded`` parses to what ``json.dumps(value)`` parses to (repr: types, order, NaN)."""
    return repr(json.loads(encoded)) == repr(json.loads(json.dumps(value)))


def test_encode_json_splices_only_shared_cards_and_falls_back_on_a_marker_in_the_text():
    from bot import replies
    from dialogs.api import CardReply
    from dialogs.cards import shared_card

    shared = shared_card(
        ("test-splice",),
        (),
        lambda: CardReply(attachment=Attachment(content={"type": "AdaptiveCard", "n": 1, "t": "é"}), text="s"),
    )
    plain = {"type": "AdaptiveCard", "n": 2}
    body = {
        "activities": [
            {"type": "message", "attachments": [{"contentType": ADAPTIVE, "content": shared.card, "name": "c"}]},
            {"type": "message", "attachments": [{"contentType": ADAPTIVE, "content": plain}], "text": "é"},
            {"type": "typing"},
        ]
    }
    assert replies.encode_json(body) == orjson.dumps(body) and same_value_as_json_dumps(replies.encode_json(body), body)
    assert replies.encode_json({"error": 1}) == orjson.dumps({"error": 1})
    # A text that holds the marker itself (it cannot: the marker is random per process): the
    # body is encoded whole, never spliced at the wrong place.
    forged = {"activities": [*body["activities"], {"type": "message", "text": f"{replies._MARKER}0"}]}
    assert replies.encode_json(forged) == orjson.dumps(forged)
    # What orjson would write otherwise (a NaN, an int past 64 bits, a non-string key) is encoded
    # by json.dumps around the spliced card: the value json.dumps gave, the card's text spliced.
    for odd in (float("nan"), 2**64, {1: "a"}, None):
        mixed = {"activities": [*body["activities"], {"type": "event", "value": odd}]}
        encoded = replies.encode_json(mixed)
        assert same_value_as_json_dumps(encoded, mixed), odd
        card_text = shared_card_json(shared.card)
        assert card_text is not None and card_text in encoded  # spliced, not encoded again
        assert encoded.count(b"\\u00e9") == 1  # the plain text's escaped "é" (json), the card's is UTF-8


def test_a_reply_posted_alone_splices_its_shared_cards_and_falls_back_on_a_marker():
    """``encode_reply``, the body of one reply posted to the Bot Connector: the same splice."""
    from bot import replies
    from dialogs.api import CardReply
    from dialogs.cards import shared_card

    def build(n: int) -> CardReply:
        return CardReply(attachment=Attachment(content={"type": "AdaptiveCard", "n": n}), text="s")

    shared = [shared_card(("test-reply-splice", n), (), partial(build, n)) for n in range(2)]
    activity = {
        "type": "message",
        "attachments": [
            {"contentType": ADAPTIVE, "content": shared[0].card},
            {"contentType": ADAPTIVE, "content": {"type": "AdaptiveCard", "n": "é"}},
            {"contentType": ADAPTIVE, "content": shared[1].card, "name": "c"},
        ],
    }
    assert replies.encode_reply(activity) == orjson.dumps(activity)
    assert same_value_as_json_dumps(replies.encode_reply(activity), activity)
    assert replies.encode_reply({"type": "typing"}) == orjson.dumps({"type": "typing"})
    for text in (f"{replies._MARKER}0", f"{replies._MARKER}1 and {replies._MARKER}0"):
        forged = {**activity, "text": text}
        assert replies.encode_reply(forged) == orjson.dumps(forged)
    mixed = {**activity, "value": {"n": float("inf"), 1: 2**70}}
    assert same_value_as_json_dumps(replies.encode_reply(mixed), mixed)


def test_a_shared_card_is_not_walked_and_any_other_card_is(monkeypatch):
    """The plain-JSON check of ``dump_activity``: skipped for a shared card (built by the dialogs,
    never changed), kept for any other content, which msrest serializes if it is not plain."""
    from bot import activity_json, replies
    from dialogs.api import CardReply
    from dialogs.cards import shared_card

    walked: list[Any] = []
    real = activity_json.is_plain_json

    def spy(value: Any) -> bool:
        walked.append(value)
        return real(value)

    monkeypatch.setattr(activity_json, "is_plain_json", spy)
    shared = shared_card(
        ("test-not-walked",),
        (),
        lambda: CardReply(attachment=Attachment(content={"type": "AdaptiveCard", "n": 1}), text="s"),
    )
    assert replies.dump_reply(card(shared.card)) == card(shared.card).serialize()
    assert not any(value is shared.card for value in walked)
    plain = {"type": "AdaptiveCard", "n": 2}
    assert replies.dump_reply(card(plain)) == card(plain).serialize()
    assert any(value is plain for value in walked)
    odd = {"type": "AdaptiveCard", "when": datetime(2026, 12, 1, 10, 0)}
    assert replies.dump_reply(card(odd)) == card(odd).serialize()  # not plain: msrest's
