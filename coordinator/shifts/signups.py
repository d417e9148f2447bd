"""Signing up: capacity under the shift's row lock, waitlists in arrival order,
promotion on cancellation, swaps, whole teams."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, make_transient_to_detached

from coordinator.audit.service import record_row, snapshot
from coordinator.auth.service import Principal
from coordinator.events.service import record_event
from coordinator.people.models import Person, TeamMember
from coordinator.platform.db import Database, sqlstate, utcnow
from coordinator.platform.i18n import Text
from coordinator.platform.problems import Problem, missing_reference
from coordinator.platform.resources import get_or_404
from coordinator.shifts import claim, lines
from coordinator.shifts.models import HOLDING, Shift, ShiftStatus, Signup, SignupStatus
from coordinator.shifts.rules import (
    CANCEL_CUTOFF,
    PERSON,
    SHIFT,
    SIGNUP,
    TEAM,
    AlreadySignedUp,
    closed,
    not_qualified,
    wrong_state,
)


def signup_data(signup: Signup, **extra: Any) -> dict[str, Any]:
    return {
        "signup_id": str(signup.id),
        "shift_id": str(signup.shift_id),
        "person_id": str(signup.person_id),
        "status": signup.status.value,
        "sequence": signup.sequence,
        "starts_at": signup.starts_at.isoformat(),
        "ends_at": signup.ends_at.isoformat(),
        **extra,
    }


def _event(
    session: AsyncSession, kind: str, signup: Signup, actor: str | None, **extra: Any
) -> None:
    record_event(
        session,
        kind,
        data=signup_data(signup, **extra),
        subject_type="signup",
        subject_id=signup.id,
        actor=actor,
    )


def _audit(
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


async def lock_shift(session: AsyncSession, shift_id: uuid.UUID) -> Shift:
    """The shift row, locked: every change to its places goes through this lock, so the
    database serves sign-ups one at a time, in the order they reach it."""
    return await get_or_404(session, Shift, shift_id, SHIFT, lock=True)


def _open(shift: Shift, now: datetime) -> None:
    if shift.status != ShiftStatus.scheduled or shift.ends_at <= now:
        raise closed()


async def _qualified_person(session: AsyncSession, person_id: uuid.UUID, shift: Shift) -> Person:
    # FOR SHARE: the person's skills cannot change under us until we commit.
    person = await session.scalar(
        select(Person).where(Person.id == person_id).with_for_update(read=True)
    )
    if person is None:
        raise missing_reference("person_id", PERSON)
    missing = [s for s in shift.required_skills if s not in (person.skills or [])]
    if missing:
        raise not_qualified(missing)
    return person


async def sign_up(
    *,
    session: AsyncSession,
    shift_id: uuid.UUID,
    person_id: uuid.UUID,
    actor: str | None,
    caller: Principal | None = None,
) -> Signup:
    """A place if one is free, else the end of the waitlist. Overlaps with the person's
    other places are refused by the database (409).

    The rules are checked before the shift is locked; the place is then claimed in one
    statement, so the lock is held for a single round trip. If what the checks saw has
    changed by then, the sign-up is decided again under the lock."""
    now = utcnow()
    connection = await session.connection()
    seen = await claim.check(connection, shift_id, person_id, now)
    signup = await claim.claim(connection, seen, person_id, now=now, actor=actor, caller=caller)
    if signup is None:
        shift = await lock_shift(session, shift_id)
        return await _sign_up_locked(session, shift, person_id, actor=actor, caller=caller)
    # Into the session as if loaded (no statement), for whatever the caller does next.
    make_transient_to_detached(signup)
    session.add(signup)
    return signup


async def sign_up_person(
    *,
    database: Database,
    shift_id: uuid.UUID,
    person_id: uuid.UUID,
    actor: str | None,
    caller: Principal | None = None,
) -> Signup:
    """sign_up as its own unit of work. Where the database allows it, the claim statement
    runs on its own (autocommit): it is the whole transaction, so the shift stays locked
    only while PostgreSQL executes and commits it, not while this process, busy with other
    requests, gets round to sending COMMIT. Sign-ups for one shift in flight together in
    this process are claimed together (lines.claim_in_line).

    The checks run only for a shift this process has not seen lately (claim.seen_shifts);
    otherwise the claim is the sign-up's one round trip. Whatever it cannot take (a person
    missing, unqualified or already on the shift; a shift changed, closed or gone; a lock
    conflict) is decided again, with the checks' clear refusals, in a transaction."""
    autocommit = database.autocommit
    if autocommit is not None:
        known = claim.seen_shifts(database)
        seen = known.get(shift_id)
        if seen is None:
            connection = await autocommit.connect()
            try:
                seen = await claim.check(connection, shift_id, person_id, utcnow())
            finally:
                await connection.close()  # no I/O: see lines._claim
            claim.remember(known, seen)
        signup = await lines.claim_in_line(database, seen, person_id, actor, caller)
        if signup is not None:
            return signup
        known.pop(shift_id, None)
    return await database.transaction(
        lambda session: sign_up(
            session=session, shift_id=shift_id, person_id=person_id, actor=actor, caller=caller
        )
    )


