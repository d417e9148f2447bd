"""Outcomes, needs followed to closure, the coordinator's lists and CSV exports."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from coordinator.cases.categories.models import CaseCategory
from coordinator.cases.models import Case
from coordinator.events.models import OutboxEvent
from coordinator.platform import keys
from coordinator.platform.db import utcnow
from tests.visits.helpers import answer, held, propose


async def completed_with_needs(api, database, world):  # type: ignore[no-untyped-def]
    visit, path = await propose(api, database, world)
    await answer(api.client, path, "confirm")
    await held(database, visit["id"])
    done = await api.ok(
        "POST",
        f"/api/v1/visits/{visit['id']}/outcome",
        json={
            "status": "completed",
            "notes": "企业已全面复工",
            "needs": [
                {
                    "category": "epidemic_supplies",
                    "description": "口罩 500 只",
                    "urgency": "urgent",
                },
                {"category": "rent", "description": "申请房租减免", "urgency": "normal"},
            ],
        },
    )
    assert done["status"] == "completed" and done["outcome_notes"] == "企业已全面复工"
    return visit, path


async def test_needs_go_assigned_resolved_closed_with_an_event_each(api, database, world):
    _visit, path = await completed_with_needs(api, database, world)
    needs = (await api.ok("GET", f"/api/v1/needs?company_id={world.company_id}&sort=due_at"))[
        "items"
    ]
    assert [n["category"] for n in needs] == ["epidemic_supplies", "rent"]
    urgent, rent = needs
    assert urgent["status"] == "open"
    # due dates by urgency: urgent one day, normal a week
    assert rent["due_at"] > urgent["due_at"]
    await api.ok("POST", f"/api/v1/needs/{urgent['id']}/assign", json={"team_id": world.team_id})
    await api.ok(
        "POST", f"/api/v1/needs/{rent['id']}/assign", json={"department": "housing_office"}
    )
    for need in (urgent, rent):
        resolved = await api.ok(
            "POST", f"/api/v1/needs/{need['id']}/resolve", json={"resolution": "已协调解决"}
        )
        assert resolved["status"] == "resolved"
        closed = await api.ok("POST", f"/api/v1/needs/{need['id']}/close")
        assert closed["status"] == "closed"
    async with database.session() as session:
        events = (
            await session.execute(
                select(OutboxEvent.subject_type, OutboxEvent.type)
                .where(OutboxEvent.subject_id == urgent["id"])
                .order_by(OutboxEvent.seq)
            )
        ).all()
    types = [kind for subject, kind in events if subject == "need"]
    assert types == ["need.raised", "need.assigned", "need.resolved", "need.closed"]
    # The need is a case: the engine's events of the same changes, about the same id.
    assert [kind for subject, kind in events if subject == "case"] == [
        "case.created",
        "case.accepted",
        "case.assigned",
        "task.accepted",
        "task.done",
        "case.resolved",
        "case.closed",
    ]
    # Reopened, with a fresh due date.
    reopened = await api.ok(
        "POST", f"/api/v1/needs/{rent['id']}/reopen", json={"reason": "仍未减免"}
    )
    assert reopened["status"] == "open" and reopened["reopened_count"] == 1
    # The contact follows them through the link.
    html = await (await api.client.get(f"{path}/needs")).text()
    assert "口罩 500 只" in html and "已闭环" in html and "已受理" in html


async def test_invalid_need_transitions_are_409(api, database, world):
    await completed_with_needs(api, database, world)
    need = (await api.ok("GET", f"/api/v1/needs?company_id={world.company_id}"))["items"][0]
    for action, body in (("resolve", {"resolution": "x"}), ("close", None), ("reopen", {})):
        response = await api.post(f"/api/v1/needs/{need['id']}/{action}", json=body)
        assert response.status == 409, action
        problem = await response.json()
        assert (
            problem["status"] == 409
            and problem["current"] == "open"
            and problem["allowed"] == ["assigned"]
        )
    both = await api.post(
        f"/api/v1/needs/{need['id']}/assign",
        json={"team_id": world.team_id, "department": "urban_management"},
    )
    assert both.status == 422


async def test_overdue_list_and_filters(api, database, world):
    await completed_with_needs(api, database, world)
    async with database.sessionmaker.begin() as session:
        await session.execute(
            update(Case)
            .where(
                Case.category_id
                == select(CaseCategory.id)
                .where(CaseCategory.code == "epidemic_supplies")
                .scalar_subquery()
            )
            .values(resolution_due_at=utcnow() - timedelta(hours=1))
        )
    overdue = await api.ok("GET", "/api/v1/needs?overdue=true")
    assert [n["category"] for n in overdue["items"]] == ["epidemic_supplies"]
    assert overdue["items"][0]["overdue"] is True
    by_category = await api.ok("GET", "/api/v1/needs?category=rent")
    assert by_category["total"] == 1
    csv = await api.client.get("/api/v1/exports/needs.csv?overdue=true", headers=api.headers())
    assert csv.status == 200 and csv.content_type == "text/csv"
    lines = (await csv.text()).lstrip("\ufeff").strip().split("\r\n")
    assert lines[0].startswith("id,company_id") and len(lines) == 2


async def test_no_show_records_no_needs_and_outcome_needs_confirmation(api, database, world):
    visit, path = await propose(api, database, world)
    refused = await api.post(f"/api/v1/visits/{visit['id']}/outcome", json={"status": "no_show"})
    assert refused.status == 409
    await answer(api.client, path, "confirm")
    await held(database, visit["id"])
    with_needs = await api.post(
        f"/api/v1/visits/{visit['id']}/outcome",
        json={"status": "no_show", "needs": [{"category": "other", "description": "x"}]},
    )
    assert with_needs.status == 422
    done = await api.ok("POST", f"/api/v1/visits/{visit['id']}/outcome", json={"status": "no_show"})
    assert done["status"] == "no_show"


async def test_visit_lists_filter_and_export(api, database, world):
    visit, _ = await propose(api, database, world)
    day = datetime.fromisoformat(visit["starts_at"]).astimezone(ZoneInfo("Asia/Shanghai")).date()
    for query in (
        f"day={day}",
        f"team_id={world.team_id}",
        f"liaison_id={world.liaison_id}",
        f"building_id={world.building_id}",
        "status=proposed",
    ):
        page = await api.ok("GET", f"/api/v1/visits?{query}")
        assert [v["id"] for v in page["items"]] == [visit["id"]], query
    assert (await api.ok("GET", "/api/v1/visits?status=confirmed"))["total"] == 0
    csv = await api.client.get(f"/api/v1/exports/visits.csv?day={day}", headers=api.headers())
    text = await csv.text()
    assert visit["id"] in text and "福民科技有限公司" in text


async def test_coverage_lists_companies_not_visited(api, database):
    from tests.visits.conftest import make_world

    world = await make_world(database, companies=3)
    visit, path = await propose(api, database, world)
    await answer(api.client, path, "confirm")
    await held(database, visit["id"])
    await api.ok("POST", f"/api/v1/visits/{visit['id']}/outcome", json={"status": "completed"})
    report = await api.ok(
        "GET", f"/api/v1/reports/coverage?days=30&building_id={world.building_id}"
    )
    # The completed visit lies in the future here; coverage counts it from its start.
    assert report["companies"] == 3
    assert len(report["not_visited"]) + report["visited"] == 3
    assert report["buildings"][0]["building_id"] == world.building_id
    csv = await api.client.get(
        f"/api/v1/exports/coverage.csv?days=30&building_id={world.building_id}",
        headers=api.headers(),
    )
    assert csv.status == 200


async def test_the_assignees_mail_names_the_category_in_chinese(api, database, world):
    from coordinator.visits.notify import tell_assignee

    await completed_with_needs(api, database, world)
    need = (await api.ok("GET", f"/api/v1/needs?company_id={world.company_id}&sort=due_at"))[
        "items"
    ][0]
    await api.ok("POST", f"/api/v1/needs/{need['id']}/assign", json={"team_id": world.team_id})
    async with database.session() as session:
        event = await session.scalar(
            select(OutboxEvent).where(
                OutboxEvent.subject_id == need["id"], OutboxEvent.type == "need.assigned"
            )
        )
        assert event is not None
        (planned,) = await tell_assignee(session, event, api.client.app[keys.SETTINGS])
    assert planned is not None and planned.language == "zh"
    assert planned.context["lines"][0] == "类别：防疫物资"


async def test_reopening_a_need_clears_its_resolution_on_the_api_and_the_csv(api, database, world):
    await completed_with_needs(api, database, world)
    need = (await api.ok("GET", f"/api/v1/needs?company_id={world.company_id}&sort=due_at"))[
        "items"
    ][0]
    await api.ok("POST", f"/api/v1/needs/{need['id']}/assign", json={"team_id": world.team_id})
    await api.ok("POST", f"/api/v1/needs/{need['id']}/resolve", json={"resolution": "已送达口罩"})
    reopened = await api.ok("POST", f"/api/v1/needs/{need['id']}/reopen", json={})
    assert reopened["status"] == "open"
    assert reopened["resolution"] is None and reopened["resolved_at"] is None
    assert await api.ok("GET", f"/api/v1/needs/{need['id']}") == reopened
    csv = await api.client.get(
        f"/api/v1/exports/needs.csv?company_id={world.company_id}", headers=api.headers()
    )
    assert "已送达口罩" not in await csv.text()
    async with database.session() as session:
        resolved = await session.scalar(
            select(OutboxEvent).where(
                OutboxEvent.type == "need.resolved", OutboxEvent.subject_id == need["id"]
            )
        )
    assert resolved is not None and resolved.data["resolution"] == "已送达口罩"
