"""Rules of the registry: areas, buildings, party branches, companies, contacts."""

from __future__ import annotations

import functools
import uuid
from typing import Any

from sqlalchemy import Select, String, bindparam, delete, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import record, snapshot
from coordinator.auth.service import Principal
from coordinator.crud import (
    apply_update,
    audit_created,
    delete_row,
    ensure_exists,
    get_or_404,
    patch_values,
)
from coordinator.db import utcnow
from coordinator.i18n import Text
from coordinator.listing import (
    JsonText,
    like_pattern,
    paginate,
    paginate_json,
    row_json,
    search,
)
from coordinator.people.models import Person
from coordinator.problems import FieldError, ValidationFailed, not_found
from coordinator.references import ensure_unreferenced
from coordinator.registry.models import (
    Area,
    Building,
    Company,
    Contact,
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
    CompanyIn,
    CompanyOut,
    CompanyPatch,
    CompanyQuery,
    ContactIn,
    ContactOut,
    ContactPatch,
    ContactQuery,
    PartyBranchIn,
    PartyBranchOut,
    PartyBranchPatch,
    PartyBranchQuery,
)

AREA = Text("片区", "area")
BUILDING = Text("楼宇", "building")
PARTY_BRANCH = Text("党支部", "party branch")
COMPANY = Text("企业", "company")
CONTACT = Text("联系人", "contact")
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


# Companies


def _check_place(
    *, building_id: uuid.UUID | None, street_address: str | None, floor: Any, unit: Any
) -> None:
    """A company is in a building or on a street; floor and unit belong to a building."""
    if building_id is None and street_address is None:
        message = Text(
            "企业须填写所在楼宇或街面地址", "a company needs a building_id or a street_address"
        )
        raise ValidationFailed(
            message,
            errors=[FieldError("building_id", message), FieldError("street_address", message)],
        )
    if building_id is None:
        message = Text(
            "只有位于楼宇内的企业才填写楼层和单元", "only a company in a building has a {f}"
        )
        errors = [
            FieldError(name, message.format(f=name))
            for name, value in (("floor", floor), ("unit", unit))
            if value is not None
        ]
        if errors:
            raise ValidationFailed(errors[0].message, errors=errors)


async def _ensure_company_references(session: AsyncSession, values: dict[str, Any]) -> None:
    await ensure_exists(session, Building, values.get("building_id"), "building_id", BUILDING)
    await ensure_exists(
        session, PartyBranch, values.get("party_branch_id"), "party_branch_id", PARTY_BRANCH
    )


async def create_company(*, session: AsyncSession, actor: Principal, data: CompanyIn) -> Company:
    """Register a company in a building or a street-front shop (credit code unique)."""
    _check_place(
        building_id=data.building_id,
        street_address=data.street_address,
        floor=data.floor,
        unit=data.unit,
    )
    values = data.model_dump()
    await _ensure_company_references(session, values)
    company = Company(**values)
    session.add(company)
    await audit_created(session, actor, company, "company")
    return company


async def get_company(*, session: AsyncSession, company_id: uuid.UUID) -> Company:
    return await get_or_404(session, Company, company_id, COMPANY)


async def update_company(
    *, session: AsyncSession, actor: Principal, company_id: uuid.UUID, patch: CompanyPatch
) -> Company:
    company = await get_or_404(session, Company, company_id, COMPANY, lock=True)
    values = patch_values(patch, required={"name", "credit_code", "status"})
    _check_place(
        **{
            name: values.get(name, getattr(company, name))
            for name in ("building_id", "street_address", "floor", "unit")
        }
    )
    await _ensure_company_references(session, values)
    await apply_update(session, actor, company, values, "company")
    return company


async def delete_company(*, session: AsyncSession, actor: Principal, company_id: uuid.UUID) -> None:
    """Delete a company unless something refers to it; its contacts go with it, audited."""
    company = await get_or_404(session, Company, company_id, COMPANY, lock=True)
    await ensure_unreferenced(session, Company.__table__, company.id, COMPANY)  # type: ignore[arg-type]
    contacts = (
        await session.scalars(
            select(Contact).where(Contact.company_id == company.id).with_for_update()
        )
    ).all()
    for contact in contacts:
        await delete_row(session, actor, contact, "contact", CONTACT)
    await delete_row(session, actor, company, "company", COMPANY)


