"""Shifts: one-off or of a roster, edited or cancelled one at a time or from one onwards."""

from __future__ import annotations

import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import snapshot
from coordinator.auth.service import Principal
from coordinator.platform.db import Database, utcnow
from coordinator.platform.i18n import Text
from coordinator.platform.listing import JsonBody, Listing
from coordinator.platform.problems import Conflict
from coordinator.platform.resources import get_or_404, patch_values
from coordinator.shifts.events import shift_event
from coordinator.shifts.models import Shift, ShiftSeries, ShiftStatus
from coordinator.shifts.occurrences import apply_change, audit, cancel_one, post_of
from coordinator.shifts.rules import SERIES, SHIFT
from coordinator.shifts.schemas import ShiftIn, ShiftOut, ShiftPatch, ShiftQuery
from coordinator.shifts.series.service import split_series

SHIFTS = Listing(
    Shift,
    ShiftOut,
    sorts={"starts_at": Shift.starts_at, "created_at": Shift.created_at},
    default_sort="starts_at",
    filters={
        "post_id": Shift.post_id,
        "series_id": Shift.series_id,
        "status": Shift.status,
        "starts_after": lambda value: Shift.starts_at >= value,
        "starts_before": lambda value: Shift.starts_at < value,
    },
)


async def create_shift(*, session: AsyncSession, actor: Principal, data: ShiftIn) -> Shift:
    """A one-off shift; required qualifications default to the post's."""
    post = await post_of(session, data.post_id)
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
    audit(session, actor, "create", shift)
    shift_event(session, "shift.created", shift, actor.name)
    return shift


async def get_shift(*, session: AsyncSession, shift_id: uuid.UUID, lock: bool = False) -> Shift:
    return await get_or_404(session, Shift, shift_id, SHIFT, lock=lock)


async def list_shifts(*, database: Database, query: ShiftQuery) -> JsonBody:
    return await SHIFTS.page(database, query)


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
        await apply_change(session, shift, values, shift_by=moved, actor=actor.name)
        audit(session, actor, "update", shift, before)
        return shift
    old_series_id = shift.series_id
    following = await split_series(session, shift, values, moved, zone)
    for series_id, action in ((old_series_id, "update"), (shift.series_id, "create")):
        series = await session.get(ShiftSeries, series_id)  # loaded already: no statement
        if series is not None:
            audit(session, actor, action, series)
    for other, same_window in following:
        before = snapshot(other)
        await apply_change(
            session, other, values, shift_by=moved if same_window else None, actor=actor.name
        )
        audit(session, actor, "update", other, before)
    return shift


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
        audit(session, actor, "update", series, before)
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
        if await cancel_one(session, target, reason=reason, actor=actor.name):
            audit(session, actor, "cancel", target, before)
    return shift
