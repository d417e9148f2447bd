import uuid

import pytest

from coordinator.auth.models import Role
from coordinator.registry.codes import credit_check_char


def credit_code(serial: int) -> str:
    first17 = f"91310106MA{serial:07d}"
    return first17 + credit_check_char(first17)


RESOURCES = [
    pytest.param(
        "area",
        "/api/v1/areas",
        {"name": "静安别墅居民区", "kind": "residential"},
        {"name": "华山居民区"},
        id="area",
    ),
    pytest.param(
        "company",
        "/api/v1/companies",
        {
            "name": "上海福民咨询有限公司",
            "credit_code": credit_code(1),
            "street_address": "南京西路1266号",
        },
        {"headcount": 40, "status": "resuming"},
        id="company",
    ),
    pytest.param(
        "person",
        "/api/v1/people",
        {"name": "王秀英", "skills": ["急救"]},
        {"name": "王秀兰", "skills": ["急救", "英语"]},
        id="person",
    ),
]


@pytest.mark.parametrize(("entity_type", "path", "body", "patch"), RESOURCES)
async def test_create_update_delete_appear_with_actor_before_and_after(
    api, entity_type, path, body, patch
):
    created = await api.ok("POST", path, 201, role=Role.coordinator, json=body)
    updated = await api.ok("PATCH", f"{path}/{created['id']}", role=Role.coordinator, json=patch)
    await api.ok("DELETE", f"{path}/{created['id']}", 204, role=Role.coordinator)

    log = await api.ok("GET", f"/api/v1/audit-log?entity_id={created['id']}")
    assert log["total"] == 3
    delete, update, create = log["items"]
    assert [create["action"], update["action"], delete["action"]] == ["create", "update", "delete"]
    coordinator = await _token_id(api, "test coordinator")
    for entry in (create, update, delete):
        assert entry["entity_type"] == entity_type
        assert entry["entity_id"] == created["id"]
        assert entry["actor_name"] == "test coordinator"
        assert entry["actor_token_id"] == coordinator
        assert entry["at"].endswith("Z") or entry["at"].endswith("+00:00")

    assert create["before"] is None
    for name, value in body.items():
        assert create["after"][name] == value
    for name, value in patch.items():
        assert update["before"][name] == created[name]
        assert update["after"][name] == value == updated[name]
    assert update["before"]["id"] == update["after"]["id"] == created["id"]
    assert delete["before"] == update["after"] | {"updated_at": delete["before"]["updated_at"]}
    assert delete["after"] is None


async def _token_id(api, name: str) -> str:
    page = await api.ok("GET", f"/api/v1/tokens?q={name}")
    return next(t["id"] for t in page["items"] if t["name"] == name)


async def test_newest_first_with_cursor_pagination(api):
    ids = []
    for i in range(7):
        created = await api.ok(
            "POST", "/api/v1/areas", 201, json={"name": f"片区{i}", "kind": "block"}
        )
        ids.append(created["id"])
    seen: list[str] = []
    entry_ids: list[int] = []
    cursor = None
    while True:
        page = await api.ok(
            "GET",
            "/api/v1/audit-log?entity_type=area&limit=3" + (f"&cursor={cursor}" if cursor else ""),
        )
        assert page["total"] == 7
        assert len(page["items"]) <= 3
        seen += [e["entity_id"] for e in page["items"]]
        entry_ids += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(ids))
    assert entry_ids == sorted(entry_ids, reverse=True)
    ats = [e["at"] for e in (await api.ok("GET", "/api/v1/audit-log?entity_type=area"))["items"]]
    assert ats == sorted(ats, reverse=True)


async def test_filters_by_entity_action_and_actor(api):
    area = await api.ok(
        "POST",
        "/api/v1/areas",
        201,
        role=Role.coordinator,
        json={"name": "江宁路片区", "kind": "block"},
    )
    person = await api.ok("POST", "/api/v1/people", 201, role=Role.admin, json={"name": "李明"})
    await api.ok(
        "PATCH", f"/api/v1/people/{person['id']}", role=Role.coordinator, json={"name": "李明明"}
    )

    async def actions(query: str) -> list[tuple[str, str]]:
        page = await api.ok("GET", f"/api/v1/audit-log?{query}")
        assert page["total"] == len(page["items"])
        return [(e["entity_type"], e["action"]) for e in page["items"]]

    assert await actions("entity_type=person") == [("person", "update"), ("person", "create")]
    assert await actions("action=create") == [("person", "create"), ("area", "create")]
    assert await actions(f"entity_id={area['id']}") == [("area", "create")]
    coordinator = await _token_id(api, "test coordinator")
    assert await actions(f"actor_token_id={coordinator}") == [
        ("person", "update"),
        ("area", "create"),
    ]
    assert await actions("entity_type=person&action=update") == [("person", "update")]
    assert await actions(f"entity_id={uuid.uuid4()}") == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("entity_id=not-a-uuid", "entity_id"),
        ("limit=0", "limit"),
        ("limit=500", "limit"),
        ("cursor=%%%", "cursor"),
        ("cursor=bm90LWEtbnVtYmVy", "cursor"),
        ("who=me", "who"),
    ],
)
async def test_bad_audit_log_parameters_are_422(api, query, field):
    response = await api.get(f"/api/v1/audit-log?{query}")
    assert response.status == 422, await response.text()
    assert response.content_type == "application/problem+json"
    assert field in [e["field"] for e in (await response.json())["errors"]]


async def test_refused_writes_leave_no_audit_entry(api):
    before = (await api.ok("GET", "/api/v1/audit-log"))["total"]
    await api.post("/api/v1/people", json={"name": ""})
    await api.post("/api/v1/people", role=Role.viewer, json={"name": "x"})
    await api.delete(f"/api/v1/people/{uuid.uuid4()}")
    assert (await api.ok("GET", "/api/v1/audit-log"))["total"] == before
