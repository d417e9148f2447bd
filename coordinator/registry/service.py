"""Rules of the registry: areas, buildings and party branches (companies: companies.py)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import record, snapshot
from coordinator.audit.writes import apply_update, audit_created, delete_row
from coordinator.auth.service import Principal
from coordinator.people.models import Person
from coordinator.platform.db import utcnow
from coordinator.platform.i18n import Text
from coordinator.platform.problems import FieldError, ValidationFailed
from coordinator.platform.references import ensure_unreferenced
from coordinator.platform.resources import ensure_exists, get_or_404, patch_values
from coordinator.registry.models import (
    Area,
    Building,
    PartyBranch,
    party_branch_buildings,
)
from coordinator.registry.schemas import (
    AreaIn,
    AreaOut,
    AreaPatch,
    AreaQuery,
    BuildingIn,
    BuildingOut,
    BuildingPatch,
    BuildingQuery,
    PartyBranchIn,
    PartyBranchOut,
    PartyBranchPatch,
    PartyBranchQuery,
)
from coordinator.web.listing import (
    paginate,
    search,
)

AREA = Text("片区", "area")
BUILDING = Text("楼宇", "building")
PARTY_BRANCH = Text("党支部", "party branch")
PERSON = Text("人员", "person")
# Key of the transaction lock serialising changes to the party branch hierarchy.
_HIERARCHY_LOCK = 0x46554D494E_01


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


# Buildings


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


async def list_buildings(*, session: AsyncSession, query: BuildingQuery) -> dict[str, Any]:
    stmt = select(Building)
    if query.area_id:
        stmt = stmt.where(Building.area_id == query.area_id)
    if query.kind:
        stmt = stmt.where(Building.kind == query.kind)
    if (match := search([Building.name, Building.address], query.q)) is not None:
        stmt = stmt.where(match)
    return await paginate(
        session,
        stmt,
        query=query,
        id_column=Building.id,
        sortable={
            "name": Building.name,
            "created_at": Building.created_at,
            "updated_at": Building.updated_at,
        },
        default_sort="name",
        serialize=BuildingOut.model_validate,
    )


# Party branches


def branch_out(branch: PartyBranch, building_ids: list[uuid.UUID]) -> PartyBranchOut:
    """A branch as the API shows it, with the buildings it covers."""
    return PartyBranchOut(
        id=branch.id,
        name=branch.name,
        kind=branch.kind,
        parent_id=branch.parent_id,
        secretary_id=branch.secretary_id,
        building_ids=building_ids,
        created_at=branch.created_at,
        updated_at=branch.updated_at,
    )


async def covered_buildings(
    session: AsyncSession, branch_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """The buildings each branch covers, in a stable order, in one query."""
    covered: dict[uuid.UUID, list[uuid.UUID]] = {branch_id: [] for branch_id in branch_ids}
    if not branch_ids:
        return covered
    rows = await session.execute(
        select(party_branch_buildings.c.party_branch_id, party_branch_buildings.c.building_id)
        .where(party_branch_buildings.c.party_branch_id.in_(branch_ids))
        .order_by(party_branch_buildings.c.building_id)
    )
    for branch_id, building_id in rows:
        covered[branch_id].append(building_id)
    return covered


async def _ensure_buildings(session: AsyncSession, building_ids: list[uuid.UUID]) -> None:
    """Every building named in building_ids exists (422 naming each missing index)."""
    if not building_ids:
        return
    found = set(
        (await session.scalars(select(Building.id).where(Building.id.in_(building_ids)))).all()
    )
    missing = [index for index, value in enumerate(building_ids) if value not in found]
    if missing:
        message = Text("引用的楼宇不存在", "the referenced building does not exist")
        raise ValidationFailed(
            message, errors=[FieldError(f"building_ids.{index}", message) for index in missing]
        )


async def _set_coverage(
    session: AsyncSession, branch_id: uuid.UUID, building_ids: list[uuid.UUID]
) -> None:
    await session.execute(
        delete(party_branch_buildings).where(party_branch_buildings.c.party_branch_id == branch_id)
    )
    if building_ids:
        await session.execute(
            insert(party_branch_buildings),
            [{"party_branch_id": branch_id, "building_id": b} for b in building_ids],
        )


async def _ensure_no_cycle(
    session: AsyncSession, branch_id: uuid.UUID, parent_id: uuid.UUID | None
) -> None:
    """A branch cannot be its own ancestor (422 on parent_id)."""
    if parent_id is None:
        return
    # Hierarchy changes take turns, so two concurrent moves cannot close a loop between them.
    await session.execute(select(func.pg_advisory_xact_lock(_HIERARCHY_LOCK)))
    message = Text(
        "上级党组织不能是本支部或其下级", "the parent cannot be the branch itself or one below it"
    )
    if parent_id == branch_id:
        raise ValidationFailed(message, errors=[FieldError("parent_id", message)])
    chain = (
        select(PartyBranch.id, PartyBranch.parent_id)
        .where(PartyBranch.id == parent_id)
        .cte("chain", recursive=True)
    )
    chain = chain.union(
        select(PartyBranch.id, PartyBranch.parent_id).join(
            chain, PartyBranch.id == chain.c.parent_id
        )
    )
    if await session.scalar(select(chain.c.id).where(chain.c.id == branch_id)) is not None:
        raise ValidationFailed(message, errors=[FieldError("parent_id", message)])


async def create_party_branch(
    *, session: AsyncSession, actor: Principal, data: PartyBranchIn
) -> PartyBranchOut:
    """Register a party branch and the buildings it covers."""
    await ensure_exists(session, PartyBranch, data.parent_id, "parent_id", PARTY_BRANCH)
    await ensure_exists(session, Person, data.secretary_id, "secretary_id", PERSON)
    building_ids = list(dict.fromkeys(data.building_ids))
    await _ensure_buildings(session, building_ids)
    branch = PartyBranch(**data.model_dump(exclude={"building_ids"}))
    session.add(branch)
    await session.flush()
    await _set_coverage(session, branch.id, building_ids)
    covered = (await covered_buildings(session, [branch.id]))[branch.id]
    record(
        session=session,
        actor=actor,
        action="create",
        entity_type="party_branch",
        entity_id=branch.id,
        after=snapshot(branch) | {"building_ids": [str(b) for b in covered]},
    )
    return branch_out(branch, covered)


async def get_party_branch(*, session: AsyncSession, branch_id: uuid.UUID) -> PartyBranchOut:
    branch = await get_or_404(session, PartyBranch, branch_id, PARTY_BRANCH)
    return branch_out(branch, (await covered_buildings(session, [branch.id]))[branch.id])


async def update_party_branch(
    *, session: AsyncSession, actor: Principal, branch_id: uuid.UUID, patch: PartyBranchPatch
) -> PartyBranchOut:
    branch = await get_or_404(session, PartyBranch, branch_id, PARTY_BRANCH, lock=True)
    values = patch_values(patch, required={"name", "kind", "building_ids"})
    if "parent_id" in values:
        await ensure_exists(session, PartyBranch, values["parent_id"], "parent_id", PARTY_BRANCH)
        await _ensure_no_cycle(session, branch.id, values["parent_id"])
    await ensure_exists(session, Person, values.get("secretary_id"), "secretary_id", PERSON)
    before = (await covered_buildings(session, [branch.id]))[branch.id]
    after = before
    if "building_ids" in values:
        building_ids = list(dict.fromkeys(values.pop("building_ids")))
        await _ensure_buildings(session, building_ids)
        await _set_coverage(session, branch.id, building_ids)
        after = (await covered_buildings(session, [branch.id]))[branch.id]
    if "building_ids" in patch.model_fields_set and not values:
        # Only the coverage changed: the branch row itself is touched so updated_at moves.
        values["updated_at"] = utcnow()
    await apply_update(
        session,
        actor,
        branch,
        values,
        "party_branch",
        extra_before={"building_ids": [str(b) for b in before]},
        extra_after={"building_ids": [str(b) for b in after]},
    )
    return branch_out(branch, after)


async def delete_party_branch(
    *, session: AsyncSession, actor: Principal, branch_id: uuid.UUID
) -> None:
    """Delete a branch (its coverage goes with it) unless children, companies or people refer."""
    branch = await get_or_404(session, PartyBranch, branch_id, PARTY_BRANCH, lock=True)
    await ensure_unreferenced(session, PartyBranch.__table__, branch.id, PARTY_BRANCH)  # type: ignore[arg-type]
    covered = (await covered_buildings(session, [branch.id]))[branch.id]
    before = snapshot(branch) | {"building_ids": [str(b) for b in covered]}
    await session.delete(branch)
    await session.flush()
    record(
        session=session,
        actor=actor,
        action="delete",
        entity_type="party_branch",
        entity_id=branch_id,
        before=before,
    )


async def list_party_branches(*, session: AsyncSession, query: PartyBranchQuery) -> dict[str, Any]:
    stmt = select(PartyBranch)
    if query.kind:
        stmt = stmt.where(PartyBranch.kind == query.kind)
    if query.parent_id:
        stmt = stmt.where(PartyBranch.parent_id == query.parent_id)
    if query.building_id:
        stmt = stmt.where(
            PartyBranch.id.in_(
                select(party_branch_buildings.c.party_branch_id).where(
                    party_branch_buildings.c.building_id == query.building_id
                )
            )
        )
    if (match := search([PartyBranch.name], query.q)) is not None:
        stmt = stmt.where(match)
    page = await paginate(
        session,
        stmt,
        query=query,
        id_column=PartyBranch.id,
        sortable={
            "name": PartyBranch.name,
            "created_at": PartyBranch.created_at,
            "updated_at": PartyBranch.updated_at,
        },
        default_sort="name",
        serialize=lambda branch: branch_out(branch, []),
    )
    covered = await covered_buildings(session, [uuid.UUID(item["id"]) for item in page["items"]])
    for item in page["items"]:
        item["building_ids"] = [str(b) for b in covered[uuid.UUID(item["id"])]]
    return page
