from sqlalchemy import func, select

from coordinator.auth.models import Role
from coordinator.registry.models import Area


async def test_create_read_update_delete_area(api):
    created = await api.ok(
        "POST", "/api/v1/areas", 201, json={"name": "静安别墅居民区", "kind": "residential"}
    )
    assert created["name"] == "静安别墅居民区"
    assert created["kind"] == "residential"
    area_id = created["id"]

    read = await api.ok("GET", f"/api/v1/areas/{area_id}")
    assert read == created

    updated = await api.ok("PATCH", f"/api/v1/areas/{area_id}", json={"name": "华山居民区"})
    assert updated["name"] == "华山居民区"
    assert updated["kind"] == "residential"

    await api.ok("DELETE", f"/api/v1/areas/{area_id}", 204)
    response = await api.get(f"/api/v1/areas/{area_id}")
    assert response.status == 404
    assert response.content_type == "application/problem+json"


async def test_create_answers_location_header(api):
    response = await api.post("/api/v1/areas", json={"name": "延中居民区", "kind": "residential"})
    assert response.status == 201
    body = await response.json()
    assert response.headers["Location"] == f"/api/v1/areas/{body['id']}"


async def test_unknown_kind_is_422_naming_the_field_and_writes_nothing(api, database):
    response = await api.post("/api/v1/areas", json={"name": "x", "kind": "village"})
    assert response.status == 422
    problem = await response.json()
    assert problem["status"] == 422
    assert [e["field"] for e in problem["errors"]] == ["kind"]
    async with database.session() as session:
        assert await session.scalar(select(func.count()).select_from(Area)) == 0


async def test_duplicate_name_is_409(api):
    await api.ok("POST", "/api/v1/areas", 201, json={"name": "重复", "kind": "block"})
    response = await api.post("/api/v1/areas", json={"name": "重复", "kind": "block"})
    assert response.status == 409
    assert (await response.json())["status"] == 409


async def test_viewer_cannot_create(api):
    response = await api.post(
        "/api/v1/areas", role=Role.viewer, json={"name": "x", "kind": "block"}
    )
    assert response.status == 403


async def test_list_search_in_chinese_and_paginate(api):
    for name in ["南京西路片区", "静安寺片区", "江宁路片区", "石门二路片区", "南京西路二片区"]:
        await api.ok("POST", "/api/v1/areas", 201, json={"name": name, "kind": "block"})
    found = await api.ok("GET", "/api/v1/areas?q=南京西路")
    assert sorted(i["name"] for i in found["items"]) == ["南京西路二片区", "南京西路片区"]
    assert found["total"] == 2

    first = await api.ok("GET", "/api/v1/areas?limit=2&sort=name")
    assert first["total"] == 5
    seen = [i["name"] for i in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = await api.ok("GET", f"/api/v1/areas?limit=2&sort=name&cursor={cursor}")
        seen += [i["name"] for i in page["items"]]
        cursor = page["next_cursor"]
    assert seen == sorted(seen)
    assert len(seen) == 5
