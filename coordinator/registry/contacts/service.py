"""Rules of a company's contacts (联系人): who receives its visit proposals."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.writes import apply_update, audit_created, delete_row
from coordinator.auth.service import Principal
from coordinator.platform.db import Database
from coordinator.platform.listing import JsonBody, Listing
from coordinator.platform.problems import not_found
from coordinator.platform.resources import get_or_404, patch_values
from coordinator.registry.models import COMPANY, CONTACT, Company, Contact
from coordinator.registry.schemas import ContactIn, ContactOut, ContactPatch, ContactQuery

CONTACTS = Listing(
    Contact,
    ContactOut,
    sorts={
        "name": Contact.name,
        "created_at": Contact.created_at,
        "updated_at": Contact.updated_at,
    },
    filters={"company_id": Contact.company_id},
    search=(Contact.name, Contact.mobile),
)


async def list_contacts(
    *, database: Database, company_id: uuid.UUID, query: ContactQuery
) -> JsonBody:
    async with database.session() as session:
        await get_or_404(session, Company, company_id, COMPANY)
    return await CONTACTS.page(database, query, company_id=company_id)


async def _contact(
    session: AsyncSession, company_id: uuid.UUID, contact_id: uuid.UUID, *, lock: bool = False
) -> Contact:
    """A contact of this company; one of another company is simply not found here."""
    where = Contact.company_id == company_id
    return await get_or_404(session, Contact, contact_id, CONTACT, lock=lock, where=where)


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
