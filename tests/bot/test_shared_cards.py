"""Replies whose cards the SDK does not deep-copy (``bot/shared_cards.py``): the card sent is
the card built (no copy), what is sent holds only the SDK's own types, the caller's activity is
never changed, and the adapter's turn contexts are built this way with the SDK's turn state."""

from __future__ import annotations

import copy
import pickle
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import (
    Activity,
    Attachment,
    CardAction,
    ChannelAccount,
    ConversationAccount,
    DeliveryModes,
    Entity,
    SuggestedActions,
)

from bot.adapter import CallingPlanAdapter
from bot.shared_cards import CardSharingTurnContext, sharing_cards

ADAPTIVE = "application/vnd.microsoft.card.adaptive"


def incoming() -> Activity:
    return Activity(
        type="message",
        id="in-1",
        text="hi",
        channel_id="msteams",
        service_url="https://example.invalid/",
        conversation=ConversationAccount(id="conv"),
        from_property=ChannelAccount(id="user"),
        recipient=ChannelAccount(id="bot"),
        delivery_mode=DeliveryModes.expect_replies,
    )


def card_reply() -> Activity:
    card = {
        "type": "AdaptiveCard",
        "body": [{"type": "TextBlock", "text": f"row {i}"} for i in range(20)],
        "actions": [{"type": "Action.Submit", "data": {"value": "E3"}}],
    }
    return Activity(
        type="message",
        text="Which licence?",
        id="keep-me",
        attachments=[Attachment(content_type=ADAPTIVE, content=card, name="pools")],
    )


async def test_the_card_sent_is_the_card_built_and_the_callers_activity_is_untouched():
    prompt = card_reply()
    attachments, card = prompt.attachments, prompt.attachments[0].content
    before = pickle.dumps(prompt)
    context = CardSharingTurnContext(object(), incoming())  # expectReplies: buffered, no adapter call
    await context.send_activity(prompt)
    assert pickle.dumps(prompt) == before and prompt.attachments is attachments
    sent = context.buffered_reply_activities[0]
    assert sent is not prompt and sent.conversation.id == "conv" and sent.id is None  # stamped copy
    assert type(sent.attachments[0]) is Attachment  # only the SDK's own types go out
    assert sent.attachments[0] is not attachments[0]
    assert sent.attachments[0].content is card  # not copied
    assert sent.attachments[0].name == "pools" and sent.attachments[0].content_type == ADAPTIVE
    assert sent.serialize()["attachments"] == prompt.serialize()["attachments"]


async def test_the_sdks_own_turn_context_copies_the_card():
    """What the class avoids: the stock TurnContext sends a deep copy of the card."""
    prompt = card_reply()
    context = TurnContext(object(), incoming())
    await context.send_activity(prompt)
    sent = context.buffered_reply_activities[0]
    assert sent.attachments[0].content == prompt.attachments[0].content
    assert sent.attachments[0].content is not prompt.attachments[0].content


def test_activities_with_odd_attachments_or_of_another_class_are_left_to_the_sdk():
    assert sharing_cards("plain text") == "plain text"

    class OwnActivity(Activity):
        pass

    own = OwnActivity(type="message", text="hello")
    assert sharing_cards(own) is own

    class Custom(Attachment):
        pass

    odd = Activity(type="message", attachments=[Custom(content_type=ADAPTIVE, content={})])
    assert sharing_cards(odd) is odd


def test_the_adapter_builds_card_sharing_turn_contexts_with_the_sdks_turn_state():
    adapter = CallingPlanAdapter.__new__(CallingPlanAdapter)
    identity, connector, token, logic, factory = object(), object(), object(), object(), object()
    context = adapter._create_turn_context(incoming(), identity, "scope", connector, token, logic, factory)
    assert isinstance(context, CardSharingTurnContext)
    assert context.adapter is adapter and context.activity.id == "in-1"
    assert context.turn_state[adapter.BOT_IDENTITY_KEY] is identity
    assert context.turn_state[adapter.BOT_CONNECTOR_CLIENT_KEY] is connector
    assert context.turn_state[adapter.USER_TOKEN_CLIENT_KEY] is token
    assert context.turn_state[adapter.BOT_CALLBACK_HANDLER_KEY] is logic
    assert context.turn_state[adapter.CONNECTOR_FACTORY_KEY] is factory
    assert context.turn_state[adapter.BOT_OAUTH_SCOPE_KEY] == "scope"
    # The SDK's context itself becomes one (its class, not a copy): the subclass keeps no state.
    plain = TurnContext(adapter, incoming())
    assert set(vars(CardSharingTurnContext)) <= {"__module__", "__doc__", "send_activities", "_emit"}
    assert set(vars(context)) == set(vars(plain))


