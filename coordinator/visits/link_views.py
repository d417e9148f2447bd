"""The visit behind a contact's link, and everything its page shows, read in one query."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from coordinator.links.models import CapabilityLink
from coordinator.links.service import hash_token
from coordinator.people.models import Person
from coordinator.platform.db import utcnow
from coordinator.registry.models import Building, Company, Contact
from coordinator.visits.models import Visit, VisitStatus
from coordinator.visits.service import LINK_PURPOSE


@dataclass(frozen=True)
class VisitView:
    visit: Visit
    company: Company
    building: Building | None
    contact: Contact
    liaison: Person


async def load(session: AsyncSession, link: CapabilityLink) -> VisitView | None:
    """The visit and everything its page shows, in one query."""
    liaison = aliased(Person)
    row = (
        await session.execute(
            select(Visit, Company, Building, Contact, liaison)
            .join(Company, Company.id == Visit.company_id)
            .outerjoin(Building, Building.id == Company.building_id)
            .join(Contact, Contact.id == Visit.contact_id)
            .join(liaison, liaison.id == Visit.liaison_id)
            .where(Visit.id == link.subject_id)
        )
    ).first()
    if row is None:
        return None
    return VisitView(*row)


_LIAISON = aliased(Person)
# Built once: the link and everything its page shows, in one round trip.
_BY_TOKEN = (
    select(CapabilityLink, Visit, Company, Building, Contact, _LIAISON)
    .join(Visit, Visit.id == CapabilityLink.subject_id)
    .join(Company, Company.id == Visit.company_id)
    .outerjoin(Building, Building.id == Company.building_id)
    .join(Contact, Contact.id == Visit.contact_id)
    .join(_LIAISON, _LIAISON.id == Visit.liaison_id)
    .where(
        CapabilityLink.token_hash == bindparam("token_hash"),
        CapabilityLink.purpose == LINK_PURPOSE,
        CapabilityLink.subject_type == "visit",
    )
)


async def resolve_view(
    session: AsyncSession, token: str
) -> tuple[CapabilityLink, VisitView] | None:
    """Like links.service.resolve (unknown, expired and revoked alike give None), and the
    page's rows with it."""
    if not token or len(token) > 100:
        return None
    row = (await session.execute(_BY_TOKEN, {"token_hash": hash_token(token)})).first()
    if row is None:
        return None
    link = row[0]
    if link.revoked_at is not None or (link.expires_at is not None and link.expires_at <= utcnow()):
        return None
    return link, VisitView(*row[1:])


_CANCELLED_WITH = (
    select(CapabilityLink.id)
    .join(Visit, Visit.id == CapabilityLink.subject_id)
    .where(
        CapabilityLink.token_hash == bindparam("token_hash"),
        CapabilityLink.purpose == LINK_PURPOSE,
        CapabilityLink.subject_type == "visit",
        Visit.status == VisitStatus.cancelled,
        # revoked by the cancelling itself: a link replaced earlier (the visit moved) stays dead
        CapabilityLink.revoked_at >= Visit.updated_at,
    )
)


async def cancelled_with(session: AsyncSession, token: str) -> bool:
    """The token was the visit's live link until the visit was cancelled."""
    if not token or len(token) > 100:
        return False
    found = await session.scalar(_CANCELLED_WITH, {"token_hash": hash_token(token)})
    return found is not None
