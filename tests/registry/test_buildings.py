import uuid

import pytest
from sqlalchemy import select

from coordinator.audit.models import AuditEntry
from coordinator.auth.models import Role
from tests.registry.conftest import fields, problem

BODY = {
    "name": "嘉里中心",
    "address": "南京西路1515号",
    "kind": "office",
    "floors": 45,
    "property_manager_name": "嘉里物业",
    "property_manager_phone": "021-62581234",
    "latitude": 31.224361,
    "longitude": 121.445587,
}


async def test_create_read_update_delete_building(api, registry):
    area = await registry.area("静安寺片区", "block")
    created = await api.ok("POST", "/api/v1/buildings", 201, json=BODY | {"area_id": area["id"]})
    assert {k: v for k, v in created.items() if k not in ("id", "created_at", "updated_at")} == (
        BODY | {"area_id": area["id"]}
    )
    building_id = created["id"]

    assert await api.ok("GET", f"/api/v1/buildings/{building_id}") == created

    updated = await api.ok(
        "PATCH", f"/api/v1/buildings/{building_id}", json={"floors": 46, "area_id": None}
    )
    assert updated["floors"] == 46
    assert updated["area_id"] is None
    assert updated["name"] == "嘉里中心"
    assert updated["updated_at"] >= created["updated_at"]

    await api.ok("DELETE", f"/api/v1/buildings/{building_id}", 204)
    await problem(await api.get(f"/api/v1/buildings/{building_id}"), 404)


async def test_create_answers_location_and_is_audited(api, database):
    response = await api.post("/api/v1/buildings", json=BODY)
    assert response.status == 201
    body = await response.json()
    assert response.headers["Location"] == f"/api/v1/buildings/{body['id']}"
    async with database.session() as session:
        entry = await session.scalar(
            select(AuditEntry).where(AuditEntry.entity_id == uuid.UUID(body["id"]))
        )
    assert entry is not None
    assert (entry.action, entry.entity_type, entry.actor_name) == (
        "create",
        "building",
        "test admin",
    )
    assert entry.after is not None and entry.after["name"] == "嘉里中心"


async def test_update_and_delete_are_audited(api, registry, database):
    building = await registry.building("中信泰富广场")
    await api.ok("PATCH", f"/api/v1/buildings/{building['id']}", json={"floors": 38})
    await api.ok("DELETE", f"/api/v1/buildings/{building['id']}", 204)
    async with database.session() as session:
        entries = (
            await session.scalars(
                select(AuditEntry)
                .where(AuditEntry.entity_id == uuid.UUID(building["id"]))
                .order_by(AuditEntry.id)
            )
        ).all()
    assert [e.action for e in entries] == ["create", "update", "delete"]
    assert entries[1].before is not None and entries[1].before["floors"] is None
    assert entries[1].after is not None and entries[1].after["floors"] == 38
    assert entries[2].before is not None and entries[2].before["name"] == "中信泰富广场"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"floors": "12"}, "floors"),
        ({"floors": 12.5}, "floors"),
        ({"floors": 0}, "floors"),
        ({"floors": 201}, "floors"),
        ({"kind": "castle"}, "kind"),
        ({"name": ""}, "name"),
        ({"name": "楼" * 101}, "name"),
        ({"address": "路" * 201}, "address"),
        ({"property_manager_phone": "12345"}, "property_manager_phone"),
        ({"latitude": "31.2", "longitude": 121.4}, "latitude"),
        ({"latitude": 91, "longitude": 121.4}, "latitude"),
        ({"latitude": 31.2, "longitude": -181}, "longitude"),
        ({"latitude": 31.1234567, "longitude": 121.4}, "latitude"),
        ({"latitude": 31.2}, "longitude"),
        ({"longitude": 121.4}, "latitude"),
        ({"area_id": "not-a-uuid"}, "area_id"),
        ({"area_id": str(uuid.uuid4())}, "area_id"),
        ({"owner": "someone"}, "owner"),
    ],
)
async def test_bad_building_is_422_naming_the_field_and_writes_nothing(api, rows, change, field):
    before = await rows.counts()
    body = {"name": "静安嘉里中心", "address": "南京西路1515号", "kind": "office"} | change
    document = await problem(await api.post("/api/v1/buildings", json=body), 422)
    assert fields(document) == [field]
    assert await rows.counts() == before


async def test_missing_required_fields_are_each_named(api, rows):
    before = await rows.counts()
    document = await problem(await api.post("/api/v1/buildings", json={}), 422)
    assert sorted(fields(document)) == ["address", "kind", "name"]
    assert await rows.counts() == before


