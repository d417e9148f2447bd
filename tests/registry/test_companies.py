import uuid

import pytest
from sqlalchemy import select, text

from coordinator.audit.models import AuditEntry
from coordinator.auth.models import Role
from tests.registry.conftest import credit_code, fields, problem

CODE = "91350100M000100Y43"


async def test_create_read_update_delete_company(api, registry):
    building = await registry.building("嘉里中心")
    branch = await registry.branch("嘉里中心联合党支部")
    body = {
        "name": "上海福民科技有限公司",
        "credit_code": CODE,
        "building_id": building["id"],
        "floor": "12",
        "unit": "1203",
        "industry": "软件和信息技术服务业",
        "headcount": 85,
        "status": "resuming",
        "party_branch_id": branch["id"],
    }
    created = await api.ok("POST", "/api/v1/companies", 201, json=body)
    assert {k: v for k, v in created.items() if k not in ("id", "created_at", "updated_at")} == (
        body | {"street_address": None}
    )
    company_id = created["id"]
    assert await api.ok("GET", f"/api/v1/companies/{company_id}") == created

    updated = await api.ok(
        "PATCH",
        f"/api/v1/companies/{company_id}",
        json={"status": "operating", "headcount": 90, "party_branch_id": None},
    )
    assert (updated["status"], updated["headcount"], updated["party_branch_id"]) == (
        "operating",
        90,
        None,
    )
    assert updated["credit_code"] == CODE

    await api.ok("DELETE", f"/api/v1/companies/{company_id}", 204)
    await problem(await api.get(f"/api/v1/companies/{company_id}"), 404)


async def test_street_shop_needs_no_building_and_status_defaults(api):
    created = await api.ok(
        "POST",
        "/api/v1/companies",
        201,
        json={"name": "老吉士酒家", "credit_code": credit_code(1), "street_address": "天平路41号"},
    )
    assert created["status"] == "operating"
    assert created["building_id"] is None
    assert created["street_address"] == "天平路41号"


async def test_lowercase_code_is_stored_in_capitals(api):
    created = await api.ok(
        "POST",
        "/api/v1/companies",
        201,
        json={"name": "小写公司", "credit_code": CODE.lower(), "street_address": "铜仁路1号"},
    )
    assert created["credit_code"] == CODE


def company(**change):
    body = {"name": "上海某公司", "credit_code": CODE, "street_address": "南京西路1号"}
    body.update(change)
    return {k: v for k, v in body.items() if v is not ...}


@pytest.mark.parametrize(
    ("body", "field", "zh"),
    [
        (company(credit_code="91350100M000100Y44"), "credit_code", "统一社会信用代码校验位不正确"),
        (company(credit_code="91350100M000100Y4"), "credit_code", "统一社会信用代码应为 18 位"),
        (company(credit_code="91350100M000100Y433"), "credit_code", "统一社会信用代码应为 18 位"),
        (
            company(credit_code="91350100M000100YO3"),
            "credit_code",
            "统一社会信用代码含有不允许的字符：O",
        ),
        (
            company(credit_code="9135010OM000100Y43"),
            "credit_code",
            "统一社会信用代码含有不允许的字符：O",
        ),
        (company(credit_code="X" * 31), "credit_code", "长度不能超过 30"),
        (company(credit_code=913501), "credit_code", "应为字符串"),
        (company(credit_code=...), "credit_code", "必填字段"),
        (company(name="公" * 201), "name", "长度不能超过 200"),
        (company(name=""), "name", "长度至少为 1"),
        (company(headcount="85"), "headcount", "应为整数"),
        (company(headcount=-1), "headcount", "应大于或等于 0"),
        (
            company(status="bankrupt"),
            "status",
            "应为以下之一：「operating」、「resuming」、「suspended」或「closed」",
        ),
        (company(floor="3"), "floor", "只有位于楼宇内的企业才填写楼层和单元"),
        (company(unit="301"), "unit", "只有位于楼宇内的企业才填写楼层和单元"),
        (company(floor="3" * 21), "floor", "长度不能超过 20"),
        (company(building_id=str(uuid.uuid4())), "building_id", "引用的楼宇不存在"),
        (company(party_branch_id=str(uuid.uuid4())), "party_branch_id", "引用的党支部不存在"),
        (company(party_branch_id="x"), "party_branch_id", "应为 UUID"),
        (company(website="https://example.com"), "website", "不允许的字段"),
    ],
)
async def test_bad_company_is_422_naming_the_field_and_writes_nothing(api, rows, body, field, zh):
    before = await rows.counts()
    document = await problem(await api.post("/api/v1/companies", json=body), 422)
    assert document["errors"] == [{"field": field, "message": zh}]
    assert await rows.counts() == before


