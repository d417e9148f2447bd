"""Signing up: the one way onto a shift, for a person (the API, the personal link and
call-out pages) and for each member of a team.

Every sign-up meets the rules in checks.py and takes its place through the one claim
statement (claim.py): a place if one is free, else the end of the waitlist, with its
events and audit entry. How it gets there is this module's business: on its own, a
sign-up joins the line of sign-ups for its shift in flight in this process (lines.py),
claimed together on an autocommit connection; with something else to write in its
transaction (a link's use) or inside one (a team's), it claims in that transaction.
"""

from __future__ import annotations

import uuid
import weakref
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy import Uuid, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import make_transient_to_detached

from coordinator.auth.service import Principal
from coordinator.people.models import Team, TeamMember
from coordinator.platform import changes
from coordinator.platform.cache import Kept
from coordinator.platform.db import Database, sqlstate, utcnow
from coordinator.platform.i18n import Text
from coordinator.platform.problems import Conflict, Problem, not_found
from coordinator.platform.resources import get_or_404
from coordinator.shifts.models import Shift, ShiftStatus, Signup
from coordinator.shifts.rules import SHIFT, TEAM
from coordinator.shifts.signups import lines
from coordinator.shifts.signups.checks import Seen, check, ensure_open
from coordinator.shifts.signups.claim import claim

Then = Callable[[AsyncSession, Signup], Awaitable[None]]

# Shifts as the checks last saw them, per database: hints that spare a sign-up the
# checks' round trip. The claim compares every field with the locked row and claims
# nothing if one differs, so a stale hint costs a second look, never a wrong place; a
# hint is dropped whenever a claim with it took nothing. Only ever a hint: any process
# can start empty.
SEEN_SIZE = 1024
_seen: weakref.WeakKeyDictionary[Database, Kept[uuid.UUID, Seen]] = weakref.WeakKeyDictionary()


def seen_shifts(database: Database) -> Kept[uuid.UUID, Seen]:
    """The hints kept for one database."""
    known = _seen.get(database)
    if known is None:
        known = _seen[database] = Kept(SEEN_SIZE)
    return known


async def sign_up(
    database: Database,
    shift_id: uuid.UUID,
    person_id: uuid.UUID,
    *,
    actor: str | None,
    caller: Principal | None = None,
    then: Then | None = None,
) -> Signup:
    """Sign a person up for a shift: a place if one is free, else the end of the waitlist
    (the signup says where: waitlist_position). Refused as checks.check says; overlaps
    with the person's other places are refused by the database (409).

    `then` writes what belongs with the sign-up in its transaction. Without it the claim
    runs on its own (autocommit), the whole transaction, so the shift stays locked only
    while PostgreSQL executes and commits it; sign-ups for one shift in flight together
    are claimed together. The checks then run only for a shift not seen lately. Whatever
    the claim cannot take is decided again in a transaction, with the clear refusals."""
    if database.autocommit is not None and then is None:
        signup = await _in_line(database, shift_id, person_id, actor=actor, caller=caller)
        if signup is not None:
            return signup

    async def work(session: AsyncSession) -> Signup:
        signup = await take_place(session, shift_id, person_id, actor=actor, caller=caller)
        if then is not None:
            await then(session, signup)
        return signup

    return await database.transaction(work)


async def _in_line(
    database: Database,
    shift_id: uuid.UUID,
    person_id: uuid.UUID,
    *,
    actor: str | None,
    caller: Principal | None,
) -> Signup | None:
    """The sign-up claimed with whoever else waits for the shift, or None (decide it in a
    transaction)."""
    assert database.autocommit is not None
    known = seen_shifts(database)
    seen = known.get(shift_id)
    now = utcnow()
    if seen is None or not seen.open(now):
        connection = await database.autocommit.connect()
        try:
            seen = await check(connection, shift_id, person_id, now)
        finally:
            await connection.close()  # no I/O: see lines._claim
        known.put(shift_id, seen)
    signup = await lines.claim_in_line(database, seen, person_id, actor, caller)
    if signup is None:
        known.pop(shift_id)
    return signup


async def take_place(
    session: AsyncSession,
    shift_id: uuid.UUID,
    person_id: uuid.UUID,
    *,
    actor: str | None,
    caller: Principal | None = None,
) -> Signup:
    """sign_up in the session's transaction: the checks, then the claim, so the lock is
    held for a single round trip; if what the checks saw has changed by then, the shift
    is locked first and the sign-up checked and claimed again."""
    connection = await session.connection()
    now = utcnow()
    seen = await check(connection, shift_id, person_id, now)
    signup = await claim(connection, seen, person_id, now=now, actor=actor, caller=caller)
    if signup is None:
        await _lock(connection, shift_id)
        signup = await _claim_locked(connection, shift_id, person_id, actor, caller)
    changes.wrote_in(session)  # claimed through the connection: no flush says so
    # Into the session as if loaded (no statement), for whatever the caller does next.
    make_transient_to_detached(signup)
    session.add(signup)
    return signup


_LOCK = (
    select(Shift.status, Shift.ends_at)
    .where(Shift.id == bindparam("shift_id", type_=Uuid))
    .with_for_update()
)
CLAIM_TRIES = 3


async def _lock(connection: AsyncConnection, shift_id: uuid.UUID) -> tuple[ShiftStatus, datetime]:
    """Lock the shift row (the lock every change to its places takes): its status and end."""
    row = (await connection.execute(_LOCK, {"shift_id": shift_id})).first()
    if row is None:
        raise not_found(SHIFT)
    return row.status, row.ends_at


async def _claim_locked(
    connection: AsyncConnection,
    shift_id: uuid.UUID,
    person_id: uuid.UUID,
    actor: str | None,
    caller: Principal | None,
) -> Signup:
    """Check and claim with the shift locked. Only the person can still change between
    the two (claim then takes nothing): checked again, they are refused or claimed."""
    for _ in range(CLAIM_TRIES):
        now = utcnow()
        seen = await check(connection, shift_id, person_id, now)
        signup = await claim(connection, seen, person_id, now=now, actor=actor, caller=caller)
        if signup is not None:
            return signup
    raise Conflict(Text("报名期间人员信息有变，请重试", "The person changed meanwhile; try again"))


async def sign_up_team(
    *,
    database: Database,
    shift_id: uuid.UUID,
    team_id: uuid.UUID,
    actor: str | None,
    caller: Principal | None = None,
) -> tuple[list[Signup], list[dict[str, str]]]:
    """Sign up every member of a team, in one transaction with the shift locked; members
    who cannot go are listed with the reason (the slug of their refusal, or "overlap")."""

    async def work(session: AsyncSession) -> tuple[list[Signup], list[dict[str, str]]]:
        await get_or_404(session, Team, team_id, TEAM)
        connection = await session.connection()
        status, ends_at = await _lock(connection, shift_id)
        ensure_open(status, ends_at, utcnow())
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
                async with connection.begin_nested():
                    signup = await _claim_locked(connection, shift_id, person_id, actor, caller)
                done.append(signup)
            except Problem as problem:
                skipped.append({"person_id": str(person_id), "reason": problem.slug})
            except IntegrityError as exc:
                if sqlstate(exc) != "23P01":
                    raise
                skipped.append({"person_id": str(person_id), "reason": "overlap"})
        if done:
            changes.wrote_in(session)  # claimed through the connection: no flush says so
        return done, skipped

    return await database.transaction(work)
