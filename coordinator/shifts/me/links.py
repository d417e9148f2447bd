"""Issuing a volunteer's personal link (/me/{token}): one live link per person."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import record
from coordinator.auth.service import Principal
from coordinator.links.service import issue_link, revoke_for_subject
from coordinator.people.models import Person
from coordinator.platform.db import utcnow
from coordinator.platform.resources import get_or_404
from coordinator.shifts.rules import ME_LINK_DAYS, PERSON

ME_ACTIONS = ("signup", "cancel", "check_in", "check_out", "swap", "tick")


async def issue_person_link(
    *, session: AsyncSession, actor: Principal, person_id: uuid.UUID
) -> tuple[str, datetime]:
    """A new personal link (its token in clear, and when it expires); the old one stops
    working. Audited as a write to the person (the token itself is never logged)."""
    person = await get_or_404(session, Person, person_id, PERSON, lock=True)
    await revoke_for_subject(session, subject_type="person", subject_id=person.id, purpose="me")
    expires_at = utcnow() + timedelta(days=ME_LINK_DAYS)
    link, token = await issue_link(
        session,
        purpose="me",
        subject_type="person",
        subject_id=person.id,
        actions=ME_ACTIONS,
        expires_at=expires_at,
        holder_type="person",
        holder_id=person.id,
    )
    record(
        session=session,
        actor=actor,
        action="issue_link",
        entity_type="person",
        entity_id=person.id,
        after={"link_id": str(link.id), "purpose": "me", "expires_at": expires_at.isoformat()},
    )
    return token, expires_at
