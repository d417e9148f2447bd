"""Case categories (事项类型): their clocks, escalation ladders, urgency factors and Open311
attributes, validated field by field; every write audited; a category with cases kept."""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert

from coordinator.auth.models import Role
from coordinator.cases.models import Case, CaseSource
from tests.departments.conftest import audit_entries, field_names

GROUP_RENTAL: dict[str, Any] = {
    "code": "group_rental",
    "name": "群租",
    "name_en": "group rental",
    "description": "一套住房分隔出租、居住人数明显超标",
    "group": "房屋租赁",
    "keywords": "群租,隔断,二房东",
    "response_hours": 4,
    "resolution_days": 10,
    "urgency_factors": {"urgent": 0.25, "high": 0.5, "low": 2},
    "escalation": [
        {"after_hours": 0, "to": "department_lead"},
        {"after_hours": 8.5, "to": "coordinators"},
    ],
    "photo_required": True,
    "reply_days": 5,
    "attributes": [
        {
            "code": "rooms",
            "datatype": "singlevaluelist",
            "required": True,
            "order": 2,
            "description": "隔出的房间数",
            "values": [{"key": "2", "name": "两间"}, {"key": "3+", "name": "三间及以上"}],
        },
        {
            "code": "residents",
            "datatype": "number",
            "order": 1,
            "description": "估计居住人数",
            "datatype_description": "整数",
        },
    ],
}


async def create(api, body: dict[str, Any]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    result: dict[str, Any] = await api.ok("POST", "/api/v1/case-categories", 201, json=body)
    return result


async def test_a_category_keeps_its_clocks_ladder_and_attributes(api, database):
    made = await create(api, GROUP_RENTAL)
    assert made["response_hours"] == 4.0 and made["resolution_days"] == 10
    assert made["urgency_factors"] == {"urgent": 0.25, "high": 0.5, "low": 2.0}
    assert made["escalation"] == GROUP_RENTAL["escalation"]
    # Attributes in their order, each with Open311's every member.
    assert [a["code"] for a in made["attributes"]] == ["residents", "rooms"]
    assert made["attributes"][0] == {
        "variable": True,
        "code": "residents",
        "datatype": "number",
        "required": False,
        "datatype_description": "整数",
        "order": 1,
        "description": "估计居住人数",
        "values": [],
    }
    read = await api.ok("GET", f"/api/v1/case-categories/{made['id']}", role=Role.viewer)
    assert read == made
    page = await api.ok("GET", "/api/v1/case-categories", role=Role.viewer)
    assert page["items"] == [made]

    patched = await api.ok(
        "PATCH",
        f"/api/v1/case-categories/{made['id']}",
        role=Role.coordinator,
        json={"response_hours": 2.5, "urgency_factors": None, "escalation": []},
    )
    assert patched["response_hours"] == 2.5 and patched["urgency_factors"] is None
    assert patched["escalation"] == [] and patched["attributes"] == made["attributes"]
    await api.ok("DELETE", f"/api/v1/case-categories/{made['id']}", 204, role=Role.coordinator)
    assert (await api.get(f"/api/v1/case-categories/{made['id']}")).status == 404
    assert await audit_entries(database, "case_category") == [
        ("create", made["id"]),
        ("update", made["id"]),
        ("delete", made["id"]),
    ]


async def test_the_list_filters_and_searches(api):
    await create(api, GROUP_RENTAL)
    await create(
        api,
        {
            "code": "noise",
            "name": "噪声扰民",
            "group": "生活环境",
            "response_hours": 2,
            "resolution_days": 3,
            "public": False,
        },
    )
    await create(
        api,
        {
            "code": "day_rental",
            "name": "日租房",
            "response_hours": 4,
            "resolution_days": 5,
            "active": False,
        },
    )

    async def codes(query: str) -> list[str]:
        page = await api.ok("GET", f"/api/v1/case-categories?{query}")
        return [item["code"] for item in page["items"]]

    assert await codes("") == ["day_rental", "group_rental", "noise"]
    assert await codes("active=false") == ["day_rental"]
    assert await codes("public=false") == ["noise"]
    assert await codes("group=房屋租赁") == ["group_rental"]
    assert await codes("q=二房东") == ["group_rental"]
    assert await codes("q=noi") == ["noise"]
    assert await codes("sort=-code&limit=1") == ["noise"]


def _with(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    """GROUP_RENTAL with one value replaced (None at the end of a path: the key removed)."""
    body = copy.deepcopy(GROUP_RENTAL)
    node: Any = body
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return body


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("code",), "Group Rental", "code"),
        (("code",), "x" * 51, "code"),
        (("code",), "群租", "code"),
        (("response_hours",), 0, "response_hours"),
        (("response_hours",), 1.255, "response_hours"),
        (("resolution_days",), 0, "resolution_days"),
        (("reply_days",), 0, "reply_days"),
        (("escalation", 1, "after_hours"), 0, "escalation"),
        (("escalation", 0, "after_hours"), -1, "escalation.0.after_hours"),
        (("escalation", 1, "to"), "mayor", "escalation.1.to"),
        (("escalation", 1, "when"), "later", "escalation.1.when"),
        (("urgency_factors",), {"critical": 0.5}, "urgency_factors.critical.[key]"),
        (("urgency_factors",), {"urgent": 0.01}, "urgency_factors.urgent"),
        (("urgency_factors",), {"low": 11}, "urgency_factors.low"),
        (("attributes", 0, "values"), [], "attributes.0"),
        (("attributes", 1, "values"), [{"key": "a", "name": "甲"}], "attributes.1"),
        (
            ("attributes", 0, "values"),
            [{"key": "a", "name": "甲"}, {"key": "a", "name": "乙"}],
            "attributes.0",
        ),
        (("attributes", 0, "datatype"), "boolean", "attributes.0.datatype"),
        (("attributes", 0, "order"), 1, "attributes"),
        (("attributes", 0, "code"), "residents", "attributes"),
        (("attributes", 0, "description"), "", "attributes.0.description"),
        (("attributes", 1, "code"), "有空格 的", "attributes.1.code"),
    ],
)
async def test_an_invalid_category_is_a_422_naming_the_field(api, path, value, field):
    response = await api.post("/api/v1/case-categories", json=_with(path, value))
    problem = await response.json()
    assert response.status == 422, problem
    assert field_names(problem) == [field], problem


