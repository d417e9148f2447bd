"""The contact's side of a visit, through their link: the visit and everything its page
shows (read in one query), their answer, and the invitation for their calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from coordinator.calendars.ical import Invitation
from coordinator.events.service import record_event
from coordinator.links.models import CapabilityLink
from coordinator.links.service import is_live, token_digest
from coordinator.people.models import Person
from coordinator.platform.db import utcnow
from coordinator.platform.i18n import Text
from coordinator.registry.models import Building, Company, Contact
from coordinator.visits.models import Visit, VisitStatus
from coordinator.visits.service import (
    LINK_PURPOSE,
    VisitStateConflict,
    ensure_transition,
    get_visit,
    visit_event,
)


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
    """links.service.resolve (unknown, expired and revoked alike give None), and the
    page's rows with it."""
    digest = token_digest(token)
    row = (
        None
        if digest is None
        else (await session.execute(_BY_TOKEN, {"token_hash": digest})).first()
    )
    if row is None or not is_live(row[0]):
        return None
    return row[0], VisitView(*row[1:])


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
    digest = token_digest(token)
    if digest is None:
        return False
    return await session.scalar(_CANCELLED_WITH, {"token_hash": digest}) is not None


# What each answer leads to, and the event it raises.
ANSWERS = {
    "confirm": VisitStatus.confirmed,
    "decline": VisitStatus.declined,
    "reschedule": VisitStatus.reschedule_requested,
}


async def answer(
    *,
    session: AsyncSession,
    link: CapabilityLink,
    action: str,
    reason: str | None = None,
    windows: list[dict[str, str]] | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> tuple[Visit, VisitStatus, bool]:
    """The contact's answer through the link: (visit, old status, changed?).

    Repeating the answer already given changes nothing; any other answer after the
    contact's or the office's last word raises VisitStateConflict.
    """
    visit = await get_visit(session=session, visit_id=link.subject_id, lock=True)
    old = visit.status
    target = ANSWERS[action]
    if old == target:
        return visit, old, False
    if (now or utcnow()) >= visit.starts_at:
        raise VisitStateConflict(
            Text("走访已开始，无法再答复", "The visit has started; it can no longer be answered"),
            current=old.value,
        )
    visit.status = ensure_transition(visit, action)
    visit.answered_at = utcnow()
    if action == "decline":
        visit.decline_reason = reason
    elif action == "reschedule":
        visit.reschedule_windows = windows or []
        visit.reschedule_note = note
    visit.sequence += 1
    await session.flush()
    event = {
        "confirm": "visit.confirmed",
        "decline": "visit.declined",
        "reschedule": "visit.reschedule_requested",
    }[action]
    extra: dict[str, Any] = {}
    if action == "decline":
        extra["reason"] = reason
    if action == "reschedule":
        extra["windows"] = windows or []
        extra["note"] = note
    record_event(
        session,
        event,
        data=visit_event(visit, **extra),
        subject_type="visit",
        subject_id=visit.id,
        actor=f"contact:{visit.contact_id}",
    )
    return visit, old, True


def invitation(view: VisitView) -> Invitation:
    """The confirmed visit as the contact's calendar holds it."""
    visit, liaison = view.visit, view.liaison
    phone = f" {liaison.phone}" if liaison.phone else ""
    return Invitation(
        visit_id=str(visit.id),
        sequence=visit.sequence,
        starts_at=visit.starts_at,
        ends_at=visit.ends_at,
        updated_at=visit.updated_at,
        summary=f"走访：{view.company.name}（联络员 {liaison.name}）",
        location=visit.place,
        description=f"{visit.purpose}\n联络员：{liaison.name}{phone}",
        organizer_name=liaison.name,
        organizer_email=liaison.email,
        attendee_name=view.contact.name,
        attendee_email=view.contact.email,
    )
