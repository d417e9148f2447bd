"""A block leader's personal link (/b/{token}): one live link per person, issued and
revoked by a coordinator, audited as a write to the person (never the token itself).
The same link opens the rounds (this package) and the walk list (housing/surveys)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import record
from coordinator.auth.service import Principal
from coordinator.events.service import record_event
from coordinator.housing.leaders import PURPOSE
from coordinator.links.service import issue_link, revoke_for_subject
from coordinator.people.models import Person
from coordinator.platform.db import utcnow
from coordinator.platform.i18n import Text
from coordinator.platform.resources import get_or_404

ACTIONS = ("start", "end", "walk", "result")
LINK_DAYS = 180
PERSON = Text("人员", "person")


async def issue_block_leader_link(
    *, session: AsyncSession, actor: Principal, person_id: uuid.UUID, base_url: str
) -> tuple[Person, str, datetime]:
    """A new block leader link (the person, its URL with the token in clear, when it
    expires); the old one stops working. A person with an email address is mailed it
    (the `block_leader_link.issued` event carries it in its private field `link`)."""
    person = await get_or_404(session, Person, person_id, PERSON, lock=True)
    await revoke_for_subject(session, subject_type="person", subject_id=person.id, purpose=PURPOSE)
    expires_at = utcnow() + timedelta(days=LINK_DAYS)
    link, token = await issue_link(
        session,
        purpose=PURPOSE,
        subject_type="person",
        subject_id=person.id,
        actions=ACTIONS,
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
        after={"link_id": str(link.id), "purpose": PURPOSE, "expires_at": expires_at.isoformat()},
    )
    url = f"{base_url}/b/{token}"
    if person.email:
        record_event(
            session,
            "block_leader_link.issued",
            data={"person_id": str(person.id), "expires_at": expires_at.isoformat(), "link": url},
            subject_type="person",
            subject_id=person.id,
            actor=actor.name,
        )
    return person, url, expires_at


async def revoke_block_leader_link(
    *, session: AsyncSession, actor: Principal, person_id: uuid.UUID
) -> int:
    """Stop the person's block leader link (how many were live: 0 or 1)."""
    person = await get_or_404(session, Person, person_id, PERSON, lock=True)
    count = await revoke_for_subject(
        session, subject_type="person", subject_id=person.id, purpose=PURPOSE
    )
    record(
        session=session,
        actor=actor,
        action="revoke_link",
        entity_type="person",
        entity_id=person.id,
        after={"purpose": PURPOSE, "revoked": count},
    )
    return count
