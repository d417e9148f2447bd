"""Rules of the registry's companies (企业/商户)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.writes import apply_update, audit_created, delete_row
from coordinator.auth.service import Principal
from coordinator.platform.db import Database
from coordinator.platform.i18n import Text
from coordinator.platform.listing import JsonBody, Listing
from coordinator.platform.problems import FieldError, ValidationFailed
from coordinator.platform.references import ensure_unreferenced
from coordinator.platform.resources import ensure_exists, get_or_404, patch_values
from coordinator.registry.models import (
    BUILDING,
    COMPANY,
    CONTACT,
    PARTY_BRANCH,
    Building,
    Company,
    Contact,
    PartyBranch,
)
from coordinator.registry.schemas import CompanyIn, CompanyOut, CompanyPatch, CompanyQuery

# By building: a count and a page, both on ix_companies_building_name; each item as the
# company row keeps it (list_item).
COMPANIES = Listing(
    Company,
    CompanyOut,
    sorts={
        "name": Company.name,
        "created_at": Company.created_at,
        "updated_at": Company.updated_at,
    },
    filters={
        "building_id": Company.building_id,
        "area_id": lambda area_id: Company.building_id.in_(
            select(Building.id).where(Building.area_id == area_id)
        ),
        "status": Company.status,
        "party_branch_id": Company.party_branch_id,
        "industry": Company.industry,
    },
    search=(Company.name, Company.credit_code),
    stored=Company.list_item,
)


async def list_companies(*, database: Database, query: CompanyQuery) -> JsonBody:
    """Companies, filtered by building, area, status, party branch or industry; q searches
    name and credit code."""
    return await COMPANIES.page(database, query)


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
