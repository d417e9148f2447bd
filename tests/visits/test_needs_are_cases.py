"""A need raised at a visit is a case: the same id under /api/v1/cases, the case's own
actions showing in the need, a team becoming the department that leads it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from coordinator.audit.models import AuditEntry
from coordinator.cases.categories.models import CaseCategory
from coordinator.departments.models import Department
from coordinator.events.models import OutboxEvent
from coordinator.platform import keys
from coordinator.visits.notify import tell_assignee
from coordinator.worktime.service import add_working_days, load_calendar
from tests.visits.helpers import answer, held, propose


async def raised(api, database, world, **need: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A need raised at a completed visit, through /api/v1/visits/{id}/needs."""
    visit, path = await propose(api, database, world)
    await answer(api.client, path, "confirm")
    await held(database, visit["id"])
    await api.ok("POST", f"/api/v1/visits/{visit['id']}/outcome", json={"status": "completed"})
    body = {"category": "rent", "description": "申请房租减免", "urgency": "high", **need}
    return await api.ok("POST", f"/api/v1/visits/{visit['id']}/needs", 201, json=body)


async def test_a_raised_need_is_a_case_and_the_case_actions_show_in_the_need(api, database, world):
    need = await raised(api, database, world)
    case = await api.ok("GET", f"/api/v1/cases/{need['id']}")
    assert (case["source"], case["status"], case["category"]) == ("visit", "new", "rent")
    assert case["visit_id"] == need["visit_id"] and case["company_id"] == world.company_id
    assert case["building_id"] == world.building_id
    assert case["reporter_contact_id"] == world.contact_id
    assert case["title"].startswith("房租：福民科技有限公司")
    assert case["description"] == "申请房租减免" and case["urgency"] == "high"
    assert case["resolution_due_at"] == need["due_at"] and case["tasks"] == []
    listed = await api.ok("GET", f"/api/v1/cases?source=visit&company_id={world.company_id}")
    assert [c["id"] for c in listed["items"]] == [need["id"]]

    # Worked on as a case, by a department of the housing office.
    department = await api.ok(
        "POST", "/api/v1/departments", 201, json={"name": "静安房办", "kind": "housing_office"}
    )
    path = f"/api/v1/cases/{need['id']}"
    await api.ok("POST", f"{path}/accept")
    shown = await api.ok("GET", f"/api/v1/needs/{need['id']}")
    assert shown["status"] == "assigned" and shown["assignee_department"] is None
    task = await api.ok(
        "POST", f"{path}/tasks", 201, json={"department_id": department["id"], "role": "lead"}
    )
    shown = await api.ok("GET", f"/api/v1/needs/{need['id']}")
    assert (shown["assignee_department"], shown["assignee_team_id"]) == ("housing_office", None)
    assert shown == (await api.ok("GET", "/api/v1/needs?department=housing_office"))["items"][0]
    await api.ok("POST", f"{path}/tasks/{task['id']}/accept", json={})
    await api.ok("POST", f"{path}/tasks/{task['id']}/done", json={"note": "已对接业主"})
    await api.ok("POST", f"{path}/resolve", json={"resolution": "业主同意减免两个月"})
    shown = await api.ok("GET", f"/api/v1/needs/{need['id']}")
    assert (shown["status"], shown["resolution"]) == ("resolved", "业主同意减免两个月")
    # The company contact, its reporter, is satisfied: closed, as the need shows.
    await api.ok("POST", f"{path}/reply", json={"satisfied": True})
    shown = await api.ok("GET", f"/api/v1/needs/{need['id']}")
    assert shown["status"] == "closed" and shown["closed_at"] is not None
    # A closed need is reopened as a need: the case reopened, its lead's task pending again.
    await api.ok("POST", f"/api/v1/needs/{need['id']}/reopen", json={"reason": "房东反悔"})
    case = await api.ok("GET", path)
    assert case["status"] == "reopened" and case["reopened_count"] == 1
    assert [t["status"] for t in case["tasks"]] == ["pending"]


