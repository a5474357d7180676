"""The one clock: every "now" and "today" of the store, the demo, the dialogs and the CLI.

WHY injected: answers depend on the date (this month's pool, the run-out forecast, the demo's
calls up to now), and a test or a demo must be able to say which date it is. Production code
never reads the wall clock except through :func:`system_clock`; tests pass
:func:`fixed_clock`; the host and the CLI build theirs once from the ``CALLPLAN_NOW`` setting
(:func:`clock_from_setting`), so a subprocess or a recorded demo can be pinned to a date.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

#: A clock returns the current moment as an aware UTC datetime.
Clock = Callable[[], datetime]

#: The environment variable (a setting) that pins the host's and the CLI's clock.
NOW_ENV = "CALLPLAN_NOW"


def system_clock() -> datetime:
    """The wall clock, in UTC: the only place the product reads it."""
    return datetime.now(UTC)


def fixed_clock(moment: datetime) -> Clock:
    """A clock that always says ``moment`` (naive means UTC)."""
    moment = as_utc(moment)

    def clock() -> datetime:
        return moment

    return clock


def as_utc(moment: datetime) -> datetime:
    """``moment`` as an aware UTC datetime (a naive one is taken to be UTC already)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_now(text: str) -> datetime:
    """``2026-03-01T08:00:00Z`` or ``2026-03-01`` (midnight UTC) -> aware UTC datetime.

    ``ValueError`` with a one-line reason otherwise.
    """
    value = (text or "").strip()
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC)
        return as_utc(datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00")))
    except ValueError:
        raise ValueError(f"{text!r} is not a date-time: use ISO 8601, e.g. 2026-03-01T08:00:00Z") from None


def clock_from_setting(value: datetime | None) -> Clock:
    """The clock a ``CALLPLAN_NOW`` value gives: fixed at it, or the system clock when unset."""
    return fixed_clock(value) if value is not None else system_clock


def today(clock: Clock) -> date:
    """The current UTC day by ``clock``."""
    return clock().date()


def month_of(moment: datetime | date) -> str:
    """``YYYY-MM`` of a moment or day."""
    return f"{moment.year:04d}-{moment.month:02d}"
