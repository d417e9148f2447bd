"""Which (building, unit) pairs a block covers. Each pair is one row of `block_units`, its
primary key, so two blocks can never both hold it: of two requests claiming the same pair
at once, the second waits on the first's row and then finds it taken (409 naming the block
that has it), unless it asks to move it (`move`). A pair with dwellings in it cannot be
left without a block: give it to another block instead."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, func, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import record
from coordinator.auth.models import Principal
from coordinator.housing.blocks.schemas import UnitOut, UnitsIn, UnitsOut
from coordinator.housing.models import BLOCK, Block, BlockUnit, Compound, Dwelling, HousingBuilding
from coordinator.platform.i18n import Text
from coordinator.platform.problems import Conflict, FieldError, invalid_field
from coordinator.platform.resources import get_or_404

Pair = tuple[uuid.UUID, str]


def _refs(pairs: list[Pair]) -> list[dict[str, str]]:
    return [{"building_id": str(b), "unit": u} for b, u in sorted(pairs)]


async def units_of(session: AsyncSession, block_id: uuid.UUID) -> list[Pair]:
    rows = await session.execute(
        select(BlockUnit.building_id, BlockUnit.unit)
        .where(BlockUnit.block_id == block_id)
        .order_by(BlockUnit.building_id, BlockUnit.unit)
    )
    return [(b, u) for b, u in rows]


async def get_units(*, session: AsyncSession, block_id: uuid.UUID) -> UnitsOut:
    await get_or_404(session, Block, block_id, BLOCK)
    pairs = await units_of(session, block_id)
    return UnitsOut(block_id=block_id, units=[UnitOut(building_id=b, unit=u) for b, u in pairs])


async def _check_buildings(session: AsyncSession, block: Block, wanted: set[Pair]) -> None:
    """Every building named is of a compound in the block's area (422 naming units)."""
    buildings = {b for b, _ in wanted}
    if not buildings:
        return
    found = set(
        (
            await session.scalars(
                select(HousingBuilding.id)
                .join(Compound, Compound.id == HousingBuilding.compound_id)
                .where(HousingBuilding.id.in_(buildings), Compound.area_id == block.area_id)
            )
        ).all()
    )
    if buildings - found:
        raise invalid_field(
            "units",
            Text(
                "有楼栋不存在或不属于该块所在的居民区",
                "some buildings do not exist or are not in the block's area",
            ),
        )


async def _leave(session: AsyncSession, block: Block, gone: set[Pair]) -> None:
    """Drop pairs from the block; 409 for those with dwellings in them."""
    if not gone:
        return
    keys = list(gone)
    peopled = (
        await session.execute(
            select(Dwelling.building_id, Dwelling.unit, func.count())
            .where(tuple_(Dwelling.building_id, Dwelling.unit).in_(keys))
            .group_by(Dwelling.building_id, Dwelling.unit)
        )
    ).all()
    if peopled:
        message = Text(
            "有单元仍有房屋，不能不归属任何块：请把它们划给另一个块（设置「move」）",
            "some units still have dwellings and cannot be left in no block: give them to"
            " another block (move)",
        )
        raise Conflict(
            message,
            errors=[FieldError("units", message)],
            extra={
                "units": [{"building_id": str(b), "unit": u, "dwellings": n} for b, u, n in peopled]
            },
        )
    await session.execute(
        delete(BlockUnit).where(
            BlockUnit.block_id == block.id,
            tuple_(BlockUnit.building_id, BlockUnit.unit).in_(keys),
        )
    )


async def _claim(
    session: AsyncSession, block: Block, new: set[Pair], move: bool
) -> dict[Pair, uuid.UUID]:
    """Add pairs to the block; those another block has are moved (move) or refused (409).
    Returns the pairs moved, with the block each came from."""
    if not new:
        return {}
    inserted = await session.execute(
        insert(BlockUnit)
        .values([{"building_id": b, "unit": u, "block_id": block.id} for b, u in sorted(new)])
        .on_conflict_do_nothing()
        .returning(BlockUnit.building_id, BlockUnit.unit)
    )
    taken = new - {(b, u) for b, u in inserted}
    if not taken:
        return {}
    owners = (
        await session.execute(
            select(BlockUnit.building_id, BlockUnit.unit, Block.id, Block.name)
            .join(Block, Block.id == BlockUnit.block_id)
            .where(tuple_(BlockUnit.building_id, BlockUnit.unit).in_(list(taken)))
            .with_for_update(of=BlockUnit)
        )
    ).all()
    if not move:
        message = Text(
            "有单元已属于其他块（{names}）；如需划转请设置「move」",
            "some units are in another block already ({names}); set move to move them",
        ).format(names="、".join(sorted({row.name for row in owners})))
        raise Conflict(
            message,
            errors=[FieldError("units", message)],
            extra={
                "taken": [
                    {"building_id": str(b), "unit": u, "block_id": str(i), "block": n}
                    for b, u, i, n in owners
                ]
            },
        )
    await session.execute(
        update(BlockUnit)
        .where(tuple_(BlockUnit.building_id, BlockUnit.unit).in_(list(taken)))
        .values(block_id=block.id)
    )
    return {(b, u): i for b, u, i, _ in owners}


async def set_units(
    *, session: AsyncSession, actor: Principal, block_id: uuid.UUID, data: UnitsIn
) -> UnitsOut:
    """Make the block cover exactly the pairs given (audited, before and after)."""
    block = await get_or_404(session, Block, block_id, BLOCK, lock=True)
    wanted = {(ref.building_id, ref.unit) for ref in data.units}
    await _check_buildings(session, block, wanted)
    before = set(await units_of(session, block.id))
    await _leave(session, block, before - wanted)
    moved = await _claim(session, block, wanted - before, data.move)
    after: dict[str, Any] = {"units": _refs(list(wanted))}
    if moved:
        after["moved_from"] = [
            {"building_id": str(b), "unit": u, "block_id": str(i)} for (b, u), i in moved.items()
        ]
    record(
        session=session,
        actor=actor,
        action="set_units",
        entity_type="block",
        entity_id=block.id,
        before={"units": _refs(list(before))},
        after=after,
    )
    return UnitsOut(
        block_id=block.id,
        units=[UnitOut(building_id=b, unit=u) for b, u in sorted(wanted)],
        moved=[UnitOut(building_id=b, unit=u) for b, u in sorted(moved)],
    )
