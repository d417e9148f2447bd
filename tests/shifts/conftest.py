"""Helpers for shift tests: people, posts and shifts made through the API or the database."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select

from coordinator.events.models import OutboxEvent
from coordinator.people.models import Person
from coordinator.platform.db import Database, utcnow
from coordinator.registry.codes import credit_check_char


def iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def hours_from_now(hours: float) -> datetime:
    return (utcnow() + timedelta(hours=hours)).replace(microsecond=0)


async def make_people(
    database: Database, count: int, *, skills: list[str] | None = None, prefix: str = "志愿者"
) -> list[uuid.UUID]:
    """People made straight in the database (fast, for the crowd in concurrency tests)."""
    ids = [uuid.uuid4() for _ in range(count)]
    async with database.sessionmaker.begin() as session:
        await session.execute(
            insert(Person),
            [
                {
                    "id": pid,
                    "name": f"{prefix}{i:03d}",
                    "email": f"v{i}.{pid.hex[:6]}@example.test",
                    "skills": skills or [],
                }
                for i, pid in enumerate(ids)
            ],
        )
    return ids


async def events(database: Database, kind: str) -> list[OutboxEvent]:
    async with database.session() as session:
        rows = await session.scalars(
            select(OutboxEvent).where(OutboxEvent.type == kind).order_by(OutboxEvent.seq)
        )
        return list(rows.all())


@dataclass
class World:
    api: Any
    database: Database

    async def post(self, **fields: Any) -> dict[str, Any]:
        body = {"name": "华山路 100 弄 门岗", "address": "华山路 100 弄", **fields}
        return await self.api.ok("POST", "/api/v1/posts", 201, json=body)

    async def shift(
        self, post_id: str, start: datetime, end: datetime, *, max_people: int = 2, **fields: Any
    ) -> dict[str, Any]:
        body = {
            "post_id": post_id,
            "starts_at": iso(start),
            "ends_at": iso(end),
            "min_people": fields.pop("min_people", 1),
            "max_people": max_people,
            **fields,
        }
        return await self.api.ok("POST", "/api/v1/shifts", 201, json=body)

    async def person(self, name: str, **fields: Any) -> dict[str, Any]:
        body = {"name": name, "email": f"{uuid.uuid4().hex[:8]}@example.test", **fields}
        return await self.api.ok("POST", "/api/v1/people", 201, json=body)

    async def company(self, name: str) -> dict[str, Any]:
        first17 = f"91310106{uuid.uuid4().int % 10**9:09d}"
        body = {
            "name": name,
            "credit_code": first17 + credit_check_char(first17),
            "street_address": "南京西路 1 号",
        }
        return await self.api.ok("POST", "/api/v1/companies", 201, json=body)

    async def sign_up(self, shift_id: str, person_id: str, status: int = 201) -> Any:
        return await self.api.ok(
            "POST", f"/api/v1/shifts/{shift_id}/signups", status, json={"person_id": person_id}
        )

    async def signups(self, shift_id: str) -> list[dict[str, Any]]:
        body = await self.api.ok("GET", f"/api/v1/shifts/{shift_id}/signups")
        return list(body["items"])


@pytest.fixture
def world(api, database) -> World:  # type: ignore[no-untyped-def]
    return World(api=api, database=database)


@pytest.fixture
def committed_world(committed_api, committed_database) -> World:  # type: ignore[no-untyped-def]
    return World(api=committed_api, database=committed_database)


# Real SMTP and arq worker processes for the notification tests.
from tests.workers.conftest import (  # noqa: E402, F401
    mail,
    redis_client,
    worker_env,
    workers,
)
