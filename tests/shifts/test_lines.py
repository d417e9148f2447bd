"""Sign-ups for one shift in flight together in a process are claimed together, in one
statement, as if they had come one at a time; a refused one leaves the others their
places, and every refusal is the one it would have met alone."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, text, update

from coordinator.platform.changes import ChangeWatch
from coordinator.shifts.models import Shift
from coordinator.shifts.rules import AlreadySignedUp
from coordinator.shifts.signups import lines, service

from .conftest import events, hours_from_now, iso, make_people


@contextmanager
def _claims_counted(world: Any) -> Iterator[list[str]]:
    """The claim statements sent to the database meanwhile."""
    seen: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if "INSERT INTO outbox" in statement and "FOR UPDATE" in statement:
            seen.append(statement)

    engine = world.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def _all_at_once(world: Any, shift_id: str, people: list[Any]) -> list[Any]:
    responses = await asyncio.gather(
        *(
            world.api.post(f"/api/v1/shifts/{shift_id}/signups", json={"person_id": str(p)})
            for p in people
        )
    )
    return [(r.status, await r.json()) for r in responses]


async def test_signups_in_flight_together_share_a_statement_and_keep_arrival_order(
    committed_world,
):
    world = committed_world
    post = await world.post()
    shift = await world.shift(post["id"], hours_from_now(30), hours_from_now(32), max_people=5)
    first, *crowd = await make_people(world.database, 41)
    await world.sign_up(shift["id"], str(first))  # this process has now seen the shift
    with _claims_counted(world) as claims:
        answers = await _all_at_once(world, shift["id"], crowd)

    assert [status for status, _ in answers] == [201] * 40
    assert 1 <= len(claims) < 40  # batches, not one statement per sign-up
    rows = await world.signups(shift["id"])
    assert [r["status"] for r in rows] == ["signed_up"] * 5 + ["waitlisted"] * 36
    assert [r["waitlist_position"] for r in rows[5:]] == list(range(1, 37))
    # Each answer is its stored row; events were written in arrival order.
    stored = {r["id"]: r for r in rows}
    for _, body in answers:
        assert {k: v for k, v in body.items() if k != "waitlist_position"} == {
            k: v for k, v in stored[body["id"]].items() if k != "waitlist_position"
        }
    created = await events(world.database, "signup.created")
    assert [e.data["signup_id"] for e in created] == [r["id"] for r in rows]
    assert [e.data["status"] for e in created] == [r["status"] for r in rows]
    (filled,) = await events(world.database, "shift.filled")
    # shift.filled follows the signup.created of the one who took the last place.
    fifth = next(e for e in created if e.data["signup_id"] == rows[4]["id"])
    sixth = next(e for e in created if e.data["signup_id"] == rows[5]["id"])
    assert fifth.seq < filled.seq < sixth.seq
    assert filled.data["filled"] == 5
    assert (await world.api.ok("GET", f"/api/v1/shifts/{shift['id']}"))["filled"] == 5


async def test_a_refused_signup_among_others_leaves_them_their_places(committed_world):
    world = committed_world
    post = await world.post(required_skills=["急救"])
    start = hours_from_now(30)
    # Room for all: the one busy elsewhere would take a place (a waitlist may overlap).
    shift = await world.shift(post["id"], start, start + timedelta(hours=2), max_people=12)
    other = await world.shift(
        post["id"], start + timedelta(hours=1), start + timedelta(hours=3), max_people=4
    )
    on_it, busy, *fresh = await make_people(world.database, 12, skills=["急救"])
    (unqualified,) = await make_people(world.database, 1, prefix="无证")
    await world.sign_up(shift["id"], str(on_it))
    await world.sign_up(other["id"], str(busy))
    missing = uuid.uuid4()

    answers = await _all_at_once(
        world, shift["id"], [*fresh[:5], on_it, busy, unqualified, missing, *fresh[5:]]
    )

    statuses = [status for status, _ in answers]
    assert statuses == [201] * 5 + [409, 409, 409, 422] + [201] * 5
    assert answers[5][1]["type"].endswith("/already-signed-up"), answers[5][1]
    assert answers[6][1]["constraint"] == "ex_signups_person_overlap"
    assert answers[7][1]["type"].endswith("/not-qualified")
    assert answers[8][1]["errors"][0]["field"] == "person_id"
    rows = await world.signups(shift["id"])
    assert len(rows) == 11
    assert [r["status"] for r in rows] == ["signed_up"] * 11
    created = await events(world.database, "signup.created")
    mine = [e.data["signup_id"] for e in created if e.data["shift_id"] == shift["id"]]
    assert mine == [r["id"] for r in rows]
    assert (await world.api.ok("GET", f"/api/v1/shifts/{shift['id']}"))["filled"] == 11


async def test_the_same_person_twice_at_once_gets_one_signup(committed_world):
    world = committed_world
    post = await world.post()
    shift = await world.shift(post["id"], hours_from_now(30), hours_from_now(32))
    (person,) = await make_people(world.database, 1)
    answers = await _all_at_once(world, shift["id"], [person, person, person])
    assert sorted(status for status, _ in answers) == [201, 409, 409]
    assert len(await world.signups(shift["id"])) == 1


async def test_a_shift_moved_since_it_was_seen_is_signed_up_at_its_new_times(committed_world):
    world = committed_world
    post = await world.post()
    start = hours_from_now(30)
    shift = await world.shift(post["id"], start, start + timedelta(hours=2), max_people=3)
    a, b, c = await make_people(world.database, 3)
    await world.sign_up(shift["id"], str(a))  # seen at its first times
    # Moved behind this process's back (another process, or a script).
    async with world.database.sessionmaker.begin() as session:
        await session.execute(
            update(Shift)
            .where(Shift.id == uuid.UUID(shift["id"]))
            .values(starts_at=Shift.starts_at + timedelta(hours=1))
        )
    moved = await world.sign_up(shift["id"], str(b))
    again = await world.sign_up(shift["id"], str(c))
    later = iso(start + timedelta(hours=1))
    assert moved["starts_at"] == later and again["starts_at"] == later
    assert (await world.api.ok("GET", f"/api/v1/shifts/{shift['id']}"))["filled"] == 3


async def test_a_signup_moves_this_process_stamps_before_it_is_answered(committed_world):
    world = committed_world
    post = await world.post()
    shift = await world.shift(post["id"], hours_from_now(30), hours_from_now(32))
    (a,) = await make_people(world.database, 1)
    watch = ChangeWatch()
    watch.listening(True)  # no listener: only this process's own commits can move it
    before = watch.stamp(["signups"])
    signup = await service.sign_up(world.database, uuid.UUID(shift["id"]), a, actor="t")
    assert signup.status.value == "signed_up"
    moved = watch.stamp(["signups"])
    assert moved != before  # at once, with no notification yet
    with pytest.raises(AlreadySignedUp):
        await service.sign_up(world.database, uuid.UUID(shift["id"]), a, actor="t")
    assert watch.stamp(["signups"]) == moved  # refused: nothing was written


async def _places(world: Any, shift_id: str) -> tuple[set[str], int]:
    """The ids of the shift's signups, and its count of places taken."""
    async with world.database.session() as session:
        ids = await session.scalars(
            text("SELECT id::text FROM signups WHERE shift_id = :s"), {"s": shift_id}
        )
        filled = await session.scalar(
            text("SELECT filled FROM shifts WHERE id = :s"), {"s": shift_id}
        )
    return set(ids), int(filled or 0)


