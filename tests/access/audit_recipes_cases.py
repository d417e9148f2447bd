"""Recipes for the writes of cases and their tasks (see tests/access/audit_recipes.py).
Departments and a category routed to them are made in the database (their own API is
tested where it is declared)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from coordinator.cases.categories.models import CaseCategory, CaseRoute, CaseRouteHelper
from coordinator.departments.models import Department, DepartmentKind
from tests.access.audit_scene import Call, Scene, recipe

CASES = "/api/v1/cases"


async def _category(s: Scene) -> tuple[str, list[uuid.UUID]]:
    """A category routed to a lead and one co-handler, and a third department free."""
    departments = [uuid.uuid4() for _ in range(3)]
    code = f"audit_case_{uuid.uuid4().hex[:8]}"
    async with s.database.sessionmaker.begin() as session:
        for n, department_id in enumerate(departments):
            session.add(
                Department(id=department_id, name=f"部门{code}{n}", kind=DepartmentKind.other)
            )
        category = CaseCategory(
            id=uuid.uuid4(),
            code=code,
            name="占道经营",
            response_hours=Decimal(8),
            resolution_days=3,
        )
        session.add(category)
        await session.flush()
        route = CaseRoute(
            id=uuid.uuid4(), category_id=category.id, lead_department_id=departments[0]
        )
        session.add(route)
        await session.flush()
        session.add(CaseRouteHelper(route_id=route.id, department_id=departments[1]))
    return code, departments


async def _case(s: Scene, **steps: bool) -> tuple[dict[str, Any], list[uuid.UUID]]:
    code, departments = await _category(s)
    body = {
        "title": "占道经营",
        "description": "水果摊占用人行道",
        "category": code,
        "address": "华山路 1 号",
    }
    case = await s.make(CASES, body)
    path = f"{CASES}/{case['id']}"
    resolved = steps.get("resolved", False)
    worked = steps.get("worked", False) or resolved
    if steps.get("accepted") or worked:
        await s.make(f"{path}/accept", {}, 200)
    if worked:
        for task in case["tasks"]:
            await s.make(f"{path}/tasks/{task['id']}/accept", {}, 200)
            await s.make(f"{path}/tasks/{task['id']}/done", {"note": "已劝离"}, 200)
    if resolved:
        await s.make(f"{path}/resolve", {"resolution": "摊位已清理"}, 200)
    return case, departments


def _co(case: dict[str, Any]) -> str:
    return str(case["tasks"][1]["id"])


@recipe(f"POST {CASES}")
async def file_case(s: Scene) -> Call:
    code, _ = await _category(s)
    body = {
        "title": "占道经营",
        "description": "水果摊占用人行道",
        "category": code,
        "address": "华山路 2 号",
    }
    return Call("POST", CASES, "create", "case", json=body, status=201)


def _on_case(action: str, verb: str, json: Any = None, **steps: bool) -> None:
    @recipe(f"POST {CASES}/{{id}}/{verb}")
    async def act(s: Scene) -> Call:
        case, _ = await _case(s, **steps)
        return Call("POST", f"{CASES}/{case['id']}/{verb}", action, "case", json=json)


_on_case("accept", "accept")
_on_case("reject", "reject", {"reason": "不属于本街道"})
_on_case("resolve", "resolve", {"resolution": "已清理"}, worked=True)
_on_case("satisfied", "reply", {"satisfied": True}, resolved=True)
_on_case("close", "close", resolved=True)
_on_case("reopen", "reopen", {"reason": "又摆出来了"}, resolved=True)


@recipe(f"POST {CASES}/{{id}}/merge")
async def merge(s: Scene) -> Call:
    master, _ = await _case(s)
    case, _ = await _case(s)
    body = {"master_id": master["id"]}
    return Call("POST", f"{CASES}/{case['id']}/merge", "merge", "case", json=body)


@recipe(f"POST {CASES}/{{id}}/tasks")
async def add_task(s: Scene) -> Call:
    case, departments = await _case(s)
    body = {"department_id": str(departments[2])}
    return Call("POST", f"{CASES}/{case['id']}/tasks", "create", "case_task", json=body, status=201)


@recipe(f"DELETE {CASES}/{{id}}/tasks/{{task_id}}")
async def drop_task(s: Scene) -> Call:
    case, _ = await _case(s)
    return Call("DELETE", f"{CASES}/{case['id']}/tasks/{_co(case)}", "drop", "case_task")


def _on_task(action: str, verb: str, json: Any = None, *, before: tuple[str, ...] = ()) -> None:
    @recipe(f"POST {CASES}/{{id}}/tasks/{{task_id}}/{verb}")
    async def act(s: Scene) -> Call:
        case, _ = await _case(s, accepted=True)
        path = f"{CASES}/{case['id']}/tasks/{_co(case)}"
        for step in before:
            await s.make(
                f"{path}/{step}", {"reason": "不归我们"} if step == "hand-back" else {}, 200
            )
        return Call("POST", f"{path}/{verb}", action, "case_task", json=json)


_on_task("accept", "accept", {})
_on_task("done", "done", {"note": "已劝离"}, before=("accept",))
_on_task("hand_back", "hand-back", {"reason": "不属于市容职责"})
_on_task("resend", "resend", before=("hand-back",))


@recipe(f"POST {CASES}/{{id}}/notes")
async def add_note(s: Scene) -> Call:
    case, _ = await _case(s)
    body = {"body": "已电话联系摊主"}
    return Call("POST", f"{CASES}/{case['id']}/notes", "create", "case_note", json=body, status=201)


# A field handler's personal link


@recipe("POST /api/v1/people/{id}/handler-link")
async def issue_handler_link(s: Scene) -> Call:
    person = await s.person()
    path = f"/api/v1/people/{person['id']}/handler-link"
    return Call("POST", path, "issue_link", "person", person["id"], status=201)


@recipe("DELETE /api/v1/people/{id}/handler-link")
async def revoke_handler_link(s: Scene) -> Call:
    person = await s.person()
    path = f"/api/v1/people/{person['id']}/handler-link"
    await s.make(path, {})
    return Call("DELETE", path, "revoke_link", "person", person["id"])
