"""Azurite, the Azure Storage emulator, for the ``azure-blob`` backend tests.

The pinned npm package lives in ``tests/support/azurite`` (``make test`` installs it). Each
:class:`Azurite` is one blob service on a free loopback port with its own data folder, started as
its own process group and stopped by that PID, so no test leaves an emulator behind. ``stop()``
then ``start()`` again keeps the port and the data: what a storage outage and its recovery look
like to the bot.

``--loose`` and ``--skipApiVersionCheck`` are needed by the current ``azure-storage-blob``
(see ../shared/notes/azure-storage.md); ``--disableTelemetry`` keeps it off the network.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "azurite"
EXECUTABLE = PACKAGE_DIR / "node_modules" / ".bin" / "azurite-blob"
#: Azurite's published development account (not a secret).
ACCOUNT = "devstoreaccount1"
ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
START_TIMEOUT_S = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Azurite:
    """One Azurite blob service. ``connection_string`` is what ``AZURE_STORAGE_CONNECTION_STRING`` takes."""

    def __init__(self, location: Path, port: int | None = None) -> None:
        self.location = location
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def connection_string(self) -> str:
        return (
            f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={ACCOUNT_KEY};"
            f"BlobEndpoint=http://127.0.0.1:{self.port}/{ACCOUNT};"
        )

    def start(self) -> None:
        if not EXECUTABLE.exists():
            raise RuntimeError(f"Azurite is not installed: run `make test` (or `npm ci` in {PACKAGE_DIR})")
        self.location.mkdir(parents=True, exist_ok=True)
        log = open(self.location / "azurite.log", "ab")  # noqa: SIM115 - handed to the child
        self.process = subprocess.Popen(
            [
                str(EXECUTABLE),
                "--blobHost",
                "127.0.0.1",
                "--blobPort",
                str(self.port),
                "--location",
                str(self.location),
                "--silent",
                "--disableTelemetry",
                "--loose",
                "--skipApiVersionCheck",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Azurite exited with {self.process.returncode}; see {self.location}/azurite.log")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"Azurite did not listen on port {self.port} within {START_TIMEOUT_S:.0f} s")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@contextmanager
def running_azurite(location: Path) -> Iterator[Azurite]:
    azurite = Azurite(location)
    azurite.start()
    try:
        yield azurite
    finally:
        azurite.stop()
