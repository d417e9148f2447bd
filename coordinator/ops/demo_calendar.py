"""The demo's work calendar: mainland China's public holidays and make-up working days
(调休上班) of 2026, as the General Office of the State Council published them on
4 November 2025 (国务院办公厅关于2026年部分节假日安排的通知). The 2027 schedule was not
yet published when this was written; a coordinator adds it with
PUT /api/v1/work-calendar/years/2027. Every day a holiday covers is listed (weekend days
too, so the calendar names them); make-up days are the weekend days worked instead.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.worktime.models import WorkCalendarDay

# (holiday, first day off, last day off, make-up working days)
SCHEDULE_2026: tuple[tuple[str, date, date, tuple[date, ...]], ...] = (
    ("元旦", date(2026, 1, 1), date(2026, 1, 3), (date(2026, 1, 4),)),
    ("春节", date(2026, 2, 15), date(2026, 2, 23), (date(2026, 2, 14), date(2026, 2, 28))),
    ("清明节", date(2026, 4, 4), date(2026, 4, 6), ()),
    ("劳动节", date(2026, 5, 1), date(2026, 5, 5), (date(2026, 5, 9),)),
    ("端午节", date(2026, 6, 19), date(2026, 6, 21), ()),
    ("中秋节", date(2026, 9, 25), date(2026, 9, 27), ()),
    ("国庆节", date(2026, 10, 1), date(2026, 10, 7), (date(2026, 9, 20), date(2026, 10, 10))),
)


def calendar_days() -> list[dict[str, Any]]:
    """The rows of the schedule, in date order."""
    rows = []
    for name, first, last, make_up in SCHEDULE_2026:
        rows += [
            {"day": first + timedelta(days=n), "working": False, "name": name}
            for n in range((last - first).days + 1)
        ]
        rows += [{"day": day, "working": True, "name": f"{name}调休上班"} for day in make_up]
    return sorted(rows, key=lambda row: row["day"])


async def insert_calendar(session: AsyncSession) -> None:
    """Add the schedule, leaving any day the calendar already has as it is."""
    await session.execute(insert(WorkCalendarDay).on_conflict_do_nothing(), calendar_days())
