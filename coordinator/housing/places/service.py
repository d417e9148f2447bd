"""Compounds (小区/沿街) of the residential areas and their buildings (幢/号)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.writes import apply_update, audit_created, delete_row
from coordinator.auth.service import Principal
from coordinator.housing.models import COMPOUND, HOUSING_BUILDING, Compound, HousingBuilding
from coordinator.housing.places.schemas import (
    CompoundIn,
    CompoundOut,
    CompoundPatch,
    CompoundQuery,
    HousingBuildingIn,
    HousingBuildingOut,
    HousingBuildingPatch,
    HousingBuildingQuery,
)
from coordinator.platform.db import Database
from coordinator.platform.i18n import Text
from coordinator.platform.listing import JsonBody, Listing
from coordinator.platform.problems import invalid_field, missing_reference
from coordinator.platform.resources import ensure_exists, get_or_404, patch_values
from coordinator.registry.models import AREA, BUILDING, Area, AreaKind, Building

COMPOUNDS = Listing(
    Compound,
    CompoundOut,
    sorts={"name": Compound.name, "position": Compound.position, "created_at": Compound.created_at},
    default_sort="position",
    filters={"area_id": Compound.area_id, "kind": Compound.kind},
    search=(Compound.name, Compound.address),
)

_BUILDINGS = HousingBuilding.__table__.join(
    Compound.__table__, Compound.id == HousingBuilding.compound_id
)
HOUSING_BUILDINGS = Listing(
    HousingBuilding,
    HousingBuildingOut,
    sorts={
        "name": HousingBuilding.name,
        "position": HousingBuilding.position,
        "created_at": HousingBuilding.created_at,
    },
    default_sort="position",
    filters={"compound_id": HousingBuilding.compound_id, "area_id": Compound.area_id},
    search=(HousingBuilding.name,),
    source=_BUILDINGS,
    columns={"area_id": Compound.area_id},
)


async def residential_area(session: AsyncSession, area_id: uuid.UUID, field: str) -> Area:
    """The registry's area of that id, which must be a residential area (422 otherwise)."""
    area = await session.get(Area, area_id)
    if area is None:
        raise missing_reference(field, AREA)
    if area.kind != AreaKind.residential:
        raise invalid_field(
            field,
            Text("须为居民区（居住类片区）", "must be a residential area (kind residential)"),
        )
    return area


async def list_compounds(*, database: Database, query: CompoundQuery) -> JsonBody:
    return await COMPOUNDS.page(database, query)


async def create_compound(
    *, session: AsyncSession, actor: Principal, data: CompoundIn
) -> CompoundOut:
    """A compound (or a street of shops) of a residential area; names unique per area."""
    await residential_area(session, data.area_id, "area_id")
    compound = Compound(**data.model_dump())
    session.add(compound)
    await audit_created(session, actor, compound, "compound")
    return CompoundOut.model_validate(compound)


async def get_compound(*, session: AsyncSession, compound_id: uuid.UUID) -> CompoundOut:
    return CompoundOut.model_validate(await get_or_404(session, Compound, compound_id, COMPOUND))


async def update_compound(
    *, session: AsyncSession, actor: Principal, compound_id: uuid.UUID, patch: CompoundPatch
) -> CompoundOut:
    compound = await get_or_404(session, Compound, compound_id, COMPOUND, lock=True)
    values = patch_values(patch, required={"name", "kind", "position"})
    await apply_update(session, actor, compound, values, "compound")
    return CompoundOut.model_validate(compound)


async def delete_compound(
    *, session: AsyncSession, actor: Principal, compound_id: uuid.UUID
) -> None:
    """409 while a building of it is kept."""
    compound = await get_or_404(session, Compound, compound_id, COMPOUND, lock=True)
    await delete_row(session, actor, compound, "compound", COMPOUND)


async def list_buildings(*, database: Database, query: HousingBuildingQuery) -> JsonBody:
    return await HOUSING_BUILDINGS.page(database, query)


async def _building_out(session: AsyncSession, building: HousingBuilding) -> HousingBuildingOut:
    area_id = await session.scalar(
        select(Compound.area_id).where(Compound.id == building.compound_id)
    )
    return HousingBuildingOut.model_validate(
        {**{k: getattr(building, k) for k in HousingBuildingOut.model_fields if k != "area_id"}}
        | {"area_id": area_id}
    )


async def _ensure_references(session: AsyncSession, values: dict[str, Any]) -> None:
    await ensure_exists(session, Compound, values.get("compound_id"), "compound_id", COMPOUND)
    await ensure_exists(session, Building, values.get("building_id"), "building_id", BUILDING)


async def create_building(
    *, session: AsyncSession, actor: Principal, data: HousingBuildingIn
) -> HousingBuildingOut:
    """A building of a compound; names unique per compound."""
    values = data.model_dump()
    await _ensure_references(session, values)
    building = HousingBuilding(**values)
    session.add(building)
    await audit_created(session, actor, building, "housing_building")
    return await _building_out(session, building)


async def get_building(*, session: AsyncSession, building_id: uuid.UUID) -> HousingBuildingOut:
    building = await get_or_404(session, HousingBuilding, building_id, HOUSING_BUILDING)
    return await _building_out(session, building)


async def update_building(
    *,
    session: AsyncSession,
    actor: Principal,
    building_id: uuid.UUID,
    patch: HousingBuildingPatch,
) -> HousingBuildingOut:
    building = await get_or_404(session, HousingBuilding, building_id, HOUSING_BUILDING, lock=True)
    values = patch_values(patch, required={"name", "position"})
    await _ensure_references(session, values)
    await apply_update(session, actor, building, values, "housing_building")
    return await _building_out(session, building)


async def delete_building(
    *, session: AsyncSession, actor: Principal, building_id: uuid.UUID
) -> None:
    """409 while a dwelling of it is kept; its units leave their blocks with it."""
    building = await get_or_404(session, HousingBuilding, building_id, HOUSING_BUILDING, lock=True)
    await delete_row(session, actor, building, "housing_building", HOUSING_BUILDING)
