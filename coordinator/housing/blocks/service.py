"""Blocks of an area: the list (with their leader, deputies and counts, rendered by
PostgreSQL), one block, adding, renaming and removing one."""

from __future__ import annotations

import json
import secrets
import uuid

from sqlalchemy import exists
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.writes import apply_update, audit_created, delete_row
from coordinator.auth.models import Principal
from coordinator.housing.blocks.schemas import BlockIn, BlockOut, BlockPatch, BlockQuery
from coordinator.housing.models import BLOCK, Block, BlockPerson
from coordinator.housing.places.service import residential_area
from coordinator.platform.db import Database
from coordinator.platform.listing import JsonBody, Listing
from coordinator.platform.problems import not_found
from coordinator.platform.resources import get_or_404, patch_values

_LIVE = "p.block_id = blocks.id AND p.until IS NULL"
BLOCKS = Listing(
    Block,
    BlockOut,
    sorts={"name": Block.name, "created_at": Block.created_at},
    filters={
        "id": Block.id,
        "area_id": Block.area_id,
        "person_id": lambda person: exists().where(
            BlockPerson.block_id == Block.id,
            BlockPerson.person_id == person,
            BlockPerson.until.is_(None),
        ),
    },
    search=(Block.name,),
    json={
        "leader_id": "COALESCE(to_json((SELECT p.person_id FROM block_people AS p"
        f" WHERE {_LIVE} AND p.role = 'leader'))::text, 'null')",
        "deputy_ids": "COALESCE((SELECT json_agg(p.person_id ORDER BY p.since, p.person_id)"
        f" FROM block_people AS p WHERE {_LIVE} AND p.role = 'deputy')::text, '[]')",
        "units": "(SELECT count(*) FROM block_units AS u WHERE u.block_id = blocks.id)::text",
        "dwellings": "(SELECT count(*) FROM dwellings AS d JOIN block_units AS u"
        " ON u.building_id = d.building_id AND u.unit = d.unit"
        " WHERE u.block_id = blocks.id)::text",
    },
)
# The QR secret is shown to no one through the API and kept out of the audit log.
_HIDDEN = {"qr_secret": None}


async def list_blocks(*, database: Database, query: BlockQuery) -> JsonBody:
    """Blocks, by area or by a person leading or deputising them now; q on the name."""
    return await BLOCKS.page(database, query)


async def block_out(session: AsyncSession, block_id: uuid.UUID) -> BlockOut:
    page = json.loads(bytes(await BLOCKS.page(session, BlockQuery(limit=1), id=block_id)))
    if not page["items"]:
        raise not_found(BLOCK)
    return BlockOut.model_validate(page["items"][0])


async def create_block(*, session: AsyncSession, actor: Principal, data: BlockIn) -> BlockOut:
    """A block of a residential area (names unique per area), covering nothing yet."""
    await residential_area(session, data.area_id, "area_id")
    block = Block(**data.model_dump(), qr_secret=secrets.token_urlsafe(24))
    session.add(block)
    await audit_created(session, actor, block, "block", extra_after=_HIDDEN)
    return await block_out(session, block.id)


async def get_block(*, session: AsyncSession, block_id: uuid.UUID) -> BlockOut:
    return await block_out(session, block_id)


async def update_block(
    *, session: AsyncSession, actor: Principal, block_id: uuid.UUID, patch: BlockPatch
) -> BlockOut:
    block = await get_or_404(session, Block, block_id, BLOCK, lock=True)
    values = patch_values(patch, required={"name"})
    await apply_update(
        session, actor, block, values, "block", extra_before=_HIDDEN, extra_after=_HIDDEN
    )
    return await block_out(session, block.id)


async def delete_block(*, session: AsyncSession, actor: Principal, block_id: uuid.UUID) -> None:
    """409 while it covers units (give them to another block first)."""
    block = await get_or_404(session, Block, block_id, BLOCK, lock=True)
    await delete_row(
        session,
        actor,
        block,
        "block",
        BLOCK,
        before={"id": str(block.id), "area_id": str(block.area_id), "name": block.name},
    )
