"""What a volunteer's personal page shows: their places and the open shifts they qualify for."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from coordinator.people.models import Person
from coordinator.shifts.models import HOLDING, Post, Shift, ShiftStatus, Signup, SignupStatus
from coordinator.shifts.signups.waitlists import with_position

OPEN_DAYS = 21
OPEN_LIMIT = 30


@dataclass(frozen=True)
class Row:
    shift: Shift
    post: Post
    signup: Signup | None = None
    position: int | None = None  # on the waitlist
    swap_signup_id: uuid.UUID | None = None  # an offered place to take over


async def my_signups(session: AsyncSession, person_id: uuid.UUID, now: datetime) -> list[Row]:
    """Places and waitlist entries whose shift has not ended, soonest first."""
    live = (SignupStatus.signed_up, SignupStatus.waitlisted, SignupStatus.checked_in)
    rows = (
        await session.execute(
            select(Signup, Shift, Post)
            .join(Shift, Shift.id == Signup.shift_id)
            .join(Post, Post.id == Shift.post_id)
            .where(Signup.person_id == person_id, Signup.status.in_(live), Shift.ends_at > now)
            .order_by(Shift.starts_at)
            .limit(50)
        )
    ).all()
    result = []
    for signup, shift, post in rows:
        await with_position(session, signup)
        result.append(Row(shift=shift, post=post, signup=signup, position=signup.waitlist_position))
    return result


async def open_shifts(session: AsyncSession, person: Person, now: datetime) -> list[Row]:
    """Shifts in the coming weeks the person qualifies for, is not on, and that have a
    free place or a place offered for swapping."""
    mine = aliased(Signup)
    offered = aliased(Signup)
    offer = (
        select(offered.id)
        .where(
            offered.shift_id == Shift.id,
            offered.status == SignupStatus.signed_up,
            offered.swap_offered_at.is_not(None),
            offered.person_id != person.id,
        )
        .order_by(offered.swap_offered_at)
        .limit(1)
        .scalar_subquery()
    )
    busy = aliased(Signup)
    stmt = (
        select(Shift, Post, offer)
        .join(Post, Post.id == Shift.post_id)
        .where(
            Shift.status == ShiftStatus.scheduled,
            Shift.starts_at > now,
            Shift.starts_at < now + timedelta(days=OPEN_DAYS),
            Shift.required_skills.contained_by(person.skills or []),
            ~exists().where(
                mine.shift_id == Shift.id,
                mine.person_id == person.id,
                mine.status != SignupStatus.cancelled,
            ),
            ~exists().where(
                and_(
                    busy.person_id == person.id,
                    busy.status.in_(HOLDING),
                    busy.starts_at < Shift.ends_at,
                    busy.ends_at > Shift.starts_at,
                )
            ),
            or_(Shift.filled < Shift.max_people, offer.is_not(None)),
        )
        .order_by(Shift.starts_at)
        .limit(OPEN_LIMIT)
    )
    rows = (await session.execute(stmt)).all()
    return [
        Row(
            shift=shift,
            post=post,
            swap_signup_id=swap if shift.filled >= shift.max_people else None,
        )
        for shift, post, swap in rows
    ]


async def shift_with_post(session: AsyncSession, shift_id: uuid.UUID) -> Row | None:
    row = (
        await session.execute(
            select(Shift, Post).join(Post, Post.id == Shift.post_id).where(Shift.id == shift_id)
        )
    ).first()
    return Row(shift=row[0], post=row[1]) if row else None
