"""What the block leader's page reads: the person's blocks (as leader or deputy, now),
each with its area's rules and the day's rounds of the block, whoever walked them, and
whether a survey campaign is under way in their areas (then the page links the walk list)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, time, tzinfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.housing.leaders import live_blocks
from coordinator.housing.models import AreaSurvey, Block, BlockRole
from coordinator.housing.rounds.models import Round
from coordinator.housing.rounds.window import Window, day_of, window_of
from coordinator.housing.surveys.campaigns import current_campaign
from coordinator.housing.surveys.models import SurveyCampaign
from coordinator.people.models import Person

# An area that has not set its rules walks by the defaults of AreaSurvey.
DEFAULT_RULES = (3, time(7), time(21), 300)


@dataclass
class RoundRow:
    round: Round
    person: str
    mine: bool


@dataclass
class MyBlock:
    block: Block
    area: str
    role: BlockRole
    rounds_per_day: int
    max_gap_minutes: int
    window: Window
    rounds: list[RoundRow] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(1 for row in self.rounds if row.round.ended_at is not None)

    def open_round(self, person_id: uuid.UUID) -> Round | None:
        return next(
            (
                row.round
                for row in self.rounds
                if row.round.person_id == person_id and row.round.ended_at is None
            ),
            None,
        )


async def campaign_under_way(
    session: AsyncSession, blocks: list[MyBlock], now: datetime, zone: tzinfo
) -> SurveyCampaign | None:
    """A survey campaign under way today in one of the blocks' areas (the walk list is
    worth a link), or None."""
    day = day_of(now, zone)
    for area_id in dict.fromkeys(b.block.area_id for b in blocks):
        campaign = await current_campaign(session, area_id, day)
        if campaign is not None:
            return campaign
    return None


def rules_of(survey: AreaSurvey | None) -> tuple[int, time, time, int]:
    if survey is None:
        return DEFAULT_RULES
    return (survey.rounds_per_day, survey.rounds_from, survey.rounds_until, survey.max_gap_minutes)


async def my_blocks(
    session: AsyncSession, person_id: uuid.UUID, now: datetime, zone: tzinfo
) -> list[MyBlock]:
    """The person's blocks now, by area and name, with today's rounds (and any of their
    own rounds still open from before)."""
    rows = await session.execute(
        live_blocks(person_id)
        .add_columns(AreaSurvey)
        .outerjoin(AreaSurvey, AreaSurvey.area_id == Block.area_id)
    )
    day = day_of(now, zone)
    found: dict[uuid.UUID, MyBlock] = {}
    for block, area, role, survey in rows:
        per_day, opens, closes, gap = rules_of(survey)
        found[block.id] = MyBlock(
            block, area, role, per_day, gap, window_of(day, opens, closes, zone)
        )
    if not found:
        return []
    midnight = window_of(day, time(0), time(0), zone).opens
    rounds = await session.execute(
        select(Round, Person.name)
        .join(Person, Person.id == Round.person_id)
        .where(
            Round.block_id.in_(found),
            (Round.started_at >= midnight) | Round.ended_at.is_(None),
        )
        .order_by(Round.started_at)
    )
    for round_, name in rounds:
        found[round_.block_id].rounds.append(RoundRow(round_, name, round_.person_id == person_id))
    return list(found.values())
