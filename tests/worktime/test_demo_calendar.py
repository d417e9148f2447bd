"""The demo's calendar is mainland China's 2026 schedule as published, and the settings
that shape working time are checked at start-up."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from coordinator.ops.demo_calendar import calendar_days
from coordinator.ops.demo_load import load_demo
from coordinator.platform.settings import SettingsError, load_settings
from coordinator.worktime.models import WorkCalendarDay
from coordinator.worktime.service import is_working_day, load_calendar


def test_the_2026_schedule_moves_the_days_the_state_council_named():
    rows = calendar_days()
    off = [r["day"] for r in rows if not r["working"]]
    worked = [r["day"] for r in rows if r["working"]]
    assert len(off) == 3 + 9 + 3 + 5 + 3 + 3 + 7
    assert worked == [
        date(2026, m, d) for m, d in ((1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10))
    ]
    assert all(day.weekday() >= 5 for day in worked)  # make-up days are weekend days
    assert len({r["day"] for r in rows}) == len(rows)


async def test_the_demo_loads_the_calendar_and_deadlines_count_with_it(database, settings):
    counts = await load_demo(database, settings)
    assert counts is not None and counts["work_calendar_days"] == len(calendar_days())
    async with database.session() as session:
        stored = await session.scalar(select(func.count()).select_from(WorkCalendarDay))
        calendar = await load_calendar(session, settings)
    assert stored == len(calendar_days())
    assert not is_working_day(calendar, date(2026, 10, 7))  # 国庆节, a Wednesday
    assert is_working_day(calendar, date(2026, 2, 28))  # 春节调休上班, a Saturday


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("FUMIN_WORK_HOURS", "9-17"),
        ("FUMIN_WORK_HOURS", "13:00-17:30,09:00-12:00"),
        ("FUMIN_WORK_WEEKEND", "sat,sun,holiday"),
        ("FUMIN_WORK_WEEKEND", "mon,tue,wed,thu,fri,sat,sun"),
    ],
)
def test_malformed_working_time_settings_stop_the_start(name, value):
    with pytest.raises(SettingsError, match=f"{name}: "):
        load_settings(**{name: value})


def test_working_time_settings_are_read_once_into_periods_and_days():
    settings = load_settings(FUMIN_WORK_HOURS="08:30-12:00, 13:30-18:00", FUMIN_WORK_WEEKEND="sun")
    assert [(f"{s:%H:%M}", f"{e:%H:%M}") for s, e in settings.work_periods] == [
        ("08:30", "12:00"),
        ("13:30", "18:00"),
    ]
    assert settings.weekend_days == frozenset({6})