async def test_traces_are_dropped_outside_the_emulator_and_kept_for_it():
    """The "Bot State" trace run_dialog sends every turn reaches no channel but the Emulator:
    it is not copied or buffered elsewhere; each send still gets its response, in order."""
    trace = Activity.create_trace_activity("BotState", value={"big": list(range(50))}, label="Bot State")
    text = Activity(type="message", text="hi")
    teams = CardSharingTurnContext(object(), incoming())
    responses = await teams.send_activities([trace, text, trace])
    assert len(responses) == 3 and all(r is not None for r in responses)
    assert [a.type for a in teams.buffered_reply_activities] == ["message"]
    assert await teams.send_activity(trace) is not None
    emulator_activity = incoming()
    emulator_activity.channel_id = "emulator"
    emulator = CardSharingTurnContext(object(), emulator_activity)
    await emulator.send_activities([trace, text])
    assert [a.type for a in emulator.buffered_reply_activities] == ["trace", "message"]


def replies() -> list[Activity]:
    """Replies as the dialogs build them, and odder ones: every kind of field a reply holds."""
    mention = Entity(type="mention")
    mention.additional_properties = {"mentioned": {"id": "user", "name": "Alice"}, "text": "<at>Alice</at>"}
    shared_account = ChannelAccount(id="same", name="twice")
    client_info = Entity(type="clientInfo")
    shared_empty: dict[str, Any] = {}  # an empty dict held twice
    client_info.additional_properties = shared_empty
    odd = Activity(
        type="message",
        text="pick one",
        locale="fr-FR",
        speak=None,
        suggested_actions=SuggestedActions(
            to=["user", "other"],
            actions=[CardAction(type="imBack", title="Oui", value="oui"), CardAction(type="imBack", value=3)],
        ),
        entities=[mention, client_info, Entity(type="clientInfo")],
        channel_data={"notification": {"alert": True}, "list": [1, 2.5, None]},
        value={"nested": [{"a": "b"}]},
        from_property=shared_account,
        recipient=shared_account,  # the same object twice: the copy keeps one object twice
    )
    odd.additional_properties = {"extra": ["x"]}
    odd.conversation = ConversationAccount(id="conv")
    odd.conversation.additional_properties = shared_empty
    return [Activity(type="message", text="hello"), card_reply(), odd, Activity(text="no type")]


def _objects(value: Any, found: dict[int, Any]) -> dict[int, Any]:
    """Every mutable object reachable from ``value`` (models, lists, dicts), by id."""
    if isinstance(value, (list, dict)) or hasattr(value, "__dict__"):
        if id(value) in found:
            return found
        found[id(value)] = value
        items = (
            value if isinstance(value, list) else value.values() if isinstance(value, dict) else vars(value).values()
        )
        for item in items:
            _objects(item, found)
    return found


def _shape(value: Any) -> Any:
    """The value's full structure with its exact types, to compare two copies."""
    if isinstance(value, list):
        return ("list", [_shape(item) for item in value])
    if isinstance(value, dict):
        return (type(value), {key: _shape(item) for key, item in value.items()})
    if hasattr(value, "__dict__"):
        return (type(value), {key: _shape(item) for key, item in vars(value).items()})
    return (type(value), value)


def test_a_reply_copies_as_the_sdks_deepcopy_does():
    """What the SDK sends is ``deepcopy(sharing_cards(reply))``: the same structure, with the
    same exact types, as ``deepcopy(reply)``; it shares no mutable object with the reply but a
    card's content; objects held twice are copied once and held twice."""
    for reply in replies():
        before = pickle.dumps(reply)
        ours, sdks = copy.deepcopy(sharing_cards(reply)), copy.deepcopy(reply)
        assert type(ours) is Activity
        assert _shape(ours) == _shape(sdks)
        assert pickle.dumps(reply) == before
        cards: dict[int, Any] = {}
        for attachment in reply.attachments or []:
            _objects(attachment.content, cards)
        originals = _objects(reply, {})
        shared = set(_objects(ours, {})) & set(originals)
        assert [originals[i] for i in shared - set(cards)] == []
        if reply.from_property is not None and reply.from_property is reply.recipient:
            assert ours.from_property is ours.recipient and ours.from_property is not reply.from_property
        if (
            reply.conversation is not None
            and reply.conversation.additional_properties is reply.entities[1].additional_properties
        ):
            # An empty dict held twice (copied without deepcopy's dispatch) is one copy held twice.
            copied = ours.conversation.additional_properties
            assert (
                copied is ours.entities[1].additional_properties
                and copied is not reply.conversation.additional_properties
            )


async def test_changing_what_was_sent_never_changes_the_reply():
    reply = replies()[2]
    before = pickle.dumps(reply)
    context = CardSharingTurnContext(object(), incoming())
    await context.send_activity(reply)
    sent = context.buffered_reply_activities[0]
    sent.suggested_actions.actions[0].title = "changed"
    sent.entities[0].additional_properties["text"] = "changed"
    sent.channel_data["notification"]["alert"] = False
    sent.additional_properties["extra"].append("y")
    assert pickle.dumps(reply) == before
    assert sent.conversation.id == "conv" and sent.recipient.id == "user" and sent.id is None
