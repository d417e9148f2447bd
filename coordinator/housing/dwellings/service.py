"""Dwellings (房屋): the list, one dwelling, adding, changing and removing one. Every
dwelling's (building, unit) is a unit of some block (the database's foreign key to
`block_units`); one named in a unit no block covers is refused (422 naming `unit`)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import BindParameter

from coordinator.audit.service import record, snapshot
from coordinator.audit.writes import delete_row
from coordinator.auth.models import Principal
from coordinator.housing.dwellings.privacy import NAME_SQL, PHONE_SQL, mask_name, mask_phone, masked
from coordinator.housing.dwellings.schemas import (
    DwellingIn,
    DwellingOut,
    DwellingPatch,
    DwellingQuery,
)
from coordinator.housing.dwellings.states import lock_dwelling, set_state
from coordinator.housing.models import (
    DWELLING,
    HOUSING_BUILDING,
    BlockUnit,
    Compound,
    Dwelling,
    DwellingState,
    HousingBuilding,
    StateSource,
)
from coordinator.platform.db import Database
from coordinator.platform.i18n import Text
from coordinator.platform.listing import JsonBody, Listing
from coordinator.platform.problems import invalid_field, missing_reference, not_found
from coordinator.platform.resources import ensure_exists, patch_values
from coordinator.registry.models import COMPANY, Company


def _unseen(days: BindParameter[Any]) -> ColumnElement[bool]:
    return or_(
        Dwelling.surveyed_at.is_(None),
        Dwelling.surveyed_at < func.now() - func.make_interval(0, 0, 0, days),
    )


_SOURCE = Dwelling.__table__.join(
    BlockUnit.__table__,
    (BlockUnit.building_id == Dwelling.building_id) & (BlockUnit.unit == Dwelling.unit),
).join(HousingBuilding.__table__, HousingBuilding.id == Dwelling.building_id)
DWELLINGS = Listing(
    Dwelling,
    DwellingOut,
    sorts={
        "created_at": Dwelling.created_at,
        "updated_at": Dwelling.updated_at,
        "room": Dwelling.room,
        "floor": Dwelling.floor,
    },
    default_sort="created_at",
    filters={
        "area_id": Dwelling.area_id,
        "compound_id": HousingBuilding.compound_id,
        "building_id": Dwelling.building_id,
        "block_id": BlockUnit.block_id,
        "state": Dwelling.state,
        "use": Dwelling.use,
        "unseen_days": _unseen,
    },
    search=(Dwelling.room, HousingBuilding.name),
    source=_SOURCE,
    columns={"block_id": BlockUnit.block_id, "compound_id": HousingBuilding.compound_id},
    json={"contact_phone": PHONE_SQL, "contact_name": NAME_SQL},
)


async def list_dwellings(*, database: Database, query: DwellingQuery) -> JsonBody:
    """Dwellings, their contacts masked; filters as DwellingQuery says, q on room and building."""
    return await DWELLINGS.page(database, query)


async def dwelling_out(session: AsyncSession, dwelling: Dwelling) -> DwellingOut:
    """A dwelling as the API shows it: its block and compound, its contact masked."""
    row = (
        await session.execute(
            select(BlockUnit.block_id, HousingBuilding.compound_id)
            .join(HousingBuilding, HousingBuilding.id == BlockUnit.building_id)
            .where(BlockUnit.building_id == dwelling.building_id, BlockUnit.unit == dwelling.unit)
        )
    ).one()
    values = {k: getattr(dwelling, k) for k in DwellingOut.model_fields if hasattr(dwelling, k)}
    values |= {
        "block_id": row.block_id,
        "compound_id": row.compound_id,
        "contact_phone": mask_phone(dwelling.contact_phone),
        "contact_name": mask_name(dwelling.contact_name),
    }
    return DwellingOut.model_validate(values)


def audit_state(dwelling: Dwelling) -> dict[str, Any]:
    """A dwelling as the audit log keeps it: its contact masked, never in clear."""
    return masked(snapshot(dwelling))


async def _place(session: AsyncSession, building_id: uuid.UUID, unit: str) -> uuid.UUID:
    """The area of a (building, unit) that a block covers; 422 otherwise."""
    area_id = await session.scalar(
        select(Compound.area_id)
        .join(HousingBuilding, HousingBuilding.compound_id == Compound.id)
        .where(HousingBuilding.id == building_id)
    )
    if area_id is None:
        raise missing_reference("building_id", HOUSING_BUILDING)
    covered = await session.scalar(
        select(exists().where(BlockUnit.building_id == building_id, BlockUnit.unit == unit))
    )
    if not covered:
        raise invalid_field(
            "unit",
            Text(
                "该楼栋的「{u}」单元尚未划入任何块，请先在块中加入该单元",
                "unit {u!r} of that building is in no block yet: add it to a block first",
            ).format(u=unit or "—"),
        )
    return area_id


async def create_dwelling(
    *, session: AsyncSession, actor: Principal, data: DwellingIn
) -> DwellingOut:
    """Add a dwelling in a unit some block covers; a state other than unsurveyed is its
    first history row (source coordinator)."""
    area_id = await _place(session, data.building_id, data.unit)
    await ensure_exists(session, Company, data.company_id, "company_id", COMPANY)
    values = data.model_dump(exclude={"state", "evidence"})
    dwelling = Dwelling(id=uuid.uuid4(), area_id=area_id, **values)
    session.add(dwelling)
    await session.flush()
    await session.refresh(dwelling)
    if data.state != DwellingState.unsurveyed:
        await set_state(
            session,
            dwelling,
            data.state,
            source=StateSource.coordinator,
            actor=actor.name,
            evidence=data.evidence,
        )
    record(
        session=session,
        actor=actor,
        action="create",
        entity_type="dwelling",
        entity_id=dwelling.id,
        after=audit_state(dwelling),
    )
    return await dwelling_out(session, dwelling)


async def get_dwelling(*, session: AsyncSession, dwelling_id: uuid.UUID) -> DwellingOut:
    dwelling = await session.get(Dwelling, dwelling_id)
    if dwelling is None:
        raise not_found(DWELLING)
    return await dwelling_out(session, dwelling)


async def update_dwelling(
    *, session: AsyncSession, actor: Principal, dwelling_id: uuid.UUID, patch: DwellingPatch
) -> DwellingOut:
    """Change where a dwelling is, its use, occupants or contact (its state: POST .../state).
    A new (building, unit) must be covered by a block (422 naming unit)."""
    dwelling = await lock_dwelling(session, dwelling_id)
    values = patch_values(patch, required={"building_id", "unit", "floor", "room", "use"})
    building_id = values.get("building_id", dwelling.building_id)
    unit = values.get("unit", dwelling.unit)
    if (building_id, unit) != (dwelling.building_id, dwelling.unit):
        values["area_id"] = await _place(session, building_id, unit)
    await ensure_exists(session, Company, values.get("company_id"), "company_id", COMPANY)
    before = audit_state(dwelling)
    for name, value in values.items():
        setattr(dwelling, name, value)
    await session.flush()
    await session.refresh(dwelling)
    record(
        session=session,
        actor=actor,
        action="update",
        entity_type="dwelling",
        entity_id=dwelling.id,
        before=before,
        after=audit_state(dwelling),
    )
    return await dwelling_out(session, dwelling)


async def delete_dwelling(
    *, session: AsyncSession, actor: Principal, dwelling_id: uuid.UUID
) -> None:
    """Remove a dwelling (with its history); 409 while a case names it."""
    dwelling = await lock_dwelling(session, dwelling_id)
    await delete_row(session, actor, dwelling, "dwelling", DWELLING, before=audit_state(dwelling))
