"""A block leader's personal link (/b/{token}), one of a person's personal links
(`people.links`): issued and revoked by a coordinator, mailed through
`block_leader_link.issued`. The same link opens the rounds (this package) and the walk
list (housing/surveys)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.auth.service import Principal
from coordinator.housing.leaders import PURPOSE
from coordinator.people.links import PersonalLink, issue_personal_link, revoke_personal_link
from coordinator.people.models import Person

BLOCK_LEADER = PersonalLink(
    purpose=PURPOSE,
    actions=("start", "end", "walk", "result"),
    path="/b",
    event="block_leader_link.issued",
)
ACTIONS = BLOCK_LEADER.actions


async def issue_block_leader_link(
    *, session: AsyncSession, actor: Principal, person_id: uuid.UUID, base_url: str
) -> tuple[Person, str, datetime]:
    """A new block leader link (the person, its URL, when it expires); the old one stops."""
    return await issue_personal_link(
        BLOCK_LEADER, session=session, actor=actor, person_id=person_id, base_url=base_url
    )


async def revoke_block_leader_link(
    *, session: AsyncSession, actor: Principal, person_id: uuid.UUID
) -> int:
    """Stop the person's block leader link (how many were live: 0 or 1)."""
    return await revoke_personal_link(
        BLOCK_LEADER, session=session, actor=actor, person_id=person_id
    )
