"""A turn's replies as JSON, serialized once and without walking or re-encoding shared cards:
the ``expectReplies`` answer, and each reply posted to the Bot Connector (:mod:`bot.connector`).

Why: ``CloudAdapterBase._process_turn_results`` (botbuilder-core 4.17.1) answers an
``expectReplies`` turn with ``ExpectedReplies(activities=...).serialize()``: msrest walks every
node of every Adaptive Card through its generic serializer, only for ``/api/messages`` to encode
the result as JSON again. Here each reply goes through :func:`bot.activity_json.dump_activity`:
a card is already plain JSON (``dialogs.cards`` builds it from dicts, lists, strings, numbers
and booleans), so its content goes into the answer as it is and is encoded once. Anything
that is not plain JSON is msrest's, so the answer is the SDK's (``tests/bot/test_replies.py``
compares them on real turns).

A card the dialogs built once and share between turns (a pool table while the store is
unchanged, the menus: :func:`dialogs.api.shared_card_json`) is neither walked (:func:`dump_reply`:
it is known plain JSON) nor encoded again: its JSON text, encoded once, is spliced into the
text in its place (:func:`encode_json` for an ``expectReplies`` answer, :func:`encode_reply`
for one reply posted to the Bot Connector).

Encoding is :func:`knowledge.wirejson.dumps` (orjson: a number check's answer in ~6 us,
``json.dumps`` took ~28 us; ``json.dumps`` still for what orjson would write otherwise), for the card's
text and the rest alike: the bytes are UTF-8 JSON that parses to what ``json.dumps`` gave for
the whole body, and, when nothing fell back to ``json``, are orjson's bytes for the whole body
(``tests/bot/test_replies.py``, ``tests/bot/test_connector.py`` compare them). A marker
encodes the same way in both (``\\u0000`` then ASCII), so it is found in either.

Traces are left out unless the channel is the Emulator: the SDK's normal delivery drops them
for every other channel (``run_dialog`` adds a "Bot State" snapshot to every turn), and
``/api/messages`` dropped them from ``expectReplies`` answers already, after serializing them.
"""

from __future__ import annotations

import secrets
from typing import Any

from botbuilder.schema import Activity, ActivityTypes
from botframework.connector import Channels

from bot.activity_json import dump_activity
from dialogs.api import shared_card_json
from knowledge.wirejson import dumps

#: Enum members read once, at import: in Python 3.11 every ``EnumClass.member`` read is a
#: Python-level descriptor call (``enum.property.__get__``, ~0.4 us), and a turn makes several.
_EMULATOR, _TRACE = Channels.emulator, ActivityTypes.trace

#: Stands in for a shared card while the rest of an answer is encoded; random per process, so
#: no text a user sends can be taken for it (and a body holding it twice is encoded whole).
_MARKER = f"\x00shared card {secrets.token_hex(16)} "


def expected_replies_body(replies: list[Activity], channel_id: str | None) -> dict[str, Any]:
    """The body of an ``expectReplies`` answer: ``{"activities": [...]}``, traces only for the
    Emulator."""
    if channel_id != _EMULATOR:
        replies = [a for a in replies if a.type != _TRACE]
    return {"activities": [dump_reply(a) for a in replies]}


def dump_reply(activity: Activity) -> dict[str, Any]:
    """``activity.serialize()`` (:func:`bot.activity_json.dump_activity`), a shared card's
    content put in as it is without being walked: it is plain JSON, built by the dialogs and
    never changed. Any other card is still checked."""
    return dump_activity(activity, known_json=_is_shared_card)


def _is_shared_card(value: Any) -> bool:
    return type(value) is dict and shared_card_json(value) is not None


def encode_json(body: Any) -> bytes:
    """:func:`~knowledge.wirejson.dumps` of an ``expectReplies`` answer, each shared card's JSON
    text spliced in instead of encoding the card again. Looks only where an answer carries
    cards: ``body["activities"][i]["attachments"][j]["content"]``."""
    activities = body.get("activities") if type(body) is dict else None
    if type(activities) is not list:
        return dumps(body)
    spliced: list[tuple[bytes, bytes]] = []
    marked = [_mark_shared_cards(activity, spliced) for activity in activities]
    if not spliced:  # no shared card (a number check's verdict is built for its turn): no copy
        return dumps(body)
    return _splice(body, {**body, "activities": marked}, spliced)


def encode_reply(activity: Any) -> bytes:
    """:func:`~knowledge.wirejson.dumps` of one serialized reply (:func:`dump_reply`), each
    shared card's JSON text spliced in: ``activity["attachments"][j]["content"]``."""
    spliced: list[tuple[bytes, bytes]] = []
    return _splice(activity, _mark_shared_cards(activity, spliced), spliced)


def _mark_shared_cards(activity: Any, spliced: list[tuple[bytes, bytes]]) -> Any:
    """``activity`` with each shared card's content replaced by a marker of its own (a copy;
    ``activity`` is not changed; ``activity`` itself when it has no shared card); appends (the
    marker as encoded, the card's JSON text) to ``spliced``."""
    attachments = activity.get("attachments") if type(activity) is dict else None
    if type(attachments) is not list:
        return activity
    before = len(spliced)
    kept = []
    for attachment in attachments:
        text = shared_card_json(attachment.get("content")) if type(attachment) is dict else None
        if text is not None:
            marker = f"{_MARKER}{len(spliced)}"
            spliced.append((dumps(marker), text))
            attachment = {**attachment, "content": marker}  # same keys, same order
        kept.append(attachment)
    if len(spliced) == before:
        return activity
    return {**activity, "attachments": kept}


def _splice(body: Any, marked: Any, spliced: list[tuple[bytes, bytes]]) -> bytes:
    """``dumps(body)``: ``marked`` (``body`` with the markers of ``spliced``) encoded, each
    marker replaced by its card's text; ``body`` encoded whole if a marker is not there exactly
    once (a text that holds it)."""
    if not spliced:
        return dumps(body)
    encoded = dumps(marked)
    for marker, text in spliced:
        if encoded.count(marker) != 1:
            return dumps(body)
        encoded = encoded.replace(marker, text)
    return encoded
