"""Pool alerts: who asked to hear about a tenant's pools, and which alerts are due (no SDK here).

A subscription is one Teams conversation of one tenant, with the thresholds it asked for
(percent of a pool used; by default 80 and 100) and "runs out before the month ends". The host
stores the conversation reference it needs to write there later (a plain dict here).

:func:`due_alerts` is a pure rule: a pool *crosses* a threshold when its use reaches it; the
alert is due unless the same (month, pool, threshold, conversation) was already sent. "Sent"
is persisted, so each alert goes out once per pool, threshold and month, whatever the number
of syncs, imports, restarts or bot processes.

Files (``DATA_DIR/alerts/<tenant>/``): ``subscriptions.json`` (written by chat turns) and
``sent.json`` (written by the one scheduler holding the sync lock). Two files, so the two
writers never overwrite each other's change; each write is atomic (temp + rename) under a
``flock`` on ``alerts/.lock``.

With several replicas (``STORE_BACKEND=azure-blob``) the same two documents are objects of the
store's container (``alerts/<tenant>/subscriptions.json``, ``.../sent.json``), reached through
the injected :class:`~knowledge.store.objects.ObjectStore`: a chat may subscribe through any
replica and the elected one sees it. No lock across machines: each change is a read, the
change, and a conditional put (If-Match the ETag read, If-None-Match: * when there was none);
a put that loses (412) reads again and redoes the change, at most :data:`UPDATE_ATTEMPTS`
times, so two replicas subscribing at once both land.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, TypeAdapter

from knowledge.pools import PoolBalance
from knowledge.store.atomic import atomic_write_bytes
from knowledge.store.layout import StoreError, normalize_tenant_id
from knowledge.store.objects import ObjectStore, PreconditionFailed

DEFAULT_THRESHOLDS = (80, 100)
#: The "at this rate it runs out before the month ends" alert, beside the percentages.
RUNOUT: Literal["runout"] = "runout"
#: Months of "sent" keys kept (older ones can no longer be due).
KEEP_MONTHS = 3
#: Tries of one change against concurrent writers on an object store (then a clear error).
UPDATE_ATTEMPTS = 10
#: Object-name prefix of the alert documents on an object store.
OBJECT_PREFIX = "alerts/"

Kind = int | Literal["runout"]


class Subscription(BaseModel):
    conversation_id: str
    reference: dict[str, Any]  # the host's serialized conversation reference
    lang: Literal["en", "fr"] = "en"
    thresholds: tuple[int, ...] = DEFAULT_THRESHOLDS
    runout: bool = True


class Alert(BaseModel):
    tenant_id: str
    conversation_id: str
    lang: Literal["en", "fr"]
    kind: Kind
    pool: PoolBalance

    @property
    def key(self) -> str:
        return sent_key(self.pool, self.kind, self.conversation_id)


def sent_key(pool: PoolBalance, kind: Kind, conversation_id: str) -> str:
    return f"{pool.month}|{pool.key.as_str()}|{kind}|{conversation_id}"


def thresholds_for(percent: int | None, current: Sequence[int] = ()) -> tuple[int, ...]:
    """The thresholds after asking for ``percent``: added to what the conversation had, with 100
    (a pool running dry is always worth a word); the defaults when no percent was given."""
    wanted = set(current) | ({percent, 100} if percent is not None else set(DEFAULT_THRESHOLDS))
    return tuple(sorted(wanted))


def due_alerts(
    tenant_id: str, balances: Iterable[PoolBalance], subscriptions: Iterable[Subscription], sent: set[str]
) -> list[Alert]:
    """Alerts to send now: for each subscription and pool, the highest threshold crossed and
    not yet sent (a pool that jumped from 50% to 100% gets one alert, not two), and the run-out
    warning once."""
    alerts = []
    balances = [b for b in balances if b.total_minutes > 0 or b.used_minutes > 0]
    for sub in subscriptions:
        for pool in balances:
            crossed = [n for n in sub.thresholds if pool.percent_used >= n]
            if crossed:
                top = max(crossed)
                if sent_key(pool, top, sub.conversation_id) not in sent:
                    alerts.append(
                        Alert(
                            tenant_id=tenant_id, conversation_id=sub.conversation_id, lang=sub.lang, kind=top, pool=pool
                        )
                    )
            if (
                sub.runout
                and pool.runs_out_on is not None
                and not pool.exhausted
                and sent_key(pool, RUNOUT, sub.conversation_id) not in sent
            ):
                alerts.append(
                    Alert(
                        tenant_id=tenant_id, conversation_id=sub.conversation_id, lang=sub.lang, kind=RUNOUT, pool=pool
                    )
                )
    return alerts


def covered_keys(alert: Alert, subscription: Subscription) -> list[str]:
    """What sending ``alert`` settles: its key and those of the lower thresholds it passed."""
    if alert.kind == RUNOUT:
        return [alert.key]
    return [sent_key(alert.pool, n, alert.conversation_id) for n in subscription.thresholds if n <= int(alert.kind)]


_SUBS = TypeAdapter(dict[str, Subscription])
_SENT = TypeAdapter(list[str])
_THREAD_LOCK = threading.Lock()


class AlertBook:
    """Subscriptions and sent alerts under ``DATA_DIR/alerts``, or in ``objects`` when given
    (blocking I/O: call it from a worker thread in the bot)."""

    def __init__(self, data_dir: Path | str, objects: ObjectStore | None = None) -> None:
        self.root = Path(data_dir) / "alerts"
        #: The shared object store (several replicas), or None: files under ``root``.
        self.objects = objects
        #: Called (from the writing thread) after a new subscription: the host wakes its
        #: scheduler, so a pool already past a threshold is reported at once, not a tick later.
        self.on_subscribe: list[Callable[[], None]] = []

    def close(self) -> None:
        """Close the object store's client, if any (files need nothing)."""
        close = getattr(self.objects, "close", None)
        if callable(close):
            close()

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with _THREAD_LOCK:
            self.root.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)

    def _dir(self, tenant_id: str) -> Path:
        return self.root / normalize_tenant_id(tenant_id)

    def _object_name(self, tenant_id: str, name: str) -> str:
        return f"{OBJECT_PREFIX}{normalize_tenant_id(tenant_id)}/{name}"

    def _read(self, tenant_id: str, name: str) -> bytes | None:
        if self.objects is not None:
            found = self.objects.get(self._object_name(tenant_id, name))
            return found.data if found is not None else None
        try:
            return (self._dir(tenant_id) / name).read_bytes()
        except FileNotFoundError:
            return None

    def _update(self, tenant_id: str, name: str, change: Callable[[bytes | None], bytes | None]) -> None:
        """Apply ``change`` (old document -> new one, or None: nothing to write) atomically:
        under the file lock locally; on an object store, redone on fresh data after a 412."""
        if self.objects is None:
            with self._locked():
                payload = change(self._read(tenant_id, name))
                if payload is not None:
                    folder = self._dir(tenant_id)
                    folder.mkdir(parents=True, exist_ok=True)
                    atomic_write_bytes(folder / name, payload)
            return
        full = self._object_name(tenant_id, name)
        for _ in range(UPDATE_ATTEMPTS):
            found = self.objects.get(full)
            payload = change(found.data if found is not None else None)
            if payload is None:
                return
            try:
                if found is None:
                    self.objects.put(full, payload, if_none_match="*")
                else:
                    self.objects.put(full, payload, if_match=found.etag)
                return
            except PreconditionFailed:
                continue  # another replica changed it first: redo the change on its version
        raise StoreError(f"tenant {tenant_id}: {name} kept changing under {UPDATE_ATTEMPTS} tries; try again")

    def tenants(self) -> list[str]:
        if self.objects is not None:
            names = self.objects.list(OBJECT_PREFIX)
            return sorted({n.split("/")[1] for n in names if n.count("/") == 2 and n.endswith("/subscriptions.json")})
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if (p / "subscriptions.json").is_file())

    def subscriptions(self, tenant_id: str) -> dict[str, Subscription]:
        raw = self._read(tenant_id, "subscriptions.json")
        return _SUBS.validate_json(raw) if raw is not None else {}

    def subscription(self, tenant_id: str, conversation_id: str) -> Subscription | None:
        return self.subscriptions(tenant_id).get(conversation_id)

    def subscribe(
        self, tenant_id: str, conversation_id: str, reference: dict[str, Any], lang: str, percent: int | None = None
    ) -> Subscription:
        made: list[Subscription] = []

        def change(raw: bytes | None) -> bytes:
            subs = _SUBS.validate_json(raw) if raw is not None else {}
            known = subs.get(conversation_id)
            sub = Subscription(
                conversation_id=conversation_id,
                reference=reference,
                lang="fr" if lang == "fr" else "en",
                thresholds=thresholds_for(percent, known.thresholds if known else ()),
            )
            subs[conversation_id] = sub
            made[:] = [sub]
            return _SUBS.dump_json(subs, indent=1)

        self._update(tenant_id, "subscriptions.json", change)
        for listener in self.on_subscribe:
            listener()
        return made[0]

    def unsubscribe(self, tenant_id: str, conversation_id: str) -> bool:
        removed = [False]

        def change(raw: bytes | None) -> bytes | None:
            subs = _SUBS.validate_json(raw) if raw is not None else {}
            removed[0] = subs.pop(conversation_id, None) is not None
            return _SUBS.dump_json(subs, indent=1) if removed[0] else None

        self._update(tenant_id, "subscriptions.json", change)
        return removed[0]

    def sent(self, tenant_id: str) -> set[str]:
        raw = self._read(tenant_id, "sent.json")
        return set(_SENT.validate_json(raw)) if raw is not None else set()

    def mark_sent(self, tenant_id: str, keys: Iterable[str], month: str) -> None:
        """Record sent alert keys, dropping those older than ``KEEP_MONTHS`` before ``month``."""
        year, mon = int(month[:4]), int(month[5:7])
        oldest_index = year * 12 + mon - 1 - (KEEP_MONTHS - 1)
        oldest = f"{oldest_index // 12:04d}-{oldest_index % 12 + 1:02d}"
        added = set(keys)

        def change(raw: bytes | None) -> bytes:
            known = set(_SENT.validate_json(raw)) if raw is not None else set()
            sent = {k for k in known | added if k[:7] >= oldest}
            return _SENT.dump_json(sorted(sent), indent=0)

        self._update(tenant_id, "sent.json", change)


__all__ = [
    "DEFAULT_THRESHOLDS",
    "RUNOUT",
    "Alert",
    "AlertBook",
    "Subscription",
    "covered_keys",
    "due_alerts",
    "sent_key",
    "thresholds_for",
]
