"""Under concurrency the database keeps the rules: never above the maximum, a waitlist in
the order the database served the requests, nobody in two overlapping shifts."""

from __future__ import annotations

import asyncio

from .conftest import events, hours_from_now, make_people


async def test_200_concurrent_signups_for_10_places(committed_world):
    world = committed_world
    post = await world.post()
    shift = await world.shift(post["id"], hours_from_now(30), hours_from_now(32), max_people=10)
    people = await make_people(world.database, 200)

    responses = await asyncio.gather(
        *(
            world.api.post(f"/api/v1/shifts/{shift['id']}/signups", json={"person_id": str(p)})
            for p in people
        )
    )
    assert sorted({r.status for r in responses}) == [201]
    bodies = [await r.json() for r in responses]
    assert sum(b["status"] == "signed_up" for b in bodies) == 10
    assert sum(b["status"] == "waitlisted" for b in bodies) == 190

    rows = await world.signups(shift["id"])
    assert len(rows) == 200
    arrivals = [r["arrival"] for r in rows]
    assert arrivals == sorted(arrivals)
    # The first ten the database served hold the places; the rest wait in that order.
    assert [r["status"] for r in rows] == ["signed_up"] * 10 + ["waitlisted"] * 190
    assert [r["waitlist_position"] for r in rows[10:]] == list(range(1, 191))
    # The order the signups were committed in (their events are written under the same
    # row lock, so the outbox sequence follows commit order) is the arrival order.
    created = await events(world.database, "signup.created")
    assert [e.data["signup_id"] for e in created] == [r["id"] for r in rows]
    assert (await world.api.ok("GET", f"/api/v1/shifts/{shift['id']}"))["filled"] == 10
    assert len(await events(world.database, "shift.filled")) == 1


async def test_concurrent_signups_for_overlapping_shifts_book_one(committed_world):
    world = committed_world
    post = await world.post()
    shifts = [
        await world.shift(post["id"], hours_from_now(30 + i * 0.5), hours_from_now(32 + i * 0.5))
        for i in range(4)
    ]
    (person,) = await make_people(world.database, 1)
    responses = await asyncio.gather(
        *(
            world.api.post(f"/api/v1/shifts/{s['id']}/signups", json={"person_id": str(person)})
            for s in shifts
        )
    )
    statuses = sorted(r.status for r in responses)
    assert statuses == [201, 409, 409, 409]
    for response in responses:
        if response.status == 409:
            assert (await response.json())["constraint"] == "ex_signups_person_overlap"


async def test_concurrent_cancellations_promote_each_waiting_person_once(committed_world):
    world = committed_world
    post = await world.post()
    shift = await world.shift(post["id"], hours_from_now(30), hours_from_now(32), max_people=5)
    people = await make_people(world.database, 10)
    signups = [await world.sign_up(shift["id"], str(p)) for p in people]
    await asyncio.gather(
        *(world.api.post(f"/api/v1/signups/{s['id']}/cancel") for s in signups[:5])
    )
    rows = await world.signups(shift["id"])
    assert [r["status"] for r in rows] == ["cancelled"] * 5 + ["signed_up"] * 5
    assert len(await events(world.database, "signup.promoted")) == 5
    assert (await world.api.ok("GET", f"/api/v1/shifts/{shift['id']}"))["filled"] == 5
