"""A field handler's personal link (/h/{token}), one of a person's personal links
(`people.links`): issued and revoked by a coordinator, mailed through
`handler_link.issued`."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.auth.service import Principal
from coordinator.people.links import PersonalLink, issue_personal_link, revoke_personal_link
from coordinator.people.models import Person

HANDLER = PersonalLink(
    purpose="handler",
    actions=("accept", "note", "done", "hand_back"),
    path="/h",
    event="handler_link.issued",
)
PURPOSE = HANDLER.purpose
ACTIONS = HANDLER.actions


async def issue_handler_link(
    *, session: AsyncSession, actor: Principal, person_id: uuid.UUID, base_url: str
) -> tuple[Person, str, datetime]:
    """A new handler link (the person, its URL, when it expires); the old one stops."""
    return await issue_personal_link(
        HANDLER, session=session, actor=actor, person_id=person_id, base_url=base_url
    )


async def revoke_handler_link(
    *, session: AsyncSession, actor: Principal, person_id: uuid.UUID
) -> int:
    """Stop the person's handler link (how many were live: 0 or 1)."""
    return await revoke_personal_link(HANDLER, session=session, actor=actor, person_id=person_id)
