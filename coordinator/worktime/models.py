"""The work calendar's exceptions to the weekly rule: public holidays that fall on
working weekdays, and make-up working days (调休上班) on weekend days."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from coordinator.platform.db import Base, utcnow
from coordinator.platform.i18n import Text

WORK_CALENDAR_DAY = Text("工作日历中的日期", "work calendar day")
TABLE_NAME = "work_calendar_days"
ENTITY_TYPE = "work_calendar_day"
# Audit entries name a day by a UUID made from its date (the same day, the same id).
_DAYS = uuid.UUID("6f1e4c1a-5b0e-4f3c-9d52-2c0a8e6d7b10")


class WorkCalendarDay(Base):
    """One date and whether it is a working day (False: a holiday, on whatever day of the
    week; True: a working day, e.g. a Saturday made up for a holiday)."""

    __tablename__ = TABLE_NAME

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    working: Mapped[bool]
    name: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), default=utcnow, onupdate=utcnow
    )


def day_entity_id(day: date) -> uuid.UUID:
    """The id audit entries of `day` carry (GET /api/v1/audit-log?entity_id=…)."""
    return uuid.uuid5(_DAYS, day.isoformat())