async def test_company_without_building_or_street_address_is_422(api, rows):
    before = await rows.counts()
    body = {"name": "无处可寻公司", "credit_code": CODE}
    zh = await problem(await api.post("/api/v1/companies", json=body), 422)
    assert zh["errors"] == [
        {"field": "building_id", "message": "企业须填写所在楼宇或街面地址"},
        {"field": "street_address", "message": "企业须填写所在楼宇或街面地址"},
    ]
    en = await problem(
        await api.post("/api/v1/companies", json=body, headers={"Accept-Language": "en"}), 422
    )
    assert fields(en) == ["building_id", "street_address"]
    assert en["errors"][0]["message"] == "a company needs a building_id or a street_address"
    assert await rows.counts() == before


async def test_invalid_credit_code_in_english(api, rows):
    before = await rows.counts()
    document = await problem(
        await api.post(
            "/api/v1/companies",
            json=company(credit_code="91350100M000100Y44"),
            headers={"Accept-Language": "en-US,en;q=0.9"},
        ),
        422,
    )
    assert document["errors"] == [
        {
            "field": "credit_code",
            "message": "invalid credit code: the check character does not match",
        }
    ]
    assert await rows.counts() == before


async def test_duplicate_credit_code_is_409_naming_credit_code(api, registry, rows):
    first = await registry.company("先来公司", credit_code=CODE)
    before = await rows.counts()
    zh = await problem(
        await api.post("/api/v1/companies", json=company(name="后到公司", credit_code=CODE)), 409
    )
    assert zh["errors"] == [
        {"field": "credit_code", "message": "统一社会信用代码已被其他企业使用，不能重复"}
    ]
    assert zh["detail"] == "统一社会信用代码已被其他企业使用，不能重复"
    assert zh["constraint"] == "uq_companies_credit_code"
    en = await problem(
        await api.post(
            "/api/v1/companies",
            json=company(name="后到公司", credit_code=CODE.lower()),
            headers={"Accept-Language": "en"},
        ),
        409,
    )
    assert en["errors"] == [
        {
            "field": "credit_code",
            "message": "the credit code is already taken by another entry in companies",
        }
    ]
    assert en["title"] == "Conflict with the current state"
    assert await rows.counts() == before
    assert (await api.ok("GET", f"/api/v1/companies/{first['id']}"))["name"] == "先来公司"


async def test_changing_to_a_taken_credit_code_is_409(api, registry, rows):
    await registry.company(credit_code=credit_code(500))
    other = await registry.company(credit_code=credit_code(501))
    before = await rows.counts()
    document = await problem(
        await api.patch(f"/api/v1/companies/{other['id']}", json={"credit_code": credit_code(500)}),
        409,
    )
    assert fields(document) == ["credit_code"]
    assert await rows.counts() == before
    assert (await api.ok("GET", f"/api/v1/companies/{other['id']}"))["credit_code"] == credit_code(
        501
    )


async def test_patch_keeps_the_place_rules(api, registry, rows):
    building = await registry.building()
    in_building = await registry.company(building_id=building["id"], floor="5")
    shop = await registry.company(street_address="巨鹿路1号")
    before = await rows.counts()

    leaving = await problem(
        await api.patch(f"/api/v1/companies/{in_building['id']}", json={"building_id": None}), 422
    )
    assert fields(leaving) == ["building_id", "street_address"]
    floor_on_street = await problem(
        await api.patch(
            f"/api/v1/companies/{in_building['id']}",
            json={"building_id": None, "street_address": "巨鹿路2号"},
        ),
        422,
    )
    assert fields(floor_on_street) == ["floor"]
    shop_floor = await problem(
        await api.patch(f"/api/v1/companies/{shop['id']}", json={"unit": "A"}), 422
    )
    assert fields(shop_floor) == ["unit"]
    no_place = await problem(
        await api.patch(f"/api/v1/companies/{shop['id']}", json={"street_address": None}), 422
    )
    assert fields(no_place) == ["building_id", "street_address"]
    null_name = await problem(
        await api.patch(f"/api/v1/companies/{shop['id']}", json={"name": None, "status": None}),
        422,
    )
    assert fields(null_name) == ["name", "status"]
    assert await rows.counts() == before

    moved = await api.ok(
        "PATCH",
        f"/api/v1/companies/{in_building['id']}",
        json={"building_id": None, "floor": None, "street_address": "巨鹿路2号"},
    )
    assert (moved["building_id"], moved["floor"], moved["street_address"]) == (
        None,
        None,
        "巨鹿路2号",
    )
    moved_in = await api.ok(
        "PATCH",
        f"/api/v1/companies/{shop['id']}",
        json={"building_id": building["id"], "floor": "B1"},
    )
    assert (moved_in["building_id"], moved_in["floor"]) == (building["id"], "B1")


