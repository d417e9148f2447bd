"""Routing rules (派单规则): category × place → a lead department and its co-handlers; one
rule per place; the most specific rule applies (building, then area, then the category's
own)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from coordinator.auth.models import Role
from coordinator.cases.categories.service import ResolvedRoute, resolve_route
from tests.departments.conftest import audit_entries, field_names, uuid_text


@dataclass
class Town:
    """Two areas, a building in the first and one in no area, the "1+4" departments, a
    category."""

    api: Any
    areas: list[dict[str, Any]]
    tower: dict[str, Any]
    lone: dict[str, Any]
    departments: dict[str, dict[str, Any]]
    category: dict[str, Any]

    def dept(self, key: str) -> str:
        return str(self.departments[key]["id"])

    async def route(self, status: int = 201, **body: Any) -> dict[str, Any]:
        answer: dict[str, Any] = await self.api.ok(
            "POST",
            "/api/v1/case-routes",
            status,
            role=Role.coordinator,
            json={"category_id": self.category["id"], **body},
        )
        return answer


@pytest.fixture
async def town(api) -> Town:  # type: ignore[no-untyped-def]
    areas = [
        await api.ok("POST", "/api/v1/areas", 201, json={"name": name, "kind": "residential"})
        for name in ("梧桐里", "静庐")
    ]
    tower = await api.ok(
        "POST",
        "/api/v1/buildings",
        201,
        json={
            "name": "恒晟广场",
            "address": "南京西路1366号",
            "kind": "office",
            "area_id": areas[0]["id"],
        },
    )
    lone = await api.ok(
        "POST",
        "/api/v1/buildings",
        201,
        json={"name": "独栋", "address": "泰兴路1号", "kind": "mixed"},
    )
    kinds = {
        "城管": "urban_management",
        "市容": "city_appearance",
        "房办": "housing_office",
        "梧桐里居委会": "residential_committee",
        "静庐居委会": "residential_committee",
        "物业": "property_manager",
    }
    departments = {
        name: await api.ok("POST", "/api/v1/departments", 201, json={"name": name, "kind": kind})
        for name, kind in kinds.items()
    }
    category = await api.ok(
        "POST",
        "/api/v1/case-categories",
        201,
        json={"code": "group_rental", "name": "群租", "response_hours": 4, "resolution_days": 10},
    )
    return Town(api, areas, tower, lone, departments, category)


async def test_a_rule_is_made_read_listed_changed_and_deleted(api, database, town):
    made = await town.route(
        lead_department_id=town.dept("房办"),
        helper_department_ids=[town.dept("城管"), town.dept("市容"), town.dept("城管")],
    )
    assert made["area_id"] is None and made["building_id"] is None
    assert made["helper_department_ids"] == sorted([town.dept("城管"), town.dept("市容")])
    assert await api.ok("GET", f"/api/v1/case-routes/{made['id']}", role=Role.viewer) == made
    page = await api.ok("GET", f"/api/v1/case-routes?category_id={town.category['id']}")
    assert page["items"] == [made]

    changed = await api.ok(
        "PATCH",
        f"/api/v1/case-routes/{made['id']}",
        role=Role.coordinator,
        json={"area_id": town.areas[0]["id"], "helper_department_ids": [town.dept("梧桐里居委会")]},
    )
    assert changed["area_id"] == town.areas[0]["id"]
    assert changed["helper_department_ids"] == [town.dept("梧桐里居委会")]
    assert changed["lead_department_id"] == town.dept("房办")
    kept = await api.ok(
        "PATCH", f"/api/v1/case-routes/{made['id']}", json={"lead_department_id": town.dept("城管")}
    )
    assert kept["helper_department_ids"] == [town.dept("梧桐里居委会")]
    await api.ok("DELETE", f"/api/v1/case-routes/{made['id']}", 204, role=Role.coordinator)
    assert (await api.get(f"/api/v1/case-routes/{made['id']}")).status == 404

    assert [action for action, _ in await audit_entries(database, "case_route")] == [
        "create",
        "update",
        "update",
        "delete",
    ]


async def test_the_list_filters_by_place_and_department(api, town):
    anywhere = await town.route(
        lead_department_id=town.dept("房办"), helper_department_ids=[town.dept("城管")]
    )
    tower = await town.route(
        building_id=town.tower["id"],
        lead_department_id=town.dept("城管"),
        helper_department_ids=[town.dept("物业")],
    )
    area = await town.route(area_id=town.areas[1]["id"], lead_department_id=town.dept("市容"))

    async def ids(query: str) -> list[str]:
        page = await api.ok("GET", f"/api/v1/case-routes?{query}")
        return [item["id"] for item in page["items"]]

    assert await ids("") == [anywhere["id"], tower["id"], area["id"]]
    assert await ids(f"building_id={town.tower['id']}") == [tower["id"]]
    assert await ids(f"area_id={town.areas[1]['id']}") == [area["id"]]
    assert await ids(f"department_id={town.dept('城管')}") == [anywhere["id"], tower["id"]]
    assert await ids(f"department_id={town.dept('物业')}") == [tower["id"]]
    assert await ids(f"category_id={uuid_text()}") == []
    assert await ids("sort=-created_at&limit=1") == [area["id"]]


async def test_one_rule_per_category_and_place_a_second_is_a_409_naming_the_place(town):
    await town.route(lead_department_id=town.dept("房办"))
    await town.route(building_id=town.tower["id"], lead_department_id=town.dept("城管"))
    await town.route(area_id=town.areas[0]["id"], lead_department_id=town.dept("市容"))
    for place, field in (
        ({}, "category_id"),
        ({"building_id": town.tower["id"]}, "building_id"),
        ({"area_id": town.areas[0]["id"]}, "area_id"),
    ):
        problem = await town.route(409, lead_department_id=town.dept("城管"), **place)
        assert field_names(problem) == [field], problem
    # Another place of the same category is a rule of its own.
    await town.route(area_id=town.areas[1]["id"], lead_department_id=town.dept("城管"))


async def test_moving_a_rule_onto_a_taken_place_is_a_409(api, town):
    await town.route(area_id=town.areas[0]["id"], lead_department_id=town.dept("市容"))
    other = await town.route(area_id=town.areas[1]["id"], lead_department_id=town.dept("市容"))
    moved = await api.patch(
        f"/api/v1/case-routes/{other['id']}", json={"area_id": town.areas[0]["id"]}
    )
    assert moved.status == 409
    assert field_names(await moved.json()) == ["area_id"]


async def test_refused_rules_name_the_field(api, town):
    lead = town.dept("房办")
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({"lead_department_id": lead, "helper_department_ids": [lead]}, ["helper_department_ids"]),
        (
            {
                "lead_department_id": lead,
                "area_id": town.areas[0]["id"],
                "building_id": town.tower["id"],
            },
            ["area_id", "building_id"],
        ),
        ({"lead_department_id": uuid_text()}, ["lead_department_id"]),
        (
            {"lead_department_id": lead, "helper_department_ids": [uuid_text()]},
            ["helper_department_ids"],
        ),
        ({"lead_department_id": lead, "area_id": uuid_text()}, ["area_id"]),
        ({"lead_department_id": lead, "building_id": uuid_text()}, ["building_id"]),
        ({"lead_department_id": lead, "category_id": uuid_text()}, ["category_id"]),
        ({}, ["lead_department_id"]),
    ]
    for body, fields in cases:
        problem = await town.route(422, **body)
        assert field_names(problem) == fields, (body, problem)
    made = await town.route(lead_department_id=lead, helper_department_ids=[town.dept("城管")])
    swapped = await api.patch(
        f"/api/v1/case-routes/{made['id']}", json={"lead_department_id": town.dept("城管")}
    )
    assert swapped.status == 422
    assert field_names(await swapped.json()) == ["helper_department_ids"]
    for name in ("lead_department_id", "helper_department_ids"):
        null = await api.patch(f"/api/v1/case-routes/{made['id']}", json={name: None})
        assert field_names(await null.json()) == [name]
    category_fixed = await api.patch(
        f"/api/v1/case-routes/{made['id']}", json={"category_id": town.category["id"]}
    )
    assert field_names(await category_fixed.json()) == ["category_id"]


async def _resolved(api, town: Town, **place: str) -> tuple[str | None, str | None, list[str]]:  # type: ignore[no-untyped-def]
    query = "&".join(f"{k}={v}" for k, v in {"category": "group_rental", **place}.items())
    out = await api.ok("GET", f"/api/v1/case-routes/resolve?{query}", role=Role.viewer)
    assert out["category_id"] == town.category["id"] and out["category"] == "group_rental"
    lead = out["lead_department"]["name"] if out["lead_department"] else None
    return out["matched"], lead, [h["name"] for h in out["helpers"]]


async def test_the_most_specific_rule_applies(api, database, town):
    assert await _resolved(api, town) == (None, None, [])
    await town.route(
        lead_department_id=town.dept("房办"),
        helper_department_ids=[town.dept("城管"), town.dept("市容")],
    )
    anywhere = await _resolved(api, town)
    assert anywhere[:2] == ("category", "房办") and sorted(anywhere[2]) == ["城管", "市容"]
    # A building in no area, an area without a rule: the category's own.
    assert (await _resolved(api, town, building_id=town.lone["id"]))[:2] == ("category", "房办")
    assert (await _resolved(api, town, area_id=town.areas[1]["id"]))[:2] == ("category", "房办")

    await town.route(
        area_id=town.areas[1]["id"],
        lead_department_id=town.dept("房办"),
        helper_department_ids=[town.dept("静庐居委会")],
    )
    await town.route(
        area_id=town.areas[0]["id"],
        lead_department_id=town.dept("房办"),
        helper_department_ids=[town.dept("梧桐里居委会")],
    )
    # The given area's rule; the building's area's rule before a given other area's.
    assert await _resolved(api, town, area_id=town.areas[1]["id"]) == (
        "area",
        "房办",
        ["静庐居委会"],
    )
    assert await _resolved(api, town, building_id=town.tower["id"]) == (
        "area",
        "房办",
        ["梧桐里居委会"],
    )
    both = await _resolved(api, town, building_id=town.tower["id"], area_id=town.areas[1]["id"])
    assert both == ("area", "房办", ["梧桐里居委会"])
    lone_in_area = await _resolved(
        api, town, building_id=town.lone["id"], area_id=town.areas[1]["id"]
    )
    assert lone_in_area == ("area", "房办", ["静庐居委会"])

    tower_rule = await town.route(
        building_id=town.tower["id"],
        lead_department_id=town.dept("城管"),
        helper_department_ids=[town.dept("物业"), town.dept("市容")],
    )
    matched, lead, helpers = await _resolved(api, town, building_id=town.tower["id"])
    assert (matched, lead, sorted(helpers)) == ("building", "城管", sorted(["物业", "市容"]))

    # The function filing calls gives the same answer, ids ordered.
    async with database.session() as session:
        found = await resolve_route(
            session, uuid.UUID(town.category["id"]), building_id=uuid.UUID(town.tower["id"])
        )
        nothing = await resolve_route(session, uuid.uuid4(), area_id=uuid.UUID(town.areas[0]["id"]))
    assert found == ResolvedRoute(
        route_id=uuid.UUID(tower_rule["id"]),
        lead_department_id=uuid.UUID(town.dept("城管")),
        helper_department_ids=tuple(
            sorted(uuid.UUID(h) for h in tower_rule["helper_department_ids"])
        ),
        place="building",
        area_id=None,
        building_id=uuid.UUID(town.tower["id"]),
    )
    assert nothing is None


async def test_resolving_names_an_unknown_category_or_place(api, town):
    for query, field in (
        ("category=nope", "category"),
        (f"category=group_rental&building_id={uuid_text()}", "building_id"),
        (f"category=group_rental&area_id={uuid_text()}", "area_id"),
        ("building_id=" + uuid_text(), "category"),
    ):
        response = await api.get(f"/api/v1/case-routes/resolve?{query}")
        assert response.status == 422, query
        assert field_names(await response.json()) == [field], query


async def test_a_place_with_a_routing_rule_is_not_deleted(api, town):
    await town.route(area_id=town.areas[1]["id"], lead_department_id=town.dept("市容"))
    await town.route(building_id=town.lone["id"], lead_department_id=town.dept("城管"))
    for path in (f"/api/v1/areas/{town.areas[1]['id']}", f"/api/v1/buildings/{town.lone['id']}"):
        refused = await api.delete(path)
        assert refused.status == 409, path
        assert [r["resource"] for r in (await refused.json())["referenced_by"]] == ["case-routes"]
