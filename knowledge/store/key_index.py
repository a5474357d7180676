"""The committed call ids and match keys of a tenant, per month: the duplicate check's memory.

Every row of an import is checked against every call already committed for its month (by id
and by match key, see :meth:`knowledge.store.records.CallRecord.match_key`). Kept as Python sets,
that costs ~270 bytes per call: 1 GB of export (~3.5M calls) would need ~1 GB of RAM. So the
keys live in sets while they are few (:data:`SPILL_AT`, the common case and fast), and past
that move to a private temporary SQLite database on disk (stdlib, no server), keyed by a
128-bit BLAKE2b digest of each key, with a bounded page cache: memory stays flat whatever the
import size. A 128-bit digest makes a false duplicate (a real call dropped) practically
impossible (about n^2 / 2^129).

Lookups are by batch (:meth:`KeyIndex.present`), so the spilled path costs a few queries per
10k-row batch, not one per row. The database is deleted when closed (and by the OS if the
process dies: SQLite unlinks a temporary database when it opens it).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterable

#: Keys held in memory before the index moves to disk (~30 MB of sets).
SPILL_AT = 250_000
#: Parameters per ``IN (...)`` query (SQLite's default limit is 999 on old builds).
_QUERY_CHUNK = 500


def _digest(key: str) -> bytes:
    return hashlib.blake2b(key.encode("utf-8"), digest_size=16).digest()


class KeyIndex:
    """Per-month sets of keys; ``load(month)`` gives the committed keys of a month not yet seen."""

    def __init__(self, load: Callable[[str], Iterable[str]]) -> None:
        self._load = load
        self._sets: dict[str, set[str]] = {}
        self._size = 0
        self._db: sqlite3.Connection | None = None
        self._months_on_disk: dict[str, int] = {}  # month -> its number in the database

    def present(self, month: str, keys: Iterable[str]) -> set[str]:
        """Those of ``keys`` already committed for ``month``."""
        self._ensure(month)
        if self._db is None:
            known = self._sets[month]
            return {key for key in keys if key in known}
        by_digest = {_digest(key): key for key in keys}
        digests = list(by_digest)
        number = self._months_on_disk[month]
        found: set[str] = set()
        for start in range(0, len(digests), _QUERY_CHUNK):
            part = digests[start : start + _QUERY_CHUNK]
            rows = self._db.execute(
                f"SELECT k FROM keys WHERE m = ? AND k IN ({','.join('?' * len(part))})", (number, *part)
            )
            found.update(by_digest[row[0]] for row in rows)
        return found

    def add(self, month: str, keys: Iterable[str]) -> None:
        """Record ``keys`` as committed for ``month``."""
        self._ensure(month)
        if self._db is None:
            known = self._sets[month]
            before = len(known)
            known.update(keys)
            self._size += len(known) - before
            if self._size > SPILL_AT:
                self._spill()
            return
        number = self._months_on_disk[month]
        self._db.executemany("INSERT OR IGNORE INTO keys VALUES (?, ?)", ((number, _digest(key)) for key in keys))

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        self._sets.clear()

    def _ensure(self, month: str) -> None:
        if month in self._sets or month in self._months_on_disk:
            return
        if self._db is None:
            self._sets[month] = set()
        else:
            self._months_on_disk[month] = len(self._months_on_disk)
        self.add(month, self._load(month))

    def _spill(self) -> None:
        db = sqlite3.connect("", check_same_thread=False)  # "": a private temporary on-disk database
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        db.execute("CREATE TABLE keys (m INTEGER, k BLOB, PRIMARY KEY (m, k)) WITHOUT ROWID")
        self._db = db
        sets, self._sets = self._sets, {}
        for month, keys in sets.items():
            self._months_on_disk[month] = len(self._months_on_disk)
            self.add(month, keys)
            keys.clear()
