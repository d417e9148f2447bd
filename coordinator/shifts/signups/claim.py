"""The claim: one statement that locks the shift, takes a place or the end of the
waitlist, and writes the signup, its events and its audit entry. The shift's row lock is
held from that statement to COMMIT, one round trip.

Every constraint stays the database's: the CHECK on `filled`, the EXCLUDE on overlapping
places, the unique index on live signups. The rules are checked before (checks.py); the
statement only makes sure nothing they saw moved in between (the shift as seen, the
person still qualified, locked FOR SHARE) and claims nothing if it did, and the sign-up
is then checked again under the lock (service.py). So the shift as the checks saw it can
also be kept and the checks skipped: a stale copy only costs a second look.

Run on its own (autocommit), the claim statement is its own transaction: the lock is then
held only while PostgreSQL executes and commits it, never across a round trip. One
statement can claim several sign-ups for a shift, in order (claim_many; see lines.py).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, bindparam, column, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection

from coordinator.auth.service import Principal
from coordinator.shifts.events import signup_fields
from coordinator.shifts.models import Signup, SignupStatus
from coordinator.shifts.signups.checks import Seen

# The shift is locked first and the people second, the order every writer takes.
# `filled` and `waiting` are read from the locked row (the newest version, after waiting),
# never counted from signups: a count would use the statement's snapshot, taken before
# the wait. A sign-up that joins the waitlist is answered its position from them.
# Sign-ups are claimed in the order given (`n`): the first `free` qualified ones take the
# places, the rest join the waitlist, and identity columns (the signups' arrival, the
# events' seq) are drawn row by row in that order, as if they had come one at a time.
# The signup's columns are named in the model's order: text().columns() matches by position.
_SIGNUP_COLUMNS = ", ".join(f"signup.{c.name}" for c in Signup.__table__.c)
CLAIM = (
    text(
        f"""
    WITH shift AS (
        SELECT s.id, s.starts_at, s.ends_at, s.required_skills,
               s.max_people - s.filled AS free, s.waiting
        FROM shifts AS s
        WHERE s.id = :shift_id AND s.status = 'scheduled'
          AND s.post_id = :post_id AND s.series_id IS NOT DISTINCT FROM :series_id
          AND s.starts_at = :starts_at AND s.ends_at = :ends_at
          AND s.min_people = :min_people AND s.max_people = :max_people
          AND s.sequence = :sequence
        FOR UPDATE
    ),
    person AS (
        SELECT p.id
        FROM people AS p, shift
        WHERE p.id = ANY(CAST(:person_ids AS uuid[])) AND p.skills @> shift.required_skills
        FOR SHARE OF p
    ),
    claimed AS (
        SELECT i.n, i.signup_id, i.person_id, i.event_id, i.actor,
               i.caller_token_id, i.caller_name, i.placed_data, i.waiting_data,
               row_number() OVER (ORDER BY i.n) <= shift.free AS placed,
               shift.waiting + row_number() OVER (ORDER BY i.n) - shift.free AS position
        FROM unnest(
                CAST(:signup_ids AS uuid[]), CAST(:person_ids AS uuid[]),
                CAST(:event_ids AS uuid[]), CAST(:actors AS text[]),
                CAST(:caller_token_ids AS uuid[]), CAST(:caller_names AS text[]),
                CAST(:placed_data AS text[]), CAST(:waiting_data AS text[])
             ) WITH ORDINALITY AS i (
                signup_id, person_id, event_id, actor, caller_token_id, caller_name,
                placed_data, waiting_data, n
             ),
             shift, person
        WHERE person.id = i.person_id
    ),
    placed AS (
        UPDATE shifts
        SET filled = shifts.filled + (SELECT count(*) FROM claimed WHERE placed),
            waiting = shifts.waiting + (SELECT count(*) FROM claimed WHERE NOT placed),
            updated_at = CASE WHEN EXISTS (SELECT FROM claimed WHERE placed)
                              THEN :now ELSE shifts.updated_at END
        FROM shift
        WHERE shifts.id = shift.id AND EXISTS (SELECT FROM claimed)
        RETURNING shifts.id
    ),
    signup AS (
        INSERT INTO signups
            (id, shift_id, person_id, status, starts_at, ends_at, sequence,
             created_at, updated_at)
        SELECT c.signup_id, shift.id, c.person_id,
               CASE WHEN c.placed THEN 'signed_up' ELSE 'waitlisted' END,
               shift.starts_at, shift.ends_at, 0, :now, :now
        FROM claimed AS c, shift
        ORDER BY c.n
        RETURNING *
    ),
    event AS (
        -- Each signup.created in order, shift.filled right after the one that took the
        -- last place (if one did): seq in that order.
        INSERT INTO outbox (id, type, data, subject_type, subject_id, actor)
        SELECT e.id, e.type, e.data, e.subject_type, e.subject_id, e.actor
        FROM (
            SELECT c.n, 1 AS k, c.event_id AS id, 'signup.created' AS type,
                   CAST(CASE WHEN c.placed THEN c.placed_data ELSE c.waiting_data END
                        AS jsonb) AS data,
                   'signup' AS subject_type, c.signup_id AS subject_id, c.actor
            FROM claimed AS c, shift
            UNION ALL
            SELECT last.n, 2, CAST(:filled_event_id AS uuid), 'shift.filled',
                   CAST(:filled_data AS jsonb), 'shift', shift.id, last.actor
            FROM shift, (
                SELECT c.n, c.actor FROM claimed AS c WHERE c.placed ORDER BY c.n DESC LIMIT 1
            ) AS last
            WHERE shift.free = (SELECT count(*) FROM claimed WHERE placed)
        ) AS e
        ORDER BY e.n, e.k
    ),
    audit AS (
        -- The audit entry of each sign-up made through the API, in the same statement
        -- (so in the same transaction) as the signup itself.
        INSERT INTO audit_log
            (at, actor_token_id, actor_name, action, entity_type, entity_id, after)
        SELECT :now, c.caller_token_id, c.caller_name, 'create', 'signup', s.id, to_jsonb(s)
        FROM claimed AS c JOIN signup AS s ON s.id = c.signup_id
        WHERE c.caller_name IS NOT NULL
        ORDER BY c.n
    )
    SELECT {_SIGNUP_COLUMNS},
           CASE WHEN claimed.placed THEN NULL ELSE claimed.position END AS waitlist_position
    FROM signup JOIN claimed ON claimed.signup_id = signup.id
    """
    )
    .bindparams(bindparam("filled_data", type_=JSONB))
    .columns(*Signup.__table__.c, column("waitlist_position", Integer))
)


@dataclass(frozen=True)
class Claim:
    """One sign-up waiting to be claimed: who, and who asks (the API caller, audited)."""

    person_id: uuid.UUID
    actor: str | None
    caller: Principal | None = None


def _payloads(
    seen: Seen, claims: list[Claim], signup_ids: list[uuid.UUID]
) -> tuple[list[str], list[str]]:
    """Each claim's signup.created as it reads if the claim takes a place, and if it
    joins the waitlist (the statement picks one)."""
    placed, waiting = [], []
    for c, signup_id in zip(claims, signup_ids, strict=True):
        data = signup_fields(
            signup_id=signup_id,
            shift_id=seen.shift_id,
            person_id=c.person_id,
            status=SignupStatus.signed_up.value,
            sequence=0,
            starts_at=seen.starts_at,
            ends_at=seen.ends_at,
        )
        placed.append(json.dumps(data))
        data["status"] = SignupStatus.waitlisted.value
        waiting.append(json.dumps(data))
    return placed, waiting


async def claim_many(
    connection: AsyncConnection, seen: Seen, claims: list[Claim], *, now: datetime
) -> list[Signup | None]:
    """Lock the shift once and claim each sign-up in turn, in one statement with the
    events: a place while there is one, else the end of the waitlist. None for a claim
    that took nothing: its person missing or unqualified, or (for all) the shift no longer
    as the checks saw it. Raises if any row breaks a constraint (nothing is then taken):
    the same person twice, already on the shift, or in an overlapping place."""
    signup_ids = [uuid.uuid4() for _ in claims]
    placed, waiting = _payloads(seen, claims, signup_ids)
    result = await connection.execute(
        CLAIM,
        {
            "shift_id": seen.shift_id,
            "person_ids": [c.person_id for c in claims],
            "signup_ids": signup_ids,
            "event_ids": [uuid.uuid4() for _ in claims],
            "actors": [c.actor for c in claims],
            "caller_token_ids": [c.caller.token_id if c.caller else None for c in claims],
            "caller_names": [c.caller.name if c.caller else None for c in claims],
            "placed_data": placed,
            "waiting_data": waiting,
            "filled_event_id": uuid.uuid4(),
            "post_id": seen.post_id,
            "series_id": seen.series_id,
            "starts_at": seen.starts_at,
            "ends_at": seen.ends_at,
            "min_people": seen.min_people,
            "max_people": seen.max_people,
            "sequence": seen.sequence,
            "now": now,
            "filled_data": seen.filled_data,
        },
    )
    # Plain Signups of the rows: ORM loading would cost more than the rest of the
    # sign-up's Python put together.
    made = {}
    for row in result:
        fields = dict(row._mapping)
        position = fields.pop("waitlist_position")
        signup = made[row.id] = Signup(**fields)
        signup.waitlist_position = position
    return [made.get(i) for i in signup_ids]


async def claim(
    connection: AsyncConnection,
    seen: Seen,
    person_id: uuid.UUID,
    *,
    now: datetime,
    actor: str | None,
    caller: Principal | None = None,
) -> Signup | None:
    """Lock the shift and take a place (or the end of its waitlist) in one statement,
    with its events (and its audit entry, given the caller). None if something the checks
    saw changed before the lock (the caller then decides under the lock itself)."""
    (signup,) = await claim_many(connection, seen, [Claim(person_id, actor, caller)], now=now)
    return signup
