"""Visits through the API: proposals, the state machine, times, liaisons, double booking."""

from __future__ import annotations

from sqlalchemy import select

from coordinator.auth.models import Role
from coordinator.events.models import OutboxEvent
from tests.visits.conftest import at, proposal


async def events_of(database, type_: str) -> list[OutboxEvent]:  # type: ignore[no-untyped-def]
    async with database.session() as session:
        return list(
            (await session.scalars(select(OutboxEvent).where(OutboxEvent.type == type_))).all()
        )


async def test_propose_answers_201_with_defaults_and_raises_event_with_link(api, database, world):
    response = await api.post("/api/v1/visits", json=proposal(world))
    assert response.status == 201, await response.text()
    visit = await response.json()
    assert response.headers["Location"] == f"/api/v1/visits/{visit['id']}"
    assert visit["status"] == "proposed"
    assert visit["sequence"] == 0
    assert visit["team_id"] == world.team_id
    assert visit["starts_at"].endswith("Z")
    assert "静安大厦" in visit["place"] and "12层" in visit["place"]
    [event] = await events_of(database, "visit.proposed")
    assert event.data["visit_id"] == visit["id"]
    assert event.data["link"].startswith("http://fumin.test/v/")
    assert event.data["contact_mobile"] == "13912345678"


async def test_liaison_defaults_to_the_designated_one(api, world):
    body = proposal(world)
    del body["liaison_id"]
    refused = await api.post("/api/v1/visits", json=body)
    assert refused.status == 422
    assert (await refused.json())["errors"][0]["field"] == "liaison_id"
    await api.ok(
        "PUT", f"/api/v1/companies/{world.company_id}/liaison", json={"person_id": world.liaison_id}
    )
    visit = await api.ok("POST", "/api/v1/visits", 201, json=body)
    assert visit["liaison_id"] == world.liaison_id


async def test_times_are_validated(api, world):
    cases = {
        "ends_at": proposal(world, 48, -1),
        "starts_at": {**proposal(world), "starts_at": at(-1), "ends_at": at(0.5)},
    }
    for field, body in cases.items():
        response = await api.post("/api/v1/visits", json=body)
        assert response.status == 422, field
        assert (await response.json())["errors"][0]["field"] == field
    too_long = await api.post("/api/v1/visits", json=proposal(world, 48, 9))
    assert too_long.status == 422
    too_short = await api.post("/api/v1/visits", json=proposal(world, 48, 0.1))
    assert too_short.status == 422
    naive = {
        **proposal(world),
        "starts_at": "2030-01-01T10:00:00",
        "ends_at": "2030-01-01T11:00:00",
    }
    assert (await api.post("/api/v1/visits", json=naive)).status == 422


async def test_contact_of_another_company_is_refused(api, database, world):
    from tests.visits.conftest import make_world

    other = await make_world(database)
    response = await api.post(
        "/api/v1/visits", json={**proposal(world), "contact_id": other.contact_id}
    )
    assert response.status == 422
    assert (await response.json())["errors"][0]["field"] == "contact_id"


async def test_viewer_cannot_propose(api, world):
    response = await api.post("/api/v1/visits", json=proposal(world), role=Role.viewer)
    assert response.status == 403


async def test_overlapping_visit_for_the_same_liaison_is_409(api, world):
    await api.ok("POST", "/api/v1/visits", 201, json=proposal(world, 48, 2))
    response = await api.post("/api/v1/visits", json=proposal(world, 49, 1))
    assert response.status == 409
    body = await response.json()
    assert body["type"].endswith("/double-booked")
    assert body["constraint"] == "ex_visits_liaison_overlap"
    # Back to back is fine, and a cancelled visit frees its time.
    await api.ok("POST", "/api/v1/visits", 201, json=proposal(world, 50, 1))


