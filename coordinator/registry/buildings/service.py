"""Rules of buildings (楼宇)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.writes import apply_update, audit_created, delete_row
from coordinator.auth.service import Principal
from coordinator.platform.db import Database
from coordinator.platform.i18n import Text
from coordinator.platform.listing import JsonBody, Listing
from coordinator.platform.problems import FieldError, ValidationFailed
from coordinator.platform.resources import ensure_exists, get_or_404, patch_values
from coordinator.registry.models import AREA, BUILDING, Area, Building
from coordinator.registry.schemas import BuildingIn, BuildingOut, BuildingPatch, BuildingQuery

BUILDINGS = Listing(
    Building,
    BuildingOut,
    sorts={
        "name": Building.name,
        "created_at": Building.created_at,
        "updated_at": Building.updated_at,
    },
    filters={"area_id": Building.area_id, "kind": Building.kind},
    search=(Building.name, Building.address),
)


async def list_buildings(*, database: Database, query: BuildingQuery) -> JsonBody:
    return await BUILDINGS.page(database, query)


def _check_coordinates(latitude: Any, longitude: Any) -> None:
    """Latitude and longitude come together or not at all; name the one missing."""
    if (latitude is None) == (longitude is None):
        return
    missing = "longitude" if longitude is None else "latitude"
    message = Text("经纬度须同时填写或同时留空", "latitude and longitude go together")
    raise ValidationFailed(message, errors=[FieldError(missing, message)])


async def create_building(*, session: AsyncSession, actor: Principal, data: BuildingIn) -> Building:
    """Register an office, residential or mixed-use building."""
    _check_coordinates(data.latitude, data.longitude)
    await ensure_exists(session, Area, data.area_id, "area_id", AREA)
    building = Building(**data.model_dump())
    session.add(building)
    await audit_created(session, actor, building, "building")
    return building


async def get_building(*, session: AsyncSession, building_id: uuid.UUID) -> Building:
    return await get_or_404(session, Building, building_id, BUILDING)


async def update_building(
    *, session: AsyncSession, actor: Principal, building_id: uuid.UUID, patch: BuildingPatch
) -> Building:
    building = await get_or_404(session, Building, building_id, BUILDING, lock=True)
    values = patch_values(patch, required={"name", "address", "kind"})
    _check_coordinates(
        values.get("latitude", building.latitude), values.get("longitude", building.longitude)
    )
    await ensure_exists(session, Area, values.get("area_id"), "area_id", AREA)
    await apply_update(session, actor, building, values, "building")
    return building


async def delete_building(
    *, session: AsyncSession, actor: Principal, building_id: uuid.UUID
) -> None:
    building = await get_or_404(session, Building, building_id, BUILDING, lock=True)
    await delete_row(session, actor, building, "building", BUILDING)
