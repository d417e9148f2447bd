"""How to call each write of the API successfully, and which audit entry it must leave.

A recipe sets up what its operation needs (tests/access/audit_scene.py) and returns the
call to make and the entry expected of it; tests/access/test_audit_every_write.py makes
the call as the operation's role and looks for the entry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.access.audit_scene import Call, Scene, hours_from_now, iso, recipe


def crud(
    kind: str, path: str, body: Callable[[Scene], dict[str, Any]], patch: dict[str, Any]
) -> None:
    """Recipes for a resource's POST, PATCH and DELETE."""

    @recipe(f"POST {path}")
    async def create(s: Scene) -> Call:
        return Call("POST", path, "create", kind, json=body(s), status=201)

    @recipe(f"PATCH {path}/{{id}}")
    async def change(s: Scene) -> Call:
        row = await s.make(path, body(s))
        return Call("PATCH", f"{path}/{row['id']}", "update", kind, json=patch)

    @recipe(f"DELETE {path}/{{id}}")
    async def delete(s: Scene) -> Call:
        row = await s.make(path, body(s))
        return Call("DELETE", f"{path}/{row['id']}", "delete", kind, row["id"], status=204)


crud("area", "/api/v1/areas", Scene.area_body, {"name": "华山居民区"})
crud("building", "/api/v1/buildings", Scene.building_body, {"name": "静安大厦"})
crud("party_branch", "/api/v1/party-branches", Scene.branch_body, {"name": "联合党支部"})
crud("company", "/api/v1/companies", Scene.company_body, {"headcount": 40})
crud("person", "/api/v1/people", Scene.person_body, {"name": "王秀兰"})
crud("team", "/api/v1/teams", Scene.team_body, {"name": "志愿者二队"})
crud("post", "/api/v1/posts", Scene.post_body, {"name": "南门岗"})
crud("webhook", "/api/v1/webhooks", Scene.webhook_body, {"active": False})


# Contacts, teams' members, liaisons


@recipe("POST /api/v1/companies/{id}/contacts")
async def create_contact(s: Scene) -> Call:
    company = await s.company()
    body = {"name": "李经理", "mobile": "13912345678"}
    return Call(
        "POST",
        f"/api/v1/companies/{company['id']}/contacts",
        "create",
        "contact",
        json=body,
        status=201,
    )


@recipe("PATCH /api/v1/companies/{id}/contacts/{contact_id}")
async def update_contact(s: Scene) -> Call:
    company = await s.company()
    contact = await s.contact(company["id"])
    path = f"/api/v1/companies/{company['id']}/contacts/{contact['id']}"
    return Call("PATCH", path, "update", "contact", json={"name": "李总"})


@recipe("DELETE /api/v1/companies/{id}/contacts/{contact_id}")
async def delete_contact(s: Scene) -> Call:
    company = await s.company()
    contact = await s.contact(company["id"])
    path = f"/api/v1/companies/{company['id']}/contacts/{contact['id']}"
    return Call("DELETE", path, "delete", "contact", contact["id"], status=204)


@recipe("POST /api/v1/teams/{id}/members")
async def add_member(s: Scene) -> Call:
    team, person = await s.team(), await s.person()
    path = f"/api/v1/teams/{team['id']}/members"
    body = {"person_id": person["id"]}
    return Call("POST", path, "create", "team_member", None, body, 201, _member(team, person))


@recipe("PATCH /api/v1/teams/{id}/members/{person_id}")
async def update_member(s: Scene) -> Call:
    team = await s.team()
    person = await s.member(team["id"])
    path = f"/api/v1/teams/{team['id']}/members/{person['id']}"
    body = {"role": "deputy"}
    return Call("PATCH", path, "update", "team_member", None, body, state=_member(team, person))


@recipe("DELETE /api/v1/teams/{id}/members/{person_id}")
async def remove_member(s: Scene) -> Call:
    team = await s.team()
    person = await s.member(team["id"])
    path = f"/api/v1/teams/{team['id']}/members/{person['id']}"
    return Call("DELETE", path, "delete", "team_member", None, None, 204, _member(team, person))


def _member(team: dict[str, Any], person: dict[str, Any]) -> dict[str, str]:
    """A membership is known by its team and person (its own id is not in the answers)."""
    return {"team_id": team["id"], "person_id": person["id"]}


@recipe("PUT /api/v1/companies/{id}/liaison")
async def assign_liaison(s: Scene) -> Call:
    company, person = await s.company(), await s.person()
    path = f"/api/v1/companies/{company['id']}/liaison"
    return Call("PUT", path, "update", "company", company["id"], json={"person_id": person["id"]})


@recipe("POST /api/v1/liaison-assignments")
async def bulk_assign(s: Scene) -> Call:
    building, person = await s.building(), await s.person()
    company = await s.company(building_id=building["id"])
    body = {"person_id": person["id"], "building_id": building["id"]}
    return Call(
        "POST", "/api/v1/liaison-assignments", "update", "company", company["id"], json=body
    )


