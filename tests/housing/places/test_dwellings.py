"""Dwellings through the API: contacts masked in lists, logs and single reads, whole only
for the area's coordinators (each read audited), state set with evidence and kept in the
history, a stale result kept as a conflict to apply or dismiss."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from coordinator.auth.models import ApiToken, Role
from coordinator.events.models import OutboxEvent
from coordinator.platform.db import Database
from tests.housing.places.conftest import audit_rows, dwelling_body, make_place


async def _token_id(database, role: Role) -> str:  # type: ignore[no-untyped-def]
    async with database.session() as session:
        found = await session.scalar(select(ApiToken.id).where(ApiToken.name == f"test {role}"))
    return str(found)


async def test_phones_are_masked_in_lists_reads_and_the_audit_log(api, database):
    place = await make_place(api)
    dwelling = await api.ok("POST", "/api/v1/dwellings", 201, json=dwelling_body(place))
    assert dwelling["contact_phone"] == "138****5678"
    assert dwelling["contact_name"] == "王**"
    assert dwelling["block_id"] == place.block_id and dwelling["compound_id"] == place.compound_id
    page = await api.ok("GET", f"/api/v1/dwellings?area_id={place.area_id}", role=Role.viewer)
    assert page["total"] == 1
    [item] = page["items"]
    assert item["contact_phone"] == "138****5678" and item["contact_name"] == "王**"
    one = await api.ok("GET", f"/api/v1/dwellings/{dwelling['id']}", role=Role.viewer)
    assert one == item
    [created] = await audit_rows(database, dwelling["id"], "create")
    logged = json.dumps(created.after, ensure_ascii=False)
    assert "13812345678" not in logged and "王秀兰" not in logged
    assert created.after["contact_phone"] == "138****5678"


async def test_the_whole_contact_only_for_the_areas_coordinators_and_each_read_audited(
    api, database
):
    place = await make_place(api)
    dwelling = await api.ok("POST", "/api/v1/dwellings", 201, json=dwelling_body(place))
    path = f"/api/v1/dwellings/{dwelling['id']}/contact"
    refused = await api.get(path, role=Role.coordinator)
    assert refused.status == 403
    assert (await api.get(path, role=Role.viewer)).status == 403
    coordinator = await _token_id(database, Role.coordinator)
    # Only an admin names an area's coordinators.
    survey = f"/api/v1/areas/{place.area_id}/survey"
    asked = await api.request(
        "PUT", survey, role=Role.coordinator, json={"coordinator_token_ids": [coordinator]}
    )
    assert asked.status == 403
    settings = await api.ok("PUT", survey, json={"coordinator_token_ids": [coordinator]})
    assert settings["coordinator_token_ids"] == [coordinator]
    contact = await api.ok("GET", path, role=Role.coordinator)
    assert contact["contact_phone"] == "13812345678" and contact["contact_name"] == "王秀兰"
    await api.ok("GET", path)  # an admin reads every area's
    reads = await audit_rows(database, dwelling["id"], "read")
    assert [r.actor_token_id for r in reads[:1]] == [uuid.UUID(coordinator)]
    assert [r.actor_name for r in reads] == ["test coordinator", "test admin"]
    # A coordinator of another area does not read this one's.
    other = await make_place(api)
    await api.ok("PUT", f"/api/v1/areas/{other.area_id}/survey", json={"coordinator_token_ids": []})
    await api.ok("PUT", survey, json={"coordinator_token_ids": []})
    assert (await api.get(path, role=Role.coordinator)).status == 403


async def test_a_dwelling_in_a_unit_no_block_covers_is_refused_naming_the_unit(api):
    place = await make_place(api, units=("1",))
    answer = await api.post("/api/v1/dwellings", json=dwelling_body(place, unit="3"))
    assert answer.status == 422
    problem = await answer.json()
    assert [e["field"] for e in problem["errors"]] == ["unit"]
    again = await api.post("/api/v1/dwellings", json=dwelling_body(place))
    assert again.status == 201
    duplicate = await api.post("/api/v1/dwellings", json=dwelling_body(place))
    assert duplicate.status == 409


async def test_state_set_with_evidence_is_history_and_an_event_without_personal_data(api, database):
    place = await make_place(api)
    dwelling = await api.ok("POST", "/api/v1/dwellings", 201, json=dwelling_body(place))
    path = f"/api/v1/dwellings/{dwelling['id']}"
    first = await api.ok(
        "POST", f"{path}/state", json={"state": "rented_whole", "evidence": "租客出示租赁合同"}
    )
    assert first["dwelling"]["state"] == "rented_whole" and first["dwelling"]["version"] == 2
    assert first["conflict"] is False and first["change"]["previous_state"] == "unsurveyed"
    assert first["dwelling"]["surveyed_at"] is not None
    second = await api.ok(
        "POST",
        f"{path}/state",
        json={"state": "rented_shared", "evidence": "三户合租", "base_version": 2},
    )
    assert second["dwelling"]["version"] == 3
    history = await api.ok("GET", f"{path}/history", role=Role.viewer)
    assert [(h["state"], h["set_by"]) for h in history["items"]] == [
        ("rented_shared", "test admin"),
        ("rented_whole", "test admin"),
    ]
    async with database.session() as session:
        events = (
            await session.scalars(
                select(OutboxEvent).where(
                    OutboxEvent.subject_id == uuid.UUID(dwelling["id"]),
                    OutboxEvent.type == "dwelling.state_changed",
                )
            )
        ).all()
    assert len(events) == 2
    assert all("13812345678" not in json.dumps(e.data) for e in events)
    assert [r.action for r in await audit_rows(database, dwelling["id"])] == [
        "create",
        "set_state",
        "set_state",
    ]


async def test_evidence_is_free_text_about_a_home_and_stays_out_of_events(api, database):
    """Evidence says what was seen, often about who lives there: the history keeps it,
    the events (outbox, webhooks, the feed) only say that some was given."""
    place = await make_place(api)
    dwelling = await api.ok("POST", "/api/v1/dwellings", 201, json=dwelling_body(place))
    path = f"/api/v1/dwellings/{dwelling['id']}"
    evidence = "租客王秀兰（13812345678）称另有四人同住"
    await api.ok("POST", f"{path}/state", json={"state": "rented_shared", "evidence": evidence})
    stale = {"state": "vacant", "evidence": "邻居称王秀兰已搬走", "base_version": 1}
    assert (await api.ok("POST", f"{path}/state", json=stale))["conflict"] is True
    history = await api.ok("GET", f"{path}/history")
    assert [h["evidence"] for h in history["items"]] == ["邻居称王秀兰已搬走", evidence]
    async with database.session() as session:
        events = (
            await session.scalars(
                select(OutboxEvent)
                .where(OutboxEvent.subject_id == uuid.UUID(dwelling["id"]))
                .order_by(OutboxEvent.seq)
            )
        ).all()
    assert sorted(e.type for e in events) == ["dwelling.conflict_flagged", "dwelling.state_changed"]
    for event in events:
        said = json.dumps(event.data, ensure_ascii=False)
        assert "王秀兰" not in said and "13812345678" not in said
        assert "evidence" not in event.data and event.data["evidence_given"] is True


async def test_a_stale_change_is_kept_as_a_conflict_then_applied_once(api):
    place = await make_place(api)
    dwelling = await api.ok("POST", "/api/v1/dwellings", 201, json=dwelling_body(place))
    path = f"/api/v1/dwellings/{dwelling['id']}"
    await api.ok("POST", f"{path}/state", json={"state": "vacant", "evidence": "无人居住"})
    stale = await api.ok(
        "POST",
        f"{path}/state",
        json={"state": "owner_occupied", "evidence": "房东自住", "base_version": 1},
    )
    assert stale["conflict"] is True and stale["dwelling"]["state"] == "vacant"
    conflicts = await api.ok("GET", f"/api/v1/dwelling-conflicts?area_id={place.area_id}")
    [conflict] = conflicts["items"]
    assert conflict["state"] == "owner_occupied" and conflict["applied"] is False
    applied = await api.ok(
        "POST", f"/api/v1/dwelling-conflicts/{conflict['id']}/apply", json={"note": "已电话核实"}
    )
    assert applied["dwelling"]["state"] == "owner_occupied"
    again = await api.post(f"/api/v1/dwelling-conflicts/{conflict['id']}/dismiss", json={})
    assert again.status == 409 and (await again.json())["current"] == "reviewed"
    left = await api.ok("GET", f"/api/v1/dwelling-conflicts?area_id={place.area_id}")
    assert left["total"] == 0
    history = await api.ok("GET", f"{path}/history")
    assert [h["state"] for h in history["items"]] == ["owner_occupied", "owner_occupied", "vacant"]


async def test_lists_filter_by_block_state_and_unseen_days(api):
    place = await make_place(api)
    seen = await api.ok("POST", "/api/v1/dwellings", 201, json=dwelling_body(place, "301"))
    await api.ok("POST", "/api/v1/dwellings", 201, json=dwelling_body(place, "302"))
    await api.ok(
        "POST", f"/api/v1/dwellings/{seen['id']}/state", json={"state": "vacant", "evidence": "空"}
    )
    base = f"/api/v1/dwellings?block_id={place.block_id}"
    assert (await api.ok("GET", base))["total"] == 2
    vacant = await api.ok("GET", f"{base}&state=vacant")
    assert [d["room"] for d in vacant["items"]] == ["301"]
    unseen = await api.ok("GET", f"{base}&unseen_days=1")
    assert [d["room"] for d in unseen["items"]] == ["302"]
    found = await api.ok("GET", f"/api/v1/dwellings?compound_id={place.compound_id}&q=30")
    assert found["total"] == 2


async def test_a_failed_statement_names_no_contact_so_no_log_line_does(settings):
    """The error of a statement that failed (logged whole, with its traceback, when it is
    not the caller's fault) never carries the values bound to it."""
    database = Database.from_url(settings.async_database_url, pool_size=1)
    try:
        with pytest.raises(DBAPIError) as failed:
            async with database.sessionmaker.begin() as session:
                await session.execute(
                    text("UPDATE dwellings SET contact_phone = :phone WHERE 1 / 0 = 1"),
                    {"phone": "13812345678"},
                )
    finally:
        await database.dispose()
    assert "division by zero" in str(failed.value)
    assert "13812345678" not in str(failed.value)