async def test_missing_area_names_area_id_in_both_languages(api, rows):
    body = BODY | {"area_id": str(uuid.uuid4())}
    zh = await problem(await api.post("/api/v1/buildings", json=body), 422)
    assert zh["errors"] == [{"field": "area_id", "message": "引用的片区不存在"}]
    en = await problem(
        await api.post("/api/v1/buildings", json=body, headers={"Accept-Language": "en"}), 422
    )
    assert en["errors"] == [{"field": "area_id", "message": "the referenced area does not exist"}]
    assert en["title"] == "Invalid input"


async def test_coordinates_must_go_together_on_patch(api, registry, rows):
    building = await registry.building(latitude=31.2, longitude=121.4)
    before = await rows.counts()
    document = await problem(
        await api.patch(f"/api/v1/buildings/{building['id']}", json={"latitude": None}), 422
    )
    assert document["errors"] == [{"field": "latitude", "message": "经纬度须同时填写或同时留空"}]
    assert await rows.counts() == before
    cleared = await api.ok(
        "PATCH", f"/api/v1/buildings/{building['id']}", json={"latitude": None, "longitude": None}
    )
    assert (cleared["latitude"], cleared["longitude"]) == (None, None)


async def test_patch_cannot_null_a_required_field(api, registry):
    building = await registry.building("兴业太古汇")
    document = await problem(
        await api.patch(f"/api/v1/buildings/{building['id']}", json={"name": None}), 422
    )
    assert document["errors"] == [{"field": "name", "message": "不能为空"}]
    assert (await api.ok("GET", f"/api/v1/buildings/{building['id']}"))["name"] == "兴业太古汇"


async def test_patch_with_unknown_field_changes_nothing(api, registry):
    building = await registry.building("越洋广场", floors=30)
    document = await problem(
        await api.patch(f"/api/v1/buildings/{building['id']}", json={"floors": 31, "x": 1}), 422
    )
    assert fields(document) == ["x"]
    assert (await api.ok("GET", f"/api/v1/buildings/{building['id']}"))["floors"] == 30


async def test_malformed_json_is_400(api, rows):
    before = await rows.counts()
    response = await api.client.post(
        "/api/v1/buildings",
        data=b'{"name": ',
        headers=api.headers() | {"Content-Type": "application/json"},
    )
    await problem(response, 400)
    assert await rows.counts() == before


async def test_duplicate_name_is_409_naming_name(api, registry, rows):
    await registry.building("恒隆广场")
    before = await rows.counts()
    document = await problem(
        await api.post("/api/v1/buildings", json=BODY | {"name": "恒隆广场"}), 409
    )
    assert document["errors"] == [{"field": "name", "message": "名称已被其他楼宇使用，不能重复"}]
    assert document["constraint"] == "uq_buildings_name"
    assert await rows.counts() == before


async def test_renaming_to_a_taken_name_is_409(api, registry):
    await registry.building("梅龙镇广场")
    other = await registry.building("久光百货")
    document = await problem(
        await api.patch(
            f"/api/v1/buildings/{other['id']}",
            json={"name": "梅龙镇广场"},
            headers={"Accept-Language": "en"},
        ),
        409,
    )
    assert document["errors"] == [
        {"field": "name", "message": "the name is already taken by another entry in buildings"}
    ]
    assert (await api.ok("GET", f"/api/v1/buildings/{other['id']}"))["name"] == "久光百货"


async def test_delete_of_building_with_companies_and_coverage_is_409(api, registry, rows):
    building = await registry.building("静安国际广场")
    await registry.company(building_id=building["id"])
    await registry.company(building_id=building["id"])
    await registry.branch(building_ids=[building["id"]])
    before = await rows.counts()

    zh = await problem(await api.delete(f"/api/v1/buildings/{building['id']}"), 409)
    assert zh["detail"] == "楼宇仍被引用，不能删除：企业（2）、党支部覆盖的楼宇（1）"
    assert sorted(zh["referenced_by"], key=lambda r: r["resource"]) == [
        {"resource": "companies", "field": "building_id", "count": 2},
        {"resource": "party-branch-buildings", "field": "building_id", "count": 1},
    ]
    en = await problem(
        await api.delete(f"/api/v1/buildings/{building['id']}", headers={"Accept-Language": "en"}),
        409,
    )
    assert en["detail"] == (
        "The building is still referenced and cannot be deleted: "
        "2 companies, 1 party branch coverage"
    )
    assert await rows.counts() == before


async def test_delete_of_area_with_buildings_is_409(api, registry, rows):
    area = await registry.area()
    await registry.building(area_id=area["id"])
    before = await rows.counts()
    document = await problem(await api.delete(f"/api/v1/areas/{area['id']}"), 409)
    assert document["detail"] == "片区仍被引用，不能删除：楼宇（1）"
    assert await rows.counts() == before


async def test_unknown_or_malformed_id_is_404(api):
    await problem(await api.get(f"/api/v1/buildings/{uuid.uuid4()}"), 404)
    await problem(await api.get("/api/v1/buildings/12"), 404)
    await problem(await api.patch(f"/api/v1/buildings/{uuid.uuid4()}", json={"floors": 3}), 404)
    await problem(await api.delete(f"/api/v1/buildings/{uuid.uuid4()}"), 404)