# Visits and needs


@recipe("POST /api/v1/visits")
async def propose_visit(s: Scene) -> Call:
    liaison, company = await s.person(), await s.company()
    contact = await s.contact(company["id"])
    body = {
        "company_id": company["id"],
        "contact_id": contact["id"],
        "liaison_id": liaison["id"],
        "starts_at": iso(hours_from_now(24)),
        "ends_at": iso(hours_from_now(25)),
        "purpose": "了解用工需求",
    }
    return Call("POST", "/api/v1/visits", "propose", "visit", json=body, status=201)


@recipe("POST /api/v1/visits/{id}/move")
async def move_visit(s: Scene) -> Call:
    visit = await s.visit()
    body = {"starts_at": iso(hours_from_now(72)), "ends_at": iso(hours_from_now(73))}
    return Call("POST", f"/api/v1/visits/{visit['id']}/move", "move", "visit", json=body)


@recipe("POST /api/v1/visits/{id}/cancel")
async def cancel_visit(s: Scene) -> Call:
    visit = await s.visit()
    body = {"reason": "临时有会"}
    return Call("POST", f"/api/v1/visits/{visit['id']}/cancel", "cancel", "visit", json=body)


@recipe("POST /api/v1/visits/{id}/outcome")
async def record_outcome(s: Scene) -> Call:
    visit = await s.visit_confirmed_and_over()
    body = {"status": "completed", "notes": "企业已全面复工"}
    return Call("POST", f"/api/v1/visits/{visit['id']}/outcome", "complete", "visit", json=body)


@recipe("POST /api/v1/visits/{id}/needs")
async def add_need(s: Scene) -> Call:
    visit = await s.completed_visit()
    body = {"category": "rent", "description": "希望减免租金", "urgency": "high"}
    return Call(
        "POST", f"/api/v1/visits/{visit['id']}/needs", "create", "case", json=body, status=201
    )


@recipe("POST /api/v1/needs/{id}/assign")
async def assign_need(s: Scene) -> Call:
    need = await s.need()
    body = {"department": "housing_office"}
    # A need is a case: assigning a new one accepts it (受理).
    return Call("POST", f"/api/v1/needs/{need['id']}/assign", "accept", "case", json=body)


@recipe("POST /api/v1/needs/{id}/resolve")
async def resolve_need(s: Scene) -> Call:
    need = await s.need(assigned=True)
    body = {"resolution": "已协调解决"}
    return Call("POST", f"/api/v1/needs/{need['id']}/resolve", "resolve", "case", json=body)


@recipe("POST /api/v1/needs/{id}/close")
async def close_need(s: Scene) -> Call:
    need = await s.need(resolved=True)
    return Call("POST", f"/api/v1/needs/{need['id']}/close", "close", "case")


@recipe("POST /api/v1/needs/{id}/reopen")
async def reopen_need(s: Scene) -> Call:
    need = await s.need(resolved=True)
    body = {"reason": "仍未解决"}
    return Call("POST", f"/api/v1/needs/{need['id']}/reopen", "reopen", "case", json=body)


# Campaigns


@recipe("POST /api/v1/campaigns")
async def create_campaign(s: Scene) -> Call:
    body = await s.campaign_body()
    return Call("POST", "/api/v1/campaigns", "create", "campaign", json=body, status=201)


@recipe("POST /api/v1/campaigns/{id}/plan")
async def plan_campaign(s: Scene) -> Call:
    campaign = await s.campaign()
    return Call("POST", f"/api/v1/campaigns/{campaign['id']}/plan", "plan", "campaign", status=202)


@recipe("POST /api/v1/campaigns/{id}/cancel")
async def cancel_campaign(s: Scene) -> Call:
    campaign = await s.campaign()
    await s.make(f"/api/v1/campaigns/{campaign['id']}/plan", {}, 202)
    return Call(
        "POST", f"/api/v1/campaigns/{campaign['id']}/cancel", "cancel", "campaign", status=202
    )


@recipe("PATCH /api/v1/campaigns/{id}/items/{item_id}")
async def patch_item(s: Scene) -> Call:
    campaign = await s.planned_campaign()
    items = await s.api.ok("GET", f"/api/v1/campaigns/{campaign['id']}/items")
    path = f"/api/v1/campaigns/{campaign['id']}/items/{items['items'][0]['id']}"
    return Call("PATCH", path, "update", "campaign_item", json={"pinned": True})


@recipe("POST /api/v1/campaigns/{id}/approve")
async def approve_campaign(s: Scene) -> Call:
    campaign = await s.planned_campaign()
    path = f"/api/v1/campaigns/{campaign['id']}/approve"
    return Call("POST", path, "approve", "campaign", campaign["id"], json={})
