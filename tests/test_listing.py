"""Pages rendered by PostgreSQL (platform.listing) are the bytes json.dumps made of the same
page of pydantic models (paginate), awkward values included; reads refuse writes."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select

from coordinator.platform.cursor import encode
from coordinator.platform.db import Database
from coordinator.platform.settings import Settings
from coordinator.registry.companies import service
from coordinator.registry.models import Area, Building, Company, CompanyStatus
from coordinator.registry.schemas import CompanyOut, CompanyQuery
from coordinator.web.api import json_response
from tests.paginated import paginate
from tests.registry.conftest import credit_code

AWKWARD_NAMES = [
    '引号"和\\反斜杠',
    "换行\n制表\t回车\r",
    "控制\x01\x1f字符",
    "emoji 🏢 and 𠀀",
    "</script>&'",
    "plain",
]


async def seed(database: Database) -> uuid.UUID:
    area_id, building_id = uuid.uuid4(), uuid.uuid4()
    rows = []
    for n, name in enumerate(AWKWARD_NAMES * 4):
        stamp = datetime(2024, 1 + n % 12, 1 + n % 28, 8, n % 60, n % 60, (n % 3) * 120_000, UTC)
        rows.append(
            {
                "id": uuid.uuid4(),
                "name": f"{name}{n:02d}",
                "credit_code": f"91310106{n:09d}X",
                "building_id": building_id,
                "floor": None if n % 2 else str(n),
                "unit": None if n % 3 else f"{n}室",
                "industry": None if n % 4 else "零售",
                "headcount": None if n % 5 else n * 7,
                "status": [CompanyStatus.operating, CompanyStatus.closed][n % 2],
                "created_at": stamp,
                "updated_at": stamp.replace(microsecond=0) if n % 2 else stamp,
            }
        )
    async with database.sessionmaker.begin() as session:
        await session.execute(insert(Area), [{"id": area_id, "name": "片区", "kind": "block"}])
        await session.execute(
            insert(Building),
            [
                {
                    "id": building_id,
                    "name": "大厦",
                    "address": "路",
                    "area_id": area_id,
                    "kind": "office",
                }
            ],
        )
        await session.execute(insert(Company), rows)
    return building_id


async def pydantic_page(database: Database, query: CompanyQuery) -> str:
    stmt = select(Company).where(Company.building_id == query.building_id)
    if query.status:
        stmt = stmt.where(Company.status == query.status)
    async with database.session() as session:
        page = await paginate(
            session,
            stmt,
            query=query,
            id_column=Company.id,
            sortable=service.COMPANIES.sorts,
            default_sort="name",
            serialize=CompanyOut.model_validate,
        )
    return json_response(page).text or ""


@pytest.mark.parametrize("sort", ["name", "-name", "created_at", "-updated_at"])
@pytest.mark.parametrize("status", [None, CompanyStatus.closed])
async def test_postgres_rendered_pages_are_the_bytes_of_pydantic_pages(
    database: Database, sort: str, status: CompanyStatus | None
) -> None:
    building_id = await seed(database)
    query = CompanyQuery(building_id=building_id, limit=7, sort=sort, status=status)
    pages = 0
    while True:
        expected = await pydantic_page(database, query)
        got = json_response(await service.list_companies(database=database, query=query)).text
        assert got == expected
        pages += 1
        cursor = json.loads(expected)["next_cursor"]
        if cursor is None:
            break
        query = query.model_copy(update={"cursor": cursor})
    assert pages == (4 if status is None else 2)


async def test_a_page_past_the_last_row_is_empty_and_still_counts_the_total(
    database: Database,
) -> None:
    building_id = await seed(database)
    async with database.session() as session:
        last = (
            await session.execute(
                select(Company.name, Company.id)
                .where(Company.building_id == building_id)
                .order_by(Company.name.desc(), Company.id.desc())
                .limit(1)
            )
        ).one()
    query = CompanyQuery(building_id=building_id, cursor=encode("name", *last))
    got = json_response(await service.list_companies(database=database, query=query)).text
    assert got == '{"items": [], "next_cursor": null, "total": 24}'
    assert got == await pydantic_page(database, query)


async def test_read_sessions_refuse_writes(settings: Settings) -> None:
    database = Database.from_url(settings.async_database_url)
    try:
        with pytest.raises(RuntimeError, match="for reading"):
            async with database.session() as session:
                session.add(Area(name="不该写入", kind="block"))
                await session.flush()
    finally:
        await database.dispose()


async def test_every_list_shows_each_item_as_reading_it_does(api) -> None:  # type: ignore[no-untyped-def]
    """Items rendered by PostgreSQL — times, numbers, arrays, nested lists, nulls — are the
    JSON the item's own route gives, in every list of the registry and of people."""
    area = await api.ok("POST", "/api/v1/areas", 201, json={"name": '片区"甲"', "kind": "block"})
    building = await api.ok(
        "POST",
        "/api/v1/buildings",
        201,
        json={
            "name": "大厦\\一",
            "address": "南京西路 1 号",
            "area_id": area["id"],
            "kind": "office",
            "latitude": 31.0,
            "longitude": 121.456789,
        },
    )
    bare = await api.ok(
        "POST", "/api/v1/buildings", 201, json={"name": "平房", "address": "路", "kind": "mixed"}
    )
    branch = await api.ok(
        "POST",
        "/api/v1/party-branches",
        201,
        json={
            "name": "联合党支部",
            "kind": "building_joint",
            "building_ids": [bare["id"], building["id"]],
        },
    )
    company = await api.ok(
        "POST",
        "/api/v1/companies",
        201,
        json={
            "name": "福民科技",
            "credit_code": credit_code(1),
            "building_id": building["id"],
            "party_branch_id": branch["id"],
        },
    )
    contact = await api.ok(
        "POST",
        f"/api/v1/companies/{company['id']}/contacts",
        201,
        json={"name": "王芳", "mobile": "13800138000", "channels": ["sms", "email"]},
    )
    lead = await api.ok(
        "POST", "/api/v1/people", 201, json={"name": '李"四', "skills": ["急救", "摄影"]}
    )
    member = await api.ok("POST", "/api/v1/people", 201, json={"name": "张三"})
    team = await api.ok(
        "POST",
        "/api/v1/teams",
        201,
        json={
            "name": "联络组",
            "kind": "liaison",
            "lead_id": lead["id"],
            "members": [{"person_id": member["id"], "role": "deputy"}],
        },
    )
    reads = {
        "/api/v1/areas": [area],
        "/api/v1/buildings": [building, bare],
        "/api/v1/party-branches": [branch],
        "/api/v1/companies": [company],
        f"/api/v1/companies/{company['id']}/contacts": [contact],
        "/api/v1/people": [lead, member],
        "/api/v1/teams": [team],
    }
    for path, created in reads.items():
        page = await api.ok("GET", path + "?sort=created_at")
        assert page["total"] == len(created), path
        for item, made in zip(page["items"], created, strict=True):
            again = await api.ok("GET", f"{path}/{made['id']}")
            assert item == again, path
    assert branch["building_ids"] == sorted([bare["id"], building["id"]])
    assert [m["name"] for m in team["members"]] == ['李"四', "张三"]
    members = await api.ok("GET", f"/api/v1/teams/{team['id']}/members?sort=role")
    for item in members["items"]:
        assert item == await api.ok(
            "GET", f"/api/v1/teams/{team['id']}/members/{item['person_id']}"
        )
    assert [m["role"] for m in members["items"]] == ["lead", "deputy"]


async def test_a_list_refuses_an_undeclared_sort_and_a_foreign_cursor(api) -> None:  # type: ignore[no-untyped-def]
    refused = await api.request("GET", "/api/v1/companies?sort=credit_code")
    assert refused.status == 422
    assert [e["field"] for e in (await refused.json(content_type=None))["errors"]] == ["sort"]
    cursor = encode("name", "甲", uuid.uuid4())
    foreign = await api.request("GET", f"/api/v1/companies?sort=created_at&cursor={cursor}")
    assert foreign.status == 422
    assert [e["field"] for e in (await foreign.json(content_type=None))["errors"]] == ["cursor"]
