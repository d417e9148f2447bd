"""Rules of areas (居民区/片区)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.writes import apply_update, audit_created, delete_row
from coordinator.auth.service import Principal
from coordinator.platform.db import Database
from coordinator.platform.listing import JsonBody, Listing
from coordinator.platform.resources import get_or_404, patch_values
from coordinator.registry.models import AREA, Area
from coordinator.registry.schemas import AreaIn, AreaOut, AreaPatch, AreaQuery

AREAS = Listing(
    Area,
    AreaOut,
    sorts={"name": Area.name, "created_at": Area.created_at, "updated_at": Area.updated_at},
    filters={"kind": Area.kind},
    search=(Area.name,),
)


async def list_areas(*, database: Database, query: AreaQuery) -> JsonBody:
    return await AREAS.page(database, query)


async def create_area(*, session: AsyncSession, actor: Principal, data: AreaIn) -> Area:
    """Register a residential area or block."""
    area = Area(**data.model_dump())
    session.add(area)
    await audit_created(session, actor, area, "area")
    return area


async def get_area(*, session: AsyncSession, area_id: uuid.UUID) -> Area:
    return await get_or_404(session, Area, area_id, AREA)


async def update_area(
    *, session: AsyncSession, actor: Principal, area_id: uuid.UUID, patch: AreaPatch
) -> Area:
    area = await get_or_404(session, Area, area_id, AREA, lock=True)
    await apply_update(session, actor, area, patch_values(patch, required={"name", "kind"}), "area")
    return area


async def delete_area(*, session: AsyncSession, actor: Principal, area_id: uuid.UUID) -> None:
    area = await get_or_404(session, Area, area_id, AREA, lock=True)
    await delete_row(session, actor, area, "area", AREA)
