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
      ``expectReplies``)
401   missing or invalid Bot Framework token while an app id is configured
413   a body above 256 KB
415   a body that is not ``application/json``
500   a failure on our side: a turn whose error handler failed too, or a token that could
      not be checked because the Bot Framework key service is unreachable (logged with its
      traceback; the body only says "internal error")
====  ==============================================================================

Authentication runs before the turn, separately, so that a token that fails validation
is a 401, while a failure inside the turn can never be mistaken for one. (We do not use
``aiohttp_error_middleware``: it maps a stray ``KeyError`` in bot code to a 404.)
"""
from __future__ import annotations

import asyncio
import json
import logging
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import requests
from aiohttp import web
from botbuilder.core import Bot
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, DeliveryModes
from msrest.serialization import Model

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024


def error_response(status: int, message: str) -> web.Response:
    """A small JSON error body: never a stack trace, never the request echoed back."""
    return web.json_response({"error": {"status": status, "message": message}}, status=status)


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
    if activity.delivery_mode != DeliveryModes.expect_replies:
        parts = urlsplit(activity.service_url or "")
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return "the activity has no valid serviceUrl (needed to send the replies)"
    return None


async def read_activity(request: web.Request) -> Activity | web.Response:
    """The request's activity, or the 4xx response explaining why there is none."""
    if request.content_type != "application/json":
        return error_response(415, "Content-Type must be application/json")
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return error_response(413, f"the body is larger than {MAX_BODY_BYTES // 1024} KB")
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return error_response(413, f"the body is larger than {MAX_BODY_BYTES // 1024} KB")
    if len(raw) > MAX_BODY_BYTES:
        return error_response(413, f"the body is larger than {MAX_BODY_BYTES // 1024} KB")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return error_response(400, "the body is not valid JSON")
    if not isinstance(body, dict):
        return error_response(400, "the body must be a JSON object (an activity)")
    try:
        activity = Activity().deserialize(body)
    except Exception:  # msrest raises DeserializationError, and sometimes worse, on bad shapes
        log.info("rejected a body that is not an activity", exc_info=True)
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


def _without_traces(body: Any) -> Any:
    # run_dialog adds a "Bot State" trace (a memory snapshot with object reprs) to every
    # turn. Traces are for the Bot Framework Emulator: in normal delivery CloudAdapter drops
    # them for every other channel, so expectReplies answers drop them too.
    if isinstance(body, dict) and isinstance(body.get("activities"), list):
        body = dict(body)
        body["activities"] = [
            a for a in body["activities"] if not (isinstance(a, dict) and a.get("type") == "trace")
        ]
    return body


async def process_request(request: web.Request, adapter: CloudAdapter, bot: Bot) -> web.Response:
    """Validate, authenticate and run one turn; always a deliberate status code."""
    activity = await read_activity(request)
    if isinstance(activity, web.Response):
        return activity

    auth_header = request.headers.get("Authorization", "")
    try:
        auth = await adapter.bot_framework_authentication.authenticate_request(activity, auth_header)
    except PermissionError as exc:  # before OSError: PermissionError is one
        log.warning("refused activity %s: %s", activity.id, exc)
        return error_response(401, "missing or invalid Bot Framework token")
    except (requests.RequestException, aiohttp.ClientError, OSError, asyncio.TimeoutError):
        # Not the client's fault: the Bot Framework key service is unreachable from here.
        log.exception("could not validate the token of activity %s", activity.id)
        return error_response(500, "internal error")
    except Exception as exc:
        log.warning("refused activity %s: %s: %s", activity.id, type(exc).__name__, exc)
        return error_response(401, "missing or invalid Bot Framework token")

    try:
        invoke_response = await adapter.process_activity(auth, activity, bot.on_turn)
    except PermissionError as exc:
        log.warning("refused activity %s: %s", activity.id, exc)
        return error_response(401, "not authorized")
    except Exception:
        log.exception("unhandled failure processing activity %s (%s)", activity.id, activity.type)
        return error_response(500, "internal error")

    if invoke_response is None:
        return web.Response(status=HTTPStatus.CREATED)
    status = int(invoke_response.status or HTTPStatus.OK)
    body = _json_body(invoke_response.body)
    if activity.delivery_mode == DeliveryModes.expect_replies and activity.channel_id != "emulator":
        body = _without_traces(body)
    if body is None:
        return web.Response(status=status)
    try:
        return web.json_response(body, status=status)
    except (TypeError, ValueError):
        log.exception("the invoke response of activity %s is not JSON", activity.id)
        return error_response(500, "internal error")
