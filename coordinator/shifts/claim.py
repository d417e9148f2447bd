"""A sign-up in two statements: the rules checked without a lock, then one statement that
locks the shift, takes a place or the end of the waitlist, and writes the signup and its
event. The shift's row lock is held from that statement to COMMIT, one round trip.

Every rule stays the database's: the CHECK on `filled`, the EXCLUDE on overlapping
places, the unique index on live signups. The checks made before locking only give the
clear refusals early; the claim statement re-checks what could change in between (the
shift still open and at the same times, the person still qualified, locked FOR SHARE) and
claims nothing if any of it moved, in which case the caller takes the slow path.

Run on its own (autocommit), the claim statement is its own transaction: the lock is then
held only while PostgreSQL executes and commits it, never across a round trip.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Uuid, bindparam, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection

from coordinator.people.models import Person
from coordinator.problems import missing_reference, not_found
from coordinator.shifts.models import Shift, ShiftStatus, Signup, SignupStatus
from coordinator.shifts.rules import PERSON, SHIFT, AlreadySignedUp, closed, not_qualified


@dataclass(frozen=True)
class Seen:
    """The shift as the checks saw it, unlocked."""

    shift_id: uuid.UUID
    post_id: uuid.UUID
    series_id: uuid.UUID | None
    starts_at: datetime
    ends_at: datetime
    min_people: int
    max_people: int
    sequence: int

    def filled(self) -> dict[str, Any]:
        """What the shift.filled event says (snapshot_shift of the shift once full)."""
        return {
            "shift_id": str(self.shift_id),
            "post_id": str(self.post_id),
            "series_id": str(self.series_id) if self.series_id else None,
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
            "min_people": self.min_people,
            "max_people": self.max_people,
            "filled": self.max_people,
            "status": ShiftStatus.scheduled.value,
            "sequence": self.sequence,
        }


# Built once: a sign-up only binds the two ids (and the statement is compiled once).
_PERSON_ID = bindparam("person_id", type_=Uuid)
_CHECK = (
    select(
        Shift.status,
        Shift.post_id,
        Shift.series_id,
        Shift.starts_at,
        Shift.ends_at,
        Shift.min_people,
        Shift.max_people,
        Shift.sequence,
        Shift.required_skills,
        Person.id,
        Person.skills,
        select(Signup.id)
        .where(
            Signup.shift_id == Shift.id,
            Signup.person_id == _PERSON_ID,
            Signup.status != SignupStatus.cancelled,
        )
        .limit(1)
        .scalar_subquery(),
    )
    .select_from(Shift)
    .outerjoin(Person, Person.id == _PERSON_ID)
    .where(Shift.id == bindparam("shift_id", type_=Uuid))
)


async def check(
    connection: AsyncConnection, shift_id: uuid.UUID, person_id: uuid.UUID, now: datetime
) -> Seen:
    """Every refusal a sign-up can meet before the shift is locked, in one round trip:
    no shift (404), closed, no person (422), not qualified, already on the shift (409)."""
    result = await connection.execute(_CHECK, {"shift_id": shift_id, "person_id": person_id})
    row = result.first()
    if row is None:
        raise not_found(SHIFT)
    status, post_id, series_id, starts_at, ends_at, low, high, sequence = row[:8]
    required, found, skills, live_id = row[8:]
    if status != ShiftStatus.scheduled or ends_at <= now:
        raise closed()
    if found is None:
        raise missing_reference("person_id", PERSON)
    missing = [s for s in required if s not in (skills or [])]
    if missing:
        raise not_qualified(missing)
    if live_id is not None:
        raise AlreadySignedUp(extra={"signup_id": str(live_id)})
    return Seen(
        shift_id=shift_id,
        post_id=post_id,
        series_id=series_id,
        starts_at=starts_at,
        ends_at=ends_at,
        min_people=low,
        max_people=high,
        sequence=sequence,
    )


# The shift is locked first and the person second, the order every writer takes.
# `filled` is read from the locked row (the newest version, after waiting), never
# counted from signups: a count would use the statement's snapshot, taken before the wait.
# The signup's columns are named in the model's order: text().columns() matches by position.
_SIGNUP_COLUMNS = ", ".join(c.name for c in Signup.__table__.c)
CLAIM = (
    text(
        f"""
    WITH shift AS (
        SELECT s.id, s.starts_at, s.ends_at, s.required_skills,
               s.filled < s.max_people AS has_place,
               s.filled + 1 = s.max_people AS fills
        FROM shifts AS s
        WHERE s.id = :shift_id AND s.status = 'scheduled' AND s.ends_at > :now
          AND s.post_id = :post_id AND s.series_id IS NOT DISTINCT FROM :series_id
          AND s.starts_at = :starts_at AND s.ends_at = :ends_at
          AND s.min_people = :min_people AND s.max_people = :max_people
          AND s.sequence = :sequence
        FOR UPDATE
    ),
    person AS (
        SELECT p.id
        FROM people AS p, shift
        WHERE p.id = :person_id AND p.skills @> shift.required_skills
        FOR SHARE OF p
    ),
    placed AS (
        UPDATE shifts SET filled = shifts.filled + 1, updated_at = :now
        FROM shift, person
        WHERE shifts.id = shift.id AND shift.has_place
        RETURNING shifts.id
    ),
    signup AS (
        INSERT INTO signups
            (id, shift_id, person_id, status, starts_at, ends_at, sequence,
             created_at, updated_at)
        SELECT :signup_id, shift.id, person.id,
               CASE WHEN shift.has_place THEN 'signed_up' ELSE 'waitlisted' END,
               shift.starts_at, shift.ends_at, 0, :now, :now
        FROM shift, person
        RETURNING *
    ),
    event AS (
        -- signup.created, then shift.filled if this place was the last: seq in that order.
        INSERT INTO outbox (id, type, data, subject_type, subject_id, actor)
        SELECT e.id, e.type, e.data, e.subject_type, e.subject_id, :actor
        FROM shift, person, LATERAL (VALUES
            (1, CAST(:event_id AS uuid), 'signup.created',
             CASE WHEN shift.has_place THEN CAST(:placed_data AS jsonb)
                  ELSE CAST(:waiting_data AS jsonb) END,
             'signup', CAST(:signup_id AS uuid)),
            (2, CAST(:filled_event_id AS uuid), 'shift.filled', CAST(:filled_data AS jsonb),
             'shift', shift.id)
        ) AS e (n, id, type, data, subject_type, subject_id)
        WHERE e.n = 1 OR (shift.has_place AND shift.fills)
        ORDER BY e.n
    )
    SELECT {_SIGNUP_COLUMNS} FROM signup
    """
    )
    .bindparams(
        bindparam("placed_data", type_=JSONB),
        bindparam("waiting_data", type_=JSONB),
        bindparam("filled_data", type_=JSONB),
    )
    .columns(*Signup.__table__.c)
)


async def claim(
    connection: AsyncConnection,
    seen: Seen,
    person_id: uuid.UUID,
    *,
    now: datetime,
    actor: str | None,
) -> Signup | None:
    """Lock the shift and take a place (or the end of its waitlist) in one statement,
    with its events. None if something the checks saw changed before the lock (the
    caller then decides under the lock itself)."""
    signup_id = uuid.uuid4()
    event: dict[str, Any] = {
        "signup_id": str(signup_id),
        "shift_id": str(seen.shift_id),
        "person_id": str(person_id),
        "sequence": 0,
        "starts_at": seen.starts_at.isoformat(),
        "ends_at": seen.ends_at.isoformat(),
    }
    result = await connection.execute(
        CLAIM,
        {
            "shift_id": seen.shift_id,
            "person_id": person_id,
            "signup_id": signup_id,
            "event_id": uuid.uuid4(),
            "filled_event_id": uuid.uuid4(),
            "post_id": seen.post_id,
            "series_id": seen.series_id,
            "starts_at": seen.starts_at,
            "ends_at": seen.ends_at,
            "min_people": seen.min_people,
            "max_people": seen.max_people,
            "sequence": seen.sequence,
            "now": now,
            "actor": actor,
            "placed_data": {**event, "status": SignupStatus.signed_up.value},
            "waiting_data": {**event, "status": SignupStatus.waitlisted.value},
            "filled_data": seen.filled(),
        },
    )
    row = result.first()
    # A plain Signup of the row: ORM loading would cost more than the rest of the
    # sign-up's Python put together.
    return Signup(**row._mapping) if row is not None else None
