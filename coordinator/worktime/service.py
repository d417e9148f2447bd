"""The work calendar: loading it (kept in memory while its table is unchanged), reading
and editing its days, and the deadlines it gives. The arithmetic is in clock.py (pure);
its functions are named here too, so callers need one import."""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from coordinator.audit.service import record, snapshot
from coordinator.auth.service import Principal
from coordinator.events.service import record_event
from coordinator.platform.changes import ChangeWatch, Memo
from coordinator.platform.db import utcnow
from coordinator.platform.i18n import Text
from coordinator.platform.problems import Conflict, FieldError, ValidationFailed, not_found
from coordinator.platform.settings import Settings
from coordinator.platform.workhours import parse_work_hours
from coordinator.worktime.clock import (
    NoWorkingTime,
    WorkCalendar,
    add_working_days,
    add_working_hours,
    is_working_day,
    is_working_time,
    working_time_between,
)
from coordinator.worktime.models import (
    ENTITY_TYPE,
    TABLE_NAME,
    WORK_CALENDAR_DAY,
    WorkCalendarDay,
    day_entity_id,
)
from coordinator.worktime.schemas import MAX_RANGE_DAYS, DatedDayIn, DayIn, DeadlineQuery

__all__ = [
    "NoWorkingTime",
    "WorkCalendar",
    "add_working_days",
    "add_working_hours",
    "is_working_day",
    "is_working_time",
    "load_calendar",
    "working_time_between",
]

KEPT_SECONDS = 3600.0
# Calendars kept per change watch (one per web process): one per set of settings.
_kept: weakref.WeakKeyDictionary[ChangeWatch, Memo[WorkCalendar]] = weakref.WeakKeyDictionary()
# Writers of the calendar take turns (edits are rare; a year's import is one of them).
_WRITE_LOCK = 0x574F524B43414C  # "WORKCAL"


def settings_calendar(settings: Settings, exceptions: dict[date, bool]) -> WorkCalendar:
    return WorkCalendar(
        zone=settings.zone,
        periods=settings.work_periods,
        weekend=settings.weekend_days,
        exceptions=MappingProxyType(exceptions),
    )


async def load_calendar(
    source: AsyncSession | AsyncConnection,
    settings: Settings,
    *,
    watch: ChangeWatch | None = None,
) -> WorkCalendar:
    """The working calendar: the configured periods and weekend with every day of the
    table. Given the process's change watch (a web app's `app[CHANGES]`), it is kept in
    memory while the table is unchanged (an edit anywhere is seen on the next use), so
    filing many cases reads the table once. Without one (a worker's job), read each time.
    A transaction that changed the calendar itself should not pass the watch."""
    memo = _memo(watch) if watch is not None else None
    key = (settings.timezone, settings.work_hours, settings.work_weekend)
    stamp = None
    if memo is not None:
        if (kept := memo.get(key)) is not None:
            return kept
        stamp = memo.stamp()  # before reading: a change from now on makes it stale
    rows = await source.execute(select(WorkCalendarDay.day, WorkCalendarDay.working))
    calendar = settings_calendar(settings, {day: working for day, working in rows})
    if memo is not None:
        memo.put(key, calendar, stamp, KEPT_SECONDS)
    return calendar


def _memo(watch: ChangeWatch) -> Memo[WorkCalendar]:
    memo = _kept.get(watch)
    if memo is None:
        memo = _kept[watch] = Memo(watch, (TABLE_NAME,), size=8)
    return memo


# Reading


def calendar_range(first: date | None, last: date | None, today: date) -> tuple[date, date]:
    """The days a GET covers: defaults this year; `to` not before `from`, nor too far."""
    first = first or date(today.year, 1, 1)
    last = last or date(first.year, 12, 31)
    if last < first:
        raise _invalid("to", Text("不能早于开始日期", "must not be before from"))
    if (last - first).days >= MAX_RANGE_DAYS:
        raise _invalid(
            "to",
            Text(
                f"查询范围最多 {MAX_RANGE_DAYS} 天",
                f"the range spans at most {MAX_RANGE_DAYS} days",
            ),
        )
    return first, last


async def days_between(session: AsyncSession, first: date, last: date) -> list[WorkCalendarDay]:
    stmt = (
        select(WorkCalendarDay)
        .where(WorkCalendarDay.day.between(first, last))
        .order_by(WorkCalendarDay.day)
    )
    return list((await session.scalars(stmt)).all())


async def get_day(session: AsyncSession, day: date) -> WorkCalendarDay:
    row = await session.get(WorkCalendarDay, day)
    if row is None:
        raise not_found(WORK_CALENDAR_DAY)
    return row


