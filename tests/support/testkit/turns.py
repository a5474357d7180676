"""A bare SDK turn context for tests that drive state or memory without the HTTP app."""

from __future__ import annotations

from botbuilder.core import TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount, ConversationAccount


def message_context(text: str = "pool balance", conversation_id: str = "c1", user_id: str = "u1") -> TurnContext:
    """A message turn on a test adapter: one conversation and one user, so the conversation and
    user state scopes each have a key."""
    activity = Activity(
        type=ActivityTypes.message,
        text=text,
        channel_id="test",
        conversation=ConversationAccount(id=conversation_id),
        from_property=ChannelAccount(id=user_id),
        recipient=ChannelAccount(id="bot"),
    )
    return TurnContext(TestAdapter(), activity)