async def test_a_need_assigned_to_a_team_is_led_by_the_teams_department(api, database, world):
    need = await raised(api, database, world)
    other = await raised(api, database, world, category="hiring")
    assigned = await api.ok(
        "POST", f"/api/v1/needs/{need['id']}/assign", json={"team_id": world.team_id}
    )
    assert (assigned["status"], assigned["assignee_team_id"]) == ("assigned", world.team_id)
    await api.ok("POST", f"/api/v1/needs/{other['id']}/assign", json={"team_id": world.team_id})
    # The team became one department, once, made through the departments' own rule.
    async with database.session() as session:
        departments = (
            await session.scalars(select(Department).where(Department.team_id == world.team_id))
        ).all()
        assert len(departments) == 1 and departments[0].name.startswith("联络一组")
        made = await session.scalar(
            select(AuditEntry).where(
                AuditEntry.entity_type == "department", AuditEntry.entity_id == departments[0].id
            )
        )
        assert made is not None and made.action == "create"
    case = await api.ok("GET", f"/api/v1/cases/{need['id']}")
    assert case["status"] == "accepted" and case["lead_department_id"] == str(departments[0].id)
    [task] = case["tasks"]
    assert (task["role"], task["status"], task["department_id"]) == (
        "lead",
        "pending",
        str(departments[0].id),
    )
    by_team = await api.ok("GET", f"/api/v1/needs?assignee_team_id={world.team_id}")
    assert {n["id"] for n in by_team["items"]} == {need["id"], other["id"]}
    # overdue=false filters nothing, as it never has; none of these is overdue yet.
    every = await api.ok("GET", f"/api/v1/needs?company_id={world.company_id}&overdue=false")
    assert every["total"] == 2
    assert (await api.ok("GET", "/api/v1/needs?overdue=true"))["total"] == 0

    # The team's lead hears of it as before; the department's people of the case's task.
    async with database.session() as session:
        event = await session.scalar(
            select(OutboxEvent).where(
                OutboxEvent.subject_id == need["id"], OutboxEvent.type == "need.assigned"
            )
        )
        assert event is not None and event.data["assignee_team_id"] == world.team_id
        assert event.data["case_id"] == need["id"]
        (planned,) = await tell_assignee(session, event, api.client.app[keys.SETTINGS])
    assert planned.recipient == world.lead_email

    # Handed to a "1+4" department: the team's task dropped, the new lead's pending.
    moved = await api.ok(
        "POST", f"/api/v1/needs/{need['id']}/assign", json={"department": "urban_management"}
    )
    assert (moved["assignee_team_id"], moved["assignee_department"]) == (None, "urban_management")
    case = await api.ok("GET", f"/api/v1/cases/{need['id']}")
    assert [(t["role"], t["status"], t["department_id"]) for t in case["tasks"]] == [
        ("lead", "pending", case["lead_department_id"]),
        ("co", "dropped", str(departments[0].id)),
    ]

    # Resolving is the lead's task done and the sign-off, in one step.
    resolved = await api.ok(
        "POST", f"/api/v1/needs/{need['id']}/resolve", json={"resolution": "已协调减免"}
    )
    assert resolved["status"] == "resolved" and resolved["resolution"] == "已协调减免"
    case = await api.ok("GET", f"/api/v1/cases/{need['id']}")
    lead = next(t for t in case["tasks"] if t["role"] == "lead")
    assert case["status"] == "resolved" and (lead["status"], lead["note"]) == ("done", "已协调减免")
    # The company's contact, the case's reporter, is asked (回访) through a link.
    async with database.session() as session:
        event = await session.scalar(
            select(OutboxEvent).where(
                OutboxEvent.subject_id == need["id"], OutboxEvent.type == "case.resolved"
            )
        )
    assert event is not None and event.data["link"].startswith("http://fumin.test/")


async def test_a_reopened_need_assigned_again_is_worked_on_again(api, database, world):
    need = await raised(api, database, world)
    path = f"/api/v1/needs/{need['id']}"
    await api.ok("POST", f"{path}/assign", json={"team_id": world.team_id})
    await api.ok("POST", f"{path}/resolve", json={"resolution": "已答复"})
    reopened = await api.ok("POST", f"{path}/reopen", json={})
    assert reopened["status"] == "open" and reopened["assignee_team_id"] == world.team_id
    again = await api.ok("POST", f"{path}/assign", json={"team_id": world.team_id})
    assert again["status"] == "assigned"
    case = await api.ok("GET", f"/api/v1/cases/{need['id']}")
    assert case["status"] == "in_progress" and case["tasks"][0]["status"] == "accepted"
    done = await api.ok("POST", f"{path}/resolve", json={"resolution": "已再次答复"})
    assert (done["status"], done["reopened_count"], done["resolution"]) == (
        "resolved",
        1,
        "已再次答复",
    )


async def test_a_need_with_a_co_handler_still_working_is_not_resolved(api, database, world):
    need = await raised(api, database, world)
    await api.ok("POST", f"/api/v1/needs/{need['id']}/assign", json={"team_id": world.team_id})
    helper = await api.ok(
        "POST", "/api/v1/departments", 201, json={"name": "南京西路司法所", "kind": "other"}
    )
    await api.ok(
        "POST", f"/api/v1/cases/{need['id']}/tasks", 201, json={"department_id": helper["id"]}
    )
    refused = await api.post(
        f"/api/v1/needs/{need['id']}/resolve", json={"resolution": "已协调减免"}
    )
    assert refused.status == 409
    problem = await refused.json()
    assert [t["department_id"] for t in problem["unfinished_tasks"]] == [helper["id"]]
    # Nothing of the refused step stayed: the lead's task is as it was.
    case = await api.ok("GET", f"/api/v1/cases/{need['id']}")
    assert case["tasks"][0]["status"] == "pending"
    assert (await api.ok("GET", f"/api/v1/needs/{need['id']}"))["status"] == "assigned"


async def test_a_need_whose_category_is_missing_makes_it_and_is_due_in_working_days(
    api, database, world, settings
):
    async with database.sessionmaker.begin() as session:
        await session.execute(delete(CaseCategory).where(CaseCategory.code == "rent"))
    urgent = await raised(api, database, world, urgency="urgent")
    low = await raised(api, database, world, urgency="low")
    async with database.session() as session:
        category = await session.scalar(select(CaseCategory).where(CaseCategory.code == "rent"))
        assert category is not None and (category.name, category.public) == ("房租", False)
        assert category.resolution_days == 5 and category.urgency_factors == {
            "urgent": 0.2,
            "high": 0.4,
            "normal": 1.0,
            "low": 2.0,
        }
        made = await session.scalar(
            select(AuditEntry).where(
                AuditEntry.entity_type == "case_category", AuditEntry.entity_id == category.id
            )
        )
        assert made is not None and made.action == "create"
        calendar = await load_calendar(session, settings)
    # Urgent: one working day from being raised; low: ten.
    for need, days in ((urgent, 1), (low, 10)):
        raised_at = datetime.fromisoformat(need["created_at"])
        due = add_working_days(calendar, raised_at, days)
        assert datetime.fromisoformat(need["due_at"]) == due, need["urgency"]
