"""A task's clock as moments in working time (pure): the reminder, FUMIN_CASE_REMIND_HOURS
working hours before its due time, and its category's escalation ladder after it, each
rung `after_hours` working hours past the due time (0: the due time itself), all counted
on the task's department's own calendar (its hours on the subdistrict's working days).

Which steps a sweep takes at a moment: every step whose moment has come, but the
reminder only while the task is not yet due (a late sweep does not remind of what is
already overdue; the escalation says it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from coordinator.cases.clock.models import StepKind
from coordinator.worktime.clock import MAX_IDLE_DAYS, ONE_DAY, ZERO
from coordinator.worktime.service import NoWorkingTime, WorkCalendar, add_working_hours

# Who a rung of the ladder tells (cases/notify.py escalate).
TARGETS = ("department_lead", "coordinators")
MAX_AFTER_HOURS = Decimal(10_000)


@dataclass(frozen=True)
class Rung:
    step: int  # its place in the category's ladder
    after_hours: Decimal
    to: str


@dataclass(frozen=True)
class Step:
    kind: StepKind
    step: int
    at: datetime
    to: str | None = None
    after_hours: Decimal | None = None


def ladder(escalation: Any) -> list[Rung]:
    """The rungs of a category's ladder ([{"after_hours": 0, "to": "department_lead"},
    …]) that say a number of hours (0 or more) and a known target; others are skipped."""
    if not isinstance(escalation, list):
        return []
    rungs = []
    for place, rung in enumerate(escalation):
        if not isinstance(rung, dict) or rung.get("to") not in TARGETS:
            continue
        hours = rung.get("after_hours")
        if isinstance(hours, bool) or not isinstance(hours, int | float | str):
            continue
        try:
            after = Decimal(str(hours))
        except InvalidOperation:
            continue
        if after.is_finite() and 0 <= after <= MAX_AFTER_HOURS:
            rungs.append(Rung(place, after, str(rung["to"])))
    return rungs


def working_time_before(cal: WorkCalendar, end: datetime, amount: timedelta) -> datetime:
    """The moment `amount` of working time before `end` (more than zero): the reverse of
    add_working_hours. Time before `end` outside working periods is not counted; a result
    at a period's start is that start (13:00, not the morning's close)."""
    remaining = amount
    t = end.astimezone(UTC)
    try:
        # The local day after `end`'s: a period may end past midnight when clocks change.
        day: date = t.astimezone(cal.zone).date() + ONE_DAY
        idle = 0
        while True:
            worked = False
            for begin, finish in reversed(cal.spans(day)):
                if begin >= t:
                    continue
                worked = True
                finish = min(finish, t)
                if remaining <= finish - begin:
                    return finish - remaining
                remaining -= finish - begin
            idle = 0 if worked else idle + 1
            if idle > MAX_IDLE_DAYS:
                raise NoWorkingTime(f"no working time in {MAX_IDLE_DAYS} days before {end}")
            day -= ONE_DAY
    except OverflowError:
        raise NoWorkingTime(f"no working time within the years 1 to 9999 before {end}") from None


def plan(cal: WorkCalendar, due_at: datetime, remind: timedelta, rungs: list[Rung]) -> list[Step]:
    """Every step of a task due at `due_at`, in the order they fall."""
    steps = []
    if remind > ZERO:
        steps.append(Step(StepKind.remind, 0, working_time_before(cal, due_at, remind)))
    for rung in rungs:
        at = due_at if rung.after_hours == 0 else add_working_hours(cal, due_at, rung.after_hours)
        steps.append(Step(StepKind.escalate, rung.step, at, rung.to, rung.after_hours))
    return sorted(steps, key=lambda s: (s.at, s.kind != StepKind.remind, s.step))


def steps_due(steps: list[Step], due_at: datetime, now: datetime) -> list[Step]:
    """The steps whose moment has come at `now`; the reminder only before the due time."""
    return [s for s in steps if s.at <= now and (s.kind != StepKind.remind or now < due_at)]


def next_step_at(steps: list[Step], now: datetime) -> datetime | None:
    """When the next step after `now` falls; None when none is left."""
    return min((s.at for s in steps if s.at > now), default=None)
