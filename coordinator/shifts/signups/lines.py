"""Sign-ups for one shift wait in line in this process and are claimed together.

While a claim for a shift is on its way to the database, the sign-ups for that shift
that reach this process wait behind it; when it is back they are claimed at once, in the
order they came, by one statement (claim.claim_many; see service.sign_up): one lock of
the shift, one commit, one round trip and one connection for the lot, where each would
otherwise have held a connection to queue on the shift's row lock, and every commit on
it on the global lock that a commit sending NOTIFY (the outbox's) takes until its WAL is
flushed.

Nothing is decided here: the statement takes the places in the order given, under the
shift's row lock, exactly as if the sign-ups had come one at a time (arrival numbers and
event order included), and other processes still meet them at that lock. When a row of a
batch breaks a constraint (the same person already on the shift, or in an overlapping
place), the statement takes nothing, and the batch is claimed again one sign-up at a
time, still in line order, so that only that sign-up is left out. A claim that takes nothing
(a person missing or unqualified, the shift changed) is answered None, as is one that
broke a constraint or met a lock conflict: the caller then decides it alone, in a
transaction, with the checks' clear refusals.
"""

from __future__ import annotations

import asyncio
import uuid
import weakref
from collections import deque
from dataclasses import dataclass, field

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from coordinator.auth.service import Principal
from coordinator.platform import changes
from coordinator.platform.db import RETRYABLE, Database, sqlstate, utcnow
from coordinator.shifts.models import Signup
from coordinator.shifts.signups.checks import Seen
from coordinator.shifts.signups.claim import Claim, claim_many

BATCH = 50  # sign-ups in one statement at most
# Refusals a claim leaves to the checks and the transaction (which name them clearly):
# a unique or exclusion violation, a serialization failure or a deadlock.
_DECIDE_ALONE = RETRYABLE | {"23505", "23P01"}


@dataclass
class _Waiting:
    seen: Seen
    claim: Claim
    done: asyncio.Future[Signup | None]


@dataclass
class _Line:
    waiting: deque[_Waiting] = field(default_factory=deque)
    serving: asyncio.Task[None] | None = None


# Per database, the lines of shifts with sign-ups in flight in this process (a line goes
# when it is empty).
_lines: weakref.WeakKeyDictionary[Database, dict[uuid.UUID, _Line]] = weakref.WeakKeyDictionary()


async def claim_in_line(
    database: Database,
    seen: Seen,
    person_id: uuid.UUID,
    actor: str | None,
    caller: Principal | None = None,
) -> Signup | None:
    """Claim a place (or the end of the waitlist) with whoever else waits for the shift:
    the signup, or None if this claim took nothing (decide it alone)."""
    autocommit = database.autocommit
    assert autocommit is not None, "lines need the database's autocommit engine"
    lines = _lines.setdefault(database, {})
    line = lines.get(seen.shift_id)
    if line is None:
        line = lines[seen.shift_id] = _Line()
    done: asyncio.Future[Signup | None] = asyncio.get_running_loop().create_future()
    line.waiting.append(_Waiting(seen, Claim(person_id, actor, caller), done))
    if line.serving is None:
        line.serving = asyncio.create_task(_serve(autocommit, lines, seen.shift_id, line))
    return await done


async def _serve(
    autocommit: AsyncEngine, lines: dict[uuid.UUID, _Line], shift_id: uuid.UUID, line: _Line
) -> None:
    """Claim what waits in the line, a batch at a time, until it is empty."""
    batch: list[_Waiting] = []
    try:
        while line.waiting:
            batch = _next_batch(line.waiting)
            if not batch:  # only sign-ups cancelled while they waited: nothing to claim
                continue
            try:
                results = await _claim(autocommit, batch)
            except Exception as exc:
                for waiting in batch:
                    if not waiting.done.done():  # a sign-up cancelled meanwhile
                        waiting.done.set_exception(exc)
            else:
                if any(isinstance(outcome, Signup) for outcome in results):
                    # Committed outside any Session: tell this process's caches before
                    # anyone is answered (the NOTIFY reaches them a little later).
                    changes.wrote()
                for waiting, outcome in zip(batch, results, strict=True):
                    if waiting.done.done():
                        continue
                    if isinstance(outcome, Exception):
                        waiting.done.set_exception(outcome)
                    else:
                        waiting.done.set_result(outcome)
            batch = []
    finally:
        # Only a cancelled task leaves early: nobody may be left waiting for it.
        for waiting in [*batch, *line.waiting]:
            if not waiting.done.done():
                waiting.done.set_exception(RuntimeError("sign-up line stopped"))
        line.waiting.clear()
        line.serving = None
        if lines.get(shift_id) is line:
            del lines[shift_id]


def _next_batch(waiting: deque[_Waiting]) -> list[_Waiting]:
    """The first sign-ups in line that can go together: the shift as one check saw it,
    each person once (a second sign-up of one person waits for the next batch). Sign-ups
    cancelled while they waited leave the line unclaimed: nobody would hear of them."""
    while waiting and waiting[0].done.done():
        waiting.popleft()
    if not waiting:
        return []
    first = waiting.popleft()
    batch, people, kept = [first], {first.claim.person_id}, []
    while waiting and len(batch) < BATCH:
        candidate = waiting.popleft()
        if candidate.done.done():
            continue
        if candidate.seen == first.seen and candidate.claim.person_id not in people:
            batch.append(candidate)
            people.add(candidate.claim.person_id)
        else:
            kept.append(candidate)
    waiting.extendleft(reversed(kept))
    return batch


async def _claim(autocommit: AsyncEngine, batch: list[_Waiting]) -> list[Signup | Exception | None]:
    """Each waiting sign-up's outcome: its signup, None (decide it alone), or its error."""
    # Closed straight away, not by `async with`, whose exit closes in a task of its own
    # (a turn of the event loop with the connection kept from the next batch). Closing
    # a connection that ran autocommit statements does no I/O.
    connection = await autocommit.connect()
    try:
        if len(batch) > 1:
            try:
                return list(
                    await claim_many(
                        connection, batch[0].seen, [w.claim for w in batch], now=utcnow()
                    )
                )
            except DBAPIError as exc:
                if _outcome_unknown(exc):
                    raise  # the connection is gone, and with it what the statement did
                # A row broke a constraint (or a lock conflict), and nothing was taken:
                # claim them one by one, still in line order, so only that one fails.
                await connection.rollback()
        outcomes: list[Signup | Exception | None] = []
        for n, waiting in enumerate(batch):
            try:
                (signup,) = await claim_many(
                    connection, waiting.seen, [waiting.claim], now=utcnow()
                )
            except DBAPIError as exc:
                if _outcome_unknown(exc):
                    # This one may or may not have been taken: its caller gets the error.
                    # The connection is gone (reused, it would come back in a transaction
                    # nobody commits): the rest are decided alone, each in its own.
                    outcomes.append(exc)
                    outcomes.extend([None] * (len(batch) - n - 1))
                    break
                await connection.rollback()
                # Already on the shift (23505, or 23P01 as the place overlaps itself) or
                # in an overlapping place: the checks, skipped, tell which.
                alone = sqlstate(exc) in _DECIDE_ALONE
                outcomes.append(None if alone else exc)
            else:
                outcomes.append(signup)
        return outcomes
    finally:
        await connection.close()


def _outcome_unknown(exc: DBAPIError) -> bool:
    """True when the statement's fate is unknown (a lost connection), not a refusal."""
    return bool(exc.connection_invalidated) or sqlstate(exc) is None
