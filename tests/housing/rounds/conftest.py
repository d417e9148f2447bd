"""An area cut into blocks for the rounds' tests, made straight in the database (the
blocks' own API is another part's): an area with its survey rules and a lead, a compound,
a building with two units, a block for each, a leader and a deputy with email addresses."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import time

import pytest

from coordinator.housing.models import (
    AreaSurvey,
    Block,
    BlockPerson,
    BlockRole,
    BlockUnit,
    Compound,
    HousingBuilding,
)
from coordinator.people.models import Person
from coordinator.platform.db import Database
from coordinator.registry.models import Area, AreaKind


@dataclass
class Blocks:
    area_id: uuid.UUID
    block_id: uuid.UUID  # led by `leader`, `deputy` deputising
    other_block_id: uuid.UUID  # led by `deputy`
    leader_id: uuid.UUID
    deputy_id: uuid.UUID
    lead_id: uuid.UUID
    leader_email: str
    lead_email: str


async def make_blocks(
    database: Database,
    *,
    rounds_from: time = time(0),
    rounds_until: time = time(23, 59, 59),
    max_gap_minutes: int = 60,
    rounds_per_day: int = 3,
) -> Blocks:
    suffix = uuid.uuid4().hex[:6]
    async with database.sessionmaker.begin() as session:
        area = Area(id=uuid.uuid4(), name=f"静安新村居民区-{suffix}", kind=AreaKind.residential)
        people = {
            key: Person(id=uuid.uuid4(), name=name, email=f"{key}-{suffix}@example.test")
            for key, name in (("leader", "王块长"), ("deputy", "李副块长"), ("lead", "赵书记"))
        }
        session.add_all([area, *people.values()])
        await session.flush()
        session.add(
            AreaSurvey(
                area_id=area.id,
                lead_id=people["lead"].id,
                rounds_per_day=rounds_per_day,
                rounds_from=rounds_from,
                rounds_until=rounds_until,
                max_gap_minutes=max_gap_minutes,
            )
        )
        compound = Compound(id=uuid.uuid4(), area_id=area.id, name="静安新村")
        session.add(compound)
        await session.flush()
        building = HousingBuilding(id=uuid.uuid4(), compound_id=compound.id, name="12号")
        blocks = [
            Block(id=uuid.uuid4(), area_id=area.id, name=name, qr_secret=secrets.token_hex(16))
            for name in ("第一块", "第二块")
        ]
        session.add_all([building, *blocks])
        await session.flush()
        session.add_all(
            [
                BlockUnit(building_id=building.id, unit="1", block_id=blocks[0].id),
                BlockUnit(building_id=building.id, unit="2", block_id=blocks[1].id),
                BlockPerson(
                    block_id=blocks[0].id, person_id=people["leader"].id, role=BlockRole.leader
                ),
                BlockPerson(
                    block_id=blocks[0].id, person_id=people["deputy"].id, role=BlockRole.deputy
                ),
                BlockPerson(
                    block_id=blocks[1].id, person_id=people["deputy"].id, role=BlockRole.leader
                ),
            ]
        )
    return Blocks(
        area_id=area.id,
        block_id=blocks[0].id,
        other_block_id=blocks[1].id,
        leader_id=people["leader"].id,
        deputy_id=people["deputy"].id,
        lead_id=people["lead"].id,
        leader_email=people["leader"].email or "",
        lead_email=people["lead"].email or "",
    )


@pytest.fixture
async def blocks(database) -> Blocks:  # type: ignore[no-untyped-def]
    return await make_blocks(database)


# Real SMTP and arq worker processes for the reminder test.
from tests.workers.conftest import (  # noqa: E402, F401
    mail,
    redis_client,
    worker_env,
    workers,
)
