"""A Teams conversation with the bot over HTTP, for the conversation tests of tests/bot."""

from __future__ import annotations

from typing import Any

from testkit.cards import shown_once, submits

ADAPTIVE = "application/vnd.microsoft.card.adaptive"


class Chat:
    """One Teams conversation with the bot over HTTP."""

    def __init__(self, client, h, conversation_id: str = "a:conversation-http") -> None:
        self.client, self.h, self.conversation_id = client, h, conversation_id

    async def say(self, text: str | None, **extra: Any) -> list[dict]:
        replies = await self.h.replies(
            self.client, self.h.activity(text, conversation_id=self.conversation_id, **extra)
        )
        assert replies, f"no reply to {text!r}"
        for reply in replies:
            # What the reply says, once: a card reply has no text beside the card (shown_once
            # checks it); "said" is its text, or its summary when it is a card.
            reply["said"] = shown_once(reply)
            assert reply["said"] and reply["said"].strip()
            for attachment in reply.get("attachments", []):
                assert attachment["contentType"] == ADAPTIVE  # never a Hero card on msteams
        return replies

    async def click(self, value: Any) -> list[dict]:
        """An Action.Submit click: value only, locale en-US (what the Agents Playground sends)."""
        return await self.say(None, value={"value": value}) if value is not None else []


def buttons(reply: dict) -> list[Any]:
    """What each button of the reply's cards sends: its value, or its intent."""
    return [
        data.get("value", data.get("intent"))
        for attachment in reply.get("attachments", [])
        for data in submits(attachment["content"])
    ]