async def test_a_connection_lost_under_a_batch_answers_nobody_with_a_place_not_held(
    committed_world, monkeypatch
):
    """The batch's fate is unknown when its connection dies: its callers get the error,
    and nobody is told of a signup that was never committed."""
    world = committed_world
    post = await world.post()
    shift = await world.shift(post["id"], hours_from_now(30), hours_from_now(32), max_people=10)
    shift_id = uuid.UUID(shift["id"])
    first, *crowd = await make_people(world.database, 6)
    await service.sign_up(world.database, shift_id, first, actor=None)
    real = lines.claim_many
    killed = []

    async def dying(connection, seen, claims, *, now):  # type: ignore[no-untyped-def]
        if len(claims) > 1 and not killed:
            killed.append(len(claims))
            await connection.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
        return await real(connection, seen, claims, now=now)

    monkeypatch.setattr(lines, "claim_many", dying)
    results = await asyncio.gather(
        *(service.sign_up(world.database, shift_id, p, actor=None) for p in crowd),
        return_exceptions=True,
    )
    assert killed, "no batch formed"
    told = {str(r.id) for r in results if not isinstance(r, BaseException)}
    assert any(isinstance(r, BaseException) for r in results)
    held, filled = await _places(world, str(shift_id))
    assert told <= held  # every place announced is really held
    assert filled == len(held)


async def _until(holds: Callable[[], bool], what: str, turns: int = 10_000) -> None:
    """Let the event loop run until `holds()` is true (a bounded number of turns)."""
    for _ in range(turns):
        if holds():
            return
        await asyncio.sleep(0)  # one turn of the loop: other tasks run, no time passes
    raise AssertionError(f"never: {what}")


async def test_a_sign_up_cancelled_while_it_waits_in_line_takes_no_place(
    committed_world, monkeypatch
):
    world = committed_world
    post = await world.post()
    shift = await world.shift(post["id"], hours_from_now(30), hours_from_now(32), max_people=10)
    shift_id = uuid.UUID(shift["id"])
    a, b, c, d = await make_people(world.database, 4)
    await service.sign_up(world.database, shift_id, a, actor=None)
    real = lines.claim_many
    in_flight, release = asyncio.Event(), asyncio.Event()
    claimed: list[list[uuid.UUID]] = []

    async def held(connection, seen, claims, *, now):  # type: ignore[no-untyped-def]
        claimed.append([c.person_id for c in claims])
        in_flight.set()
        await release.wait()  # b's claim stays on its way until the test lets it go
        return await real(connection, seen, claims, now=now)

    monkeypatch.setattr(lines, "claim_many", held)

    def sign_up(person: uuid.UUID) -> asyncio.Task[Any]:
        return asyncio.create_task(service.sign_up(world.database, shift_id, person, actor=None))

    def in_line() -> list[uuid.UUID]:
        line = lines._lines.get(world.database, {}).get(shift_id)
        return [w.claim.person_id for w in line.waiting] if line else []

    claiming = sign_up(b)
    await in_flight.wait()
    waiting = sign_up(c)
    await _until(lambda: in_line() == [c], "c waits behind b's claim")
    waiting.cancel()  # gone while it waits behind b's claim
    after = sign_up(d)  # claimed after whatever the line held before it
    await _until(lambda: in_line() == [c, d], "d waits behind c")
    release.set()
    kept, gone, last = await asyncio.gather(claiming, waiting, after, return_exceptions=True)
    assert isinstance(gone, asyncio.CancelledError)
    assert not isinstance(kept, BaseException) and not isinstance(last, BaseException)
    assert claimed == [[b], [d]]  # c was never claimed
    held_ids, filled = await _places(world, str(shift_id))
    assert len(held_ids) == filled == 3  # a, b and d, not c
