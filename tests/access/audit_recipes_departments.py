"""Audit recipes of departments, their members, case categories and routing rules."""

from __future__ import annotations

from typing import Any

from tests.access.audit_recipes import crud
from tests.access.audit_scene import Call, Scene, recipe


def department_body(s: Scene) -> dict[str, Any]:
    return {"name": f"部门{s.serial()}", "kind": "urban_management"}


def category_body(s: Scene) -> dict[str, Any]:
    return {
        "code": f"category_{s.serial()}",
        "name": "群租",
        "response_hours": 4,
        "resolution_days": 10,
        "escalation": [{"after_hours": 0, "to": "department_lead"}],
    }


crud("department", "/api/v1/departments", department_body, {"work_hours": "09:00-17:00"})
crud("case_category", "/api/v1/case-categories", category_body, {"resolution_days": 5})


async def _department(s: Scene) -> dict[str, Any]:
    return await s.make("/api/v1/departments", department_body(s))


async def _member(s: Scene, department_id: str) -> dict[str, Any]:
    person = await s.person()
    await s.make(f"/api/v1/departments/{department_id}/members", {"person_id": person["id"]})
    return person


def _membership(department: dict[str, Any], person: dict[str, Any]) -> dict[str, str]:
    return {"department_id": department["id"], "person_id": person["id"]}


@recipe("POST /api/v1/departments/{id}/members")
async def add_department_member(s: Scene) -> Call:
    department, person = await _department(s), await s.person()
    path = f"/api/v1/departments/{department['id']}/members"
    body = {"person_id": person["id"], "is_lead": True}
    state = _membership(department, person)
    return Call("POST", path, "create", "department_member", None, body, 201, state)


@recipe("PATCH /api/v1/departments/{id}/members/{person_id}")
async def update_department_member(s: Scene) -> Call:
    department = await _department(s)
    person = await _member(s, department["id"])
    path = f"/api/v1/departments/{department['id']}/members/{person['id']}"
    state = _membership(department, person) | {"is_lead": True}
    return Call("PATCH", path, "update", "department_member", None, {"is_lead": True}, state=state)


@recipe("DELETE /api/v1/departments/{id}/members/{person_id}")
async def remove_department_member(s: Scene) -> Call:
    department = await _department(s)
    person = await _member(s, department["id"])
    path = f"/api/v1/departments/{department['id']}/members/{person['id']}"
    state = _membership(department, person)
    return Call("DELETE", path, "delete", "department_member", None, None, 204, state)


async def _route_body(s: Scene) -> dict[str, Any]:
    category = await s.make("/api/v1/case-categories", category_body(s))
    lead, helper = await _department(s), await _department(s)
    return {
        "category_id": category["id"],
        "lead_department_id": lead["id"],
        "helper_department_ids": [helper["id"]],
    }


@recipe("POST /api/v1/case-routes")
async def create_route(s: Scene) -> Call:
    body = await _route_body(s)
    return Call("POST", "/api/v1/case-routes", "create", "case_route", json=body, status=201)


@recipe("PATCH /api/v1/case-routes/{id}")
async def update_route(s: Scene) -> Call:
    route = await s.make("/api/v1/case-routes", await _route_body(s))
    body = {"helper_department_ids": []}
    return Call("PATCH", f"/api/v1/case-routes/{route['id']}", "update", "case_route", json=body)


@recipe("DELETE /api/v1/case-routes/{id}")
async def delete_route(s: Scene) -> Call:
    route = await s.make("/api/v1/case-routes", await _route_body(s))
    path = f"/api/v1/case-routes/{route['id']}"
    return Call("DELETE", path, "delete", "case_route", route["id"], status=204)