def deadline(calendar: WorkCalendar, query: DeadlineQuery, start: datetime) -> datetime:
    """The deadline a GET asks for: `hours` or `days` (one of them) from `start`."""
    if (query.hours is None) == (query.days is None):
        message = Text("请给出「hours」或「days」之一", "give one of hours or days")
        raise ValidationFailed(
            message, errors=[FieldError("hours", message), FieldError("days", message)]
        )
    if query.work_hours:
        calendar = calendar.with_periods(parse_work_hours(query.work_hours))
    try:
        if query.days is not None:
            return add_working_days(calendar, start, query.days)
        return add_working_hours(calendar, start, query.hours or 0.0)
    except NoWorkingTime:
        raise Conflict(
            Text("工作日历中没有足够的工作时间", "the work calendar has no working time in reach")
        ) from None


# Writing: each change audited, and one event per transaction naming the days changed.


async def put_day(
    *, session: AsyncSession, actor: Principal, day: date, data: DayIn
) -> tuple[WorkCalendarDay, bool]:
    """Create or replace a day; True if it was created."""
    await _take_turn(session)
    row = await session.get(WorkCalendarDay, day, populate_existing=True)
    created = row is None
    changed = await _write(session, actor, row, day, data)
    if changed is None:  # it said that already: nothing written
        assert row is not None
        return row, False
    _announce(session, actor, [day])
    return changed, created


async def delete_day(*, session: AsyncSession, actor: Principal, day: date) -> None:
    await _take_turn(session)
    row = await session.get(WorkCalendarDay, day, populate_existing=True)
    if row is None:
        raise not_found(WORK_CALENDAR_DAY)
    await _remove(session, actor, row)
    _announce(session, actor, [day])


async def replace_year(
    *, session: AsyncSession, actor: Principal, year: int, days: Sequence[DatedDayIn]
) -> list[WorkCalendarDay]:
    """Make the year's days exactly those given (a year's published schedule): days not
    listed are removed, listed ones created or replaced, unchanged ones left alone."""
    _check_year(year, days)
    await _take_turn(session)
    first, last = date(year, 1, 1), date(year, 12, 31)
    existing = {row.day: row for row in await days_between(session, first, last)}
    given = {item.day: item for item in days}
    touched = []
    for day, row in existing.items():
        if day not in given:
            await _remove(session, actor, row)
            touched.append(day)
    for day, item in sorted(given.items()):
        if await _write(session, actor, existing.get(day), day, item) is not None:
            touched.append(day)
    if touched:
        _announce(session, actor, sorted(touched))
    return await days_between(session, first, last)


def _check_year(year: int, days: Sequence[DatedDayIn]) -> None:
    if not 1 <= year <= 9999:
        raise not_found(WORK_CALENDAR_DAY)
    seen: set[date] = set()
    errors = []
    for index, item in enumerate(days):
        if item.day.year != year:
            errors.append(FieldError(f"days.{index}.day", Text("不在该年份内", "not in the year")))
        elif item.day in seen:
            errors.append(FieldError(f"days.{index}.day", Text("日期重复", "given twice")))
        seen.add(item.day)
    if errors:
        raise ValidationFailed(errors=errors)


async def _take_turn(session: AsyncSession) -> None:
    await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _WRITE_LOCK})


async def _write(
    session: AsyncSession, actor: Principal, row: WorkCalendarDay | None, day: date, data: DayIn
) -> WorkCalendarDay | None:
    """Create the day or change it to `data`, audited; None if it already says that."""
    if row is None:
        row = WorkCalendarDay(day=day, working=data.working, name=data.name)
        session.add(row)
        await session.flush()
        _audit(session, actor, "create", day, after=snapshot(row))
        return row
    if (row.working, row.name) == (data.working, data.name):
        return None
    before = snapshot(row)
    row.working, row.name, row.updated_at = data.working, data.name, utcnow()
    await session.flush()
    _audit(session, actor, "update", day, before=before, after=snapshot(row))
    return row


async def _remove(session: AsyncSession, actor: Principal, row: WorkCalendarDay) -> None:
    before = snapshot(row)
    await session.delete(row)
    await session.flush()
    _audit(session, actor, "delete", row.day, before=before)


def _audit(
    session: AsyncSession,
    actor: Principal,
    action: str,
    day: date,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    record(
        session=session,
        actor=actor,
        action=action,
        entity_type=ENTITY_TYPE,
        entity_id=day_entity_id(day),
        before=before,
        after=after,
    )


def _announce(session: AsyncSession, actor: Principal, days: list[date]) -> None:
    """Deadlines counted in working time may move: say which days changed."""
    record_event(
        session,
        "work_calendar.changed",
        data={"days": [day.isoformat() for day in days]},
        subject_type="work_calendar",
        actor=actor.name,
    )


def _invalid(field: str, message: Text) -> ValidationFailed:
    return ValidationFailed(message, errors=[FieldError(field, message)])
