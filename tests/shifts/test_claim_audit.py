"""Sign-ups claimed on the fast path (autocommit, in line, batched) are audited by the
claim statement itself: one entry per signup, committed with it, no statement more."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, select

from coordinator.audit.models import AuditEntry
from coordinator.auth.models import ApiToken, Role

from .conftest import hours_from_now, make_people


@contextmanager
def _statements(world: Any) -> Iterator[list[str]]:
    seen: list[str] = []

    def keep(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        seen.append(statement)

    engine = world.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", keep)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", keep)


async def _audited(world: Any, signup_ids: list[str]) -> list[AuditEntry]:
    async with world.database.session() as session:
        rows = await session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity_id.in_([uuid.UUID(i) for i in signup_ids]))
            .order_by(AuditEntry.id)
        )
        return list(rows)


async def test_signups_claimed_together_are_each_audited_in_the_claim_statement(
    committed_world,
):
    world = committed_world
    post = await world.post()
    shift = await world.shift(post["id"], hours_from_now(30), hours_from_now(32), max_people=3)
    first, *crowd = await make_people(world.database, 9)
    await world.sign_up(shift["id"], str(first))  # this process has now seen the shift

    with _statements(world) as sent:
        responses = await asyncio.gather(
            *(
                world.api.post(
                    f"/api/v1/shifts/{shift['id']}/signups",
                    role=Role.coordinator,
                    json={"person_id": str(p)},
                )
                for p in crowd
            )
        )
        answers = [await r.json() for r in responses]

    assert [r.status for r in responses] == [201] * 8
    claims = [s for s in sent if "INSERT INTO signups" in s]
    assert 1 <= len(claims) < 8  # batched, as before
    audit_inserts = [s for s in sent if "INSERT INTO audit_log" in s]
    assert audit_inserts == claims  # no statement of its own: part of each claim
    entries = await _audited(world, [a["id"] for a in answers])
    assert sorted(str(e.entity_id) for e in entries) == sorted(a["id"] for a in answers)
    async with world.database.session() as session:
        coordinator = await session.scalar(
            select(ApiToken.id).where(ApiToken.name == "test coordinator")
        )
    by_id = {a["id"]: a for a in answers}
    for entry in entries:
        assert (entry.action, entry.entity_type) == ("create", "signup")
        assert (entry.actor_token_id, entry.actor_name) == (coordinator, "test coordinator")
        answer = by_id[str(entry.entity_id)]
        assert entry.before is None
        assert entry.after is not None
        assert entry.after["status"] == answer["status"]
        assert entry.after["person_id"] == answer["person_id"]
        assert entry.after["shift_id"] == shift["id"]


async def test_a_claim_that_takes_nothing_leaves_no_entry_and_the_slow_path_audits(
    committed_world,
):
    world = committed_world
    post = await world.post(required_skills=["急救"])
    shift = await world.shift(post["id"], hours_from_now(30), hours_from_now(32))
    (qualified,) = await make_people(world.database, 1, skills=["急救"])
    (unqualified,) = await make_people(world.database, 1, prefix="无证")
    await world.sign_up(shift["id"], str(qualified))
    async with world.database.session() as session:
        before = len(list(await session.scalars(select(AuditEntry.id))))

    refused = await world.api.post(
        f"/api/v1/shifts/{shift['id']}/signups", json={"person_id": str(unqualified)}
    )
    assert refused.status == 409
    async with world.database.session() as session:
        assert len(list(await session.scalars(select(AuditEntry.id)))) == before

    # A place taken on the slow path (the claim saw a stale shift) is audited once.
    await world.api.ok("PATCH", f"/api/v1/shifts/{shift['id']}", json={"max_people": 4})
    (other,) = await make_people(world.database, 1, skills=["急救"], prefix="急救员")
    signup = await world.sign_up(shift["id"], str(other))
    (entry,) = await _audited(world, [signup["id"]])
    assert (entry.action, entry.actor_name) == ("create", "test admin")
