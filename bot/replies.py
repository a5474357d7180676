"""The ``expectReplies`` answer of a turn, serialized once and without walking its cards.

Why: ``CloudAdapterBase._process_turn_results`` (botbuilder-core 4.17.1) answers an
``expectReplies`` turn with ``ExpectedReplies(activities=...).serialize()``: msrest walks every
node of every Adaptive Card through its generic serializer, only for ``/api/messages`` to encode
the result as JSON again. A card is already plain JSON (``dialogs.cards`` builds it from
dicts, lists, strings, numbers and booleans), so its content goes into the answer as it is and
is encoded once, by ``json_response``; only the activity around it (ids, conversation, from,
recipient...) goes through msrest. A card content that is not plain JSON (a date, a tuple, a
model) is left to msrest, so the answer is the same as the SDK's in every case
(``tests/bot/test_replies.py`` compares them).

Traces are left out unless the channel is the Emulator: the SDK's normal delivery drops them
for every other channel (``run_dialog`` adds a "Bot State" snapshot to every turn), and
``/api/messages`` dropped them from ``expectReplies`` answers already, after serializing them.
"""

from __future__ import annotations

import copy
from typing import Any

from botbuilder.schema import Activity, ActivityTypes, Attachment
from botframework.connector import Channels

_JSON_SCALARS = (str, int, float, bool)


def is_plain_json(value: Any) -> bool:
    """True if ``value`` holds only what msrest's ``object`` serializer returns unchanged:
    dicts with str keys, lists, str, int, float, bool and None (no subclasses). Iterative."""
    stack = [value]
    while stack:
        node = stack.pop()
        kind = type(node)
        if node is None or kind in _JSON_SCALARS:
            continue
        if kind is dict:
            for key, item in node.items():
                if type(key) is not str:
                    return False
                stack.append(item)
        elif kind is list:
            stack.extend(node)
        else:
            return False
    return True


def _plain_card(attachment: Any) -> bool:
    return type(attachment) is Attachment and type(attachment.content) is dict and is_plain_json(attachment.content)


def serialize_activity(activity: Activity) -> dict[str, Any]:
    """``activity.serialize()``, with plain-JSON attachment contents put in as they are
    (the same objects, not copies: the answer is encoded right away and nothing changes a
    sent card)."""
    attachments = activity.attachments
    if not attachments or not all(_plain_card(a) for a in attachments):
        return activity.serialize()
    shallow = copy.copy(activity)
    shallow.attachments = [_without_content(a) for a in attachments]
    out = shallow.serialize()
    out["attachments"] = [
        _with_content(serialized, original.content)
        for serialized, original in zip(out["attachments"], attachments, strict=True)
    ]
    return out


def _without_content(attachment: Attachment) -> Attachment:
    empty = copy.copy(attachment)
    empty.content = None
    return empty


def _with_content(serialized: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
    """The attachment's keys in msrest's order (``contentType``, ``contentUrl``, ``content``...)."""
    out: dict[str, Any] = {}
    for attr, desc in Attachment._attribute_map.items():
        key = desc["key"]
        if attr == "content":
            out[key] = content
        elif key in serialized:
            out[key] = serialized[key]
    for key, value in serialized.items():  # anything msrest adds that the map does not name
        out.setdefault(key, value)
    return out


def expected_replies_body(replies: list[Activity], channel_id: str | None) -> dict[str, Any]:
    """The body of an ``expectReplies`` answer: ``{"activities": [...]}``, traces only for the
    Emulator."""
    if channel_id != Channels.emulator:
        replies = [a for a in replies if a.type != ActivityTypes.trace]
    return {"activities": [serialize_activity(a) for a in replies]}
