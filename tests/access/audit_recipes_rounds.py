"""Recipes for the writes of the rounds (see tests/access/audit_recipes.py)."""

from __future__ import annotations

from tests.access.audit_scene import Call, Scene, recipe


@recipe("POST /api/v1/people/{id}/block-leader-link")
async def issue_block_leader_link(s: Scene) -> Call:
    person = await s.person()
    path = f"/api/v1/people/{person['id']}/block-leader-link"
    return Call("POST", path, "issue_link", "person", person["id"], status=201)


@recipe("DELETE /api/v1/people/{id}/block-leader-link")
async def revoke_block_leader_link(s: Scene) -> Call:
    person = await s.person()
    path = f"/api/v1/people/{person['id']}/block-leader-link"
    await s.make(path, {})
    return Call("DELETE", path, "revoke_link", "person", person["id"])
