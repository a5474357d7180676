"""Replies whose cards the SDK does not deep-copy (``bot/shared_cards.py``): the card sent is
the card built (no copy), what is sent holds only the SDK's own types, the caller's activity is
never changed, and the adapter's turn contexts are built this way with the SDK's turn state."""

from __future__ import annotations

import pickle

from botbuilder.core import TurnContext
from botbuilder.schema import (
    Activity,
    Attachment,
    ChannelAccount,
    ConversationAccount,
    DeliveryModes,
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


def test_activities_without_plain_attachments_are_left_to_the_sdk():
    text = Activity(type="message", text="hello")
    assert sharing_cards(text) is text
    assert sharing_cards("plain text") == "plain text"

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
