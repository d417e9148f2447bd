"""Calendars the working-time tests count with."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from coordinator.ops.demo_calendar import calendar_days
from coordinator.platform.workhours import parse_work_hours
from coordinator.worktime.clock import WorkCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
PERIODS = parse_work_hours("09:00-12:00,13:00-17:30")  # 7.5 working hours a day
WEEKEND = frozenset({5, 6})
# 2026 in mainland China, as published (the demo's calendar).
CHINA_2026 = {row["day"]: row["working"] for row in calendar_days()}


def calendar(
    zone: ZoneInfo = SHANGHAI,
    exceptions: dict[date, bool] | None = None,
    periods: str = "09:00-12:00,13:00-17:30",
) -> WorkCalendar:
    return WorkCalendar(
        zone=zone,
        periods=parse_work_hours(periods),
        weekend=WEEKEND,
        exceptions=CHINA_2026 if exceptions is None else exceptions,
    )


def at(zone: ZoneInfo, y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    """A local wall time, as an aware datetime."""
    return datetime.combine(date(y, mo, d), time(h, mi), tzinfo=zone)


def local(moment: datetime, zone: ZoneInfo = SHANGHAI) -> datetime:
    assert moment.tzinfo is UTC, "results come out in UTC"
    return moment.astimezone(zone).replace(tzinfo=None)