async def test_a_patch_is_validated_as_a_create_is(api):
    made = await create(api, GROUP_RENTAL)
    path = f"/api/v1/case-categories/{made['id']}"
    steps = [{"after_hours": 8, "to": "coordinators"}, {"after_hours": 4, "to": "team_lead"}]
    response = await api.patch(path, json={"escalation": steps})
    assert response.status == 422
    assert field_names(await response.json()) == ["escalation"]
    for name in ("code", "name", "response_hours", "escalation", "attributes", "active"):
        null = await api.patch(path, json={name: None})
        assert null.status == 422
        assert field_names(await null.json()) == [name]
    assert await api.ok("GET", path) == made


async def test_a_repeated_code_is_a_409_naming_code(api):
    first = await create(api, GROUP_RENTAL)
    again = await api.post("/api/v1/case-categories", json=GROUP_RENTAL | {"name": "另一个"})
    assert again.status == 409
    assert field_names(await again.json()) == ["code"]
    other = await create(api, GROUP_RENTAL | {"code": "day_rental"})
    moved = await api.patch(f"/api/v1/case-categories/{other['id']}", json={"code": first["code"]})
    assert moved.status == 409
    assert field_names(await moved.json()) == ["code"]


async def test_a_category_with_cases_is_kept_and_its_routes_go_with_it(api, database):
    kept, gone = await create(api, GROUP_RENTAL), await create(api, GROUP_RENTAL | {"code": "x"})
    lead = await api.ok(
        "POST", "/api/v1/departments", 201, json={"name": "房办", "kind": "housing_office"}
    )
    routes = [
        await api.ok(
            "POST",
            "/api/v1/case-routes",
            201,
            json={"category_id": category["id"], "lead_department_id": lead["id"]},
        )
        for category in (kept, gone)
    ]
    now = datetime.now(UTC)
    async with database.sessionmaker.begin() as session:
        await session.execute(
            insert(Case),
            [
                {
                    "id": uuid.uuid4(),
                    "title": "疑似群租",
                    "description": "夜间多人进出",
                    "category_id": uuid.UUID(kept["id"]),
                    "source": CaseSource.coordinator,
                    "response_due_at": now + timedelta(hours=4),
                    "resolution_due_at": now + timedelta(days=10),
                    "created_by": "测试",
                }
            ],
        )
    refused = await api.delete(f"/api/v1/case-categories/{kept['id']}")
    assert refused.status == 409
    assert [r["resource"] for r in (await refused.json())["referenced_by"]] == ["cases"]
    await api.ok("DELETE", f"/api/v1/case-categories/{gone['id']}", 204)
    assert (await api.get(f"/api/v1/case-routes/{routes[1]['id']}")).status == 404
    assert await api.ok("GET", f"/api/v1/case-routes/{routes[0]['id']}") == routes[0]
    assert ("delete", routes[1]["id"]) in await audit_entries(database, "case_route")
