"""Audit recipes of the residential survey's places: compounds, housing buildings, area
survey settings, blocks with their units and people, dwellings, states and conflicts."""

from __future__ import annotations

from typing import Any

from tests.access.audit_scene import Call, Scene, recipe
from tests.housing.places.conftest import Place, dwelling_body, make_place


async def _area(s: Scene) -> dict[str, Any]:
    return await s.make("/api/v1/areas", {"name": f"居民区{s.serial()}", "kind": "residential"})


async def _compound(s: Scene) -> dict[str, Any]:
    area = await _area(s)
    return await s.make("/api/v1/compounds", {"area_id": area["id"], "name": "华山新村"})


async def _housing_building(s: Scene) -> dict[str, Any]:
    compound = await _compound(s)
    return await s.make("/api/v1/housing-buildings", {"compound_id": compound["id"], "name": "3号"})


async def _block(s: Scene) -> dict[str, Any]:
    area = await _area(s)
    return await s.make("/api/v1/blocks", {"area_id": area["id"], "name": "一块"})


async def _place(s: Scene) -> Place:
    return await make_place(s.api, name=str(s.serial()))


async def _dwelling(s: Scene) -> tuple[Place, dict[str, Any]]:
    place = await _place(s)
    return place, await s.make("/api/v1/dwellings", dwelling_body(place))


@recipe("POST /api/v1/compounds")
async def create_compound(s: Scene) -> Call:
    area = await _area(s)
    body = {"area_id": area["id"], "name": "静安新城"}
    return Call("POST", "/api/v1/compounds", "create", "compound", json=body, status=201)


@recipe("PATCH /api/v1/compounds/{id}")
async def update_compound(s: Scene) -> Call:
    row = await _compound(s)
    path = f"/api/v1/compounds/{row['id']}"
    return Call("PATCH", path, "update", "compound", json={"position": 2})


@recipe("DELETE /api/v1/compounds/{id}")
async def delete_compound(s: Scene) -> Call:
    row = await _compound(s)
    path = f"/api/v1/compounds/{row['id']}"
    return Call("DELETE", path, "delete", "compound", row["id"], status=204)


@recipe("POST /api/v1/housing-buildings")
async def create_housing_building(s: Scene) -> Call:
    compound = await _compound(s)
    body = {"compound_id": compound["id"], "name": "5号", "floors": 6}
    return Call(
        "POST", "/api/v1/housing-buildings", "create", "housing_building", json=body, status=201
    )


@recipe("PATCH /api/v1/housing-buildings/{id}")
async def update_housing_building(s: Scene) -> Call:
    row = await _housing_building(s)
    path = f"/api/v1/housing-buildings/{row['id']}"
    return Call("PATCH", path, "update", "housing_building", json={"floors": 18})


@recipe("DELETE /api/v1/housing-buildings/{id}")
async def delete_housing_building(s: Scene) -> Call:
    row = await _housing_building(s)
    path = f"/api/v1/housing-buildings/{row['id']}"
    return Call("DELETE", path, "delete", "housing_building", row["id"], status=204)


@recipe("PUT /api/v1/areas/{id}/survey")
async def put_area_survey(s: Scene) -> Call:
    area = await _area(s)
    path = f"/api/v1/areas/{area['id']}/survey"
    body = {"rounds_per_day": 3, "max_gap_minutes": 240}
    return Call("PUT", path, "create", "area_survey", area["id"], json=body)


@recipe("POST /api/v1/blocks")
async def create_block(s: Scene) -> Call:
    area = await _area(s)
    body = {"area_id": area["id"], "name": "二块"}
    return Call("POST", "/api/v1/blocks", "create", "block", json=body, status=201)


@recipe("PATCH /api/v1/blocks/{id}")
async def update_block(s: Scene) -> Call:
    row = await _block(s)
    return Call("PATCH", f"/api/v1/blocks/{row['id']}", "update", "block", json={"name": "东块"})


@recipe("DELETE /api/v1/blocks/{id}")
async def delete_block(s: Scene) -> Call:
    row = await _block(s)
    return Call("DELETE", f"/api/v1/blocks/{row['id']}", "delete", "block", row["id"], status=204)