async def _sign_up_locked(
    session: AsyncSession,
    shift: Shift,
    person_id: uuid.UUID,
    *,
    actor: str | None,
    caller: Principal | None = None,
) -> Signup:
    _open(shift, utcnow())
    await _qualified_person(session, person_id, shift)
    live = await session.scalar(
        select(Signup.id).where(
            Signup.shift_id == shift.id,
            Signup.person_id == person_id,
            Signup.status != SignupStatus.cancelled,
        )
    )
    if live is not None:
        raise AlreadySignedUp(extra={"signup_id": str(live)})
    has_place = shift.filled < shift.max_people
    signup = Signup(
        id=uuid.uuid4(),
        shift_id=shift.id,
        person_id=person_id,
        status=SignupStatus.signed_up if has_place else SignupStatus.waitlisted,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        sequence=0,
    )
    session.add(signup)
    if has_place:
        shift.filled += 1
    else:
        shift.waiting += 1
        signup.waitlist_position = shift.waiting
    await session.flush()
    _audit(session, caller, "create", signup)
    _event(session, "signup.created", signup, actor)
    if has_place and shift.filled == shift.max_people:
        from coordinator.shifts.service import _event as shift_event

        shift_event(session, "shift.filled", shift, actor)
    return signup


async def sign_up_team(
    *,
    session: AsyncSession,
    shift_id: uuid.UUID,
    team_id: uuid.UUID,
    actor: str | None,
    caller: Principal | None = None,
) -> tuple[list[Signup], list[dict[str, str]]]:
    """Sign up every member of a team; members who cannot go are listed with the reason."""
    from coordinator.people.models import Team

    await get_or_404(session, Team, team_id, TEAM)
    shift = await lock_shift(session, shift_id)
    _open(shift, utcnow())
    members = (
        await session.scalars(
            select(TeamMember.person_id)
            .where(TeamMember.team_id == team_id)
            .order_by(TeamMember.created_at, TeamMember.id)
        )
    ).all()
    done: list[Signup] = []
    skipped: list[dict[str, str]] = []
    for person_id in members:
        try:
            async with session.begin_nested():
                done.append(
                    await _sign_up_locked(session, shift, person_id, actor=actor, caller=caller)
                )
        except Problem as problem:
            skipped.append({"person_id": str(person_id), "reason": problem.slug})
        except IntegrityError as exc:
            if sqlstate(exc) != "23P01":
                raise
            skipped.append({"person_id": str(person_id), "reason": "overlap"})
    if skipped:
        # A savepoint rolled back expires nothing we hold, but the count must be current.
        await session.refresh(shift)
    return done, skipped


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
        _event(session, "signup.promoted", candidate, actor)
        promoted.append(candidate)
    return promoted


