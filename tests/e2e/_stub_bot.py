"""A throwaway Teams bot that proves the e2e harness before the real bot exists.

Why it exists: the harness (processes, playground, browser, page helpers) must be known to
work on its own, so that when a real scenario fails we know it is the bot, not the harness.
It stays as the harness's self-test once the real bot lands.

Plain aiohttp, no botbuilder: it answers the way a Bot Framework bot does on the wire
(replies are POSTed to ``{serviceUrl}/v3/conversations/{id}/activities/{replyToId}``),
and it appends every incoming activity, verbatim, to ``$ACTIVITY_LOG`` (JSON lines) so
tests can assert on what the playground really sends.

Behaviour:
- ``conversationUpdate`` adding someone other than the bot: a welcome Adaptive Card with
  an ``Input.Text`` ("Your name") and two ``Action.Submit`` buttons ("Say hello",
  "Show a hero card").
- a ``message`` with text: "Echo: <text>" plus a card with "Pick red" / "Pick blue".
  The text "hero" answers with a Hero card instead (to see how it renders).
- a ``message`` with ``value`` (a card submit): "Submitted: <value as sorted JSON>".

Run: ``PORT=3978 ACTIVITY_LOG=/tmp/a.jsonl python tests/e2e/_stub_bot.py``
"""

from __future__ import annotations

import json
import os
import uuid
from typing import Any

from aiohttp import ClientSession, ClientTimeout, web

ADAPTIVE = "application/vnd.microsoft.card.adaptive"
HERO = "application/vnd.microsoft.card.hero"


def adaptive_card(
    title: str, body: str, buttons: list[tuple[str, dict[str, Any]]], inputs: tuple[tuple[str, str], ...] = ()
) -> dict:
    """An Adaptive Card 1.5 attachment with Input.Text fields (id, label) and
    Action.Submit buttons (title, data)."""
    return {
        "contentType": ADAPTIVE,
        "content": {
            "type": "AdaptiveCard",
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "version": "1.5",
            "body": [
                {"type": "TextBlock", "text": title, "weight": "Bolder", "size": "Medium", "wrap": True},
                {"type": "TextBlock", "text": body, "wrap": True},
                *({"type": "Input.Text", "id": i, "label": label} for i, label in inputs),
            ],
            "actions": [{"type": "Action.Submit", "title": t, "data": data} for t, data in buttons],
        },
    }


def hero_card(title: str, buttons: list[str]) -> dict:
    """A Hero card with imBack buttons: what botbuilder's prompts send on msteams."""
    return {
        "contentType": HERO,
        "content": {
            "title": title,
            "buttons": [{"type": "imBack", "title": b, "value": b} for b in buttons],
        },
    }


def replies_for(activity: dict) -> list[dict]:
    """The stub's whole behaviour: activity in, reply activities (partial) out."""
    kind = activity.get("type")
    if kind == "conversationUpdate":
        bot_id = (activity.get("recipient") or {}).get("id")
        added = [m for m in activity.get("membersAdded") or [] if m.get("id") != bot_id]
        if not added:
            return []
        card = adaptive_card(
            "Welcome to the stub bot",
            "This card proves the harness: type anything, or press a button.",
            [("Say hello", {"action": "hello"}), ("Show a hero card", {"action": "hero"})],
            inputs=(("name", "Your name"),),
        )
        return [{"type": "message", "attachments": [card]}]
    if kind != "message":
        return []
    value = activity.get("value")
    if value is not None:
        if isinstance(value, dict) and value.get("action") == "hero":
            return [{"type": "message", "attachments": [hero_card("A hero card", ["Yes", "No"])]}]
        return [{"type": "message", "text": "Submitted: " + json.dumps(value, sort_keys=True)}]
    text = (activity.get("text") or "").strip()
    if text.lower() == "hero":
        return [{"type": "message", "attachments": [hero_card("A hero card", ["Yes", "No"])]}]
    card = adaptive_card(
        f"You said {text}",
        "Pick a colour.",
        [("Pick red", {"colour": "red"}), ("Pick blue", {"colour": "blue"})],
    )
    return [
        {"type": "message", "text": f"Echo: {text}"},
        {"type": "message", "attachments": [card]},
    ]


def _addressed(reply: dict, incoming: dict) -> dict:
    """Fill in the routing fields a connector needs, mirrored from the incoming activity."""
    return {
        **reply,
        "id": str(uuid.uuid4()),
        "channelId": incoming.get("channelId"),
        "serviceUrl": incoming.get("serviceUrl"),
        "conversation": incoming.get("conversation"),
        "from": incoming.get("recipient"),
        "recipient": incoming.get("from"),
        "replyToId": incoming.get("id"),
        "locale": incoming.get("locale"),
    }


async def messages(request: web.Request) -> web.Response:
    try:
        activity = await request.json()
    except ValueError:
        return web.json_response({"error": "body must be JSON"}, status=415)
    log_path = request.app["activity_log"]
    if log_path:
        with open(log_path, "a", encoding="utf-8") as log:
            log.write(json.dumps({"headers": dict(request.headers), "activity": activity}) + "\n")
    service = (activity.get("serviceUrl") or "").rstrip("/")
    conversation = (activity.get("conversation") or {}).get("id", "")
    session: ClientSession = request.app["client"]
    for reply in replies_for(activity):
        url = f"{service}/v3/conversations/{conversation}/activities/{activity.get('id', '')}"
        async with session.post(url, json=_addressed(reply, activity)) as response:
            response.raise_for_status()
    return web.Response(status=200)


async def _client(app: web.Application):
    app["client"] = ClientSession(timeout=ClientTimeout(total=10))
    yield
    await app["client"].close()


def make_app(activity_log: str | None) -> web.Application:
    app = web.Application()
    app["activity_log"] = activity_log
    app.cleanup_ctx.append(_client)
    app.router.add_post("/api/messages", messages)
    return app


if __name__ == "__main__":
    web.run_app(
        make_app(os.environ.get("ACTIVITY_LOG")),
        host="127.0.0.1",
        port=int(os.environ.get("PORT", "3978")),
        print=lambda *a: print(*a, flush=True),
    )
