"""Pages rendered by PostgreSQL (platform.listing) are the bytes json.dumps made of the same
page of pydantic models (paginate), awkward values included; reads refuse writes."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select

from coordinator.platform.db import Database
from coordinator.platform.settings import Settings
from coordinator.registry.companies import service
from coordinator.registry.models import Area, Building, Company, CompanyStatus
from coordinator.registry.schemas import CompanyOut, CompanyQuery
from coordinator.web.api import json_response
from coordinator.platform.cursor import encode
from coordinator.web.listing import paginate

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
        async with database.session() as session:
            got = json_response(await service.list_companies(session=session, query=query)).text
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
        got = json_response(await service.list_companies(session=session, query=query)).text
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
