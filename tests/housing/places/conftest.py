"""Places, blocks and dwellings made through the API, for the tests of part A."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from coordinator.audit.models import AuditEntry


@dataclass
class Place:
    area_id: str
    compound_id: str
    building_id: str
    block_id: str


async def make_place(api, *, units: tuple[str, ...] = ("1", "2"), name: str = "") -> Place:  # type: ignore[no-untyped-def]
    """A residential area, a compound, a building and a block covering `units` of it."""
    suffix = name or uuid.uuid4().hex[:6]
    area = await api.ok(
        "POST", "/api/v1/areas", 201, json={"name": f"华山居民区{suffix}", "kind": "residential"}
    )
    compound = await api.ok(
        "POST", "/api/v1/compounds", 201, json={"area_id": area["id"], "name": "华山新村"}
    )
    building = await api.ok(
        "POST",
        "/api/v1/housing-buildings",
        201,
        json={"compound_id": compound["id"], "name": "12号", "floors": 6},
    )
    block = await api.ok(
        "POST", "/api/v1/blocks", 201, json={"area_id": area["id"], "name": "一块"}
    )
    await api.ok(
        "PUT",
        f"/api/v1/blocks/{block['id']}/units",
        json={"units": [{"building_id": building["id"], "unit": u} for u in units]},
    )
    return Place(area["id"], compound["id"], building["id"], block["id"])


def dwelling_body(place: Place, room: str = "502", unit: str = "1", **extra: Any) -> dict[str, Any]:
    return {
        "building_id": place.building_id,
        "unit": unit,
        "floor": int(room[:-2] or 1),
        "room": room,
        "occupants": 2,
        "contact_name": "王秀兰",
        "contact_phone": "13812345678",
    } | extra


async def audit_rows(database, entity_id: str, action: str | None = None) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    async with database.session() as session:
        stmt = select(AuditEntry).where(AuditEntry.entity_id == uuid.UUID(entity_id))
        if action is not None:
            stmt = stmt.where(AuditEntry.action == action)
        return list((await session.scalars(stmt.order_by(AuditEntry.id))).all())


# Real arq worker processes (and the SMTP server they mail through) for the rules' test.
from tests.workers.conftest import (  # noqa: E402, F401
    mail,
    redis_client,
    worker_env,
    workers,
)
