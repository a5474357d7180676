"""The aiohttp application factory, in the style of the aiohttp-demos ``polls`` app.

Everything a request needs lives in typed app state (``web.AppKey``) and is opened and closed
by ``cleanup_ctx`` generators, in order: bot state storage -> calling-plan store -> adapter and
bot, with the scheduler (:mod:`bot.scheduler`: Graph sync and pool alerts) ticking in the
background until the app stops. Nothing is a module-level global, so tests can run several
apps side by side (the restart test opens a second app over the same ``DATA_DIR``), and a closed
app leaves no threads behind.

Routes:
- ``POST /api/messages``: :func:`bot.messages.process_request` (see there for status codes);
- ``GET /healthz``: ``{"status", "version", "store", "state"}`` and, when degraded, ``"reason"``;
  200 when the calling-plan store can be read and both it and the bot state can be written
  (a small probe write in each folder, and no failed state write since the last good one;
  with ``STATE_BACKEND=azure-blob``, the state container answers);
  503 otherwise: a full or read-only disk, or unreachable state storage, shows here, and
  clears when writes work again.

The server (:func:`make_runner`) cuts off slow clients: a connection must deliver a request's
headers within ``header_timeout_s`` (aiohttp's keep-alive timer closes a connection whose
handler is still waiting for a whole request) and its body within ``body_timeout_s``
(``/api/messages`` answers 408 and closes the connection); the body size limit stays 256 KB.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from importlib.metadata import PackageNotFoundError, version

from aiohttp import web
from botbuilder.core import ConversationState, UserState
from botbuilder.dialogs import Dialog
from botbuilder.schema import Attachment

from bot.adapter import CallingPlanAdapter, build_authentication, create_adapter
from bot.config import Settings
from bot.connector import ReplyConnector
from bot.heap import HeapFreezer
from bot.messages import BODY_TIMEOUT_S, MAX_BODY_BYTES, process_request
from bot.outbound import apply_key_fetch_patch, widen_default_executor
from bot.scheduler import Scheduler
from bot.state import StateStorage, TinyDBStorage
from bot.state.scopes import state_scopes
from bot.teams_bot import CallingPlanBot
from bot.usage_store import open_alert_book, open_usage_store, scheduler_lock, uses_blob
from knowledge.alerts import AlertBook
from knowledge.logsafe import clean
from knowledge.store import DEFAULT_TENANT_ID, AsyncStore, UsageStoreApi
from knowledge.store.atomic import atomic_write_bytes
from knowledge.store.memo import MemoizedAsyncStore

log = logging.getLogger(__name__)

#: Builds the root dialog; called once per app with the keywords ``conversation_state=``,
#: ``user_state=``, ``store=`` and ``tenant_fallback=``.
RootDialogFactory = Callable[..., Dialog]

SETTINGS_KEY = web.AppKey("settings", Settings)
VERSION_KEY = web.AppKey("version", str)
STORAGE_KEY = web.AppKey("bot_state_storage", StateStorage)
CONVERSATION_STATE_KEY = web.AppKey("conversation_state", ConversationState)
USER_STATE_KEY = web.AppKey("user_state", UserState)
#: The calling-plan store: pool balances, users and imported calls under ``DATA_DIR/store``.
#: Typed by what callers use (a protocol, so not passed as the key's class).
STORE_KEY = web.AppKey[UsageStoreApi]("calling_plan_store")
AUTH_KEY = web.AppKey("bot_framework_auth", object)
ADAPTER_KEY = web.AppKey("adapter", CallingPlanAdapter)
BOT_KEY = web.AppKey("bot", CallingPlanBot)
#: Pool alert subscriptions (``DATA_DIR/alerts``) and the scheduler that syncs Graph and alerts.
ALERTS_KEY = web.AppKey("alert_book", AlertBook)
SCHEDULER_KEY = web.AppKey("scheduler", Scheduler)
BODY_TIMEOUT_KEY = web.AppKey("body_timeout_s", float)
#: Set when the app freezes its long-lived heap (``create_app(freeze_heap=True)``, :mod:`bot.heap`).
HEAP_KEY = web.AppKey("heap_freezer", HeapFreezer)

#: Seconds a connection may take to send a whole request's headers (and to stay idle between
#: requests): slow-header clients are cut off after this.
HEADER_TIMEOUT_S = 15.0
#: Seconds /healthz waits for each check.
HEALTH_TIMEOUT_S = 5.0

PACKAGE_NAME = "calling-plan-assistant"


def package_version() -> str:
    try:
        return version(PACKAGE_NAME)
    except PackageNotFoundError:  # pragma: no cover - running from a tree that was never installed
        return "unknown"


def create_app(
    settings: Settings,
    *,
    root_dialog: RootDialogFactory | None = None,
    welcome_card: Callable[[str], Attachment] | None = None,
    reuse_clients: bool = True,
    reply_connector: bool = True,
    scheduler: bool = True,
    body_timeout_s: float = BODY_TIMEOUT_S,
    freeze_heap: bool = False,
    one_shot_turns: bool = True,
) -> web.Application:
    """The bot's web application. Resources open when the app starts, close when it stops.

    ``root_dialog`` defaults to :func:`dialogs.api.create_root_dialog`; ``welcome_card`` to
    :func:`dialogs.api.welcome_card`. ``reuse_clients=False`` builds new connector and
    token clients every turn as the SDK does (the benchmark's "stock" case); leave it on
    otherwise. ``reply_connector=False`` posts replies through the SDK's connector client as
    shipped instead of :mod:`bot.connector` (the benchmark's baseline).
    ``scheduler=False`` does not start the background Graph sync and alert ticks
    (``app[SCHEDULER_KEY].run_once()`` still works).
    ``one_shot_turns=False`` runs every message through the SDK's dialog stack, even one the
    root dialog answers at once (:meth:`bot.teams_bot.CallingPlanBot._answered_at_once`; a
    baseline for tests and benchmarks).
    ``freeze_heap=True`` (the serving entry points) keeps the long-lived heap out of the garbage
    collector's full passes (:mod:`bot.heap`): process-wide, so not for apps started by tests.
    """
    if root_dialog is None:
        from dialogs.api import create_root_dialog
    make_dialog: RootDialogFactory = root_dialog or create_root_dialog
    apply_key_fetch_patch()  # not a speedup: a bound on an outbound call, always on

    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[SETTINGS_KEY] = settings
    app[VERSION_KEY] = package_version()
    app[ALERTS_KEY] = open_alert_book(settings)
    app[BODY_TIMEOUT_KEY] = body_timeout_s

    async def adapter_and_bot(app: web.Application) -> AsyncIterator[None]:
        auth = build_authentication(settings, reuse_clients=reuse_clients)
        conversation_state = app[CONVERSATION_STATE_KEY]
        user_state = app[USER_STATE_KEY]
        dialog = make_dialog(
            conversation_state=conversation_state,
            user_state=user_state,
            store=app[STORE_KEY],
            # Local mode serves the demo tenant to whatever tenant id the client sends (the
            # Agents Playground sends a fixed fake one); a configured bot never falls back.
            tenant_fallback=DEFAULT_TENANT_ID if settings.local_mode else None,
            alerts=app[ALERTS_KEY],
        )
        app[AUTH_KEY] = auth
        replies = ReplyConnector() if reply_connector else None
        app[ADAPTER_KEY] = create_adapter(auth, conversation_state, user_state=user_state, reply_connector=replies)
        app[BOT_KEY] = CallingPlanBot(
            conversation_state,
            user_state,
            dialog,
            allowed_tenants=settings.ALLOWED_TENANTS,
            welcome_card=welcome_card,
            one_shot_turns=one_shot_turns,
        )
        app[SCHEDULER_KEY] = Scheduler(
            settings, app[STORE_KEY], app[ALERTS_KEY], app[ADAPTER_KEY], lock=scheduler_lock(settings)
        )
        app[ALERTS_KEY].on_subscribe.append(app[SCHEDULER_KEY].wake)
        if replies is not None:
            # Its aiohttp session, closed with the adapter below: opened last, once nothing
            # above can raise, as a failed start never reaches that close.
            replies.open()
        ticking = asyncio.create_task(app[SCHEDULER_KEY].run_forever()) if scheduler else None
        yield
        if ticking is not None:
            await _stop_ticking(ticking)
        await app[ADAPTER_KEY].close()
        app[ALERTS_KEY].close()  # its object-store client (azure-blob); nothing locally

    app.cleanup_ctx.append(outbound_threads_ctx)
    app.cleanup_ctx.append(bot_state_ctx)
    app.cleanup_ctx.append(calling_plan_store_ctx)
    app.cleanup_ctx.append(adapter_and_bot)
    app.cleanup_ctx.append(warm_understanding_ctx)  # last: the app opens first, then this thread starts
    if freeze_heap:
        app[HEAP_KEY] = HeapFreezer()
        app.cleanup_ctx.append(frozen_heap_ctx)
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    return app


async def outbound_threads_ctx(app: web.Application) -> AsyncIterator[None]:
    """Outbound HTTP (msrest's connector calls) waits on the loop's default thread pool: make it
    wide enough that a few dead serviceUrls cannot starve other replies (:mod:`bot.outbound`)."""
    widen_default_executor(asyncio.get_running_loop())
    yield


async def warm_understanding_ctx(app: web.Application) -> AsyncIterator[None]:
    """Warm what understanding a message loads on first use (the learned router's training, the
    lexicon, the fact search index: ``dialogs.api.warm_understanding``) on a thread while the app
    starts, not awaited: /healthz does not wait for it, and the first question of fact does not
    pay for it on the event loop. Waited for when the app stops (under a second, once per
    process: all of it is kept)."""
    from dialogs.api import warm_understanding

    warming = asyncio.ensure_future(asyncio.to_thread(warm_understanding))
    yield
    try:
        await warming
    except Exception:  # the first message that needs the router trains it again, and says why
        log.exception("understanding could not be warmed at start")


async def open_state_storage(settings: Settings) -> StateStorage:
    """The bot-state storage ``STATE_BACKEND`` names: TinyDB files under ``DATA_DIR/state``
    (``local``), or ``STATE_CONTAINER`` in Azure Blob Storage (``azure-blob``, shared by replicas)."""
    if settings.STATE_BACKEND == "azure-blob":
        from bot.state.blob import BlobStateStorage

        blob = BlobStateStorage.from_connection_string(
            settings.AZURE_STORAGE_CONNECTION_STRING.get_secret_value(), settings.STATE_CONTAINER
        )
        try:
            await blob.ensure_container()
        except Exception as exc:
            log.error(
                "bot state: container %s could not be created or checked now: %s",
                settings.STATE_CONTAINER,
                _reason(exc),
            )
        return blob
    # Opening may replay a journal a crash left behind: file work, so off the event loop.
    return await asyncio.to_thread(TinyDBStorage, settings.state_dir)


async def bot_state_ctx(app: web.Application) -> AsyncIterator[None]:
    """Bot state storage and the two state scopes."""
    storage = await open_state_storage(app[SETTINGS_KEY])
    app[STORAGE_KEY] = storage
    app[CONVERSATION_STATE_KEY], app[USER_STATE_KEY] = state_scopes(storage)
    yield
    await storage.close()


#: How long the app's shutdown waits for the scheduler to stop, per cancellation.
SCHEDULER_STOP_TIMEOUT_S = 10.0


async def _stop_ticking(ticking: asyncio.Task[None]) -> None:
    """Cancel the scheduler and wait for it, bounded: a cancellation it missed (a tick's
    thread still running) is repeated once, then shutdown goes on without it."""
    for _ in range(2):
        ticking.cancel()
        done, _pending = await asyncio.wait({ticking}, timeout=SCHEDULER_STOP_TIMEOUT_S)
        if done:
            return
    log.warning("the scheduler did not stop within %.0f s; shutting down without it", 2 * SCHEDULER_STOP_TIMEOUT_S)


async def calling_plan_store_ctx(app: web.Application) -> AsyncIterator[None]:
    """The calling-plan store; its file work runs on its own thread, off the event loop, and
    pool lookups, the tenant list and user lookups are answered from memory while the files
    they come from are unchanged (:mod:`knowledge.store.memo`)."""
    settings = app[SETTINGS_KEY]
    store: AsyncStore
    if uses_blob(settings):  # the blob store keeps its own summary cache (by ETag)
        store = AsyncStore(settings.DATA_DIR, settings.clock, store=open_usage_store(settings))
    else:  # answered from memory while the local tenants folder / summary.json is unchanged
        store = MemoizedAsyncStore(settings.DATA_DIR, settings.clock)
    app[STORE_KEY] = store
    yield
    store.close()


async def frozen_heap_ctx(app: web.Application) -> AsyncIterator[None]:
    """Freeze the heap once everything is open; put it back when the app stops."""
    app[HEAP_KEY].started()
    yield
    app[HEAP_KEY].stopped()


async def messages(request: web.Request) -> web.Response:
    app = request.app
    response = await process_request(
        request,
        app[ADAPTER_KEY],
        app[BOT_KEY],
        body_timeout_s=app[BODY_TIMEOUT_KEY],
        retry_conflicts=app[SETTINGS_KEY].STATE_BACKEND == "azure-blob",
    )
    heap = app.get(HEAP_KEY)
    if heap is not None:
        heap.turn_done()
    return response


def make_runner(app: web.Application, *, header_timeout_s: float = HEADER_TIMEOUT_S, **kwargs) -> web.AppRunner:
    """The app's server runner, with the slow-client bound (see the module docstring)."""
    kwargs.setdefault("access_log", None)
    # After an early answer (408, 413) aiohttp reads and discards the rest of the body for
    # up to lingering_time (10 s by default) before closing: a slow body would linger on.
    kwargs.setdefault("lingering_time", 1.0)
    return web.AppRunner(app, keepalive_timeout=header_timeout_s, **kwargs)


def _write_probe(folder) -> None:
    atomic_write_bytes(folder / ".probe", b"ok")


async def healthz(request: web.Request) -> web.Response:
    app = request.app
    problems = []
    store_ok = state_ok = True
    try:
        if not await asyncio.wait_for(app[STORE_KEY].ping(), timeout=HEALTH_TIMEOUT_S):
            store_ok = False
            problems.append("the calling-plan store cannot be read")
        else:
            # Writes too: a full or read-only disk breaks imports and syncs.
            store_dir = app[SETTINGS_KEY].DATA_DIR
            await asyncio.wait_for(asyncio.to_thread(_write_probe, store_dir), timeout=HEALTH_TIMEOUT_S)
    except Exception as exc:
        store_ok = False
        problems.append(f"the calling-plan store does not answer or cannot be written: {_reason(exc)}")
    try:
        problem = await asyncio.wait_for(app[STORAGE_KEY].probe(), timeout=HEALTH_TIMEOUT_S)
    except Exception as exc:
        problem = f"bot state does not answer: {_reason(exc)}"
    if problem:
        state_ok = False
        problems.append(problem)
    ok = store_ok and state_ok
    body = {"status": "ok" if ok else "degraded", "version": app[VERSION_KEY], "store": store_ok, "state": state_ok}
    if problems:
        body["reason"] = "; ".join(problems)
        log.warning("health check: %s", clean(body["reason"], limit=500))
    return web.json_response(body, status=200 if ok else 503)


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or type(exc).__name__
