"""Rules of the registry's companies (企业/商户) and their contacts (联系人)."""

from __future__ import annotations

import functools
import uuid
from typing import Any

from sqlalchemy import Select, String, bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.writes import apply_update, audit_created, delete_row
from coordinator.auth.service import Principal
from coordinator.platform.i18n import Text
from coordinator.platform.problems import FieldError, ValidationFailed, not_found
from coordinator.platform.references import ensure_unreferenced
from coordinator.platform.resources import ensure_exists, get_or_404, patch_values
from coordinator.registry.models import (
    Building,
    Company,
    Contact,
    PartyBranch,
)
from coordinator.registry.schemas import (
    CompanyIn,
    CompanyOut,
    CompanyPatch,
    CompanyQuery,
    ContactIn,
    ContactOut,
    ContactPatch,
    ContactQuery,
)
from coordinator.registry.service import BUILDING, PARTY_BRANCH
from coordinator.web.listing import (
    JsonText,
    like_pattern,
    paginate,
    paginate_json,
    row_json,
    search,
)

COMPANY = Text("企业", "company")
CONTACT = Text("联系人", "contact")

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
    values = patch_values(patch, required={"name", "mobile", "preferred_language", "channels"})
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
