"""bot.sync_lock.kept: a lock that expires (the blob lease) is renewed while a long sync runs."""

from __future__ import annotations

import threading
from pathlib import Path

from bot.sync_lock import FileSchedulerLock, kept


class ExpiringLock:
    """Stands in for BlobLeaseSchedulerLock's renewal interface (keep, renew_seconds)."""

    renew_seconds = 0.01

    def __init__(self) -> None:
        self.renewed = threading.Event()
        self.renewals = 0

    def try_acquire(self) -> bool:
        return True

    def release(self) -> None:
        pass

    def keep(self) -> None:
        self.renewals += 1
        if self.renewals == 2:
            raise OSError("storage hiccup")  # one failed renewal does not stop the next ones
        if self.renewals >= 3:
            self.renewed.set()


def no_wait(stop: threading.Event, seconds: float) -> bool:
    """The keeper's pause without the clock: renew again at once until stopped."""
    return stop.is_set()


def test_an_expiring_lock_is_renewed_while_the_body_runs_and_not_after():
    lock = ExpiringLock()
    with kept(lock, pause=no_wait):
        assert lock.renewed.wait(timeout=30)  # renewed again after a failed renewal
    after = lock.renewals
    assert not any(t.name == "sync-lock-keeper" for t in threading.enumerate())
    assert lock.renewals == after


def test_a_file_lock_needs_no_keeper(tmp_path: Path):
    lock = FileSchedulerLock(tmp_path / "sync.lock")
    assert lock.try_acquire()
    with kept(lock):
        assert not any(t.name == "sync-lock-keeper" for t in threading.enumerate())
    lock.release()
