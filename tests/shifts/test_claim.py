"""A sign-up claims its place in one statement; when what the checks saw changes before
the shift is locked, it claims nothing and the sign-up is decided under the lock."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import event, update

from coordinator.people.models import Person
from coordinator.platform.db import utcnow
from coordinator.platform.problems import NotFound
from coordinator.shifts.models import Shift, SignupStatus
from coordinator.shifts.rules import NotQualified, ShiftClosed
from coordinator.shifts.signups import checks, claim, service
from coordinator.shifts.signups.views import signup_out

from .conftest import events, hours_from_now


def signups_out(signup):  # type: ignore[no-untyped-def]
    body = signup_out(signup).model_dump(mode="json")
    body.pop("waitlist_position")
    return body


async def test_a_signup_locks_the_shift_for_one_statement(world):
    post = await world.post()
    shift = await world.shift(post["id"], hours_from_now(30), hours_from_now(32), max_people=2)
    a = await world.person("甲")
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if not statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    engine = world.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        async with world.database.sessionmaker.begin() as session:
            signup = await service.take_place(
                session,
                uuid.UUID(shift["id"]),
                uuid.UUID(a["id"]),
                actor="t",
            )
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert signup.status == SignupStatus.signed_up
    # The checks (no lock), then the claim: lock, place, signup and event at once.
    assert len(statements) == 2
    assert "FOR UPDATE" not in statements[0]
    assert "FOR UPDATE" in statements[1] and "INSERT INTO outbox" in statements[1]
    # The signup returned is the row as stored, field for field.
    (row,) = await world.signups(shift["id"])
    assert signups_out(signup) == {k: v for k, v in row.items() if k != "waitlist_position"}
    (created,) = await events(world.database, "signup.created")
    assert created.data["signup_id"] == str(signup.id)
    assert created.data["status"] == "signed_up"
    assert created.data["starts_at"] == signup.starts_at.isoformat()


async def test_claim_takes_nothing_when_the_shift_moved_after_the_checks(world):
    post = await world.post()
    shift = await world.shift(post["id"], hours_from_now(30), hours_from_now(32), max_people=2)
    a = await world.person("甲")
    shift_id, person_id = uuid.UUID(shift["id"]), uuid.UUID(a["id"])
    async with world.database.sessionmaker.begin() as session:
        now = utcnow()
        seen = await checks.check(await session.connection(), shift_id, person_id, now)
        await session.execute(
            update(Shift)
            .where(Shift.id == shift_id)
            .values(starts_at=Shift.starts_at + timedelta(hours=1))
        )
        assert (
            await claim.claim(await session.connection(), seen, person_id, now=now, actor="t")
            is None
        )
        # take_place then decides under the lock, at the shift's new times.
        signup = await service.take_place(session, shift_id, person_id, actor="t")
    assert signup.starts_at == seen.starts_at + timedelta(hours=1)
    assert (await world.api.ok("GET", f"/api/v1/shifts/{shift['id']}"))["filled"] == 1


async def test_claim_refuses_a_person_who_lost_a_qualification_after_the_checks(world):
    post = await world.post(required_skills=["急救"])
    shift = await world.shift(post["id"], hours_from_now(30), hours_from_now(32))
    a = await world.person("甲", skills=["急救"])
    shift_id, person_id = uuid.UUID(shift["id"]), uuid.UUID(a["id"])
    with pytest.raises(NotQualified):
        async with world.database.sessionmaker.begin() as session:
            now = utcnow()
            seen = await checks.check(await session.connection(), shift_id, person_id, now)
            await session.execute(update(Person).where(Person.id == person_id).values(skills=[]))
            assert (
                await claim.claim(await session.connection(), seen, person_id, now=now, actor="t")
                is None
            )
            await service.take_place(session, shift_id, person_id, actor="t")
    assert await world.signups(shift["id"]) == []


async def test_checks_refuse_before_any_lock(world):
    post = await world.post()
    shift = await world.shift(post["id"], hours_from_now(30), hours_from_now(32))
    a = await world.person("甲")
    async with world.database.sessionmaker.begin() as session:
        with pytest.raises(NotFound):
            await checks.check(
                await session.connection(), uuid.uuid4(), uuid.UUID(a["id"]), utcnow()
            )
        with pytest.raises(ShiftClosed):
            await checks.check(
                await session.connection(),
                uuid.UUID(shift["id"]),
                uuid.UUID(a["id"]),
                utcnow() + timedelta(days=3),
            )
    body = await world.sign_up(shift["id"], str(uuid.uuid4()), status=422)
    assert body["errors"][0]["field"] == "person_id"


async def test_the_signup_that_fills_the_shift_raises_shift_filled_once(world):
    post = await world.post()
    shift = await world.shift(post["id"], hours_from_now(30), hours_from_now(32), max_people=2)
    people = [await world.person(n) for n in ("甲", "乙", "丙")]
    statuses = [(await world.sign_up(shift["id"], p["id"]))["status"] for p in people]
    assert statuses == ["signed_up", "signed_up", "waitlisted"]
    (filled,) = await events(world.database, "shift.filled")
    assert filled.data["filled"] == 2
    assert filled.data["max_people"] == 2
