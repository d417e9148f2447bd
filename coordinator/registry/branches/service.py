"""Rules of party branches (党支部): their hierarchy and the buildings they cover."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import snapshot
from coordinator.audit.writes import apply_update, audit_created, delete_row
from coordinator.auth.service import Principal
from coordinator.people.models import Person
from coordinator.platform.db import Database, utcnow
from coordinator.platform.i18n import Text
from coordinator.platform.json_sql import list_json, value_json
from coordinator.platform.listing import JsonBody, Listing
from coordinator.platform.problems import FieldError, ValidationFailed
from coordinator.platform.resources import ensure_exists, get_or_404, patch_values
from coordinator.registry.models import (
    PARTY_BRANCH,
    Building,
    PartyBranch,
    party_branch_buildings,
)
from coordinator.registry.schemas import (
    PartyBranchIn,
    PartyBranchOut,
    PartyBranchPatch,
    PartyBranchQuery,
)

PERSON = Text("人员", "person")
# Key of the transaction lock serialising changes to the party branch hierarchy.
_HIERARCHY_LOCK = 0x46554D494E_01

_covered = party_branch_buildings.alias("covered")
PARTY_BRANCHES = Listing(
    PartyBranch,
    PartyBranchOut,
    sorts={
        "name": PartyBranch.name,
        "created_at": PartyBranch.created_at,
        "updated_at": PartyBranch.updated_at,
    },
    filters={
        "kind": PartyBranch.kind,
        "parent_id": PartyBranch.parent_id,
        # Branches covering that building.
        "building_id": lambda building_id: PartyBranch.id.in_(
            select(party_branch_buildings.c.party_branch_id).where(
                party_branch_buildings.c.building_id == building_id
            )
        ),
    },
    search=(PartyBranch.name,),
    json={
        "building_ids": list_json(
            value_json(_covered.c.building_id),
            rows="party_branch_buildings AS covered"
            " WHERE covered.party_branch_id = party_branches.id",
            order_by=[_covered.c.building_id],
        )
    },
)


async def list_party_branches(*, database: Database, query: PartyBranchQuery) -> JsonBody:
    return await PARTY_BRANCHES.page(database, query)


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


def _coverage_state(building_ids: list[uuid.UUID]) -> dict[str, Any]:
    """The buildings a branch covers, as its audit entries and events keep them."""
    return {"building_ids": [str(b) for b in building_ids]}


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
    await audit_created(
        session, actor, branch, "party_branch", extra_after=_coverage_state(covered)
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
        extra_before=_coverage_state(before),
        extra_after=_coverage_state(after),
    )
    return branch_out(branch, after)


async def delete_party_branch(
    *, session: AsyncSession, actor: Principal, branch_id: uuid.UUID
) -> None:
    """Delete a branch (its coverage goes with it) unless children, companies or people refer."""
    branch = await get_or_404(session, PartyBranch, branch_id, PARTY_BRANCH, lock=True)
    covered = (await covered_buildings(session, [branch.id]))[branch.id]
    before = snapshot(branch) | _coverage_state(covered)
    await delete_row(session, actor, branch, "party_branch", PARTY_BRANCH, before=before)
