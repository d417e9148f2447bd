"""The follow-up (回访): a reply window that passes closes the case by itself, once, and
says so; a coordinator takes the reporter's answer down, closes or reopens; the
reporters hear of it in their words."""

from __future__ import annotations

import uuid
from datetime import timedelta

from coordinator.cases.followup.service import close_unanswered
from coordinator.features import rule_book
from coordinator.notifications.rules import plan
from coordinator.platform.db import utcnow
from tests.cases.conftest import World, events_of, problem


async def _resolved(api, world: World) -> dict:  # type: ignore[no-untyped-def, type-arg]
    case = await api.ok("POST", "/api/v1/cases", 201, json=world.case())
    path = f"/api/v1/cases/{case['id']}"
    await api.ok("POST", f"{path}/accept")
    for task in case["tasks"]:
        await api.ok("POST", f"{path}/tasks/{task['id']}/accept", json={})
        await api.ok("POST", f"{path}/tasks/{task['id']}/done", json={"note": "已处理"})
    resolved = await api.ok("POST", f"{path}/resolve", json={"resolution": "已清退超员租客"})
    assert resolved["status"] == "resolved"
    return resolved


async def test_an_unanswered_follow_up_closes_the_case_once_and_says_so(
    api, database, settings, world
):
    case = await _resolved(api, world)
    case_id = uuid.UUID(case["id"])
    async with database.sessionmaker.begin() as session:
        assert await close_unanswered(session, case_id, utcnow()) is None  # not yet due
    later = utcnow() + timedelta(days=4)  # the category gives 3 days
    async with database.sessionmaker.begin() as session:
        closed = await close_unanswered(session, case_id, later)
        assert closed is not None and closed.closed_by == "unanswered"
    async with database.sessionmaker.begin() as session:
        assert await close_unanswered(session, case_id, later) is None  # once
    read = await api.ok("GET", f"/api/v1/cases/{case['id']}")
    assert read["status"] == "closed" and read["closed_by"] == "unanswered"
    event = (await events_of(database, case["id"]))[-1]
    assert event.type == "case.closed" and event.data["closed_by"] == "unanswered"
    async with database.session() as session:
        planned = await plan(session, event, rule_book(), settings)
    [told] = [p for p in planned if p.recipient == world.contact_email]
    assert told.language == "zh"
    assert any("自动闭环" in line for line in told.context["lines"])


async def test_a_coordinator_takes_the_answer_closes_and_reopens(api, world):
    case = await _resolved(api, world)
    path = f"/api/v1/cases/{case['id']}"
    reason = await problem(await api.post(f"{path}/reply", json={"satisfied": False}), 422)
    assert [e["field"] for e in reason["errors"]] == ["feedback"]
    reopened = await api.ok(
        "POST", f"{path}/reply", json={"satisfied": False, "feedback": "晚上仍有人进出"}
    )
    assert reopened["status"] == "reopened" and reopened["reopened_count"] == 1
    assert reopened["resolved_at"] is None and reopened["reply_due_at"] is None
    assert reopened["resolution_due_at"] >= case["resolution_due_at"]
    lead = reopened["tasks"][0]
    assert lead["status"] == "pending" and lead["due_at"] >= case["tasks"][0]["due_at"]
    await api.ok("POST", f"{path}/tasks/{lead['id']}/accept", json={})
    await api.ok("POST", f"{path}/tasks/{lead['id']}/done", json={"note": "复查"})
    await api.ok("POST", f"{path}/resolve", json={"resolution": "复查合格"})
    closed = await api.ok("POST", f"{path}/close")
    assert closed["status"] == "closed" and closed["closed_by"] == "coordinator"
    again = await api.ok("POST", f"{path}/reopen", json={"reason": "居民再次反映"})
    assert again["status"] == "reopened" and again["reopened_count"] == 2
    assert again["closed_at"] is None and again["closed_by"] is None