async def test_cancelled_visit_frees_its_time(api, world):
    visit = await api.ok("POST", "/api/v1/visits", 201, json=proposal(world))
    await api.ok("POST", f"/api/v1/visits/{visit['id']}/cancel", json={"reason": "临时有会"})
    await api.ok("POST", "/api/v1/visits", 201, json=proposal(world))


async def test_every_invalid_transition_is_409_with_current_and_allowed(api, world):
    visit = await api.ok("POST", "/api/v1/visits", 201, json=proposal(world))
    vid = visit["id"]
    # proposed: no outcome yet
    for outcome in ("completed", "no_show"):
        response = await api.post(f"/api/v1/visits/{vid}/outcome", json={"status": outcome})
        assert response.status == 409
        body = await response.json()
        assert body["status"] == 409 and body["current"] == "proposed"
        assert body["allowed"] == [
            "cancelled",
            "confirmed",
            "declined",
            "proposed",
            "reschedule_requested",
        ]
    cancelled = await api.ok("POST", f"/api/v1/visits/{vid}/cancel", json={})
    assert cancelled["status"] == "cancelled" and cancelled["sequence"] == 1
    for path, body in (
        ("cancel", {}),
        ("move", {"starts_at": at(72), "ends_at": at(73)}),
        ("outcome", {"status": "completed"}),
        ("outcome", {"status": "no_show"}),
    ):
        response = await api.post(f"/api/v1/visits/{vid}/{path}", json=body)
        assert response.status == 409, path
        problem = await response.json()
        assert (
            problem["status"] == 409
            and problem["current"] == "cancelled"
            and problem["allowed"] == []
        )


async def test_move_revokes_the_link_bumps_sequence_and_sends_a_new_one(api, database, world):
    visit = await api.ok("POST", "/api/v1/visits", 201, json=proposal(world))
    [proposed] = await events_of(database, "visit.proposed")
    old_link = proposed.data["link"].removeprefix("http://fumin.test")
    moved = await api.ok(
        "POST",
        f"/api/v1/visits/{visit['id']}/move",
        json={"starts_at": at(72), "ends_at": at(73)},
    )
    assert moved["sequence"] == 1 and moved["status"] == "proposed"
    [event] = await events_of(database, "visit.rescheduled")
    new_link = event.data["link"].removeprefix("http://fumin.test")
    assert new_link != old_link
    assert (await api.client.get(old_link)).status == 404
    assert (await api.client.get(new_link)).status == 200


async def test_bulk_assign_by_building_tells_each_change(api, database):
    from tests.visits.conftest import make_world

    world = await make_world(database, companies=3)
    result = await api.ok(
        "POST",
        "/api/v1/liaison-assignments",
        json={"person_id": world.liaison_id, "building_id": world.building_id},
    )
    assert result == {"liaison_id": world.liaison_id, "assigned": 3, "unchanged": 0}
    again = await api.ok(
        "POST",
        "/api/v1/liaison-assignments",
        json={"person_id": world.liaison_id, "building_id": world.building_id},
    )
    assert again["assigned"] == 0 and again["unchanged"] == 3
    assert len(await events_of(database, "company.liaison_assigned")) == 3
    both = await api.post(
        "/api/v1/liaison-assignments",
        json={
            "person_id": world.liaison_id,
            "building_id": world.building_id,
            "party_branch_id": world.building_id,
        },
    )
    assert both.status == 422


async def test_reassignment_is_an_event_naming_both_liaisons(api, database, world):
    await api.ok(
        "PUT", f"/api/v1/companies/{world.company_id}/liaison", json={"person_id": world.liaison_id}
    )
    out = await api.ok(
        "PUT", f"/api/v1/companies/{world.company_id}/liaison", json={"person_id": world.lead_id}
    )
    assert out["previous_liaison_id"] == world.liaison_id
    events = await events_of(database, "company.liaison_assigned")
    assert [e.data["previous_liaison_id"] for e in events] == [None, world.liaison_id]
