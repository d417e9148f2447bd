"""A case's clocks, counted in working time (coordinator.worktime): answered (受理) within
the category's response hours, resolved (办结) within its resolution days, both scaled by
the urgency's factor; each department's task due on that department's own working hours.

Whole working days end at close of business of the last one (add_working_days); a
fraction of a day (5 days × 0.25 for an urgent case) is counted as that share of a working
day's hours from the moment of filing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Protocol

from coordinator.cases.categories.models import CaseCategory
from coordinator.cases.models import Urgency
from coordinator.platform.workhours import parse_work_hours
from coordinator.worktime.service import WorkCalendar, add_working_days, add_working_hours

# The subdistrict's factors; a category may set its own (`urgency_factors`).
DEFAULT_FACTORS: dict[Urgency, float] = {
    Urgency.urgent: 0.25,
    Urgency.high: 0.5,
    Urgency.normal: 1.0,
    Urgency.low: 2.0,
}


@dataclass(frozen=True)
class Clocks:
    response_due_at: datetime
    resolution_due_at: datetime


def urgency_factor(category: CaseCategory, urgency: Urgency) -> float:
    """The category's factor for the urgency if it sets a positive one, else the default."""
    value = (category.urgency_factors or {}).get(urgency.value)
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value)
    return DEFAULT_FACTORS[urgency]


class KeepsHours(Protocol):
    """A department, or as much of one as a deadline needs."""

    @property
    def work_hours(self) -> str | None: ...


def department_calendar(calendar: WorkCalendar, department: KeepsHours | None) -> WorkCalendar:
    """The subdistrict's working days on the department's own hours, if it keeps other ones."""
    if department is None or not department.work_hours:
        return calendar
    try:
        return calendar.with_periods(parse_work_hours(department.work_hours))
    except ValueError:  # hours stored before they were checked: the subdistrict's
        return calendar


def day_length(calendar: WorkCalendar) -> timedelta:
    """The working time of one working day."""
    return sum(
        (
            datetime.combine(datetime.min, end) - datetime.combine(datetime.min, start)
            for start, end in calendar.periods
        ),
        timedelta(0),
    )


def add_days(calendar: WorkCalendar, start: datetime, days: float) -> datetime:
    if float(days).is_integer():
        return add_working_days(calendar, start, int(days))
    return add_working_hours(calendar, start, day_length(calendar) * days)


def resolution_days(category: CaseCategory, urgency: Urgency) -> float:
    return category.resolution_days * urgency_factor(category, urgency)


def case_clocks(
    calendar: WorkCalendar, category: CaseCategory, urgency: Urgency, start: datetime
) -> Clocks:
    factor = Decimal(str(urgency_factor(category, urgency)))
    return Clocks(
        response_due_at=add_working_hours(
            calendar, start, Decimal(category.response_hours) * factor
        ),
        resolution_due_at=add_days(calendar, start, resolution_days(category, urgency)),
    )


def task_due(
    calendar: WorkCalendar,
    department: KeepsHours | None,
    category: CaseCategory,
    urgency: Urgency,
    start: datetime,
) -> datetime:
    """When a department's task is due: the resolution deadline on its own hours."""
    return add_days(
        department_calendar(calendar, department), start, resolution_days(category, urgency)
    )
