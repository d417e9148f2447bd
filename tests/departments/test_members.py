"""A department's members and its one lead: the lead moves in one transaction, audited and
announced; two leads named at once cannot both win."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import func, select, text

from coordinator.auth.models import Role
from coordinator.departments.models import DepartmentMember
from tests.departments.conftest import audit_entries, events, field_names, uuid_text


async def _members(api, department_id: str) -> list[tuple[str, bool]]:  # type: ignore[no-untyped-def]
    page = await api.ok("GET", f"/api/v1/departments/{department_id}/members", role=Role.viewer)
    return [(m["name"], m["is_lead"]) for m in page["items"]]


async def test_members_are_added_made_lead_and_removed(api, database, department, person):
    made = await department("南京西路房办", "housing_office")
    path = f"/api/v1/departments/{made['id']}/members"
    first, second = await person("陈主任"), await person("丁科员")
    added = await api.ok(
        "POST", path, 201, role=Role.coordinator, json={"person_id": first["id"], "is_lead": True}
    )
    assert added["is_lead"] is True and added["name"] == "陈主任"
    second_added = await api.post(path, json={"person_id": second["id"]})
    assert second_added.headers["Location"] == f"{path}/{second['id']}"
    assert await _members(api, made["id"]) == [("丁科员", False), ("陈主任", True)]
    assert (await api.ok("GET", f"/api/v1/departments/{made['id']}"))["lead_id"] == first["id"]

    # The lead moves: the former lead stays on as a member.
    moved = await api.ok("PATCH", f"{path}/{second['id']}", json={"is_lead": True})
    assert moved["is_lead"] is True
    assert await _members(api, made["id"]) == [("丁科员", True), ("陈主任", False)]
    assert (await api.ok("GET", f"/api/v1/departments/{made['id']}"))["lead_id"] == second["id"]
    leads = await api.ok("GET", f"{path}?is_lead=true")
    assert [m["person_id"] for m in leads["items"]] == [second["id"]]

    await api.ok("DELETE", f"{path}/{second['id']}", 204)
    assert await _members(api, made["id"]) == [("陈主任", False)]
    assert (await api.ok("GET", f"/api/v1/departments/{made['id']}"))["lead_id"] is None
    first_now = await api.ok("GET", f"{path}/{first['id']}")
    assert first_now | {"updated_at": None} == added | {"is_lead": False, "updated_at": None}

    actions = [action for action, _ in await audit_entries(database, "department_member")]
    # two joined; the first made lead on joining; the lead moved (two rows); one left
    assert actions == ["create", "update", "create", "update", "update", "delete"]
    seen = await events(database, "department.")
    kinds = [kind for kind, _ in seen]
    assert kinds == [
        "department.created",
        "department.updated",  # 陈主任 made lead
        "department.member_added",
        "department.member_added",
        "department.updated",  # the lead moved to 丁科员
        "department.member_removed",
        "department.updated",  # the lead left
    ]
    assert seen[2][1] == {"department_id": made["id"], "person_id": first["id"], "is_lead": True}
    assert seen[4][1]["lead_id"] == second["id"] and seen[4][1]["former_lead_id"] == first["id"]
    assert seen[6][1]["lead_id"] is None


async def test_a_lead_stepping_down_leaves_no_lead(api, department, person):
    made = await department()
    lead = await person("王队长")
    path = f"/api/v1/departments/{made['id']}/members"
    await api.ok("POST", path, 201, json={"person_id": lead["id"], "is_lead": True})
    out = await api.ok("PATCH", f"{path}/{lead['id']}", json={"is_lead": False})
    assert out["is_lead"] is False
    assert (await api.ok("GET", f"/api/v1/departments/{made['id']}"))["lead_id"] is None


async def test_refused_member_changes_name_what_is_wrong(api, department, person):
    made = await department()
    path = f"/api/v1/departments/{made['id']}/members"
    someone = await person("李四")
    await api.ok("POST", path, 201, json={"person_id": someone["id"]})
    again = await api.post(path, json={"person_id": someone["id"]})
    assert again.status == 409
    assert field_names(await again.json()) == ["person_id"]
    nobody = await api.post(path, json={"person_id": uuid_text()})
    assert nobody.status == 422
    assert field_names(await nobody.json()) == ["person_id"]
    stranger = await person("路人")
    for method in ("GET", "PATCH", "DELETE"):
        response = await api.request(
            method,
            f"{path}/{stranger['id']}",
            json={"is_lead": True} if method == "PATCH" else None,
        )
        assert response.status == 404, method
    missing = await api.get(f"/api/v1/departments/{uuid_text()}/members")
    assert missing.status == 404
    null = await api.patch(f"{path}/{someone['id']}", json={"is_lead": None})
    assert field_names(await null.json()) == ["is_lead"]


async def test_deleting_a_department_takes_its_members_with_it_audited(
    api, database, department, person
):
    made = await department()
    path = f"/api/v1/departments/{made['id']}/members"
    for name in ("甲", "乙"):
        member = await person(name)
        await api.ok("POST", path, 201, json={"person_id": member["id"], "is_lead": name == "甲"})
    await api.ok("DELETE", f"/api/v1/departments/{made['id']}", 204)
    actions = [action for action, _ in await audit_entries(database, "department_member")]
    assert actions.count("delete") == 2
    async with database.session() as session:
        left = await session.scalar(select(func.count()).select_from(DepartmentMember))
    assert left == 0


async def _waiting_on_locks(database, count: int) -> None:  # type: ignore[no-untyped-def]
    """Until `count` requests' transactions wait for a row lock held elsewhere."""
    for _ in range(500):
        async with database.session() as session:
            waiting = await session.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
            )
        if waiting >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{count} requests never waited on the lead's row")


