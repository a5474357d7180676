"""``POST /api/messages``: our own handler instead of the SDK's ``CloudAdapter.process``.

Why not the stock one: it answers 500 for every ``expectReplies`` request and for every
invoke whose handler returns a body (the body is already a dict and gets serialized twice),
and it turns a non-JSON body into a traceback. This handler answers:

====  ==============================================================================
200   ``expectReplies``: ``{"activities": [...]}``, every reply of the turn (trace
      activities only for the Emulator, as in normal delivery)
xxx   an invoke: the invoke response's status and body, as they are
201   any other activity, processed (replies went to ``serviceUrl``)
400   invalid JSON, not an object, not an activity, or missing ``type``,
      ``channelId``, ``conversation.id``, ``from.id``, or ``serviceUrl`` (unless
      ``expectReplies``); JSON nested deeper than :data:`MAX_JSON_DEPTH`; an id with
      control characters or lone surrogates; Teams ``channelData`` of the wrong shape
401   missing or invalid Bot Framework token while an app id is configured (refused by
      :mod:`bot.token_gate` without any network call when its shape alone rules it out)
408   the body did not arrive within the body read timeout (the connection is closed)
413   a body above 256 KB
415   a body that is not ``application/json``
502   the replies could not be delivered to ``serviceUrl`` (it refused, failed or did not
      answer within the connector timeout)
503   the token could not be checked: the Bot Framework key service cannot be reached
500   a failure on our side: a turn whose error handler failed too (logged with its
      traceback; the body only says "internal error")
====  ==============================================================================

Every field of a request that reaches the log goes through :func:`knowledge.logsafe.clean`.

The body is parsed by :func:`knowledge.wirejson.loads` (orjson: ~5.5 us for a Teams activity,
``json.loads`` ~10 us): the value ``json.loads`` gives, and for a body orjson refuses,
``json.loads``'s own verdict, so every 400 above is what it was with ``json`` alone. The answer
is encoded by :func:`bot.replies.encode_json` (orjson too): compact UTF-8 JSON, hence the
``charset=utf-8``.

Authentication runs before the turn, separately, so that a token that fails validation
is a 401, while a failure inside the turn can never be mistaken for one. (We do not use
``aiohttp_error_middleware``: it maps a stray ``KeyError`` in bot code to a 404.)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import requests
from aiohttp import web
from botbuilder.core import Bot
from botbuilder.schema import Activity, DeliveryModes
from botbuilder.schema.teams import TeamsChannelData
from botframework.connector import Channels
from msrest.serialization import Model

from bot.activity_json import load_activity, load_model, loads_as_is
from bot.adapter import CallingPlanAdapter
from bot.outbound import KeyServiceUnavailable, is_delivery_failure
from bot.replies import encode_json
from bot.token_gate import token_problem
from bot.turn_retry import retrying_turn
from knowledge.logsafe import clean
from knowledge.wirejson import loads

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024
#: Deepest JSON nesting accepted. A Teams activity is ~5 levels deep, a card submit a few more;
#: Python's parsers, msrest and pickle recurse per level and fail near 1,000.
MAX_JSON_DEPTH = 64
#: Seconds for the whole body to arrive once the headers are in (slow clients are cut off).
BODY_TIMEOUT_S = 15.0
#: What ``web.json_response`` says a body is.
_JSON_CONTENT_TYPE = "application/json; charset=utf-8"

#: Enum members read once, at import: in Python 3.11 every ``EnumClass.member`` read is a
#: Python-level descriptor call (``enum.property.__get__``, ~0.4 us), and a turn makes several.
_EXPECT_REPLIES, _MS_TEAMS = DeliveryModes.expect_replies, Channels.ms_teams


def error_response(status: int, message: str) -> web.Response:
    """A small JSON error body: never a stack trace, never the request echoed back."""
    return web.json_response({"error": {"status": status, "message": message}}, status=status)


def json_depth_exceeds(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """True if ``value`` (parsed JSON) nests deeper than ``limit``. Iterative: no recursion,
    and it stops at the first container too deep."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children: Iterable[Any]
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def _may_nest_too_deep(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """False when the JSON text cannot nest deeper than ``limit``: each level opens with a ``{``
    or a ``[``, so a text holding at most ``limit`` of them (inside strings too: counted over,
    never under) cannot. Two C-level counts (~1 us for a Teams activity) instead of walking
    every container of the parsed body (~9 us); a text with more is walked."""
    return raw.count(b"{") + raw.count(b"[") > limit


def _unsafe_id(value: Any) -> bool:
    """An id no channel sends: control characters (CR/LF...) or lone surrogates. Such ids would
    reach state keys, file names, URLs and log lines. ``str.isprintable`` is False for both
    (a surrogate is category Cs, never printable) and runs in C, not a Python step per character."""
    return isinstance(value, str) and not value.isprintable()


def activity_problem(activity: Activity) -> str | None:
    """Why ``activity`` cannot be processed, or None. Checked before any bot code runs."""
    if not activity.type:
        return "the activity has no type"
    if not activity.channel_id:
        return "the activity has no channelId"
    if activity.conversation is None or not activity.conversation.id:
        return "the activity has no conversation.id"
    if activity.from_property is None or not activity.from_property.id:
        return "the activity has no from.id"
    for name, value in (
        ("channelId", activity.channel_id),
        ("conversation.id", activity.conversation.id),
        ("from.id", activity.from_property.id),
        ("recipient.id", activity.recipient.id if activity.recipient else None),
        ("serviceUrl", activity.service_url),
    ):
        if _unsafe_id(value):
            return f"{name} contains control characters or invalid Unicode"
    if activity.delivery_mode != _EXPECT_REPLIES:
        parts = urlsplit(activity.service_url or "")
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return "the activity has no valid serviceUrl (needed to send the replies)"
    if activity.channel_id == _MS_TEAMS and activity.channel_data is not None:
        # The Teams handler reads channelData as TeamsChannelData on most activity types; a
        # wrong shape (a "team" that is not an object) would fail inside the turn. What Teams
        # sends is checked without building the model (it would be thrown away); anything else
        # is loaded to know.
        if loads_as_is(TeamsChannelData, activity.channel_data):
            return None
        try:
            load_model(TeamsChannelData, activity.channel_data)
        except Exception:
            return "channelData is not valid Teams channel data"
    return None


async def read_activity(request: web.Request, body_timeout_s: float = BODY_TIMEOUT_S) -> Activity | web.Response:
    """The request's activity, or the 4xx response explaining why there is none."""
    if request.content_type != "application/json":
        return error_response(415, "Content-Type must be application/json")
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return error_response(413, f"the body is larger than {MAX_BODY_BYTES // 1024} KB")
    try:
        if request.content.is_eof():
            # The whole body came with the headers (a Teams activity does): nothing to wait for,
            # so no timer (asyncio.timeout costs ~5 us, the wait_for it replaced ~12 us and a
            # pass of the event loop for its task), and no read loop either: it is all in the
            # stream's buffer, taken in one call (``request.read()`` awaits ``readany`` twice and
            # copies the body through a bytearray; the size is checked below as it checked it).
            raw = request.content.read_nowait()
        else:
            async with asyncio.timeout(body_timeout_s):
                raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return error_response(413, f"the body is larger than {MAX_BODY_BYTES // 1024} KB")
    except TimeoutError:
        response = error_response(408, "the body did not arrive in time")
        response.force_close()  # do not linger reading the rest of a slow body
        return response
    if len(raw) > MAX_BODY_BYTES:
        return error_response(413, f"the body is larger than {MAX_BODY_BYTES // 1024} KB")
    try:
        body = loads(raw)
    except (ValueError, UnicodeDecodeError):
        return error_response(400, "the body is not valid JSON")
    except RecursionError:
        return error_response(400, f"the JSON is nested deeper than {MAX_JSON_DEPTH} levels")
    if not isinstance(body, dict):
        return error_response(400, "the body must be a JSON object (an activity)")
    if _may_nest_too_deep(raw) and json_depth_exceeds(body):
        return error_response(400, f"the JSON is nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        activity = load_activity(body, parsed_json=True)
    except Exception as exc:  # msrest raises DeserializationError, and sometimes worse, on bad shapes
        log.info("rejected a body that is not an activity: %s", clean(exc))
        return error_response(400, "the body is not a valid Bot Framework activity")
    problem = activity_problem(activity)
    if problem:
        return error_response(400, problem)
    return activity


def _json_body(body: Any) -> Any:
    if isinstance(body, Model):
        return body.serialize()
    if isinstance(body, list):
        return [_json_body(item) for item in body]
    return body


async def process_request(
    request: web.Request,
    adapter: CallingPlanAdapter,
    bot: Bot,
    *,
    body_timeout_s: float = BODY_TIMEOUT_S,
    retry_conflicts: bool = False,
) -> web.Response:
    """Validate, authenticate and run one turn; always a deliberate status code.

    ``retry_conflicts`` (bot state shared by replicas): a turn whose state save loses an e_tag
    race runs again once on fresh state (:mod:`bot.turn_retry`)."""
    activity = await read_activity(request, body_timeout_s)
    if isinstance(activity, web.Response):
        return activity

    auth_header = request.headers.get("Authorization", "")
    problem = token_problem(auth_header)
    if problem:
        log.warning("refused activity %s: %s", clean(activity.id), problem)
        return error_response(401, "missing or invalid Bot Framework token")
    try:
        auth = await adapter.bot_framework_authentication.authenticate_request(activity, auth_header)
    except PermissionError as exc:  # before OSError: PermissionError is one
        log.warning("refused activity %s: %s", clean(activity.id), clean(exc))
        return error_response(401, "missing or invalid Bot Framework token")
    except (TimeoutError, KeyServiceUnavailable, requests.RequestException, aiohttp.ClientError, OSError) as exc:
        # Not the client's fault: the Bot Framework key service is unreachable from here.
        log.warning("could not check the token of activity %s: %s", clean(activity.id), clean(exc))
        return error_response(503, "cannot check the token now: the Bot Framework key service is unreachable")
    except Exception as exc:
        log.warning("refused activity %s: %s: %s", clean(activity.id), type(exc).__name__, clean(exc))
        return error_response(401, "missing or invalid Bot Framework token")

    try:
        logic = retrying_turn(bot.on_turn) if retry_conflicts else bot.on_turn
        invoke_response = await adapter.process_activity(auth, activity, logic)
    except PermissionError as exc:
        log.warning("refused activity %s: %s", clean(activity.id), clean(exc))
        return error_response(401, "not authorized")
    except Exception as exc:
        if is_delivery_failure(exc):
            log.warning(
                "could not deliver the replies of activity %s to %s: %s",
                clean(activity.id),
                clean(activity.service_url),
                clean(exc),
            )
            return error_response(502, "the replies could not be delivered to serviceUrl")
        log.exception("unhandled failure processing activity %s (%s)", clean(activity.id), clean(activity.type))
        return error_response(500, "internal error")

    if invoke_response is None:
        return web.Response(status=HTTPStatus.CREATED)
    status = int(invoke_response.status or HTTPStatus.OK)
    # An expectReplies answer comes without traces outside the Emulator already: the adapter
    # leaves them out as it builds it (bot.replies.expected_replies_body), not filtered again here.
    body = _json_body(invoke_response.body)
    if body is None:
        return web.Response(status=status)
    try:
        encoded = encode_json(body)
    except (TypeError, ValueError):
        log.exception("the invoke response of activity %s is not JSON", clean(activity.id))
        return error_response(500, "internal error")
    # The headers json_response would give, without its checks and the text round trip: the
    # bytes are UTF-8 JSON of the same value (orjson's, compact; non-ASCII not escaped).
    return web.Response(body=encoded, status=status, headers={"Content-Type": _JSON_CONTENT_TYPE})