async def test_patch_to_missing_building_is_422(api, registry, rows):
    shop = await registry.company()
    before = await rows.counts()
    document = await problem(
        await api.patch(f"/api/v1/companies/{shop['id']}", json={"building_id": str(uuid.uuid4())}),
        422,
    )
    assert document["errors"] == [{"field": "building_id", "message": "引用的楼宇不存在"}]
    assert await rows.counts() == before


async def test_delete_company_takes_its_contacts_and_audits_them(api, registry, rows, database):
    doomed = await registry.company("将注销公司")
    kept = await registry.company("继续经营公司")
    first = await registry.contact(doomed["id"], name="张三")
    second = await registry.contact(doomed["id"], name="李四", mobile="13900001111")
    await registry.contact(kept["id"])
    before = await rows.counts()

    await api.ok("DELETE", f"/api/v1/companies/{doomed['id']}", 204)

    after = await rows.counts()
    assert after["companies"] == before["companies"] - 1
    assert after["contacts"] == before["contacts"] - 2
    assert after["audit_log"] == before["audit_log"] + 3
    await problem(await api.get(f"/api/v1/companies/{doomed['id']}/contacts/{first['id']}"), 404)
    async with database.session() as session:
        deletes = (
            await session.scalars(select(AuditEntry.entity_id).where(AuditEntry.action == "delete"))
        ).all()
    assert set(deletes) == {
        uuid.UUID(doomed["id"]),
        uuid.UUID(first["id"]),
        uuid.UUID(second["id"]),
    }
    assert (await api.ok("GET", f"/api/v1/companies/{kept['id']}/contacts"))["total"] == 1


async def test_delete_of_branch_with_companies_is_409(api, registry, rows):
    branch = await registry.branch("恒隆广场联合党支部")
    await registry.company(party_branch_id=branch["id"])
    before = await rows.counts()
    document = await problem(
        await api.delete(
            f"/api/v1/party-branches/{branch['id']}", headers={"Accept-Language": "en"}
        ),
        409,
    )
    assert document["detail"] == (
        "The party branch is still referenced and cannot be deleted: 1 companies"
    )
    assert document["referenced_by"] == [
        {"resource": "companies", "field": "party_branch_id", "count": 1}
    ]
    assert await rows.counts() == before


async def test_roles(api, registry):
    shop = await registry.company()
    assert (await api.get("/api/v1/companies", role=Role.viewer)).status == 200
    assert (await api.get(f"/api/v1/companies/{shop['id']}", role=Role.viewer)).status == 200
    await problem(await api.get("/api/v1/companies", role=None), 401)
    await problem(
        await api.post(
            "/api/v1/companies", role=Role.viewer, json=company(credit_code=credit_code(9))
        ),
        403,
    )
    await problem(
        await api.patch(f"/api/v1/companies/{shop['id']}", role=Role.viewer, json={}), 403
    )
    await problem(await api.delete(f"/api/v1/companies/{shop['id']}", role=Role.viewer), 403)
    await api.ok("DELETE", f"/api/v1/companies/{shop['id']}", 204, role=Role.coordinator)


async def test_filters(api, registry):
    jingan = await registry.area("静安寺片区", "block")
    kerry = await registry.building("嘉里中心", area_id=jingan["id"])
    plaza = await registry.building("越洋广场", area_id=jingan["id"])
    elsewhere = await registry.building("远方大厦")
    branch = await registry.branch()
    a = await registry.company(
        "甲软件公司", building_id=kerry["id"], industry="软件", party_branch_id=branch["id"]
    )
    b = await registry.company("乙咨询公司", building_id=plaza["id"], status="resuming")
    c = await registry.company("丙软件公司", building_id=elsewhere["id"], industry="软件")
    d = await registry.company("丁餐饮店", street_address="富民路1号", status="resuming")

    async def ids(query):
        page = await api.ok("GET", f"/api/v1/companies?{query}")
        assert page["total"] == len(page["items"])
        return {item["id"] for item in page["items"]}

    assert await ids(f"building_id={kerry['id']}") == {a["id"]}
    assert await ids(f"area_id={jingan['id']}") == {a["id"], b["id"]}
    assert await ids("status=resuming") == {b["id"], d["id"]}
    assert await ids(f"party_branch_id={branch['id']}") == {a["id"]}
    assert await ids("industry=软件") == {a["id"], c["id"]}
    assert await ids(f"area_id={jingan['id']}&status=resuming") == {b["id"]}
    assert await ids(f"building_id={uuid.uuid4()}") == set()
    assert await ids("") == {a["id"], b["id"], c["id"], d["id"]}


