"""A place given up or moved up: cancellation, promotion from the waitlist, no-shows; and
the locked signup every change to a signup starts from."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from coordinator.audit.service import record_row, snapshot
from coordinator.auth.service import Principal
from coordinator.people.models import Person
from coordinator.platform.db import utcnow
from coordinator.platform.problems import Problem, not_found
from coordinator.platform.resources import get_or_404
from coordinator.shifts.events import signup_event
from coordinator.shifts.models import HOLDING, Shift, ShiftStatus, Signup, SignupStatus
from coordinator.shifts.rules import CANCEL_CUTOFF, SHIFT, SIGNUP, wrong_state


def audit(
    session: AsyncSession,
    caller: Principal | None,
    action: str,
    signup: Signup,
    before: dict[str, Any] | None = None,
) -> None:
    """An API caller's write to a signup; none made through a link page (see link_uses)."""
    record_row(
        session=session,
        actor=caller,
        action=action,
        entity_type="signup",
        row=signup,
        before=before,
    )


def no_signup() -> Problem:
    return not_found(SIGNUP)


def own(signup: Signup, person_id: uuid.UUID | None) -> None:
    """Through a person's own link, only their own signups are there at all."""
    if person_id is not None and signup.person_id != person_id:
        raise no_signup()


async def locked_signup(session: AsyncSession, signup_id: uuid.UUID) -> tuple[Shift, Signup]:
    """The signup and its shift, locking the shift first (the order every writer takes):
    every change to the shift's places goes through that lock."""
    shift_id = await session.scalar(select(Signup.shift_id).where(Signup.id == signup_id))
    if shift_id is None:
        raise no_signup()
    shift = await get_or_404(session, Shift, shift_id, SHIFT, lock=True)
    signup = await get_or_404(session, Signup, signup_id, SIGNUP, lock=True)
    return shift, signup


async def promote(session: AsyncSession, shift: Shift, *, actor: str | None) -> list[Signup]:
    """Give free places (the shift is locked) to the first waiting people who are still
    qualified and free at that time, in arrival order."""
    promoted: list[Signup] = []
    if shift.status != ShiftStatus.scheduled:
        return promoted
    other = aliased(Signup)
    while shift.filled < shift.max_people:
        candidate = await session.scalar(
            select(Signup)
            .join(Person, Person.id == Signup.person_id)
            .where(
                Signup.shift_id == shift.id,
                Signup.status == SignupStatus.waitlisted,
                Person.skills.contains(shift.required_skills),
                ~exists().where(
                    and_(
                        other.person_id == Signup.person_id,
                        other.status.in_(HOLDING),
                        func.tstzrange(other.starts_at, other.ends_at).op("&&")(
                            func.tstzrange(Signup.starts_at, Signup.ends_at)
                        ),
                    )
                ),
            )
            .order_by(Signup.arrival)
            .limit(1)
            .with_for_update(of=Signup)
        )
        if candidate is None:
            break
        candidate.status = SignupStatus.signed_up
        candidate.sequence += 1
        candidate.updated_at = utcnow()
        shift.filled += 1
        shift.waiting -= 1
        await session.flush()
        signup_event(session, "signup.promoted", candidate, actor)
        promoted.append(candidate)
    return promoted


async def cancel_signup(
    *,
    session: AsyncSession,
    signup_id: uuid.UUID,
    actor: str | None,
    reason: str = "cancelled",
    person_id: uuid.UUID | None = None,
    caller: Principal | None = None,
) -> Signup:
    """Give up a place (or leave the waitlist); the first waiting person moves up.
    Cancelling twice is harmless. Inside the cutoff the lead is alerted."""
    shift, signup = await locked_signup(session, signup_id)
    own(signup, person_id)
    if signup.status == SignupStatus.cancelled:
        return signup
    if signup.status not in (SignupStatus.signed_up, SignupStatus.waitlisted):
        raise wrong_state(signup.status.value)
    now = utcnow()
    before = snapshot(signup)
    held = signup.status == SignupStatus.signed_up
    signup.status = SignupStatus.cancelled
    signup.cancelled_at = now
    signup.cancel_reason = reason
    signup.sequence += 1
    signup.updated_at = now
    if held:
        shift.filled -= 1
    else:
        shift.waiting -= 1
    await session.flush()
    audit(session, caller, "cancel", signup, before)
    late = held and shift.starts_at - now < CANCEL_CUTOFF
    signup_event(session, "signup.cancelled", signup, actor, reason=reason, late=late, held=held)
    if held:
        await promote(session, shift, actor=actor)
    return signup


async def set_no_show(
    *,
    session: AsyncSession,
    signup_id: uuid.UUID,
    actor: str | None,
    caller: Principal | None = None,
) -> Signup:
    """The lead marks someone who did not come."""
    shift, signup = await locked_signup(session, signup_id)
    if signup.status == SignupStatus.no_show:
        return signup
    if signup.status != SignupStatus.signed_up:
        raise wrong_state(signup.status.value)
    before = snapshot(signup)
    signup.status = SignupStatus.no_show
    signup.sequence += 1
    signup.updated_at = utcnow()
    shift.filled -= 1
    await session.flush()
    audit(session, caller, "no_show", signup, before)
    signup_event(session, "signup.no_show", signup, actor)
    return signup


async def mark_no_shows(*, session: AsyncSession, now: datetime, grace: timedelta) -> int:
    """The cron's work: places not checked into by start + grace become no-shows."""
    rows = (
        (
            await session.execute(
                update(Signup)
                .where(Signup.status == SignupStatus.signed_up, Signup.starts_at + grace < now)
                .values(status=SignupStatus.no_show, sequence=Signup.sequence + 1, updated_at=now)
                .returning(Signup)
            )
        )
        .scalars()
        .all()
    )
    for signup in rows:
        await session.execute(
            update(Shift).where(Shift.id == signup.shift_id).values(filled=Shift.filled - 1)
        )
        signup_event(session, "signup.no_show", signup, "cron")
    return len(rows)
