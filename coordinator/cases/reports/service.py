"""The figures of the joint cases, computed in PostgreSQL: each department's month of tasks
(received, done on time or late, overdue, median hours to accept and to close, reopenings)
and the open cases of every building and area.

A month is its days in the subdistrict's zone. Tasks still open are counted at the month's
end, or now for the month under way; a task done after the month ended was open at its end.
Hours are wall-clock hours."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    DateTime,
    and_,
    cast,
    distinct,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.cases.models import CaseTask
from coordinator.cases.reports.models import LATE_SPAN
from coordinator.departments.models import Department, DepartmentKind
from coordinator.events.models import OutboxEvent
from coordinator.platform.db import utcnow

# Written out, not bound: the planner matches a partial index's predicate only to literals.
TASK_OPEN = text("case_tasks.status IN ('pending', 'accepted')")
REOPENED = text("outbox.type = 'case.reopened'")
KIND_ORDER = {kind: n for n, kind in enumerate(DepartmentKind)}


def this_month(zone: ZoneInfo, now: datetime | None = None) -> str:
    return (now or utcnow()).astimezone(zone).strftime("%Y-%m")


def shift_month(month: str, by: int) -> str:
    """The month `by` months after (or before) a month YYYY-MM."""
    year, number = (int(part) for part in month.split("-"))
    index = year * 12 + number - 1 + by
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_bounds(month: str, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Midnight of the month's first day and of the next month's, in the zone."""
    year, number = (int(part) for part in month.split("-"))
    start = datetime(year, number, 1, tzinfo=zone)
    return start, datetime(year + number // 12, number % 12 + 1, 1, tzinfo=zone)


@dataclass(frozen=True)
class Month:
    month: str
    start: datetime
    end: datetime
    # When open tasks are counted: the month's end, or now; None for a month to come.
    as_of: datetime | None

    @classmethod
    def of(cls, month: str | None, zone: ZoneInfo, now: datetime | None = None) -> Month:
        now = now or utcnow()
        month = month or this_month(zone, now)
        start, end = month_bounds(month, zone)
        return cls(month, start, end, min(end, now) if now > start else None)


def _within(column: Any, start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(column >= start, column < end)


def _instant(moment: datetime) -> Any:
    """A time for an operator that would take a bare literal for a range."""
    return cast(literal(moment, DateTime(timezone=True)), DateTime(timezone=True))


def _hours(later: Any, earlier: Any) -> Any:
    return func.extract("epoch", later - earlier) / 3600.0


def _figures(row: Any, reopened: int) -> dict[str, Any]:
    closed = int(row.closed)
    return {
        "received": int(row.received),
        "closed": closed,
        "on_time": int(row.on_time),
        "late": int(row.late),
        "overdue_open": int(row.overdue_open),
        "overdue": int(row.late) + int(row.overdue_open),
        "on_time_rate": round(int(row.on_time) / closed, 4) if closed else None,
        "median_accept_hours": _rounded(row.median_accept),
        "median_close_hours": _rounded(row.median_close),
        "reopened": reopened,
    }


def _rounded(value: Any) -> float | None:
    return None if value is None else round(float(value), 2)


def task_figures(span: Month) -> Any:
    """One statement: per department and for all (GROUPING SETS), over only the tasks the
    month touches, each read through an index."""
    t = CaseTask
    start, end, as_of = span.start, span.end, span.as_of
    made = _within(t.created_at, start, end)
    accepted = _within(t.accepted_at, start, end)
    done = _within(t.done_at, start, end)
    if as_of is None:
        open_past_due: ColumnElement[bool] = false()
        touched = or_(made, accepted, done)
    else:
        # Past due and open at as_of: still open now, or done late since (its late span
        # holds as_of); made before it. Each arm of `touched` is read by an index.
        still_open = and_(TASK_OPEN, t.due_at < as_of)
        done_since = and_(t.done_at > t.due_at, LATE_SPAN.op("@>")(_instant(as_of)))
        open_past_due = and_(t.created_at < as_of, or_(still_open, done_since))
        touched = or_(made, accepted, done, still_open, done_since)
    return (
        select(
            t.department_id,
            func.grouping(t.department_id).label("all"),
            func.count().filter(made).label("received"),
            func.count().filter(done).label("closed"),
            func.count().filter(and_(done, t.done_at <= t.due_at)).label("on_time"),
            func.count().filter(and_(done, t.done_at > t.due_at)).label("late"),
            func.count().filter(open_past_due).label("overdue_open"),
            func.percentile_cont(0.5)
            .within_group(_hours(t.accepted_at, t.created_at))
            .filter(accepted)
            .label("median_accept"),
            func.percentile_cont(0.5)
            .within_group(_hours(t.done_at, t.created_at))
            .filter(done)
            .label("median_close"),
        )
        .where(touched)
        .group_by(func.grouping_sets(tuple_(t.department_id), tuple_()))
    )


def reopenings(span: Month) -> Any:
    """Cases reopened in the month, by the department leading them then (from the events)."""
    lead: ColumnElement[str] = literal_column("outbox.data ->> 'lead_department_id'")
    return (
        select(
            lead.label("department_id"),
            func.grouping(lead).label("all"),
            func.count(distinct(OutboxEvent.subject_id)).label("cases"),
        )
        .where(REOPENED, _within(OutboxEvent.occurred_at, span.start, span.end))
        .group_by(func.grouping_sets(tuple_(lead), tuple_()))
    )


async def department_report(
    *, session: AsyncSession, month: str | None, zone: ZoneInfo, now: datetime | None = None
) -> dict[str, Any]:
    span = Month.of(month, zone, now)
    by_department: dict[uuid.UUID, Any] = {}
    total: Any = None
    for row in (await session.execute(task_figures(span))).all():
        if row.all:
            total = row
        else:
            by_department[row.department_id] = row
    reopened: dict[str | None, int] = {}
    for lead, everything, cases in (await session.execute(reopenings(span))).all():
        reopened["*" if everything else lead] = int(cases)
    departments = (
        await session.execute(
            select(Department.id, Department.name, Department.kind, Department.active)
        )
    ).all()
    rows = []
    for department_id, name, kind, active in sorted(
        departments, key=lambda d: (KIND_ORDER[d.kind], d.name)
    ):
        figures = by_department.get(department_id)
        count = reopened.get(str(department_id), 0)
        if figures is None and not active and not count:
            continue
        rows.append(
            {
                "department_id": department_id,
                "name": name,
                "kind": kind,
                "active": active,
                **_figures(figures or _NOTHING, count),
            }
        )
    return {
        "month": span.month,
        "zone": zone.key,
        "starts_at": span.start,
        "ends_at": span.end,
        "as_of": (span.as_of or span.start).astimezone(zone),
        "departments": rows,
        "total": _figures(total or _NOTHING, reopened.get("*", 0)),
    }


@dataclass(frozen=True)
class _Nothing:
    received: int = 0
    closed: int = 0
    on_time: int = 0
    late: int = 0
    overdue_open: int = 0
    median_accept: float | None = None
    median_close: float | None = None


_NOTHING = _Nothing()


def department_table(report: dict[str, Any]) -> Sequence[dict[str, Any]]:
    """The department rows, then the subdistrict's (department_id None)."""
    total = {"department_id": None, "name": None, "kind": None, **report["total"]}
    return [*report["departments"], total]