async def _locked_signup(session: AsyncSession, signup_id: uuid.UUID) -> tuple[Shift, Signup]:
    """The signup and its shift, locking the shift first (the order every writer takes)."""
    shift_id = await session.scalar(select(Signup.shift_id).where(Signup.id == signup_id))
    if shift_id is None:
        raise get_or_404_error()
    shift = await lock_shift(session, shift_id)
    signup = await get_or_404(session, Signup, signup_id, SIGNUP, lock=True)
    return shift, signup


def get_or_404_error() -> Problem:
    from coordinator.platform.problems import not_found

    return not_found(SIGNUP)


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
    shift, signup = await _locked_signup(session, signup_id)
    if person_id is not None and signup.person_id != person_id:
        raise get_or_404_error()
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
    _audit(session, caller, "cancel", signup, before)
    late = held and shift.starts_at - now < CANCEL_CUTOFF
    _event(session, "signup.cancelled", signup, actor, reason=reason, late=late, held=held)
    if held:
        await promote(session, shift, actor=actor)
    return signup


async def offer_swap(
    *,
    session: AsyncSession,
    signup_id: uuid.UUID,
    actor: str | None,
    person_id: uuid.UUID | None = None,
    caller: Principal | None = None,
) -> Signup:
    """Offer one's place to another qualified volunteer."""
    shift, signup = await _locked_signup(session, signup_id)
    if person_id is not None and signup.person_id != person_id:
        raise get_or_404_error()
    _open(shift, utcnow())
    if signup.status != SignupStatus.signed_up:
        raise wrong_state(signup.status.value)
    if signup.swap_offered_at is None:
        before = snapshot(signup)
        signup.swap_offered_at = utcnow()
        signup.updated_at = utcnow()
        _audit(session, caller, "offer_swap", signup, before)
    return signup


async def take_swap(
    *,
    session: AsyncSession,
    signup_id: uuid.UUID,
    person_id: uuid.UUID,
    actor: str | None,
    caller: Principal | None = None,
) -> Signup:
    """Take over an offered place: qualification, overlap and one-place-per-person are all
    checked again; the giver's signup is cancelled, the taker's holds the place."""
    shift, given = await _locked_signup(session, signup_id)
    _open(shift, utcnow())
    if given.status != SignupStatus.signed_up or given.swap_offered_at is None:
        raise wrong_state(
            given.status.value,
            None
            if given.swap_offered_at
            else Text("该名额未被转让", "the place has not been offered for a swap"),
        )
    await _qualified_person(session, person_id, shift)
    live = await session.scalar(
        select(Signup)
        .where(
            Signup.shift_id == shift.id,
            Signup.person_id == person_id,
            Signup.status != SignupStatus.cancelled,
        )
        .with_for_update()
    )
    if live is not None and live.status != SignupStatus.waitlisted:
        raise AlreadySignedUp(extra={"signup_id": str(live.id)})
    now = utcnow()
    before = snapshot(given)
    if live is not None:  # a waiting taker leaves the waitlist for the place
        waiting = snapshot(live)
        live.status = SignupStatus.cancelled
        live.cancelled_at = now
        live.cancel_reason = "swapped_in"
        shift.waiting -= 1
        _audit(session, caller, "cancel", live, waiting)
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
    _audit(session, caller, "swap", given, before)
    _audit(session, caller, "create", taken)
    _event(
        session,
        "signup.swapped",
        taken,
        actor,
        from_signup_id=str(given.id),
        from_person_id=str(given.person_id),
    )
    return taken


async def set_no_show(
    *,
    session: AsyncSession,
    signup_id: uuid.UUID,
    actor: str | None,
    caller: Principal | None = None,
) -> Signup:
    """The lead marks someone who did not come."""
    shift, signup = await _locked_signup(session, signup_id)
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
    _audit(session, caller, "no_show", signup, before)
    _event(session, "signup.no_show", signup, actor)
    return signup


async def mark_no_shows(*, session: AsyncSession, now: datetime, grace: Any) -> int:
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
        _event(session, "signup.no_show", signup, "cron")
    return len(rows)
