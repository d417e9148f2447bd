"""One shift changed: its times, bounds or notes, or cancelled; its signups follow, its
event is raised. The edits of shifts (service.py) and of rosters (series/) are made of
these."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import record_row
from coordinator.auth.service import Principal
from coordinator.platform.db import utcnow
from coordinator.platform.i18n import Text
from coordinator.platform.problems import Conflict, FieldError, ValidationFailed, missing_reference
from coordinator.shifts.events import shift_data, shift_event
from coordinator.shifts.models import Post, Shift, ShiftSeries, ShiftStatus, Signup, SignupStatus
from coordinator.shifts.rules import POST
from coordinator.shifts.signups.places import promote

LIVE = (SignupStatus.signed_up, SignupStatus.waitlisted, SignupStatus.checked_in)


def audit(
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


async def post_of(session: AsyncSession, post_id: uuid.UUID) -> Post:
    post = await session.get(Post, post_id)
    if post is None:
        raise missing_reference("post_id", POST)
    return post


async def apply_change(
    session: AsyncSession,
    shift: Shift,
    values: dict[str, Any],
    *,
    shift_by: tuple[timedelta, timedelta] | None,
    actor: str | None,
) -> None:
    """Change one (locked) shift; its signups follow its times; raise shift.updated."""
    before = shift_data(shift)
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
    after = shift_data(shift)
    changed = sorted(k for k in after if before.get(k) != after.get(k))
    if changed:
        shift_event(session, "shift.updated", shift, actor, changed=changed)
    if "max_people" in values:
        await promote(session, shift, actor=actor)


async def cancel_one(
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
    shift_event(
        session,
        "shift.cancelled",
        shift,
        actor,
        reason=reason,
        person_ids=[str(p) for p in people.all()],
    )
    return True