# A listed company as CompanyOut's JSON, rendered by PostgreSQL (no objects per row).
_COMPANY_JSON = row_json(CompanyOut, Company)
_COMPANY_SORTS = {
    "name": Company.name,
    "created_at": Company.created_at,
    "updated_at": Company.updated_at,
}


@functools.cache
def _companies(filters: frozenset[str]) -> Select[Any]:
    """The companies statement for a set of filters, values left to bindparams: built,
    and so compiled, once per combination."""
    stmt = select(Company)
    for name in ("building_id", "status", "party_branch_id", "industry"):
        if name in filters:
            stmt = stmt.where(getattr(Company, name) == bindparam(name))
    if "area_id" in filters:
        in_area = select(Building.id).where(Building.area_id == bindparam("area_id"))
        stmt = stmt.where(Company.building_id.in_(in_area))
    if "q" in filters:
        pattern = bindparam("q", type_=String())
        stmt = stmt.where(
            or_(
                Company.name.ilike(pattern, escape="\\"),
                Company.credit_code.ilike(pattern, escape="\\"),
            )
        )
    return stmt


async def list_companies(*, session: AsyncSession, query: CompanyQuery) -> JsonText:
    """Companies, filtered; by building: a count and a page, both on ix_companies_building_name."""
    params: dict[str, Any] = {
        name: value
        for name in ("building_id", "area_id", "status", "party_branch_id", "industry")
        if (value := getattr(query, name))
    }
    if query.q:
        params["q"] = like_pattern(query.q)
    return await paginate_json(
        session,
        _companies(frozenset(params)),
        query=query,
        id_column=Company.id,
        sortable=_COMPANY_SORTS,
        default_sort="name",
        item=_COMPANY_JSON,
        params=params,
    )


# Contacts


async def _contact(
    session: AsyncSession, company_id: uuid.UUID, contact_id: uuid.UUID, *, lock: bool = False
) -> Contact:
    """A contact of this company; one of another company is simply not found here."""
    stmt = select(Contact).where(Contact.id == contact_id, Contact.company_id == company_id)
    if lock:
        stmt = stmt.with_for_update()
    contact = await session.scalar(stmt)
    if contact is None:
        raise not_found(CONTACT)
    return contact


async def create_contact(
    *, session: AsyncSession, actor: Principal, company_id: uuid.UUID, data: ContactIn
) -> Contact:
    """Add a person at a company who receives visit proposals."""
    # A share lock keeps the company from being deleted before the contact is written.
    company = await session.scalar(
        select(Company.id).where(Company.id == company_id).with_for_update(read=True)
    )
    if company is None:
        raise not_found(COMPANY)
    contact = Contact(company_id=company_id, **data.model_dump())
    session.add(contact)
    await audit_created(session, actor, contact, "contact")
    return contact


async def get_contact(
    *, session: AsyncSession, company_id: uuid.UUID, contact_id: uuid.UUID
) -> Contact:
    return await _contact(session, company_id, contact_id)


async def update_contact(
    *,
    session: AsyncSession,
    actor: Principal,
    company_id: uuid.UUID,
    contact_id: uuid.UUID,
    patch: ContactPatch,
) -> Contact:
    contact = await _contact(session, company_id, contact_id, lock=True)
    values = patch_values(patch, required={"name", "mobile", "preferred_language"})
    await apply_update(session, actor, contact, values, "contact")
    return contact


async def delete_contact(
    *, session: AsyncSession, actor: Principal, company_id: uuid.UUID, contact_id: uuid.UUID
) -> None:
    contact = await _contact(session, company_id, contact_id, lock=True)
    await delete_row(session, actor, contact, "contact", CONTACT)


async def list_contacts(
    *, session: AsyncSession, company_id: uuid.UUID, query: ContactQuery
) -> dict[str, Any]:
    await get_or_404(session, Company, company_id, COMPANY)
    stmt = select(Contact).where(Contact.company_id == company_id)
    if (match := search([Contact.name, Contact.mobile], query.q)) is not None:
        stmt = stmt.where(match)
    return await paginate(
        session,
        stmt,
        query=query,
        id_column=Contact.id,
        sortable={
            "name": Contact.name,
            "created_at": Contact.created_at,
            "updated_at": Contact.updated_at,
        },
        default_sort="name",
        serialize=ContactOut.model_validate,
    )
