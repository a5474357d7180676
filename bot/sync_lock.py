"""Who may sync Microsoft Graph and send pool alerts now: one holder per deployment.

A small interface (:class:`SchedulerLock`: ``try_acquire`` never waits, ``release``) so that
the local lock, an ``fcntl.flock`` on ``DATA_DIR/sync.lock`` (:class:`FileSchedulerLock`), can
be replaced by a blob lease when bot instances on several machines share one store. The bot's
scheduler skips a tick when the lock is held; ``callplan sync`` waits for it (bounded).
Free of botbuilder, so the command line imports it cheaply.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol


def sync_lock_path(data_dir: Path) -> Path:
    return Path(data_dir) / "sync.lock"


class SchedulerLock(Protocol):
    """Who may sync and alert now. ``try_acquire`` never waits."""

    def try_acquire(self) -> bool: ...

    def release(self) -> None: ...


class FileSchedulerLock:
    """``fcntl.flock(LOCK_EX | LOCK_NB)`` on a file: one holder per machine's ``DATA_DIR``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        if self._fd is not None:
            return False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing releases the flock
            self._fd = None


@contextlib.contextmanager
def kept(
    lock: SchedulerLock, *, pause: Callable[[threading.Event, float], bool] = threading.Event.wait
) -> Iterator[None]:
    """While the body runs, renew ``lock`` every ``lock.renew_seconds`` from a daemon thread, if
    it is one that expires (the blob lease: ``keep``/``renew_seconds``, as the bot's scheduler
    renews it between ticks); a file lock needs nothing. For a long ``callplan sync``.

    ``pause`` is how the keeper waits between renewals; tests pass one that does not wait on the
    clock (a timed ``Event.wait`` never returns under libfaketime, CI's date runs)."""
    keep = getattr(lock, "keep", None)
    every = getattr(lock, "renew_seconds", None)
    if keep is None or not every:
        yield
        return
    stop = threading.Event()

    def renew() -> None:
        while not pause(stop, every):
            with contextlib.suppress(Exception):  # the next renewal tries again; a lost lease is logged
                keep()

    thread = threading.Thread(target=renew, name="sync-lock-keeper", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)
