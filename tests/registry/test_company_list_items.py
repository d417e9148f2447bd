"""The company list reads each item as the company row keeps it (list_item, written by
the database on every insert and update): it must be exactly what the list would render
itself, after every kind of write, and the fresh list must show every write at once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select, text, update

from coordinator.platform.db import Database
from coordinator.registry.companies.service import COMPANIES
from coordinator.registry.models import Company, CompanyStatus
from tests.registry.conftest import credit_code

FRESH = {"Cache-Control": "no-cache"}


async def stale_items(database: Database) -> list[str]:
    """Companies whose kept item differs from the rendering of their row as it is now."""
    async with database.session() as session:
        rows = await session.scalars(
            select(Company.name).where(Company.list_item.is_distinct_from(COMPANIES.rendered()))
        )
        return list(rows)


async def listed(api: Any, query: str = "") -> list[dict[str, Any]]:
    page = await api.ok("GET", f"/api/v1/companies?limit=100{query}", headers=FRESH)
    return page["items"]


async def test_kept_items_are_the_rendering_after_every_kind_of_write(api, registry, database):
    building = await registry.building("会德丰广场")
    branch = await registry.branch()
    odd = await registry.company(
        'A "quoted" \\ back\tslash 企业',
        building_id=building["id"],
        floor="B1",
        unit="01",
        industry="餐饮",
        headcount=0,
        status="suspended",
        party_branch_id=branch["id"],
    )
    await registry.company("街面小店")  # nulls: no building, floor, unit, industry
    async with database.sessionmaker.begin() as session:
        # Core writes, bypassing the ORM: a bulk insert with a time on the second, and an
        # update of a column the ORM never set.
        await session.execute(
            insert(Company),
            [
                {
                    "name": "整秒企业",
                    "credit_code": credit_code(900),
                    "street_address": "南京西路1号",
                    "status": CompanyStatus.operating,
                    "created_at": datetime(2024, 5, 1, 8, 0, 0, tzinfo=UTC),
                    "updated_at": datetime(2024, 5, 1, 8, 0, 0, 120000, tzinfo=UTC),
                }
            ],
        )
        await session.execute(
            update(Company).where(Company.name == "街面小店").values(headcount=7, unit=None)
        )
    await api.ok("PATCH", f"/api/v1/companies/{odd['id']}", json={"name": "改名后", "floor": None})
    assert await stale_items(database) == []

    items = {item["name"]: item for item in await listed(api)}
    assert set(items) == {"改名后", "街面小店", "整秒企业"}
    assert items["改名后"] == await api.ok("GET", f"/api/v1/companies/{odd['id']}")
    assert items["改名后"]["floor"] is None
    assert items["街面小店"]["headcount"] == 7
    assert items["整秒企业"]["created_at"] == "2024-05-01T08:00:00Z"
    assert items["整秒企业"]["updated_at"] == "2024-05-01T08:00:00.120000Z"


async def test_fresh_list_follows_writes_to_companies_and_their_buildings(api, registry):
    north, south = await registry.area("北片"), await registry.area("南片")
    tower = await registry.building("越洋广场", area_id=north["id"])
    company = await registry.company("越洋科技", building_id=tower["id"])
    assert [c["name"] for c in await listed(api, f"&area_id={north['id']}")] == ["越洋科技"]

    # The building moves to another area: the area filter reads the building as it is now.
    await api.ok("PATCH", f"/api/v1/buildings/{tower['id']}", json={"area_id": south["id"]})
    assert await listed(api, f"&area_id={north['id']}") == []
    assert [c["name"] for c in await listed(api, f"&area_id={south['id']}")] == ["越洋科技"]

    # Renaming the building changes nothing the item shows; the item is still the company.
    await api.ok("PATCH", f"/api/v1/buildings/{tower['id']}", json={"name": "越洋广场二期"})
    assert await listed(api, f"&building_id={tower['id']}") == [
        await api.ok("GET", f"/api/v1/companies/{company['id']}")
    ]

    # The company's own changes show at once, sorted and searched by their new values.
    patched = await api.ok(
        "PATCH",
        f"/api/v1/companies/{company['id']}",
        json={"name": "嘉里科技", "status": "resuming"},
    )
    assert await listed(api, "&q=嘉里") == [patched]
    assert await listed(api, "&q=越洋") == []
    assert await listed(api, "&status=resuming") == [patched]

    await api.ok("DELETE", f"/api/v1/companies/{company['id']}", 204)
    assert await listed(api) == []


async def test_migration_filled_every_existing_row(database):
    """No company is ever without its item (the column is NOT NULL and the trigger fills it)."""
    async with database.session() as session:
        missing = await session.scalar(
            select(func.count()).select_from(Company).where(Company.list_item.is_(None))
        )
        trigger = await session.scalar(
            text("SELECT count(*) FROM pg_trigger WHERE tgname = 'companies_list_item'")
        )
    assert (missing, trigger) == (0, 1)
