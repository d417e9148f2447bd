"""The sign-up rules, written once: the shift open, the person there and qualified, not
on the shift already. Every way onto a shift (a sign-up, a team's, a swap taken) meets
them here, read in one round trip without a lock; the claim statement (claim.py) then
takes the place only if the shift is still as these checks saw it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy import ColumnElement, Uuid, bindparam, select
from sqlalchemy.ext.asyncio import AsyncConnection

from coordinator.people.models import Person
from coordinator.platform.problems import missing_reference, not_found
from coordinator.shifts.events import shift_data
from coordinator.shifts.models import Shift, ShiftStatus, Signup, SignupStatus
from coordinator.shifts.rules import PERSON, SHIFT, AlreadySignedUp, closed, not_qualified


def is_open(status: ShiftStatus, ends_at: datetime, now: datetime) -> bool:
    """A shift takes sign-ups while it is scheduled and not over."""
    return status == ShiftStatus.scheduled and ends_at > now


def ensure_open(status: ShiftStatus, ends_at: datetime, now: datetime) -> None:
    if not is_open(status, ends_at, now):
        raise closed()


@dataclass(frozen=True)
class Seen:
    """The shift as the checks saw it, unlocked (open then)."""

    shift_id: uuid.UUID
    post_id: uuid.UUID
    series_id: uuid.UUID | None
    starts_at: datetime
    ends_at: datetime
    min_people: int
    max_people: int
    sequence: int

    def open(self, now: datetime) -> bool:
        return is_open(ShiftStatus.scheduled, self.ends_at, now)

    @cached_property
    def filled_data(self) -> dict[str, Any]:
        """What shift.filled says when a sign-up takes the shift's last place."""
        full = Shift(
            id=self.shift_id,
            post_id=self.post_id,
            series_id=self.series_id,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            min_people=self.min_people,
            max_people=self.max_people,
            filled=self.max_people,
            status=ShiftStatus.scheduled,
            sequence=self.sequence,
        )
        return shift_data(full)


# Built once: a check only binds the two ids (and the statement is compiled once).
_PERSON_ID = bindparam("person_id", type_=Uuid)


def _statement(on_shift: ColumnElement[bool]):  # the typed Select spells out every column
    """The shift, the person, and their signup on the shift that meets `on_shift`."""
    return (
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
                on_shift,
            )
            .limit(1)
            .scalar_subquery(),
        )
        .select_from(Shift)
        .outerjoin(Person, Person.id == _PERSON_ID)
        .where(Shift.id == bindparam("shift_id", type_=Uuid))
    )


_CHECK = _statement(Signup.status != SignupStatus.cancelled)
# Taking over a swapped place: a place on the waitlist is given up for it, not in the way.
_CHECK_SWAP = _statement(Signup.status.not_in((SignupStatus.cancelled, SignupStatus.waitlisted)))


async def check(
    connection: AsyncConnection,
    shift_id: uuid.UUID,
    person_id: uuid.UUID,
    now: datetime,
    *,
    waiting_ok: bool = False,
) -> Seen:
    """Every refusal a sign-up can meet before the shift is locked, in one round trip:
    no shift (404), closed, no person (422), not qualified, already on the shift (409;
    with `waiting_ok`, a place on the waitlist does not count)."""
    statement = _CHECK_SWAP if waiting_ok else _CHECK
    result = await connection.execute(statement, {"shift_id": shift_id, "person_id": person_id})
    row = result.first()
    if row is None:
        raise not_found(SHIFT)
    status, post_id, series_id, starts_at, ends_at, low, high, sequence = row[:8]
    required, found, skills, live_id = row[8:]
    ensure_open(status, ends_at, now)
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
