"""Rules of the registry: areas, buildings, party branches, companies, contacts."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.auth.service import Principal
from coordinator.crud import apply_update, audit_created, delete_row, get_or_404, patch_values
from coordinator.i18n import Text
from coordinator.listing import paginate, search
from coordinator.registry.models import Area
from coordinator.registry.schemas import AreaIn, AreaOut, AreaPatch, AreaQuery

AREA = Text("片区", "area")


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


async def list_areas(*, session: AsyncSession, query: AreaQuery) -> dict[str, Any]:
    stmt = select(Area)
    if query.kind:
        stmt = stmt.where(Area.kind == query.kind)
    if (match := search([Area.name], query.q)) is not None:
        stmt = stmt.where(match)
    return await paginate(
        session,
        stmt,
        query=query,
        id_column=Area.id,
        sortable={"name": Area.name, "created_at": Area.created_at, "updated_at": Area.updated_at},
        default_sort="name",
        serialize=AreaOut.model_validate,
    )
