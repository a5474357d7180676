"""The one clock: parsing ``CALLPLAN_NOW``, fixed clocks, and no other wall-clock read."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Settings, SettingsError, load_settings
from knowledge.clock import clock_from_setting, fixed_clock, month_of, parse_now, system_clock

ROOT = Path(__file__).resolve().parents[2]
WALL_CLOCK = re.compile(r"\b(?:datetime\.now|datetime\.utcnow|date\.today|time\.time)\s*\(")


def test_parse_now_accepts_iso_moments_and_dates_in_utc():
    assert parse_now("2026-03-01T08:00:00Z") == datetime(2026, 3, 1, 8, tzinfo=UTC)
    assert parse_now("2026-03-01") == datetime(2026, 3, 1, tzinfo=UTC)
    assert parse_now("2026-03-01T09:30:00+01:00") == datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
    assert parse_now("2026-03-01T08:00:00") == datetime(2026, 3, 1, 8, tzinfo=UTC)  # naive = UTC
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_now("next tuesday")


def test_fixed_and_system_clocks():
    moment = datetime(2028, 2, 29, 23, 59, tzinfo=UTC)
    clock = fixed_clock(moment)
    assert clock() == clock() == moment and month_of(clock()) == "2028-02"
    assert clock_from_setting(None) is system_clock
    now = system_clock()
    assert now.tzinfo is not None and now.utcoffset() == timedelta(0)


def test_callplan_now_is_a_setting_with_a_one_line_error(monkeypatch):
    monkeypatch.setenv("CALLPLAN_NOW", "2027-01-01T08:00:00Z")
    settings = load_settings(_env_file=None)
    assert settings.clock() == datetime(2027, 1, 1, 8, tzinfo=UTC)
    assert Settings(_env_file=None, CALLPLAN_NOW="").clock is system_clock
    monkeypatch.setenv("CALLPLAN_NOW", "soon")
    with pytest.raises(SettingsError, match=r"^invalid setting CALLPLAN_NOW \(got 'soon'\)"):
        load_settings(_env_file=None)


def test_only_the_system_clock_reads_the_wall_clock():
    """Production code (bot, dialogs, knowledge, manifest) and tests read "now" only through
    knowledge.clock.system_clock (the JWT expiry a test token needs is the SDK's wall clock,
    and the benchmark report's time stamp is not a result)."""
    allowed = {
        ROOT / "knowledge" / "clock.py",
        ROOT / "tests" / "bot" / "test_messages.py",
        ROOT / "bench" / "__main__.py",
        Path(__file__).resolve(),
    }
    offenders = []
    for folder in ("bot", "dialogs", "knowledge", "manifest", "tests", "bench"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.resolve() in allowed or "node_modules" in path.parts:
                continue
            for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
                if WALL_CLOCK.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []
