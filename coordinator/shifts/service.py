"""Shifts: one-off and recurring, edited or cancelled one at a time or from one onwards."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import record_row, snapshot
from coordinator.auth.service import Principal
from coordinator.events.service import record_event
from coordinator.platform.db import utcnow
from coordinator.platform.i18n import Text
from coordinator.platform.problems import Conflict, FieldError, ValidationFailed, missing_reference
from coordinator.platform.resources import get_or_404, patch_values
from coordinator.shifts.models import (
    Post,
    Shift,
    ShiftSeries,
    ShiftStatus,
    Signup,
    SignupStatus,
    snapshot_shift,
)
from coordinator.shifts.recurrence import occurrences
from coordinator.shifts.rules import POST, SERIES, SHIFT, WEEKS_AHEAD
from coordinator.shifts.schemas import SeriesIn, ShiftIn, ShiftOut, ShiftPatch, ShiftQuery
from coordinator.web.listing import paginate

LIVE = (SignupStatus.signed_up, SignupStatus.waitlisted, SignupStatus.checked_in)


def _event(session: AsyncSession, kind: str, shift: Shift, actor: str | None, **extra: Any) -> None:
    record_event(
        session,
        kind,
        data=snapshot_shift(shift) | extra,
        subject_type="shift",
        subject_id=shift.id,
        actor=actor,
    )


def _audit(
    session: AsyncSession,
    actor: Principal,
    action: str,
    row: Shift | ShiftSeries,
    before: dict[str, Any] | None = None,
) -> None:
    entity_type = "shift" if isinstance(row, Shift) else "series"
    record_row(
        session=session, actor=actor, action=action, entity_type=entity_type, row=row, before=before
    )


async def _post(session: AsyncSession, post_id: uuid.UUID) -> Post:
    post = await session.get(Post, post_id)
    if post is None:
        raise missing_reference("post_id", POST)
    return post


async def create_shift(*, session: AsyncSession, actor: Principal, data: ShiftIn) -> Shift:
    """A one-off shift; required qualifications default to the post's."""
    post = await _post(session, data.post_id)
    shift = Shift(
        id=uuid.uuid4(),
        post_id=post.id,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        min_people=data.min_people,
        max_people=data.max_people,
        filled=0,
        required_skills=(
            data.required_skills if data.required_skills is not None else post.required_skills
        ),
        notes=data.notes,
        status=ShiftStatus.scheduled,
        sequence=0,
    )
    session.add(shift)
    await session.flush()
    _audit(session, actor, "create", shift)
    _event(session, "shift.created", shift, actor.name)
    return shift


async def get_shift(*, session: AsyncSession, shift_id: uuid.UUID, lock: bool = False) -> Shift:
    return await get_or_404(session, Shift, shift_id, SHIFT, lock=lock)


async def list_shifts(*, session: AsyncSession, query: ShiftQuery) -> dict[str, Any]:
    stmt = select(Shift)
    if query.post_id:
        stmt = stmt.where(Shift.post_id == query.post_id)
    if query.series_id:
        stmt = stmt.where(Shift.series_id == query.series_id)
    if query.status:
        stmt = stmt.where(Shift.status == query.status)
    if query.starts_after:
        stmt = stmt.where(Shift.starts_at >= query.starts_after)
    if query.starts_before:
        stmt = stmt.where(Shift.starts_at < query.starts_before)
    return await paginate(
        session,
        stmt,
        query=query,
        id_column=Shift.id,
        sortable={"starts_at": Shift.starts_at, "created_at": Shift.created_at},
        default_sort="starts_at",
        serialize=ShiftOut.model_validate,
    )


async def _apply(
    session: AsyncSession,
    shift: Shift,
    values: dict[str, Any],
    *,
    shift_by: tuple[timedelta, timedelta] | None,
    actor: str | None,
) -> None:
    """Change one (locked) shift; its signups follow its times; raise shift.updated."""
    before = snapshot_shift(shift)
    if shift_by is not None:
        shift.starts_at = shift.starts_at + shift_by[0]
        shift.ends_at = shift.ends_at + shift_by[1]
    for name in ("min_people", "max_people", "required_skills", "notes"):
        if name in values:
            setattr(shift, name, values[name])
    if shift.ends_at <= shift.starts_at or shift.min_people > shift.max_people:
        message = Text("时间或人数范围不成立", "times or headcount bounds do not hold")
        raise ValidationFailed(message, errors=[FieldError("body", message)])
    if shift.max_people < shift.filled:
        raise Conflict(
            Text(
                "已有 {n} 人报名，最多人数不能低于此数",
                "{n} people hold places; max_people cannot go below that",
            ).format(n=shift.filled),
            errors=[FieldError("max_people", Text("低于已报名人数", "below places held"))],
        )
    moved = (shift.starts_at, shift.ends_at) != (
        datetime.fromisoformat(before["starts_at"]),
        datetime.fromisoformat(before["ends_at"]),
    )
    if moved:
        shift.sequence += 1
        await session.execute(
            update(Signup)
            .where(Signup.shift_id == shift.id, Signup.status.in_(LIVE))
            .values(
                starts_at=shift.starts_at,
                ends_at=shift.ends_at,
                sequence=Signup.sequence + 1,
                updated_at=utcnow(),
            )
        )
    shift.updated_at = utcnow()
    await session.flush()
    after = snapshot_shift(shift)
    changed = sorted(k for k in after if before.get(k) != after.get(k))
    if changed:
        _event(session, "shift.updated", shift, actor, changed=changed)
    if "max_people" in values:
        from coordinator.shifts.signups import promote

        await promote(session, shift, actor=actor)


async def update_shift(
    *,
    session: AsyncSession,
    actor: Principal,
    shift_id: uuid.UUID,
    patch: ShiftPatch,
    zone: ZoneInfo,
) -> Shift:
    """Edit one occurrence, or (scope=following) it and every later one of its series."""
    shift = await get_shift(session=session, shift_id=shift_id, lock=True)
    if shift.status == ShiftStatus.cancelled:
        raise Conflict(Text("班次已取消", "The shift is cancelled"))
    values = patch_values(
        patch, required={"starts_at", "ends_at", "min_people", "max_people", "required_skills"}
    )
    scope = values.pop("scope", "this")
    shift_by = (
        values.get("starts_at", shift.starts_at) - shift.starts_at,
        values.get("ends_at", shift.ends_at) - shift.ends_at,
    )
    moved = shift_by if any(shift_by) else None
    if scope == "this" or shift.series_id is None:
        before = snapshot(shift)
        await _apply(session, shift, values, shift_by=moved, actor=actor.name)
        _audit(session, actor, "update", shift, before)
        return shift
    old_series_id = shift.series_id
    following = await _split_series(session, shift, values, moved, zone)
    for series_id, action in ((old_series_id, "update"), (shift.series_id, "create")):
        series = await session.get(ShiftSeries, series_id)  # loaded already: no statement
        if series is not None:
            _audit(session, actor, action, series)
    for other, same_window in following:
        before = snapshot(other)
        await _apply(
            session, other, values, shift_by=moved if same_window else None, actor=actor.name
        )
        _audit(session, actor, "update", other, before)
    return shift


async def _split_series(
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
                end_local = datetime.combine(local.date(), _clock(window["end"]), zone)
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


def _clock(value: str) -> Any:
    hour, minute = value.split(":")
    return datetime.min.time().replace(hour=int(hour), minute=int(minute))


async def cancel_shift(
    *,
    session: AsyncSession,
    actor: Principal,
    shift_id: uuid.UUID,
    scope: str,
    reason: str | None,
    zone: ZoneInfo,
) -> Shift:
    """Cancel one occurrence, or it and all following; their signups are cancelled too."""
    shift = await get_shift(session=session, shift_id=shift_id, lock=True)
    targets = [shift]
    if scope == "following" and shift.series_id is not None and shift.recurrence_at:
        series = await get_or_404(session, ShiftSeries, shift.series_id, SERIES, lock=True)
        before = snapshot(series)
        day = shift.recurrence_at.astimezone(zone).date()
        series.until = day - timedelta(days=1)
        series.updated_at = utcnow()
        _audit(session, actor, "update", series, before)
        targets += list(
            (
                await session.scalars(
                    select(Shift)
                    .where(
                        Shift.series_id == series.id,
                        Shift.recurrence_at > shift.recurrence_at,
                    )
                    .order_by(Shift.recurrence_at)
                    .with_for_update()
                )
            ).all()
        )
    for target in targets:
        before = snapshot(target)
        if await _cancel_one(session, target, reason=reason, actor=actor.name):
            _audit(session, actor, "cancel", target, before)
    return shift


async def _cancel_one(
    session: AsyncSession, shift: Shift, *, reason: str | None, actor: str | None
) -> bool:
    """Cancel a shift and its signups; False if it was cancelled already."""
    if shift.status == ShiftStatus.cancelled:
        return False
    now = utcnow()
    people = await session.scalars(
        update(Signup)
        .where(Signup.shift_id == shift.id, Signup.status.in_(LIVE))
        .values(
            status=SignupStatus.cancelled,
            cancelled_at=now,
            cancel_reason="shift_cancelled",
            sequence=Signup.sequence + 1,
            updated_at=now,
        )
        .returning(Signup.person_id)
    )
    shift.status = ShiftStatus.cancelled
    shift.filled = 0
    shift.waiting = 0
    shift.sequence += 1
    shift.updated_at = now
    await session.flush()
    _event(
        session,
        "shift.cancelled",
        shift,
        actor,
        reason=reason,
        person_ids=[str(p) for p in people.all()],
    )
    return True


# Series


async def create_series(
    *, session: AsyncSession, actor: Principal, data: SeriesIn, zone: ZoneInfo
) -> ShiftSeries:
    """A recurring roster, materialized `weeks_ahead` weeks ahead at once."""
    post = await _post(session, data.post_id)
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
    _audit(session, actor, "create", series)
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
        _event(session, "shift.created", shift, actor)
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
            await _cancel_one(session, shift, reason="exception date", actor=actor.name)
            _audit(session, actor, "cancel", shift, earlier)
    await session.flush()
    _audit(session, actor, "update", series, before)
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
