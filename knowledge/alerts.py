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
from knowledge.store.layout import normalize_tenant_id

DEFAULT_THRESHOLDS = (80, 100)
#: The "at this rate it runs out before the month ends" alert, beside the percentages.
RUNOUT: Literal["runout"] = "runout"
#: Months of "sent" keys kept (older ones can no longer be due).
KEEP_MONTHS = 3

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


def due_alerts(tenant_id: str, balances: Iterable[PoolBalance], subscriptions: Iterable[Subscription],
               sent: set[str]) -> list[Alert]:
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
                    alerts.append(Alert(tenant_id=tenant_id, conversation_id=sub.conversation_id,
                                        lang=sub.lang, kind=top, pool=pool))
            if (sub.runout and pool.runs_out_on is not None and not pool.exhausted
                    and sent_key(pool, RUNOUT, sub.conversation_id) not in sent):
                alerts.append(Alert(tenant_id=tenant_id, conversation_id=sub.conversation_id,
                                    lang=sub.lang, kind=RUNOUT, pool=pool))
    return alerts


def covered_keys(alert: Alert, subscription: Subscription) -> list[str]:
    """What sending ``alert`` settles: its key and those of the lower thresholds it passed."""
    if alert.kind == RUNOUT:
        return [alert.key]
    return [sent_key(alert.pool, n, alert.conversation_id)
            for n in subscription.thresholds if n <= int(alert.kind)]


_SUBS = TypeAdapter(dict[str, Subscription])
_SENT = TypeAdapter(list[str])
_THREAD_LOCK = threading.Lock()


class AlertBook:
    """Subscriptions and sent alerts under ``DATA_DIR/alerts`` (blocking file I/O: call it
    from a worker thread in the bot)."""

    def __init__(self, data_dir: Path | str) -> None:
        self.root = Path(data_dir) / "alerts"
        #: Called (from the writing thread) after a new subscription: the host wakes its
        #: scheduler, so a pool already past a threshold is reported at once, not a tick later.
        self.on_subscribe: list[Callable[[], None]] = []

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

    def tenants(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if (p / "subscriptions.json").is_file())

    def subscriptions(self, tenant_id: str) -> dict[str, Subscription]:
        path = self._dir(tenant_id) / "subscriptions.json"
        try:
            return _SUBS.validate_json(path.read_bytes())
        except FileNotFoundError:
            return {}

    def subscription(self, tenant_id: str, conversation_id: str) -> Subscription | None:
        return self.subscriptions(tenant_id).get(conversation_id)

    def subscribe(self, tenant_id: str, conversation_id: str, reference: dict[str, Any], lang: str,
                  percent: int | None = None) -> Subscription:
        with self._locked():
            subs = self.subscriptions(tenant_id)
            known = subs.get(conversation_id)
            sub = Subscription(conversation_id=conversation_id, reference=reference,
                               lang="fr" if lang == "fr" else "en",
                               thresholds=thresholds_for(percent, known.thresholds if known else ()))
            subs[conversation_id] = sub
            self._write(tenant_id, "subscriptions.json", _SUBS.dump_json(subs, indent=1))
        for listener in self.on_subscribe:
            listener()
        return sub

    def unsubscribe(self, tenant_id: str, conversation_id: str) -> bool:
        with self._locked():
            subs = self.subscriptions(tenant_id)
            if subs.pop(conversation_id, None) is None:
                return False
            self._write(tenant_id, "subscriptions.json", _SUBS.dump_json(subs, indent=1))
            return True

    def sent(self, tenant_id: str) -> set[str]:
        try:
            return set(_SENT.validate_json((self._dir(tenant_id) / "sent.json").read_bytes()))
        except FileNotFoundError:
            return set()

    def mark_sent(self, tenant_id: str, keys: Iterable[str], month: str) -> None:
        """Record sent alert keys, dropping those older than ``KEEP_MONTHS`` before ``month``."""
        year, mon = int(month[:4]), int(month[5:7])
        oldest_index = year * 12 + mon - 1 - (KEEP_MONTHS - 1)
        oldest = f"{oldest_index // 12:04d}-{oldest_index % 12 + 1:02d}"
        with self._locked():
            sent = {k for k in self.sent(tenant_id) | set(keys) if k[:7] >= oldest}
            self._write(tenant_id, "sent.json", _SENT.dump_json(sorted(sent), indent=0))

    def _write(self, tenant_id: str, name: str, payload: bytes) -> None:
        folder = self._dir(tenant_id)
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(folder / name, payload)


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
