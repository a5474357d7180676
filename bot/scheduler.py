"""The bot's one scheduler: the Graph sync every ``SYNC_INTERVAL_MINUTES`` and the pool alerts.

Every ``TICK_SECONDS`` (or at once when a chat subscribes) the scheduler tries to take the
deployment's sync lock without waiting. Holding it, it syncs the tenants that are due (their
last sync, in the sync marks (``DATA_DIR/sync/``, or the shared container with
``STORE_BACKEND=azure-blob``), is older than the interval) and then sends the due pool
alerts; when another holder has it (``callplan sync``, another instance), it skips the tick.
Due-ness and "alert sent" live in files, so no holder syncs or alerts twice what another did.
Alerts are checked every tick, so an import made with ``callplan import`` (another process) is
noticed within a tick too.

The lock (:mod:`bot.sync_lock`) is also taken by ``callplan sync``, so a sync from the shell
and the bot's never run at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from botbuilder.core import BotAdapter

from bot.alerts import send_due_alerts
from bot.config import Settings
from bot.sync_lock import FileSchedulerLock, SchedulerLock, sync_lock_path
from knowledge.alerts import Alert, AlertBook
from knowledge.clock import Clock
from knowledge.store import UsageStoreApi

if TYPE_CHECKING:  # the Graph sync (bot.graph, knowledge.graph) loads on the first sync that is due
    from knowledge.graph.sync import SyncMarks, SyncResult

log = logging.getLogger(__name__)

TICK_SECONDS = 60.0
#: The first tick waits this long after start-up (the app is serving first).
FIRST_TICK_SECONDS = 10.0


@dataclass
class TickResult:
    ran: bool  # False: another process holds the lock
    synced: list[SyncResult] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)


class Scheduler:
    """Ticks for one app; ``now`` is injectable (tests pass a fixed clock)."""

    def __init__(
        self,
        settings: Settings,
        store: UsageStoreApi,
        book: AlertBook,
        adapter: BotAdapter,
        *,
        lock: SchedulerLock | None = None,
        now: Clock | None = None,
        marks: SyncMarks | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.book = book
        self._marks = marks
        self.adapter = adapter
        self.lock = lock or FileSchedulerLock(sync_lock_path(settings.DATA_DIR))
        self.now = now or settings.clock
        self._wake: asyncio.Event | None = None
        self._warned = False
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def marks(self) -> SyncMarks:
        """Where the last sync of each tenant is read (kept beside the alert subscriptions); opened
        when first needed, so a bot that syncs nothing never loads the Graph sync."""
        if self._marks is None:
            from bot.usage_store import sync_marks

            self._marks = sync_marks(self.settings, getattr(self.book, "objects", None))
        return self._marks

    def wake(self) -> None:
        """Run the next tick now (thread-safe: the alert book calls it from a worker thread)."""
        if self._loop is not None and self._wake is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    def due_tenants(self) -> list[str]:
        """Configured tenants whose last sync is older than the interval (or never ran)."""
        interval = self.settings.SYNC_INTERVAL_MINUTES
        if not interval or not self.settings.SYNC_TENANTS:
            return []
        from bot.graph import SyncNotConfigured, graph_config

        try:
            graph_config(self.settings)
        except SyncNotConfigured as exc:
            if not self._warned:  # once, not every tick
                log.warning("SYNC_TENANTS is set but the Graph sync cannot run: %s", exc)
                self._warned = True
            return []
        now = self.now()
        due = []
        for tenant in sorted(self.settings.SYNC_TENANTS):
            last = self.marks.read(tenant).last_run
            if last is None or now - last >= timedelta(minutes=interval):
                due.append(tenant)
        return due

    async def run_once(self) -> TickResult:
        # In a thread: across replicas the lock is a blob lease (a network call, bounded).
        if not await asyncio.to_thread(self.lock.try_acquire):
            return TickResult(ran=False)
        try:
            result = TickResult(ran=True)
            tenants = await asyncio.to_thread(self.due_tenants)
            if tenants:
                from bot.graph import SyncNotConfigured, sync_all

                try:
                    result.synced = await asyncio.to_thread(sync_all, self.settings, tenants, self.now)
                except SyncNotConfigured as exc:
                    log.error("Graph sync is not configured: %s", exc)
                for synced in result.synced:
                    (log.warning if synced.error else log.info)("graph sync: %s", synced.line())
            result.alerts = await send_due_alerts(self.adapter, self.settings.APP_ID, self.store, self.book, self.now)
            return result
        finally:
            # A lease across replicas is kept from tick to tick (the elected replica stays the
            # one that syncs and alerts) and released by stop(); the local file lock is freed
            # after each tick, so `callplan sync` can run between ticks.
            if not getattr(self.lock, "keeps_between_ticks", False):
                await asyncio.to_thread(self.lock.release)

    async def stop(self) -> None:
        """Give up the lock (on shutdown): another replica takes over at its next tick."""
        await asyncio.to_thread(self.lock.release)

    async def run_forever(self, tick: float = TICK_SECONDS, first: float = FIRST_TICK_SECONDS) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        keeper = asyncio.create_task(self.keep_lease())
        try:
            await self._sleep(first)
            while True:
                try:
                    await self.run_once()
                except Exception:  # a bad tick must not end the schedule
                    log.exception("scheduler tick failed")
                await self._sleep(tick)
        finally:
            keeper.cancel()
            await asyncio.gather(keeper, return_exceptions=True)
            await self.stop()

    async def keep_lease(self) -> None:
        """Renew a lease held from tick to tick every ``renew_seconds`` (during a long sync
        too), for as long as the schedule runs; a local file lock needs nothing."""
        keep = getattr(self.lock, "keep", None)
        every = getattr(self.lock, "renew_seconds", None)
        if keep is None or not every:
            return
        while True:
            await asyncio.sleep(every)
            try:
                await asyncio.to_thread(keep)
            except Exception:  # the next renewal, or the next tick, tries again
                log.exception("scheduler lease renewal failed")

    async def _sleep(self, seconds: float) -> None:
        """Wait ``seconds``, or less when :meth:`wake` is called."""
        assert self._wake is not None
        # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancellation that
        # arrives as the wake event fires (gh-86296), and the app's cleanup then waits a tick.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wake.wait()
        self._wake.clear()
