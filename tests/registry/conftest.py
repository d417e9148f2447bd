"""Helpers shared by the registry tests."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from coordinator.audit.models import AuditEntry
from coordinator.platform.db import Database
from coordinator.registry.codes import credit_check_char
from coordinator.registry.models import Building, Company, Contact, PartyBranch
from coordinator.registry.models import party_branch_buildings as coverage


def credit_code(n: int, prefix: str = "91310106MA1") -> str:
    """The n-th valid unified social credit code of a Shanghai Jing'an series."""
    first17 = f"{prefix}{n:06d}"
    return first17 + credit_check_char(first17)


async def problem(response: Any, status: int) -> dict[str, Any]:
    """The problem document of a response, after checking its status and media type."""
    body = await response.text()
    assert response.status == status, body
    assert response.content_type == "application/problem+json"
    document = await response.json(content_type="application/problem+json")
    assert document["status"] == status
    return document


def fields(document: dict[str, Any]) -> list[str]:
    return [error["field"] for error in document.get("errors", [])]


class Rows:
    """Counts of the registry's rows, to show that a refused request changed nothing."""

    def __init__(self, database: Database) -> None:
        self.database = database

    async def counts(self) -> dict[str, int]:
        counted = {}
        async with self.database.session() as session:
            for name, table in (
                ("buildings", Building.__table__),
                ("party_branches", PartyBranch.__table__),
                ("coverage", coverage),
                ("companies", Company.__table__),
                ("contacts", Contact.__table__),
                ("audit_log", AuditEntry.__table__),
            ):
                counted[name] = await session.scalar(select(func.count()).select_from(table))
        return counted


@pytest.fixture
def rows(database: Database) -> Rows:
    return Rows(database)


@pytest.fixture
def registry(api):  # type: ignore[no-untyped-def]
    """Shortcuts that create registry rows through the API."""
    return Registry(api)


class Registry:
    def __init__(self, api: Any) -> None:
        self.api = api
        self._n = 0

    def next(self) -> int:
        self._n += 1
        return self._n

    async def area(self, name: str = "华山居民区", kind: str = "residential") -> dict[str, Any]:
        return await self.api.ok("POST", "/api/v1/areas", 201, json={"name": name, "kind": kind})

    async def building(self, name: str | None = None, **values: Any) -> dict[str, Any]:
        body = {"name": name or f"楼宇{self.next()}", "address": "南京西路1000号", "kind": "office"}
        return await self.api.ok("POST", "/api/v1/buildings", 201, json=body | values)

    async def branch(self, name: str | None = None, **values: Any) -> dict[str, Any]:
        body = {"name": name or f"支部{self.next()}", "kind": "building_joint"}
        return await self.api.ok("POST", "/api/v1/party-branches", 201, json=body | values)

    async def company(self, name: str | None = None, **values: Any) -> dict[str, Any]:
        n = self.next()
        body: dict[str, Any] = {"name": name or f"企业{n}", "credit_code": credit_code(n)}
        if "building_id" not in values and "street_address" not in values:
            body["street_address"] = "陕西北路1号"
        return await self.api.ok("POST", "/api/v1/companies", 201, json=body | values)

    async def contact(self, company_id: str, **values: Any) -> dict[str, Any]:
        body = {"name": "王经理", "mobile": "13812345678"}
        return await self.api.ok(
            "POST", f"/api/v1/companies/{company_id}/contacts", 201, json=body | values
        )
