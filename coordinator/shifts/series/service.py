"""Recurring rosters: made ahead from their RRULE, split where an edit applies from one
occurrence onwards, dates skipped."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import snapshot
from coordinator.auth.service import Principal
from coordinator.platform.db import utcnow
from coordinator.platform.i18n import Text
from coordinator.platform.problems import FieldError, ValidationFailed
from coordinator.platform.resources import get_or_404
from coordinator.shifts.events import shift_event
from coordinator.shifts.models import Shift, ShiftSeries, ShiftStatus
from coordinator.shifts.occurrences import audit, cancel_one, post_of
from coordinator.shifts.rules import SERIES, WEEKS_AHEAD
from coordinator.shifts.series.recurrence import occurrences, wall_clock
from coordinator.shifts.series.schemas import SeriesIn


async def split_series(
    session: AsyncSession,
    shift: Shift,
    values: dict[str, Any],
    moved: tuple[timedelta, timedelta] | None,
    zone: ZoneInfo,
) -> list[tuple[Shift, bool]]:
    """End the series the day before this occurrence and start a new one from its day with
    the changes. Returns the (locked) occurrences from this one on, now in the new series."""
    old = await get_or_404(session, ShiftSeries, shift.series_id, SERIES, lock=True)  # type: ignore[arg-type]
    assert shift.recurrence_at is not None
    day = shift.recurrence_at.astimezone(zone).date()
    windows = [dict(w) for w in old.windows]
    if moved is not None:
        local = shift.recurrence_at.astimezone(zone)
        for window in windows:
            if window["start"] == local.strftime("%H:%M"):
                window["start"] = (local + moved[0]).strftime("%H:%M")
                end_local = datetime.combine(local.date(), wall_clock(window["end"]), zone)
                window["end"] = (end_local + moved[1]).strftime("%H:%M")
    new = ShiftSeries(
        id=uuid.uuid4(),
        post_id=old.post_id,
        rrule=old.rrule,
        starts_on=day,
        until=old.until,
        windows=windows,
        exdates=[d for d in old.exdates if d >= day],
        min_people=values.get("min_people", old.min_people),
        max_people=values.get("max_people", old.max_people),
        required_skills=values.get("required_skills", old.required_skills),
        notes=values.get("notes", old.notes),
        materialized_until=old.materialized_until,
    )
    session.add(new)
    old.until = day - timedelta(days=1)
    old.updated_at = utcnow()
    await session.flush()
    day_start = datetime.combine(day, datetime.min.time(), zone)
    rows = list(
        (
            await session.scalars(
                select(Shift)
                .where(Shift.series_id == old.id, Shift.recurrence_at >= day_start)
                .order_by(Shift.recurrence_at)
                .with_for_update()
            )
        ).all()
    )
    following: list[tuple[Shift, bool]] = []
    clock = shift.recurrence_at.astimezone(zone).time()
    for row in rows:
        row.series_id = new.id
        assert row.recurrence_at is not None
        if row.recurrence_at < shift.recurrence_at:
            continue  # earlier the same day: moves series, stays as it was
        same_window = row.recurrence_at.astimezone(zone).time() == clock
        if moved is not None and same_window:
            row.recurrence_at = row.recurrence_at + moved[0]
        if row.status == ShiftStatus.scheduled:
            following.append((row, same_window))
    await session.flush()
    return following


async def get_series(*, session: AsyncSession, series_id: uuid.UUID) -> ShiftSeries:
    return await get_or_404(session, ShiftSeries, series_id, SERIES)


async def create_series(
    *, session: AsyncSession, actor: Principal, data: SeriesIn, zone: ZoneInfo
) -> ShiftSeries:
    """A recurring roster, materialized `weeks_ahead` weeks ahead at once."""
    post = await post_of(session, data.post_id)
    if data.until is not None and data.until < data.starts_on:
        message = Text("结束日期早于开始日期", "until is before starts_on")
        raise ValidationFailed(message, errors=[FieldError("until", message)])
    series = ShiftSeries(
        id=uuid.uuid4(),
        post_id=post.id,
        rrule=data.rrule,
        starts_on=data.starts_on,
        until=data.until,
        windows=[w.model_dump() for w in data.windows],
        exdates=sorted(set(data.exdates)),
        min_people=data.min_people,
        max_people=data.max_people,
        required_skills=(
            data.required_skills if data.required_skills is not None else post.required_skills
        ),
        notes=data.notes,
    )
    session.add(series)
    await session.flush()
    audit(session, actor, "create", series)
    today = utcnow().astimezone(zone).date()
    await materialize(
        session,
        series,
        zone=zone,
        through=max(today, data.starts_on) + timedelta(weeks=data.weeks_ahead),
        actor=actor.name,
    )
    return series


async def materialize(
    session: AsyncSession, series: ShiftSeries, *, zone: ZoneInfo, through: date, actor: str | None
) -> int:
    """Create the series' shifts up to `through` (local date); existing ones, edited or
    cancelled, are left alone. Returns how many were created."""
    today = utcnow().astimezone(zone).date()
    start = max(today, series.starts_on)
    if series.materialized_until is not None:
        start = max(start, series.materialized_until + timedelta(days=1))
    if start > through:
        return 0
    rows = [
        {
            "id": uuid.uuid4(),
            "post_id": series.post_id,
            "series_id": series.id,
            "recurrence_at": o.recurrence_at,
            "starts_at": o.starts_at,
            "ends_at": o.ends_at,
            "min_people": series.min_people,
            "max_people": series.max_people,
            "filled": 0,
            "required_skills": series.required_skills,
            "notes": series.notes,
            "status": ShiftStatus.scheduled,
            "sequence": 0,
        }
        for o in occurrences(
            rrule=series.rrule,
            starts_on=series.starts_on,
            until=series.until,
            windows=series.windows,
            exdates=series.exdates,
            zone=zone,
            start=start,
            end=through,
        )
    ]
    series.materialized_until = through
    if not rows:
        return 0
    created = await session.scalars(
        insert(Shift)
        .values(rows)
        .on_conflict_do_nothing(constraint="uq_shifts_occurrence")
        .returning(Shift)
    )
    new = list(created.all())
    for shift in new:
        shift_event(session, "shift.created", shift, actor)
    return len(new)


async def add_exdates(
    *,
    session: AsyncSession,
    actor: Principal,
    series_id: uuid.UUID,
    exdates: list[date],
    zone: ZoneInfo,
) -> ShiftSeries:
    """Skip dates of a series; occurrences already made on them are cancelled."""
    series = await get_or_404(session, ShiftSeries, series_id, SERIES, lock=True)
    before = snapshot(series)
    series.exdates = sorted(set(series.exdates) | set(exdates))
    series.updated_at = utcnow()
    made = (
        await session.scalars(
            select(Shift)
            .where(Shift.series_id == series.id, Shift.status == ShiftStatus.scheduled)
            .with_for_update()
        )
    ).all()
    skipped = set(exdates)
    for shift in made:
        if shift.recurrence_at and shift.recurrence_at.astimezone(zone).date() in skipped:
            earlier = snapshot(shift)
            await cancel_one(session, shift, reason="exception date", actor=actor.name)
            audit(session, actor, "cancel", shift, earlier)
    await session.flush()
    audit(session, actor, "update", series, before)
    return series


async def materialize_all(
    *, session: AsyncSession, zone: ZoneInfo, weeks: int = WEEKS_AHEAD
) -> int:
    """The cron's work: every running series made `weeks` ahead."""
    today = utcnow().astimezone(zone).date()
    through = today + timedelta(weeks=weeks)
    running = (
        await session.scalars(
            select(ShiftSeries)
            .where(
                (ShiftSeries.until.is_(None)) | (ShiftSeries.until >= today),
                (ShiftSeries.materialized_until.is_(None))
                | (ShiftSeries.materialized_until < through),
            )
            .with_for_update(skip_locked=True)
        )
    ).all()
    total = 0
    for series in running:
        total += await materialize(session, series, zone=zone, through=through, actor="cron")
    return total