@recipe("PUT /api/v1/blocks/{id}/units")
async def set_block_units(s: Scene) -> Call:
    place = await _place(s)
    body = {"units": [{"building_id": place.building_id, "unit": "3"}]}
    path = f"/api/v1/blocks/{place.block_id}/units"
    return Call("PUT", path, "set_units", "block", place.block_id, json=body)


@recipe("PUT /api/v1/blocks/{id}/leader")
async def set_block_leader(s: Scene) -> Call:
    block, person = await _block(s), await s.person()
    path = f"/api/v1/blocks/{block['id']}/leader"
    return Call("PUT", path, "create", "block_person", json={"person_id": person["id"]})


@recipe("DELETE /api/v1/blocks/{id}/leader")
async def end_block_leader(s: Scene) -> Call:
    block, person = await _block(s), await s.person()
    await s.api.ok("PUT", f"/api/v1/blocks/{block['id']}/leader", json={"person_id": person["id"]})
    path = f"/api/v1/blocks/{block['id']}/leader"
    state = {"block_id": block["id"], "person_id": person["id"], "role": "leader"}
    return Call("DELETE", path, "update", "block_person", None, status=204, state=state)


@recipe("POST /api/v1/blocks/{id}/deputies")
async def add_block_deputy(s: Scene) -> Call:
    block, person = await _block(s), await s.person()
    path = f"/api/v1/blocks/{block['id']}/deputies"
    return Call(
        "POST", path, "create", "block_person", json={"person_id": person["id"]}, status=201
    )


@recipe("DELETE /api/v1/blocks/{id}/deputies/{person_id}")
async def end_block_deputy(s: Scene) -> Call:
    block, person = await _block(s), await s.person()
    await s.make(f"/api/v1/blocks/{block['id']}/deputies", {"person_id": person["id"]})
    path = f"/api/v1/blocks/{block['id']}/deputies/{person['id']}"
    state = {"block_id": block["id"], "person_id": person["id"], "role": "deputy"}
    return Call("DELETE", path, "update", "block_person", None, status=204, state=state)


@recipe("POST /api/v1/dwellings")
async def create_dwelling(s: Scene) -> Call:
    place = await _place(s)
    body = dwelling_body(place, "601")
    return Call("POST", "/api/v1/dwellings", "create", "dwelling", json=body, status=201)


@recipe("PATCH /api/v1/dwellings/{id}")
async def update_dwelling(s: Scene) -> Call:
    _, row = await _dwelling(s)
    path = f"/api/v1/dwellings/{row['id']}"
    return Call("PATCH", path, "update", "dwelling", json={"occupants": 3})


@recipe("DELETE /api/v1/dwellings/{id}")
async def delete_dwelling(s: Scene) -> Call:
    _, row = await _dwelling(s)
    path = f"/api/v1/dwellings/{row['id']}"
    return Call("DELETE", path, "delete", "dwelling", row["id"], status=204)


@recipe("POST /api/v1/dwellings/{id}/state")
async def set_dwelling_state(s: Scene) -> Call:
    _, row = await _dwelling(s)
    path = f"/api/v1/dwellings/{row['id']}/state"
    body = {"state": "vacant", "evidence": "无人居住"}
    return Call("POST", path, "set_state", "dwelling", row["id"], json=body)


async def _conflict(s: Scene) -> tuple[dict[str, Any], int]:
    _, row = await _dwelling(s)
    path = f"/api/v1/dwellings/{row['id']}/state"
    await s.api.ok("POST", path, json={"state": "vacant", "evidence": "无人居住"})
    stale = await s.api.ok(
        "POST", path, json={"state": "rented_whole", "evidence": "整租", "base_version": 1}
    )
    return row, stale["change"]["id"]


@recipe("POST /api/v1/dwelling-conflicts/{id}/apply")
async def apply_conflict(s: Scene) -> Call:
    row, conflict = await _conflict(s)
    path = f"/api/v1/dwelling-conflicts/{conflict}/apply"
    return Call("POST", path, "apply_conflict", "dwelling", row["id"], json={})


@recipe("POST /api/v1/dwelling-conflicts/{id}/dismiss")
async def dismiss_conflict(s: Scene) -> Call:
    row, conflict = await _conflict(s)
    path = f"/api/v1/dwelling-conflicts/{conflict}/dismiss"
    return Call("POST", path, "dismiss_conflict", "dwelling", row["id"], json={"note": "已核实"})
