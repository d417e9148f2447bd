"""The case list: each item as reading the case gives it (rendered by PostgreSQL), its
filters (status, category, department, place, source, open, overdue, q), notes; and what
filing refuses."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import update

from coordinator.cases.models import Case
from coordinator.platform.db import utcnow
from tests.cases.conftest import add_photo, problem


async def test_each_listed_case_is_the_case_as_read(api, database, world):
    photo = await add_photo(database)
    made = [
        await api.ok(
            "POST",
            "/api/v1/cases",
            201,
            json=world.case(
                title='引号"和\\反斜杠',
                latitude=31.2,
                longitude=121.456789,
                photo_ids=[str(photo)],
                urgency="urgent",
            ),
        ),
        await api.ok(
            "POST",
            "/api/v1/cases",
            201,
            json=world.case(building_id=None, address="华山路 1 号", hotline_number="12345-0001"),
        ),
    ]
    assert made[1]["source"] == "hotline"
    page = await api.ok("GET", f"/api/v1/cases?category={world.category_code}&sort=created_at")
    assert page["total"] == 2
    for item, case in zip(page["items"], made, strict=True):
        assert item == await api.ok("GET", f"/api/v1/cases/{case['id']}")
        assert item["photo_ids"] == case["photo_ids"]
        task = item["tasks"][1]
        assert task == await api.ok("GET", f"/api/v1/cases/{case['id']}/tasks/{task['id']}")
    assert made[0]["photo_ids"] == [str(photo)] and made[0]["latitude"] == 31.2


async def test_filters_pick_the_cases_they_say(api, database, world):
    first = await api.ok("POST", "/api/v1/cases", 201, json=world.case())
    other = await api.ok(
        "POST",
        "/api/v1/cases",
        201,
        json=world.case(building_id=str(world.other_building_id), title="电动车楼道充电"),
    )
    await api.ok("POST", f"/api/v1/cases/{other['id']}/reject", json={"reason": "重复"})
    async with database.sessionmaker.begin() as session:
        await session.execute(
            update(Case)
            .where(Case.id == uuid.UUID(first["id"]))
            .values(resolution_due_at=utcnow() - timedelta(hours=1))
        )

    async def ids(query: str) -> set[str]:
        page = await api.ok("GET", f"/api/v1/cases?category={world.category_code}&{query}")
        return {c["id"] for c in page["items"]}

    both = {first["id"], other["id"]}
    assert await ids("") == both
    assert await ids("status=rejected") == {other["id"]}
    assert await ids("open=true") == {first["id"]}
    assert await ids("overdue=true") == {first["id"]}
    assert await ids("overdue=false") == {other["id"]}
    assert await ids(f"building_id={world.other_building_id}") == {other["id"]}
    assert await ids(f"area_id={world.area_id}") == both
    assert await ids(f"department_id={world.departments['urban']}") == {first["id"]}
    assert await ids("source=coordinator") == both
    assert await ids("q=电动车") == {other["id"]}
    listed = await api.ok("GET", f"/api/v1/cases/{first['id']}")
    assert listed["overdue"] is True
    everywhere = await api.ok("GET", "/api/v1/cases/open-nearby")
    assert first["id"] in {c["id"] for c in everywhere["items"]}
    assert other["id"] not in {c["id"] for c in everywhere["items"]}
    near = await api.ok("GET", f"/api/v1/cases/open-nearby?area_id={world.area_id}")
    assert {c["id"] for c in near["items"]} == {first["id"]}


async def test_notes_with_photos_on_a_case_and_on_a_task(api, database, world):
    case = await api.ok("POST", "/api/v1/cases", 201, json=world.case())
    photo = await add_photo(database)
    task_id = case["tasks"][1]["id"]
    path = f"/api/v1/cases/{case['id']}/notes"
    on_case = await api.ok("POST", path, 201, json={"body": "已电话联系房东"})
    on_task = await api.ok(
        "POST", path, 201, json={"body": "现场拍照", "task_id": task_id, "photo_ids": [str(photo)]}
    )
    assert on_task["photo_ids"] == [str(photo)] and on_task["task_id"] == task_id
    page = await api.ok("GET", path + "?sort=created_at")
    assert [n["id"] for n in page["items"]] == [on_case["id"], on_task["id"]]
    assert page["items"][1] == await api.ok("GET", f"{path}/{on_task['id']}")
    only_task = await api.ok("GET", f"{path}?task_id={task_id}")
    assert [n["id"] for n in only_task["items"]] == [on_task["id"]]
    wrong = await problem(
        await api.post(path, json={"body": "x", "task_id": str(uuid.uuid4())}), 422
    )
    assert [e["field"] for e in wrong["errors"]] == ["task_id"]
    assert (await api.get(f"/api/v1/cases/{uuid.uuid4()}/notes")).status == 404


async def test_filing_refuses_what_it_cannot_take(api, world):
    async def fields(body: dict) -> list[str]:  # type: ignore[type-arg]
        return [
            e["field"]
            for e in (await problem(await api.post("/api/v1/cases", json=body), 422))["errors"]
        ]

    assert await fields(world.case(category="no_such_category")) == ["category"]
    assert await fields(world.case(building_id=str(uuid.uuid4()))) == ["building_id"]
    assert await fields(world.case(latitude=31.2)) == ["latitude", "longitude"]
    assert "address" in await fields(world.case(building_id=None))
    assert await fields(world.case(photo_ids=[str(uuid.uuid4())])) == ["photo_ids"]
    assert await fields(world.case(reporter_person_id=str(uuid.uuid4()))) == ["reporter_person_id"]
    await api.ok("POST", "/api/v1/cases", 201, json=world.case(hotline_number="12345-0002"))
    duplicate = await problem(
        await api.post("/api/v1/cases", json=world.case(hotline_number="12345-0002")), 409
    )
    assert [e["field"] for e in duplicate["errors"]] == ["hotline_number"]
