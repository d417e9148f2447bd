"""Swaps: a place offered to another qualified volunteer, and taken over."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import snapshot
from coordinator.auth.service import Principal
from coordinator.people.models import Person
from coordinator.platform.db import utcnow
from coordinator.platform.i18n import Text
from coordinator.shifts.events import signup_event
from coordinator.shifts.models import Signup, SignupStatus
from coordinator.shifts.rules import wrong_state
from coordinator.shifts.signups.checks import check, ensure_open
from coordinator.shifts.signups.places import audit, locked_signup, own


async def offer_swap(
    *,
    session: AsyncSession,
    signup_id: uuid.UUID,
    actor: str | None,
    person_id: uuid.UUID | None = None,
    caller: Principal | None = None,
) -> Signup:
    """Offer one's place to another qualified volunteer."""
    shift, signup = await locked_signup(session, signup_id)
    own(signup, person_id)
    now = utcnow()
    ensure_open(shift.status, shift.ends_at, now)
    if signup.status != SignupStatus.signed_up:
        raise wrong_state(signup.status.value)
    if signup.swap_offered_at is None:
        before = snapshot(signup)
        signup.swap_offered_at = now
        signup.updated_at = now
        audit(session, caller, "offer_swap", signup, before)
    return signup


async def take_swap(
    *,
    session: AsyncSession,
    signup_id: uuid.UUID,
    person_id: uuid.UUID,
    actor: str | None,
    caller: Principal | None = None,
) -> Signup:
    """Take over an offered place: the sign-up rules (checks.check) hold for the taker,
    whose place on the waitlist, if any, is given up for it; overlaps are refused by the
    database. The giver's signup is cancelled, the taker's holds the place."""
    shift, given = await locked_signup(session, signup_id)
    now = utcnow()
    ensure_open(shift.status, shift.ends_at, now)
    if given.status != SignupStatus.signed_up or given.swap_offered_at is None:
        raise wrong_state(
            given.status.value,
            None
            if given.swap_offered_at
            else Text("该名额未被转让", "the place has not been offered for a swap"),
        )
    # FOR SHARE: the taker's skills cannot change under us until we commit.
    await session.execute(
        select(Person.id).where(Person.id == person_id).with_for_update(read=True)
    )
    await check(await session.connection(), shift.id, person_id, now, waiting_ok=True)
    waiting = await session.scalar(
        select(Signup)
        .where(
            Signup.shift_id == shift.id,
            Signup.person_id == person_id,
            Signup.status == SignupStatus.waitlisted,
        )
        .with_for_update()
    )
    before = snapshot(given)
    if waiting is not None:  # a waiting taker leaves the waitlist for the place
        earlier = snapshot(waiting)
        waiting.status = SignupStatus.cancelled
        waiting.cancelled_at = now
        waiting.cancel_reason = "swapped_in"
        shift.waiting -= 1
        audit(session, caller, "cancel", waiting, earlier)
    given.status = SignupStatus.cancelled
    given.cancelled_at = now
    given.cancel_reason = "swapped"
    given.sequence += 1
    given.updated_at = now
    await session.flush()
    taken = Signup(
        id=uuid.uuid4(),
        shift_id=shift.id,
        person_id=person_id,
        status=SignupStatus.signed_up,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        sequence=0,
        swapped_from_id=given.id,
    )
    session.add(taken)
    await session.flush()
    audit(session, caller, "swap", given, before)
    audit(session, caller, "create", taken)
    signup_event(
        session,
        "signup.swapped",
        taken,
        actor,
        from_signup_id=str(given.id),
        from_person_id=str(given.person_id),
    )
    return taken
