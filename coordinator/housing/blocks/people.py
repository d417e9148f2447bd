"""Who leads a block and who deputises, over time. Naming a new leader ends the former
leader's row (`until`) and starts another, so the history stays; the block's row is
locked first, and a unique index keeps one live leader per block whatever happens."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Boolean, cast, select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import record
from coordinator.auth.models import Principal
from coordinator.housing.blocks.schemas import BlockPersonOut, BlockPersonQuery
from coordinator.housing.models import BLOCK, Block, BlockPerson, BlockRole
from coordinator.people.models import Person
from coordinator.platform.db import Database, utcnow
from coordinator.platform.i18n import Text
from coordinator.platform.listing import JsonBody, Listing
from coordinator.platform.problems import Conflict, FieldError, missing_reference, not_found
from coordinator.platform.resources import get_or_404

PERSON = Text("人员", "person")
BLOCK_PERSON = Text("块长或副块长", "block leader or deputy")

PEOPLE = Listing(
    BlockPerson,
    BlockPersonOut,
    sorts={"since": BlockPerson.since},
    default_sort="-since",
    filters={
        "block_id": BlockPerson.block_id,
        "role": BlockPerson.role,
        "current": lambda live: BlockPerson.until.is_(None) == cast(live, Boolean),
    },
    source=BlockPerson.__table__.join(Person.__table__, Person.id == BlockPerson.person_id),
    columns={"name": Person.name},
)


def _state(row: BlockPerson) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "block_id": str(row.block_id),
        "person_id": str(row.person_id),
        "role": row.role.value,
        "since": row.since.isoformat(),
        "until": row.until.isoformat() if row.until else None,
    }


async def list_people(
    *, database: Database, block_id: uuid.UUID, query: BlockPersonQuery
) -> JsonBody:
    """The block's leaders and deputies, present and past, newest first."""
    async with database.session() as session:
        await get_or_404(session, Block, block_id, BLOCK)
    return await PEOPLE.page(database, query, block_id=block_id)


async def _person_out(session: AsyncSession, row: BlockPerson) -> BlockPersonOut:
    name = await session.scalar(select(Person.name).where(Person.id == row.person_id))
    return BlockPersonOut.model_validate({**_state(row), "name": name})


async def _live(session: AsyncSession, block_id: uuid.UUID) -> list[BlockPerson]:
    found = await session.scalars(
        select(BlockPerson)
        .where(BlockPerson.block_id == block_id, BlockPerson.until.is_(None))
        .with_for_update()
    )
    return list(found.all())


def _end(session: AsyncSession, actor: Principal, row: BlockPerson) -> None:
    before = _state(row)
    row.until = utcnow()
    record(
        session=session,
        actor=actor,
        action="update",
        entity_type="block_person",
        entity_id=row.id,
        before=before,
        after=_state(row),
    )


async def _start(
    session: AsyncSession,
    actor: Principal,
    block_id: uuid.UUID,
    person_id: uuid.UUID,
    role: BlockRole,
) -> BlockPerson:
    row = BlockPerson(
        id=uuid.uuid4(), block_id=block_id, person_id=person_id, role=role, since=utcnow()
    )
    session.add(row)
    await session.flush()
    record(
        session=session,
        actor=actor,
        action="create",
        entity_type="block_person",
        entity_id=row.id,
        after=_state(row),
    )
    return row


async def _locked_block(session: AsyncSession, block_id: uuid.UUID, person_id: uuid.UUID) -> Block:
    block = await get_or_404(session, Block, block_id, BLOCK, lock=True)
    if await session.get(Person, person_id) is None:
        raise missing_reference("person_id", PERSON)
    return block


async def set_leader(
    *, session: AsyncSession, actor: Principal, block_id: uuid.UUID, person_id: uuid.UUID
) -> BlockPersonOut:
    """Make them the block's leader: the former leader's row ends (history kept); a
    deputy made leader stops being a deputy. Already the leader: nothing changes."""
    await _locked_block(session, block_id, person_id)
    live = await _live(session, block_id)
    for row in live:
        if row.role == BlockRole.leader and row.person_id == person_id:
            return await _person_out(session, row)
    for row in live:
        if row.role == BlockRole.leader or row.person_id == person_id:
            _end(session, actor, row)
    await session.flush()
    return await _person_out(
        session, await _start(session, actor, block_id, person_id, BlockRole.leader)
    )


async def add_deputy(
    *, session: AsyncSession, actor: Principal, block_id: uuid.UUID, person_id: uuid.UUID
) -> BlockPersonOut:
    """A deputy more; 409 if they lead or deputise the block already."""
    await _locked_block(session, block_id, person_id)
    if any(row.person_id == person_id for row in await _live(session, block_id)):
        message = Text("此人已是该块的块长或副块长", "they lead or deputise this block already")
        raise Conflict(message, errors=[FieldError("person_id", message)])
    return await _person_out(
        session, await _start(session, actor, block_id, person_id, BlockRole.deputy)
    )


async def end_role(
    *,
    session: AsyncSession,
    actor: Principal,
    block_id: uuid.UUID,
    role: BlockRole,
    person_id: uuid.UUID | None = None,
) -> None:
    """The leader (or that deputy) steps down; the row stays, ended. A block with no
    leader is a 409 (the block is there, in that state); no such deputy a 404."""
    await get_or_404(session, Block, block_id, BLOCK, lock=True)
    for row in await _live(session, block_id):
        if row.role == role and (person_id is None or row.person_id == person_id):
            _end(session, actor, row)
            return
    if role == BlockRole.leader:
        raise Conflict(Text("该块目前没有块长", "the block has no leader at present"))
    raise not_found(BLOCK_PERSON)
