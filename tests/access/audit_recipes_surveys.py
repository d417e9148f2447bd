"""Recipes for the writes of survey campaigns (see tests/access/audit_recipes.py)."""

from __future__ import annotations

from typing import Any

from tests.access.audit_scene import Call, Scene, recipe

PATH = "/api/v1/survey-campaigns"


async def _area(s: Scene) -> dict[str, Any]:
    return await s.make("/api/v1/areas", {"name": f"居民区{s.serial()}", "kind": "residential"})


async def _body(s: Scene) -> dict[str, Any]:
    area = await _area(s)
    return {
        "name": "房屋排摸",
        "area_ids": [area["id"]],
        "starts_on": "2030-03-01",
        "ends_on": "2030-03-31",
    }


@recipe("POST /api/v1/survey-campaigns")
async def create(s: Scene) -> Call:
    return Call("POST", PATH, "create", "survey_campaign", json=await _body(s), status=201)


@recipe("PATCH /api/v1/survey-campaigns/{id}")
async def update(s: Scene) -> Call:
    campaign = await s.make(PATH, await _body(s))
    return Call(
        "PATCH", f"{PATH}/{campaign['id']}", "update", "survey_campaign", json={"name": "秋季排摸"}
    )


@recipe("DELETE /api/v1/survey-campaigns/{id}")
async def delete(s: Scene) -> Call:
    campaign = await s.make(PATH, await _body(s))
    return Call(
        "DELETE",
        f"{PATH}/{campaign['id']}",
        "delete",
        "survey_campaign",
        campaign["id"],
        status=204,
    )
