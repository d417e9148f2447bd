"""The block leader's personal link (/b/{token}, purpose `block_leader`) and the blocks it
is for: the one reading of "whose link is this" and "which blocks does this person lead
or deputise now", shared by the rounds (home page) and the survey's walk list."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.housing.models import Block, BlockPerson, BlockRole
from coordinator.links.models import CapabilityLink
from coordinator.links.service import resolve
from coordinator.people.models import Person
from coordinator.registry.models import Area

PURPOSE = "block_leader"


async def holder(session: AsyncSession, token: str) -> tuple[CapabilityLink, Person] | None:
    """The live block leader link of a token and its person, or None."""
    link = await resolve(session, token, purpose=PURPOSE)
    if link is None:
        return None
    person = await session.get(Person, link.subject_id)
    return (link, person) if person is not None else None


def live_blocks(person_id: uuid.UUID) -> Select[Block, str, BlockRole]:
    """The blocks the person leads or deputises now, with the area's name and the
    person's role, by area and block name (callers add columns or conditions)."""
    return (
        select(Block, Area.name, BlockPerson.role)
        .join(BlockPerson, BlockPerson.block_id == Block.id)
        .join(Area, Area.id == Block.area_id)
        .where(BlockPerson.person_id == person_id, BlockPerson.until.is_(None))
        .order_by(Area.name, Block.name)
    )