async def test_search_by_chinese_name_and_credit_code(api, registry):
    a = await registry.company("上海静安置业有限公司", credit_code=credit_code(123456))
    b = await registry.company("静安寺餐饮管理有限公司", credit_code=credit_code(654321))
    await registry.company("上海南京西路商贸有限公司", credit_code=credit_code(777))

    async def names(q):
        page = await api.ok("GET", f"/api/v1/companies?q={q}")
        return sorted(item["name"] for item in page["items"])

    assert await names("静安") == sorted([a["name"], b["name"]])
    assert await names("有限公司") == sorted(
        ["上海静安置业有限公司", "静安寺餐饮管理有限公司", "上海南京西路商贸有限公司"]
    )
    assert await names(credit_code(654321)[:17]) == [b["name"]]
    assert await names("ma1123456") == [a["name"]]
    assert await names("不存在") == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=bankrupt", "status"),
        ("building_id=1", "building_id"),
        ("area_id=x", "area_id"),
        ("sort=credit_code", "sort"),
        ("limit=abc", "limit"),
        ("industry=" + "业" * 101, "industry"),
        ("q=" + "字" * 101, "q"),
    ],
)
async def test_bad_list_parameters_are_422_naming_them(api, query, field):
    document = await problem(await api.get(f"/api/v1/companies?{query}"), 422)
    assert fields(document) == [field]


async def test_companies_of_a_building_page_without_gaps_or_repeats(api, registry):
    building = await registry.building("静安嘉里中心")
    other = await registry.building("其他大厦")
    for n in range(11):
        await registry.company(f"企业{n % 4}", building_id=building["id"])  # repeated names
    await registry.company("别处企业", building_id=other["id"])

    seen = []
    cursor = None
    pages = 0
    while True:
        suffix = f"&cursor={cursor}" if cursor else ""
        page = await api.ok(
            "GET", f"/api/v1/companies?building_id={building['id']}&limit=4{suffix}"
        )
        assert page["total"] == 11
        seen += page["items"]
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert pages == 3
    assert len({item["id"] for item in seen}) == 11
    keys = [(item["name"], item["id"]) for item in seen]
    assert keys == sorted(keys)
    assert {item["building_id"] for item in seen} == {building["id"]}

    newest_first = await api.ok(
        "GET", f"/api/v1/companies?building_id={building['id']}&sort=-created_at&limit=200"
    )
    assert {item["id"] for item in newest_first["items"]} == {item["id"] for item in seen}


async def test_listing_a_buildings_companies_takes_one_indexed_query(api, database):
    """The benchmarked list: a count and a page in one statement, both served by
    ix_companies_building_name."""
    async with database.sessionmaker.begin() as session:
        # A subdistrict's worth: 100 buildings, 10,000 companies, statistics up to date.
        await session.execute(
            text(
                "INSERT INTO buildings (id, name, address, kind) "
                "SELECT gen_random_uuid(), '楼宇' || i, '地址', 'office' "
                "FROM generate_series(1, 100) AS i"
            )
        )
        await session.execute(
            text(
                "INSERT INTO companies (id, name, credit_code, building_id, status) "
                "SELECT gen_random_uuid(), '企业' || i, lpad(i::text, 18, '0'), "
                "(b.ids)[1 + i % 100], 'operating' "
                "FROM generate_series(1, 10000) AS i, "
                "(SELECT array_agg(id) AS ids FROM buildings) AS b"
            )
        )
        await session.execute(text("ANALYZE buildings, companies"))
        building_id = await session.scalar(text("SELECT id FROM buildings WHERE name = '楼宇7'"))

    # Every statement on the test's one connection, as asyncpg sends it.
    async with database.session() as session:
        driver = (await (await session.connection()).get_raw_connection()).driver_connection
    statements: list[tuple[str, tuple[object, ...]]] = []

    def remember(query):  # type: ignore[no-untyped-def]
        if query.query.startswith("SELECT") and "api_tokens" not in query.query:
            statements.append((query.query, query.args))

    driver.add_query_logger(remember)
    try:
        page = await api.ok("GET", f"/api/v1/companies?building_id={building_id}&limit=50")
    finally:
        driver.remove_query_logger(remember)
    assert page["total"] == 100
    assert len(page["items"]) == 50
    assert len(statements) == 1, statements  # the count rides along with the page

    for statement, parameters in statements:
        plan = "\n".join(row[0] for row in await driver.fetch("EXPLAIN " + statement, *parameters))
        assert "ix_companies_building_name" in plan, plan
        assert "Seq Scan" not in plan, plan
