"""Departments (部门/力量): registered, listed, changed and deleted through the API, every
write audited and announced; a department that is a team; deletes refused while cases,
tasks or routing rules name it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from coordinator.auth.models import Role
from coordinator.cases.categories.models import CaseCategory
from coordinator.cases.models import Case, CaseSource, CaseTask, TaskRole
from tests.departments.conftest import audit_entries, events, field_names, uuid_text


async def test_a_department_is_registered_read_changed_and_deleted(api, database, department):
    area = await api.ok(
        "POST", "/api/v1/areas", 201, json={"name": "梧桐里", "kind": "residential"}
    )
    created = await department(
        "梧桐里居委会",
        "residential_committee",
        area_id=area["id"],
        phone="021-62170000",
        email="wutongli@example.test",
        work_hours="08:30-11:30, 13:00-17:00",
    )
    assert created["work_hours"] == "08:30-11:30,13:00-17:00"
    assert created["active"] is True and created["lead_id"] is None and created["team_id"] is None
    read = await api.ok("GET", f"/api/v1/departments/{created['id']}", role=Role.viewer)
    assert read == created

    changed = await api.ok(
        "PATCH",
        f"/api/v1/departments/{created['id']}",
        role=Role.coordinator,
        json={"active": False, "work_hours": None},
    )
    assert changed["active"] is False and changed["work_hours"] is None
    await api.ok("DELETE", f"/api/v1/departments/{created['id']}", 204, role=Role.coordinator)
    gone = await api.get(f"/api/v1/departments/{created['id']}")
    assert gone.status == 404

    assert await audit_entries(database, "department") == [
        ("create", created["id"]),
        ("update", created["id"]),
        ("delete", created["id"]),
    ]
    seen = await events(database)
    assert [kind for kind, _ in seen] == [
        "department.created",
        "department.updated",
        "department.deleted",
    ]
    assert seen[0][1]["name"] == "梧桐里居委会"
    assert seen[1][1]["changed"] == ["active", "work_hours"]


async def test_the_list_filters_by_kind_active_team_area_and_name(api, department):
    area = await api.ok("POST", "/api/v1/areas", 201, json={"name": "静庐", "kind": "residential"})
    team = await api.ok(
        "POST", "/api/v1/teams", 201, json={"name": "联动组", "kind": "joint_operation"}
    )
    police = await department("南京西路派出所", "police")
    committee = await department("静庐居委会", "residential_committee", area_id=area["id"])
    centre = await department("企业服务中心", "other", team_id=team["id"], active=False)

    async def names(query: str) -> list[str]:
        page = await api.ok("GET", f"/api/v1/departments?{query}", role=Role.viewer)
        assert page["total"] == len(page["items"])
        return [item["name"] for item in page["items"]]

    assert await names("kind=police") == [police["name"]]
    assert await names("active=false") == [centre["name"]]
    assert await names(f"team_id={team['id']}") == [centre["name"]]
    assert await names(f"area_id={area['id']}") == [committee["name"]]
    assert await names("q=居委") == [committee["name"]]
    assert len(await names("sort=-created_at")) == 3
    listed = await api.ok("GET", "/api/v1/departments?kind=police")
    assert listed["items"] == [police]


@pytest.mark.parametrize(
    "hours",
    [
        "8:30-11:30",
        "08:30-11:30;13:00-17:00",
        "08:30-25:00",
        "08:60-11:30",
        "11:30-08:30",
        "09:00-09:00",
        "13:00-17:00,08:30-11:30",
        "08:30-12:00,11:30-17:00",
        "24:00-24:00",
        "06:00-07:00,08:00-09:00,10:00-11:00,12:00-13:00,14:00-15:00",
        "",
    ],
)
async def test_work_hours_that_are_not_ascending_periods_are_a_422_naming_them(
    api, department, hours
):
    response = await api.post(
        "/api/v1/departments",
        json={"name": "市容所", "kind": "city_appearance", "work_hours": hours},
    )
    problem = await response.json()
    assert response.status == 422, problem
    assert field_names(problem) == ["work_hours"]
    assert problem["errors"][0]["message"]  # in Chinese by default
    made = await department("房办", "housing_office")
    patched = await api.patch(f"/api/v1/departments/{made['id']}", json={"work_hours": hours})
    assert patched.status == 422
    assert field_names(await patched.json()) == ["work_hours"]


async def test_work_hours_may_run_to_midnight_and_touch(department):
    made = await department("夜间巡查队", "other", work_hours="08:00-12:00,12:00-24:00")
    assert made["work_hours"] == "08:00-12:00,12:00-24:00"


async def test_a_repeated_name_and_missing_references_are_named(api, department):
    await department("南京西路城管中队")
    repeated = await api.post(
        "/api/v1/departments", json={"name": "南京西路城管中队", "kind": "urban_management"}
    )
    assert repeated.status == 409
    assert field_names(await repeated.json()) == ["name"]
    for field in ("team_id", "area_id"):
        missing = await api.post(
            "/api/v1/departments", json={"name": "新部门", "kind": "other", field: uuid_text()}
        )
        assert missing.status == 422
        assert field_names(await missing.json()) == [field]
    wrong = await api.post("/api/v1/departments", json={"name": "新部门", "kind": "army"})
    assert field_names(await wrong.json()) == ["kind"]


async def test_null_for_a_required_field_is_refused(api, department):
    made = await department()
    for field in ("name", "kind", "active"):
        response = await api.patch(f"/api/v1/departments/{made['id']}", json={field: None})
        assert response.status == 422
        assert field_names(await response.json()) == [field]


async def test_a_viewer_reads_but_does_not_write(api):
    response = await api.post(
        "/api/v1/departments", role=Role.viewer, json={"name": "市容所", "kind": "city_appearance"}
    )
    assert response.status == 403


async def test_a_department_that_is_a_team_takes_its_members_and_lead_from_it(
    api, department, person
):
    lead, member = await person("王组长"), await person("李队员")
    team = await api.ok(
        "POST",
        "/api/v1/teams",
        201,
        json={
            "name": "联络一组",
            "kind": "liaison",
            "lead_id": lead["id"],
            "members": [{"person_id": member["id"]}],
        },
    )
    made = await department("企业服务中心", "other", team_id=team["id"])
    assert made["lead_id"] == lead["id"]
    page = await api.ok("GET", f"/api/v1/departments/{made['id']}/members?sort=name")
    assert [(m["name"], m["is_lead"]) for m in page["items"]] == [
        ("李队员", False),
        ("王组长", True),
    ]
    assert {m["department_id"] for m in page["items"]} == {made["id"]}
    for item in page["items"]:
        path = f"/api/v1/departments/{made['id']}/members/{item['person_id']}"
        assert await api.ok("GET", path) == item
    leads = await api.ok("GET", f"/api/v1/departments/{made['id']}/members?is_lead=true")
    assert [m["person_id"] for m in leads["items"]] == [lead["id"]]
    listed = await api.ok("GET", f"/api/v1/departments?team_id={team['id']}")
    assert listed["items"] == [made]

    other = await person("张三")
    refused = await api.post(
        f"/api/v1/departments/{made['id']}/members", json={"person_id": other["id"]}
    )
    assert refused.status == 409
    assert "/api/v1/teams/" in (await refused.json())["detail"]
    # Unlinked, it has no members (they stay on the team).
    unlinked = await api.ok("PATCH", f"/api/v1/departments/{made['id']}", json={"team_id": None})
    assert unlinked["lead_id"] is None
    page = await api.ok("GET", f"/api/v1/departments/{made['id']}/members")
    assert page["items"] == []


async def test_a_department_with_members_of_its_own_is_not_linked_to_a_team(
    api, department, person
):
    made = await department()
    someone = await person("赵六")
    await api.ok(
        "POST", f"/api/v1/departments/{made['id']}/members", 201, json={"person_id": someone["id"]}
    )
    team = await api.ok("POST", "/api/v1/teams", 201, json={"name": "志愿队", "kind": "volunteer"})
    refused = await api.patch(f"/api/v1/departments/{made['id']}", json={"team_id": team["id"]})
    assert refused.status == 409
    assert field_names(await refused.json()) == ["team_id"]


async def _case_with_task(database, department_id: str, *, task: bool) -> None:  # type: ignore[no-untyped-def]
    """A case led by the department (and its task, if asked), written straight in."""
    category_id, case_id = uuid.uuid4(), uuid.uuid4()
    now = datetime.now(UTC)
    async with database.sessionmaker.begin() as session:
        await session.execute(
            insert(CaseCategory),
            [
                {
                    "id": category_id,
                    "code": f"c{uuid.uuid4().hex[:8]}",
                    "name": "群租",
                    "response_hours": 4,
                    "resolution_days": 5,
                }
            ],
        )
        await session.execute(
            insert(Case),
            [
                {
                    "id": case_id,
                    "title": "疑似群租",
                    "description": "夜间多人进出",
                    "category_id": category_id,
                    "source": CaseSource.coordinator,
                    "lead_department_id": None if task else uuid.UUID(department_id),
                    "response_due_at": now + timedelta(hours=4),
                    "resolution_due_at": now + timedelta(days=5),
                    "created_by": "测试",
                }
            ],
        )
        if task:
            await session.execute(
                insert(CaseTask),
                [
                    {
                        "case_id": case_id,
                        "department_id": uuid.UUID(department_id),
                        "role": TaskRole.co,
                        "due_at": now + timedelta(days=5),
                    }
                ],
            )


@pytest.mark.parametrize("task", [True, False], ids=["task", "case"])
async def test_a_department_with_a_case_or_a_task_is_not_deleted(api, database, department, task):
    made = await department()
    await _case_with_task(database, made["id"], task=task)
    refused = await api.delete(f"/api/v1/departments/{made['id']}")
    problem = await refused.json()
    assert refused.status == 409, problem
    resource = "case-tasks" if task else "cases"
    assert [r["resource"] for r in problem["referenced_by"]] == [resource]
    assert await api.ok("GET", f"/api/v1/departments/{made['id']}")


async def test_a_department_named_by_a_routing_rule_is_not_deleted(api, department):
    lead, helper = await department(), await department("市容所", "city_appearance")
    category = await api.ok(
        "POST",
        "/api/v1/case-categories",
        201,
        json={
            "code": "bikes_blocking",
            "name": "非机动车乱停放",
            "response_hours": 4,
            "resolution_days": 3,
        },
    )
    route = await api.ok(
        "POST",
        "/api/v1/case-routes",
        201,
        json={
            "category_id": category["id"],
            "lead_department_id": lead["id"],
            "helper_department_ids": [helper["id"]],
        },
    )
    for made, resource in ((lead, "case-routes"), (helper, "case-route-helpers")):
        refused = await api.delete(f"/api/v1/departments/{made['id']}")
        assert refused.status == 409
        assert [r["resource"] for r in (await refused.json())["referenced_by"]] == [resource]
    await api.ok("DELETE", f"/api/v1/case-routes/{route['id']}", 204)
    await api.ok("DELETE", f"/api/v1/departments/{helper['id']}", 204)
    await api.ok("DELETE", f"/api/v1/departments/{lead['id']}", 204)
