"""Bounds on every outbound call the host makes: connector replies and the token key service.

Why: the SDK leaves both unbounded. msrest's connector client waits 100 s per try and retries
three times with back-off (a ``serviceUrl`` that never answers held a turn for 200 s; a closed
port for 10 s), on the thread pool it shares with everything else, so six of them starved every
other reply. The SDK's OpenID key refresh calls ``requests.get`` with no timeout, on the event
loop itself. Here:

- a connector client gets a connect and a read timeout and at most one retry, never after a
  read timeout (the activity may have been delivered: no duplicates); so do the replies the
  bot posts itself (:mod:`bot.connector`), whose token fetch gets :data:`TOKEN_FETCH_TIMEOUT_S`;
- a failure to deliver is a :data:`DELIVERY_ERRORS` exception, which ``/api/messages`` answers
  with 502 (the caller's ``serviceUrl`` is at fault, not the bot);
- the loop's default thread pool, on which msrest runs every connector call (``requests``),
  gets :data:`OUTBOUND_THREADS` threads (:func:`widen_default_executor`) instead of
  ``min(32, cores + 4)`` (six here): a few dead ``serviceUrl`` values cannot starve the replies
  of everyone else while they wait out their timeout;
- the key refresh (:func:`apply_key_fetch_patch`) runs on a thread with a timeout, one at a
  time, and after a failure answers "unavailable" at once for :data:`KEY_RETRY_AFTER_S`
  rather than letting every request wait on a dead service; the request gets a 503.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import requests
from botframework.connector.auth import jwt_token_extractor
from msrest.exceptions import ClientRequestError, HttpOperationError

from knowledge.clock import system_clock

#: Seconds to open a connection to a ``serviceUrl`` / to wait for its answer.
CONNECT_TIMEOUT_S = 3.05
READ_TIMEOUT_S = 10.0
#: Retries of a connector call (connection failures only; never after a read timeout).
CONNECT_RETRIES = 1
#: Seconds for the bot's own token for the Bot Connector (a cache miss asks the identity service).
TOKEN_FETCH_TIMEOUT_S = 10.0
#: Seconds for one fetch of the Bot Framework OpenID metadata and keys (each of two GETs).
KEY_FETCH_TIMEOUT_S = 5.0
#: After a failed key fetch, how long requests are answered "unavailable" without trying again.
KEY_RETRY_AFTER_S = 10.0

#: Threads of the loop's default executor (outbound HTTP waits there, mostly idle).
OUTBOUND_THREADS = 32


class DeliveryError(Exception):
    """A reply :mod:`bot.connector` could not deliver: refused (``status``: the Bot Connector's
    answer), failed, unanswered, or no token to send it with."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


#: A reply that could not be delivered: refused, failed or unanswered by ``serviceUrl``.
DELIVERY_ERRORS: tuple[type[BaseException], ...] = (
    DeliveryError,
    ClientRequestError,
    HttpOperationError,
    requests.RequestException,
)


class KeyServiceUnavailable(Exception):
    """The Bot Framework OpenID keys could not be fetched: a token cannot be checked now."""


def bound_client(client: Any) -> Any:
    """Give an msrest service client (connector, user token) timeouts and a small retry budget."""
    config = getattr(client, "config", None) or getattr(getattr(client, "_client", None), "config", None)
    if config is None:
        return client
    config.connection.timeout = (CONNECT_TIMEOUT_S, READ_TIMEOUT_S)
    policy = config.retry_policy
    policy.retries = CONNECT_RETRIES
    policy.backoff_factor = 0.2
    policy.policy.read = 0  # urllib3 Retry: a read timeout is never retried
    return client


_WIDENED_LOOPS: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()


def widen_default_executor(loop: asyncio.AbstractEventLoop) -> bool:
    """Give ``loop`` a default executor of :data:`OUTBOUND_THREADS` threads, once per loop.
    (The one it replaces, if any, lets its idle threads go when it is collected.)"""
    if loop in _WIDENED_LOOPS:
        return False
    loop.set_default_executor(ThreadPoolExecutor(max_workers=OUTBOUND_THREADS, thread_name_prefix="outbound"))
    _WIDENED_LOOPS.add(loop)
    return True


def is_delivery_failure(error: BaseException) -> bool:
    return isinstance(error, DELIVERY_ERRORS)


# --- the OpenID key refresh ----------------------------------------------------------------------


def _fetch_keys(url: str, timeout: float) -> list[dict[str, Any]]:
    response = requests.get(url, timeout=(min(timeout, CONNECT_TIMEOUT_S), timeout))
    response.raise_for_status()
    keys_url = response.json()["jwks_uri"]
    response = requests.get(keys_url, timeout=(min(timeout, CONNECT_TIMEOUT_S), timeout))
    response.raise_for_status()
    keys = response.json()["keys"]
    if not isinstance(keys, list):
        raise ValueError("the key set has no list of keys")
    return keys


def _sdk_now() -> datetime:
    """The SDK's key cache compares ``last_updated`` with its own naive local time of day:
    the same moment, read through the project's one clock."""
    return system_clock().astimezone().replace(tzinfo=None)


async def _bounded_refresh(self: Any) -> None:
    """``_OpenIdMetadata._refresh``, off the event loop, bounded, one at a time, with a back-off."""
    # The SDK keeps one metadata object per URL for the whole process: one lock per event loop.
    locks = self.__dict__.setdefault("_refresh_locks", weakref.WeakKeyDictionary())
    lock = locks.setdefault(asyncio.get_running_loop(), asyncio.Lock())
    asked_at = _sdk_now()
    async with lock:
        if self.last_updated >= asked_at:  # refreshed by the request we waited behind
            return
        failed_at = self.__dict__.get("_failed_at")
        if failed_at is not None and time.monotonic() - failed_at < KEY_RETRY_AFTER_S:
            raise KeyServiceUnavailable("the Bot Framework key service failed moments ago")
        try:
            keys = await asyncio.wait_for(
                asyncio.to_thread(_fetch_keys, self.url, KEY_FETCH_TIMEOUT_S),
                timeout=2 * KEY_FETCH_TIMEOUT_S + 1,
            )
        except Exception as exc:
            self._failed_at = time.monotonic()
            raise KeyServiceUnavailable(f"cannot fetch the Bot Framework keys: {type(exc).__name__}") from exc
        self._failed_at = None
        self.keys = keys
        self.last_updated = _sdk_now()


def apply_key_fetch_patch() -> bool:
    """Bound the SDK's OpenID key refresh (see the module docstring). True if this call changed it."""
    metadata_class = jwt_token_extractor._OpenIdMetadata
    if metadata_class._refresh is _bounded_refresh:
        return False
    metadata_class._refresh = _bounded_refresh
    return True
