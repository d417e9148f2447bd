"""A person's personal links (a field handler's /h/{token}, a block leader's /b/{token}):
one live link of a kind per person, issued and revoked by a coordinator, audited as a
write to the person (never the token itself), and mailed to a person with an email
address through the kind's `….issued` event (its private field `link`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import record
from coordinator.auth.service import Principal
from coordinator.events.service import record_event
from coordinator.links.service import issue_link, revoke_for_subject
from coordinator.people.members import PERSON
from coordinator.people.models import Person
from coordinator.platform.db import utcnow
from coordinator.platform.resources import get_or_404


@dataclass(frozen=True)
class PersonalLink:
    """A kind of personal link: its purpose, what it lets its holder do, the path its
    pages are under, the event that mails it, and how long it lasts."""

    purpose: str
    actions: tuple[str, ...]
    path: str
    event: str
    days: int = 180


async def issue_personal_link(
    kind: PersonalLink,
    *,
    session: AsyncSession,
    actor: Principal,
    person_id: uuid.UUID,
    base_url: str,
) -> tuple[Person, str, datetime]:
    """A new link of `kind` (the person, its URL with the token in clear, when it
    expires); the person's former one of that kind stops working."""
    person = await get_or_404(session, Person, person_id, PERSON, lock=True)
    await revoke_for_subject(
        session, subject_type="person", subject_id=person.id, purpose=kind.purpose
    )
    expires_at = utcnow() + timedelta(days=kind.days)
    link, token = await issue_link(
        session,
        purpose=kind.purpose,
        subject_type="person",
        subject_id=person.id,
        actions=kind.actions,
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
        after={
            "link_id": str(link.id),
            "purpose": kind.purpose,
            "expires_at": expires_at.isoformat(),
        },
    )
    url = f"{base_url}{kind.path}/{token}"
    if person.email:
        record_event(
            session,
            kind.event,
            data={"person_id": str(person.id), "expires_at": expires_at.isoformat(), "link": url},
            subject_type="person",
            subject_id=person.id,
            actor=actor.name,
        )
    return person, url, expires_at


async def revoke_personal_link(
    kind: PersonalLink, *, session: AsyncSession, actor: Principal, person_id: uuid.UUID
) -> int:
    """Stop the person's link of `kind` (how many were live: 0 or 1)."""
    person = await get_or_404(session, Person, person_id, PERSON, lock=True)
    count = await revoke_for_subject(
        session, subject_type="person", subject_id=person.id, purpose=kind.purpose
    )
    record(
        session=session,
        actor=actor,
        action="revoke_link",
        entity_type="person",
        entity_id=person.id,
        after={"purpose": kind.purpose, "revoked": count},
    )
    return count
