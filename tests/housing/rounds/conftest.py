"""An area cut into blocks for the rounds' tests, made straight in the database
(tests/housing/builders.py): an area with its survey rules and a lead, a compound,
a building with two units, a block for each, a leader and a deputy with email addresses."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import time

import pytest

from coordinator.housing.models import BlockRole
from coordinator.platform.db import Database
from tests.housing.builders import Places


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
        places = Places(session)
        people = {
            key: await places.person(name, f"{key}-{suffix}@example.test")
            for key, name in (("leader", "王块长"), ("deputy", "李副块长"), ("lead", "赵书记"))
        }
        area = await places.area(
            f"静安新村居民区-{suffix}",
            lead_id=people["lead"].id,
            rounds_per_day=rounds_per_day,
            rounds_from=rounds_from,
            rounds_until=rounds_until,
            max_gap_minutes=max_gap_minutes,
        )
        building = await places.building(await places.compound(area, "静安新村"), "12号")
        blocks = [
            await places.block(area, "第一块", (building, "1")),
            await places.block(area, "第二块", (building, "2")),
        ]
        await places.role(blocks[0], people["leader"])
        await places.role(blocks[0], people["deputy"], BlockRole.deputy)
        await places.role(blocks[1], people["deputy"])
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
