"""What a block leader's walk list reads through their link: their blocks (as leader or
deputy), each with the campaign under way in its area, its dwellings in walking order
(compound, building, unit, floor, room) with their state, version and visits so far, the
revisit list and the block's progress."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.housing.leaders import live_blocks
from coordinator.housing.models import (
    Block,
    BlockRole,
    BlockUnit,
    Compound,
    Dwelling,
    HousingBuilding,
)
from coordinator.housing.surveys.campaigns import current_campaign
from coordinator.housing.surveys.models import (
    ResultCode,
    SurveyCampaign,
    SurveyResult,
    SurveyRevisit,
)
from coordinator.housing.surveys.progress import progress
from coordinator.housing.surveys.schemas import Tally


@dataclass(frozen=True)
class Door:
    dwelling: Dwelling
    compound: str
    building: str
    attempts: int
    last_code: ResultCode | None


@dataclass
class BlockWalk:
    block: Block
    area: str
    role: BlockRole
    campaign: SurveyCampaign | None
    doors: list[Door] = field(default_factory=list)
    tally: Tally | None = None

    @property
    def revisits(self) -> list[Door]:
        return [d for d in self.doors if d.last_code == ResultCode.nobody_home]


async def _doors(
    session: AsyncSession, block_id: uuid.UUID, campaign_id: uuid.UUID | None
) -> list[Door]:
    latest = (
        select(SurveyResult.code)
        .where(
            SurveyResult.campaign_id == campaign_id,
            SurveyResult.dwelling_id == Dwelling.id,
        )
        .order_by(SurveyResult.recorded_at.desc(), SurveyResult.received_at.desc())
        .limit(1)
        .correlate(Dwelling)
        .scalar_subquery()
    )
    stmt = (
        select(Dwelling, Compound.name, HousingBuilding.name, SurveyRevisit.attempts, latest)
        .join(
            BlockUnit,
            and_(BlockUnit.building_id == Dwelling.building_id, BlockUnit.unit == Dwelling.unit),
        )
        .join(HousingBuilding, HousingBuilding.id == Dwelling.building_id)
        .join(Compound, Compound.id == HousingBuilding.compound_id)
        .outerjoin(
            SurveyRevisit,
            and_(
                SurveyRevisit.dwelling_id == Dwelling.id,
                SurveyRevisit.campaign_id == campaign_id,
            ),
        )
        .where(BlockUnit.block_id == block_id)
        .order_by(
            Compound.position,
            Compound.name,
            HousingBuilding.position,
            HousingBuilding.name,
            Dwelling.unit,
            Dwelling.floor,
            Dwelling.room,
        )
    )
    rows = await session.execute(stmt)
    return [
        Door(dwelling, compound, building, attempts or 0, code)
        for dwelling, compound, building, attempts, code in rows
    ]


async def walk_list(session: AsyncSession, person_id: uuid.UUID, today: date) -> list[BlockWalk]:
    """The person's live blocks, each with its doors and progress."""
    rows = await session.execute(live_blocks(person_id))
    walks: list[BlockWalk] = []
    for block, area, role in rows.all():
        campaign = await current_campaign(session, block.area_id, today)
        walk = BlockWalk(block=block, area=area, role=role, campaign=campaign)
        walk.doors = await _doors(session, block.id, campaign.id if campaign else None)
        if campaign is not None:
            tallies = await progress(session, campaign.id, block_ids=[block.id])
            walk.tally = tallies.blocks[0] if tallies.blocks else None
        walks.append(walk)
    return walks