async def test_two_leads_named_at_once_one_wins_and_the_other_is_a_409(
    committed_api, committed_database
):
    api = committed_api
    made = await api.ok(
        "POST", "/api/v1/departments", 201, json={"name": "市容所", "kind": "city_appearance"}
    )
    path = f"/api/v1/departments/{made['id']}/members"
    people = [
        await api.ok("POST", "/api/v1/people", 201, json={"name": name})
        for name in ("老所长", "候选甲", "候选乙")
    ]
    for index, someone in enumerate(people):
        await api.ok("POST", path, 201, json={"person_id": someone["id"], "is_lead": index == 0})

    # Hold the current lead's row, so both moves are under way before either commits.
    async with committed_database.engine.connect() as holder:
        await holder.execute(
            text(
                "SELECT id FROM department_members WHERE department_id = :d AND is_lead FOR UPDATE"
            ),
            {"d": uuid.UUID(made["id"])},
        )
        moves = [
            asyncio.ensure_future(api.patch(f"{path}/{someone['id']}", json={"is_lead": True}))
            for someone in people[1:]
        ]
        await _waiting_on_locks(committed_database, 2)
        await holder.rollback()
        answers = await asyncio.gather(*moves)

    statuses = sorted(answer.status for answer in answers)
    assert statuses == [200, 409]
    refused = next(answer for answer in answers if answer.status == 409)
    assert field_names(await refused.json()) == ["is_lead"]
    winner = next(answer for answer in answers if answer.status == 200)
    lead_id = (await winner.json())["person_id"]
    async with committed_database.session() as session:
        leads = (
            await session.scalars(
                select(DepartmentMember.person_id).where(
                    DepartmentMember.department_id == uuid.UUID(made["id"]),
                    DepartmentMember.is_lead,
                )
            )
        ).all()
    assert [str(lead) for lead in leads] == [lead_id]
    assert (await api.ok("GET", f"/api/v1/departments/{made['id']}"))["lead_id"] == lead_id


async def test_two_first_leads_named_at_once_one_wins(committed_api, committed_database):
    """Without a lead to wait on, the second meets the first in the unique index."""
    api = committed_api
    made = await api.ok(
        "POST", "/api/v1/departments", 201, json={"name": "房办", "kind": "housing_office"}
    )
    path = f"/api/v1/departments/{made['id']}/members"
    people = [
        await api.ok("POST", "/api/v1/people", 201, json={"name": name}) for name in ("甲", "乙")
    ]
    for someone in people:
        await api.ok("POST", path, 201, json={"person_id": someone["id"]})
    # Hold the department's row: both requests read it, then wait behind the holder.
    async with committed_database.engine.connect() as holder:
        await holder.execute(
            text("SELECT id FROM department_members WHERE department_id = :d FOR UPDATE"),
            {"d": uuid.UUID(made["id"])},
        )
        moves = [
            asyncio.ensure_future(api.patch(f"{path}/{someone['id']}", json={"is_lead": True}))
            for someone in people
        ]
        await _waiting_on_locks(committed_database, 2)
        await holder.rollback()
        answers = await asyncio.gather(*moves)
    assert sorted(answer.status for answer in answers) == [200, 409]
