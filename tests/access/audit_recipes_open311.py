"""Audit recipes of Open311: its API keys."""

from __future__ import annotations

from tests.access.audit_scene import Call, Scene, recipe

KEYS = "/api/v1/open311-keys"


@recipe(f"POST {KEYS}")
async def create_open311_key(s: Scene) -> Call:
    return Call("POST", KEYS, "create", "open311_key", json={"name": "随申办"}, status=201)


@recipe(f"POST {KEYS}/{{id}}/revoke")
async def revoke_open311_key(s: Scene) -> Call:
    key = await s.make(KEYS, {"name": "自助终端"})
    return Call("POST", f"{KEYS}/{key['id']}/revoke", "revoke", "open311_key", key["id"])
