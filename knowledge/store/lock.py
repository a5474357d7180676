"""One writer per tenant: a thread lock for this process, then ``fcntl.flock`` on a file per tenant.

Why per tenant: a batch only touches its own tenant's folder (data files, then its
``summary.json``), so two tenants' imports have nothing to serialize; one store-wide lock made
a stuck or huge import of one tenant stall every other tenant, silently.

Why both locks: the OS lock is what makes ``callplan import`` safe while the bot runs (another
process); the thread lock comes first because two file descriptors of one process would
otherwise block each other on ``flock`` forever. Readers take no lock: they only follow the
summary, which changes by atomic rename.

A second writer of the same tenant is told (``on_wait``, e.g. the CLI prints "waiting for
another import of <tenant>...") and waits up to ``timeout`` seconds, then gets a
:class:`~knowledge.store.layout.StoreError` saying so, never a silent hang.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from knowledge.store.layout import Layout, StoreError, normalize_tenant_id

#: Longest wait for another import of the same tenant, in seconds (then a clear refusal).
LOCK_WAIT_SECONDS = 600.0
#: How often a waiting writer retries the OS lock.
_POLL_SECONDS = 0.05

_THREAD_LOCKS: dict[tuple[str, str], threading.Lock] = {}
_THREAD_LOCKS_GUARD = threading.Lock()


def lock_path(layout: Layout, tenant_id: str) -> os.PathLike[str]:
    """``store/locks/<tenant>.lock``: outside the tenant folder, which its writer cleans."""
    return layout.root / "locks" / f"{normalize_tenant_id(tenant_id)}.lock"


@contextmanager
def tenant_lock(
    layout: Layout, tenant_id: str, on_wait: Callable[[str], None] | None = None, timeout: float | None = None
) -> Iterator[None]:
    """Hold the writer lock of ``tenant_id`` in ``layout``'s store (see the module doc)."""
    tenant = normalize_tenant_id(tenant_id)
    wait = LOCK_WAIT_SECONDS if timeout is None else timeout
    deadline = time.monotonic() + wait
    told = False

    def tell() -> None:
        nonlocal told
        if not told and on_wait is not None:
            on_wait(tenant)
        told = True

    key = (str(layout.root.resolve()), tenant)
    with _THREAD_LOCKS_GUARD:
        thread_lock = _THREAD_LOCKS.setdefault(key, threading.Lock())
    # Both locks are polled the same way (no timed blocking wait: a pthread timed wait is also
    # what libfaketime, used by CI to run the tests on other dates, cannot bound).
    while not thread_lock.acquire(blocking=False):
        tell()
        if time.monotonic() >= deadline:
            raise _busy(tenant, wait)
        time.sleep(_POLL_SECONDS)
    try:
        path = lock_path(layout, tenant)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    tell()
                    if time.monotonic() >= deadline:
                        raise _busy(tenant, wait) from None
                    time.sleep(_POLL_SECONDS)
            yield
        finally:
            os.close(fd)  # closing releases the flock
    finally:
        thread_lock.release()


def _busy(tenant: str, wait: float) -> StoreError:
    return StoreError(
        f"another import of {tenant} is still running (waited {wait:g} s); run this one again when it has finished"
    )
