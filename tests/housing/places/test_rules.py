"""The rules that act, with real workers: a dwelling found a suspected group rental opens a
"1+4" case at it, routed by the category's rule to the housing office as lead, once while
it is open; the case resolved as rectified moves the dwelling to the rectified state with
the case as evidence."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select, update

from coordinator.cases.categories.models import CaseCategory
from coordinator.cases.models import Case
from coordinator.events.models import OutboxEvent
from coordinator.housing.rules.service import open_suspicion_case
from tests.cases.conftest import make_world
from tests.housing.places.conftest import dwelling_body, make_place
from tests.workers.conftest import eventually


async def _cases_at(database, dwelling_id: str) -> list[Case]:  # type: ignore[no-untyped-def]
    async with database.session() as session:
        found = await session.scalars(
            select(Case).where(Case.dwelling_id == uuid.UUID(dwelling_id))
        )
        return list(found.all())


async def _all_handled(database) -> bool:  # type: ignore[no-untyped-def]
    async with database.session() as session:
        left = await session.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.handled_at.is_(None))
        )
    return left == 0


async def test_suspected_group_rental_opens_a_case_for_the_housing_office_and_rectification_updates_it(
    committed_api, committed_database, workers
):
    api, database = committed_api, committed_database
    world = await make_world(database)
    # The category FUMIN_SURVEY_CASE_CATEGORIES names for a suspected group rental by default.
    async with database.sessionmaker.begin() as session:
        await session.execute(
            update(CaseCategory)
            .where(CaseCategory.id == world.category_id)
            .values(code="group_rental")
        )
    place = await make_place(api)
    await api.ok(
        "PATCH",
        f"/api/v1/housing-buildings/{place.building_id}",
        json={"building_id": str(world.building_id)},
    )
    dwelling = await api.ok("POST", "/api/v1/dwellings", 201, json=dwelling_body(place))
    path = f"/api/v1/dwellings/{dwelling['id']}"
    await api.ok(
        "POST",
        f"{path}/state",
        json={"state": "suspected_group_rental", "evidence": "两居室住了十余人，夜间进出频繁"},
    )
    workers.start()

    async def opened() -> bool:
        return bool(await _cases_at(database, dwelling["id"]))

    await eventually(opened, timeout=90, what="a case opened at the dwelling")
    [case] = await _cases_at(database, dwelling["id"])
    assert case.source.value == "survey"
    assert case.lead_department_id == world.departments["housing"]
    assert case.building_id == world.building_id and str(case.area_id) == place.area_id
    assert "两居室住了十余人" in case.description
    # Found again while the case is open: no second case.
    await api.ok("POST", f"{path}/state", json={"state": "rented_shared", "evidence": "复查"})
    await api.ok(
        "POST", f"{path}/state", json={"state": "suspected_group_rental", "evidence": "再次发现"}
    )
    await eventually(lambda: _all_handled(database), timeout=90, what="every event handled")
    assert len(await _cases_at(database, dwelling["id"])) == 1

    # Every department done, the lead signs off: rectified.
    case_path = f"/api/v1/cases/{case.id}"
    body = await api.ok("POST", f"{case_path}/accept")
    for task in body["tasks"]:
        await api.ok("POST", f"{case_path}/tasks/{task['id']}/accept", json={})
        await api.ok("POST", f"{case_path}/tasks/{task['id']}/done", json={"note": "已清退"})
    resolved = await api.ok(
        "POST",
        f"{case_path}/resolve",
        json={"resolution": "已清退多余租户，恢复整租", "outcome": "rectified"},
    )
    assert resolved["outcome"] == "rectified"

    async def rectified() -> bool:
        got = await api.ok("GET", path)
        return bool(got["state"] == "rented_whole")

    await eventually(rectified, timeout=90, what="the dwelling put right")
    history = await api.ok("GET", f"{path}/history")
    latest = history["items"][0]
    assert latest["source"] == "case" and latest["case_id"] == str(case.id)
    assert latest["evidence"] == "已清退多余租户，恢复整租"
    assert latest["previous_state"] == "suspected_group_rental"


async def test_filing_a_case_at_a_dwelling_that_does_not_exist_is_refused(api, database):
    world = await make_world(database)
    answer = await api.post("/api/v1/cases", json=world.case(dwelling_id=str(uuid.uuid4())))
    assert answer.status == 422
    assert [e["field"] for e in (await answer.json())["errors"]] == ["dwelling_id"]


async def test_a_suspicion_about_a_dwelling_deleted_since_opens_nothing(database, settings):
    async with database.sessionmaker.begin() as session:
        assert await open_suspicion_case(session, settings, uuid.uuid4()) is None
