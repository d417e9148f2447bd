"""A residential area for survey tests: two compounds, a building each, two blocks (one
led by the leader, one by someone else), dwellings in walking order, the area's lead with
an address, a campaign under way, and the leader's link made directly."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from coordinator.housing.models import DwellingState
from coordinator.platform.db import Database, utcnow
from tests.housing.builders import Places


@dataclass
class Estate:
    suffix: str
    area_id: uuid.UUID
    leader_id: uuid.UUID
    lead_id: uuid.UUID
    lead_email: str
    block_id: uuid.UUID
    other_block_id: uuid.UUID
    # Dwellings of the leader's block, in walking order; one of the other block.
    dwellings: list[uuid.UUID] = field(default_factory=list)
    other_dwelling: uuid.UUID | None = None
    token: str = ""

    @property
    def walk(self) -> str:
        return f"/b/{self.token}/walk"


async def make_estate(database: Database) -> Estate:
    suffix = uuid.uuid4().hex[:6]
    async with database.sessionmaker.begin() as session:
        places = Places(session)
        leader = await places.person("李秀兰")
        lead = await places.person("王建国", f"lead-{suffix}@example.test")
        other = await places.person("张伟")
        area = await places.area(f"华山居民区-{suffix}", lead_id=lead.id)
        # Walking order: compound position first, so 乙 (position 1) before 甲 (position 2).
        b1 = await places.building(await places.compound(area, "乙小区", position=1), "3号", 1)
        b2 = await places.building(await places.compound(area, "甲小区", position=2), "1号", 1)
        block = await places.block(area, "第一块", (b1, "1"), (b2, ""))
        other_block = await places.block(area, "第二块", (b1, "2"))
        await places.role(block, leader)
        await places.role(other_block, other)
        # Made out of order on purpose; the walk list puts them in order.
        places_made = [
            (b2, "", 1, "101"),
            (b1, "1", 5, "502"),
            (b1, "1", 2, "201"),
            (b1, "1", 2, "202"),
        ]
        made: dict[tuple[Any, ...], uuid.UUID] = {}
        for building, unit, floor, room in places_made:
            dwelling = await places.dwelling(
                building, unit, floor, room, DwellingState.rented_whole
            )
            made[(building.name, unit, floor, room)] = dwelling.id
        theirs = await places.dwelling(b1, "2", 1, "101")
        token = await places.leader_link(leader)
    order = [
        ("3号", "1", 2, "201"),
        ("3号", "1", 2, "202"),
        ("3号", "1", 5, "502"),
        ("1号", "", 1, "101"),
    ]
    return Estate(
        suffix=suffix,
        area_id=area.id,
        leader_id=leader.id,
        lead_id=lead.id,
        lead_email=lead.email or "",
        block_id=block.id,
        other_block_id=other_block.id,
        dwellings=[made[key] for key in order],
        other_dwelling=theirs.id,
        token=token,
    )


async def start_campaign(api: Any, estate: Estate) -> dict[str, Any]:
    today = utcnow().date()
    body = {
        "name": "春季房屋排摸",
        "area_ids": [str(estate.area_id)],
        "starts_on": (today - timedelta(days=1)).isoformat(),
        "ends_on": (today + timedelta(days=10)).isoformat(),
    }
    campaign: dict[str, Any] = await api.ok("POST", "/api/v1/survey-campaigns", 201, json=body)
    return campaign
