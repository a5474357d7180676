"""The ``expectReplies`` answer of a turn, serialized once and without walking its cards.

Why: ``CloudAdapterBase._process_turn_results`` (botbuilder-core 4.17.1) answers an
``expectReplies`` turn with ``ExpectedReplies(activities=...).serialize()``: msrest walks every
node of every Adaptive Card through its generic serializer, only for ``/api/messages`` to encode
the result as JSON again. Here each reply goes through :func:`bot.activity_json.dump_activity`:
a card is already plain JSON (``dialogs.cards`` builds it from dicts, lists, strings, numbers
and booleans), so its content goes into the answer as it is and is encoded once, by
``json_response``. Anything that is not plain JSON is msrest's, so the answer is the SDK's
(``tests/bot/test_replies.py`` compares them on real turns).

Traces are left out unless the channel is the Emulator: the SDK's normal delivery drops them
for every other channel (``run_dialog`` adds a "Bot State" snapshot to every turn), and
``/api/messages`` dropped them from ``expectReplies`` answers already, after serializing them.
"""

from __future__ import annotations

from typing import Any

from botbuilder.schema import Activity, ActivityTypes
from botframework.connector import Channels

from bot.activity_json import dump_activity


def expected_replies_body(replies: list[Activity], channel_id: str | None) -> dict[str, Any]:
    """The body of an ``expectReplies`` answer: ``{"activities": [...]}``, traces only for the
    Emulator."""
    if channel_id != Channels.emulator:
        replies = [a for a in replies if a.type != ActivityTypes.trace]
    return {"activities": [dump_activity(a) for a in replies]}