async def test_roles(api, registry):
    building = await registry.building()
    assert (await api.get("/api/v1/buildings", role=Role.viewer)).status == 200
    assert (await api.get(f"/api/v1/buildings/{building['id']}", role=Role.viewer)).status == 200
    await problem(await api.get("/api/v1/buildings", role=None), 401)
    await problem(await api.post("/api/v1/buildings", role=Role.viewer, json=BODY), 403)
    await problem(
        await api.patch(f"/api/v1/buildings/{building['id']}", role=Role.viewer, json={}), 403
    )
    await problem(await api.delete(f"/api/v1/buildings/{building['id']}", role=Role.viewer), 403)
    await api.ok("POST", "/api/v1/buildings", 201, role=Role.coordinator, json=BODY)


async def test_filters_and_chinese_search(api, registry):
    jingan = await registry.area("静安寺片区", "block")
    nanjing = await registry.area("南京西路片区", "block")
    await registry.building("会德丰国际广场", address="南京西路1717号", area_id=nanjing["id"])
    await registry.building("久光中心", address="南京西路1618号", area_id=jingan["id"])
    await registry.building("静安府", address="华山路2号", kind="residential", area_id=jingan["id"])
    await registry.building("华山大楼", address="延安中路1号", kind="mixed")

    def names(page):
        return [item["name"] for item in page["items"]]

    in_jingan = await api.ok("GET", f"/api/v1/buildings?area_id={jingan['id']}")
    assert sorted(names(in_jingan)) == ["久光中心", "静安府"]
    assert in_jingan["total"] == 2
    residential = await api.ok("GET", "/api/v1/buildings?kind=residential")
    assert names(residential) == ["静安府"]
    on_nanjing_road = await api.ok("GET", "/api/v1/buildings?q=南京西路")
    assert sorted(names(on_nanjing_road)) == ["久光中心", "会德丰国际广场"]
    huashan = await api.ok("GET", "/api/v1/buildings?q=华山")
    assert sorted(names(huashan)) == ["华山大楼", "静安府"]
    both = await api.ok("GET", f"/api/v1/buildings?area_id={jingan['id']}&kind=office")
    assert names(both) == ["久光中心"]
    percent = await api.ok("GET", "/api/v1/buildings?q=%25")
    assert percent["items"] == [] and percent["total"] == 0


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("kind=castle", "kind"),
        ("area_id=12", "area_id"),
        ("sort=floors", "sort"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("cursor=garbage", "cursor"),
        ("colour=red", "colour"),
    ],
)
async def test_bad_list_parameters_are_422_naming_them(api, registry, query, field):
    await registry.building()
    document = await problem(await api.get(f"/api/v1/buildings?{query}"), 422)
    assert fields(document) == [field]


@pytest.mark.parametrize("sort", ["name", "-name", "created_at", "-created_at", "-updated_at"])
async def test_pages_cover_every_building_once_in_order(api, registry, sort):
    for n in range(7):
        await registry.building(f"楼宇{n:02d}")
    everything = await api.ok("GET", f"/api/v1/buildings?sort={sort}&limit=200")
    assert everything["total"] == 7 and everything["next_cursor"] is None
    seen = []
    cursor = None
    pages = 0
    while True:
        suffix = f"&cursor={cursor}" if cursor else ""
        page = await api.ok("GET", f"/api/v1/buildings?sort={sort}&limit=3{suffix}")
        assert page["total"] == 7
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert pages == 3
    assert seen == [item["id"] for item in everything["items"]]
    assert len(set(seen)) == 7
    if sort.endswith("name"):
        names = [item["name"] for item in everything["items"]]
        assert names == sorted(names, reverse=sort.startswith("-"))


async def test_cursor_of_another_sort_is_refused(api, registry):
    for _ in range(3):
        await registry.building()
    page = await api.ok("GET", "/api/v1/buildings?sort=name&limit=1")
    document = await problem(
        await api.get(f"/api/v1/buildings?sort=-name&limit=1&cursor={page['next_cursor']}"), 422
    )
    assert fields(document) == ["cursor"]


async def test_patch_to_missing_area_is_422_and_changes_nothing(api, registry, rows):
    area = await registry.area()
    building = await registry.building(area_id=area["id"])
    before = await rows.counts()
    document = await problem(
        await api.patch(f"/api/v1/buildings/{building['id']}", json={"area_id": str(uuid.uuid4())}),
        422,
    )
    assert document["errors"] == [{"field": "area_id", "message": "引用的片区不存在"}]
    assert await rows.counts() == before
    assert await api.ok("GET", f"/api/v1/buildings/{building['id']}") == building
