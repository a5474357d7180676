"""Start and ALWAYS stop the child processes an e2e run needs (bot, playground).

Why a module of its own: an e2e run that leaves a bot or a node process behind holds a
port and a core on a 2-core machine, and the next run fails in confusing ways. So every
child is started the same way and stopped the same way:

- in its own session (process group), so ``stop()`` reaches its children too;
- with ``PR_SET_PDEATHSIG``: if pytest itself is killed (``timeout`` in the Makefile, CI
  cancel), the kernel kills the child, even when no Python cleanup code gets to run;
- registered in a module-level set that an ``atexit`` hook empties;
- with stdout+stderr in a log file, so readiness is read from the log and a failure can
  show the log's tail instead of a bare timeout.

Every wait takes a timeout; nothing here blocks without one.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

_PR_SET_PDEATHSIG = 1
_LIVE: set[Service] = set()


class ServiceError(RuntimeError):
    """A child process did not come up: the message carries its log's tail."""


def free_port() -> int:
    """A currently free loopback TCP port (the tiny race is covered by the callers'
    readiness checks: the playground reports the port it really took)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """preexec_fn: ask the kernel to SIGKILL us when the parent (pytest) dies."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _signal_group(pgid: int, sig: int) -> bool:
    """Send ``sig`` to a process group; False if the group no longer exists."""
    try:
        os.killpg(pgid, sig)
        return True
    except ProcessLookupError:
        return False


def _wait_group_gone(pgid: int, timeout: float) -> bool:
    """Wait until no process of the group is left (zombies included: orphans are reaped
    by init shortly after they die). Reaps our own child meanwhile."""
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pgid, os.WNOHANG)  # our direct child, the group leader
        if not _signal_group(pgid, 0):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)


class Service:
    """One child process in its own process group, logging to ``log_path``."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        log_path: Path,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.log_path = Path(log_path)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                self.argv,
                cwd=cwd,
                env=full_env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        _LIVE.add(self)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def _fail(self, what: str) -> ServiceError:
        state = "running" if self.alive() else f"exited with code {self.proc.returncode}"
        return ServiceError(
            f"{self.name}: {what} ({state}); command: {' '.join(self.argv)}\n"
            f"--- last lines of {self.log_path} ---\n{self.log_tail()}"
        )

    def wait_for_log(self, pattern: str, timeout: float) -> re.Match[str]:
        """Wait until the log matches ``pattern`` (a regex); fail fast if the child exits."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            match = regex.search(self.log_text())
            if match:
                return match
            if not self.alive():
                raise self._fail(f"exited before printing /{pattern}/")
            if time.monotonic() > deadline:
                raise self._fail(f"no /{pattern}/ in its output after {timeout:.0f} s")
            time.sleep(0.05)

    def wait_for_port(self, port: int, timeout: float) -> None:
        """Wait until something accepts TCP connections on 127.0.0.1:port."""
        deadline = time.monotonic() + timeout
        while not port_is_open(port):
            if not self.alive():
                raise self._fail(f"exited before listening on port {port}")
            if time.monotonic() > deadline:
                raise self._fail(f"not listening on port {port} after {timeout:.0f} s")
            time.sleep(0.05)

    def stop(self, grace: float = 5.0) -> None:
        """SIGTERM the whole process group, SIGKILL what is left after ``grace`` seconds,
        and return only once the group is gone (so its ports are free). Idempotent."""
        _LIVE.discard(self)
        pgid = self.proc.pid
        if _signal_group(pgid, signal.SIGTERM) and not _wait_group_gone(pgid, grace):
            _signal_group(pgid, signal.SIGKILL)
            _wait_group_gone(pgid, 10.0)
        with contextlib.suppress(subprocess.TimeoutExpired):  # pragma: no cover - SIGKILL cannot be ignored
            self.proc.wait(timeout=5)

    def __enter__(self) -> Service:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"Service({self.name!r}, pid={self.proc.pid})"


def run_checked(
    name: str,
    argv: Sequence[str],
    *,
    log_path: Path,
    timeout: float,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> None:
    """Run a preparation command (e.g. ``callplan demo``) to completion, bounded."""
    service = Service(name, argv, log_path=log_path, env=env, cwd=cwd)
    try:
        code = service.proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        service.stop()
        raise service._fail(f"did not finish within {timeout:.0f} s") from None
    _LIVE.discard(service)
    if code != 0:
        raise service._fail("failed")


def stop_all() -> None:
    """Stop every child still running (atexit, and the SIGTERM path of the conftest)."""
    for service in list(_LIVE):
        service.stop(grace=2.0)


atexit.register(stop_all)
