"""One bot process per state folder: the local backend's cache is only right if no one else
writes (``flock`` on ``state/.lock``, which holds the owner's pid for the error message)."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

LOCK_FILE = ".lock"


class StateFolderBusyError(RuntimeError):
    """Another process holds the state folder."""


def lock_folder(folder: Path) -> int:
    """Take the folder for this process: the cache is only right if no one else writes."""
    fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "another process"
        os.close(fd)
        raise StateFolderBusyError(
            f"bot state folder {folder.resolve()} is in use by process {holder}: run one bot per DATA_DIR"
        ) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
    return fd
