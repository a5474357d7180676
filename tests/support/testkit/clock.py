"""The moment the tests' demo data and lookups are pinned to: never the wall clock.

Mid-month on purpose (the demo's near-exhaustion pool then has a forecast); the tests that
care about the 1st, the last day or a leap day pin their own (tests/knowledge/test_demo_dates.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

from knowledge.clock import fixed_clock

#: "Now" for the shared demo fixtures, the app's ``CALLPLAN_NOW`` and the CLI subprocesses.
DEMO_NOW = datetime(2026, 3, 18, 10, 0, tzinfo=UTC)
DEMO_CLOCK = fixed_clock(DEMO_NOW)
DEMO_NOW_ENV = "2026-03-18T10:00:00Z"


class SettableClock:
    """A clock a test moves by hand (``clock.set(moment)``): e.g. rosters imported in May,
    then in July, by one store."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def set(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment
