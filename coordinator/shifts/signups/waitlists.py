"""Waitlist positions: a waiting signup's place in line, counted when it is read (the
claim statement and the locked sign-up answer it from the shift's `waiting` instead)."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.platform.resources import get_or_404
from coordinator.shifts.models import Shift, Signup, SignupStatus
from coordinator.shifts.rules import SHIFT, SIGNUP


async def list_signups(
    *, session: AsyncSession, shift_id: uuid.UUID, status: SignupStatus | None = None
) -> list[Signup]:
    """A shift's signups in arrival order, the waiting ones with their waitlist positions
    (1, 2, …)."""
    await get_or_404(session, Shift, shift_id, SHIFT)
    position = (
        func.row_number()
        .over(partition_by=Signup.status, order_by=Signup.arrival)
        .label("position")
    )
    stmt = select(Signup, position).where(Signup.shift_id == shift_id).order_by(Signup.arrival)
    rows = (await session.execute(stmt)).all()
    found = []
    for signup, place in rows:
        if status is None or signup.status == status:
            waiting = signup.status == SignupStatus.waitlisted
            signup.waitlist_position = int(place) if waiting else None
            found.append(signup)
    return found


async def get_signup(*, session: AsyncSession, signup_id: uuid.UUID) -> Signup:
    """One signup, with its waitlist position if it waits."""
    signup = await get_or_404(session, Signup, signup_id, SIGNUP)
    await with_position(session, signup)
    return signup


async def with_position(session: AsyncSession, signup: Signup) -> Signup:
    """Set a waiting signup's waitlist position (how many wait before it, plus one)."""
    if signup.status != SignupStatus.waitlisted:
        signup.waitlist_position = None
        return signup
    ahead = await session.scalar(
        select(func.count()).where(
            Signup.shift_id == signup.shift_id,
            Signup.status == SignupStatus.waitlisted,
            Signup.arrival < signup.arrival,
        )
    )
    signup.waitlist_position = int(ahead or 0) + 1
    return signup
