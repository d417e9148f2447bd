"""A residential area for survey tests: two compounds, a building each, two blocks (one
led by the leader, one by someone else), dwellings in walking order, the area's lead with
an address, a campaign under way, and the leader's link made directly."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from coordinator.housing.leaders import PURPOSE
from coordinator.housing.models import (
    AreaSurvey,
    Block,
    BlockPerson,
    BlockRole,
    BlockUnit,
    Compound,
    Dwelling,
    DwellingState,
    HousingBuilding,
)
from coordinator.links.service import issue_link
from coordinator.people.models import Person
from coordinator.platform.db import Database, utcnow
from coordinator.registry.models import Area, AreaKind


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
        area = Area(id=uuid.uuid4(), name=f"华山居民区-{suffix}", kind=AreaKind.residential)
        leader = Person(id=uuid.uuid4(), name="李秀兰")
        lead = Person(id=uuid.uuid4(), name="王建国", email=f"lead-{suffix}@example.test")
        other = Person(id=uuid.uuid4(), name="张伟")
        session.add_all([area, leader, lead, other])
        await session.flush()
        session.add(AreaSurvey(area_id=area.id, lead_id=lead.id))
        # Walking order: compound position first, so 乙 (position 1) before 甲 (position 2).
        first = Compound(id=uuid.uuid4(), area_id=area.id, name="乙小区", position=1)
        second = Compound(id=uuid.uuid4(), area_id=area.id, name="甲小区", position=2)
        session.add_all([first, second])
        await session.flush()
        b1 = HousingBuilding(id=uuid.uuid4(), compound_id=first.id, name="3号", position=1)
        b2 = HousingBuilding(id=uuid.uuid4(), compound_id=second.id, name="1号", position=1)
        session.add_all([b1, b2])
        block = Block(id=uuid.uuid4(), area_id=area.id, name="第一块", qr_secret="x" * 32)
        other_block = Block(id=uuid.uuid4(), area_id=area.id, name="第二块", qr_secret="y" * 32)
        session.add_all([block, other_block])
        await session.flush()
        session.add_all(
            [
                BlockUnit(building_id=b1.id, unit="1", block_id=block.id),
                BlockUnit(building_id=b2.id, unit="", block_id=block.id),
                BlockUnit(building_id=b1.id, unit="2", block_id=other_block.id),
                BlockPerson(block_id=block.id, person_id=leader.id, role=BlockRole.leader),
                BlockPerson(block_id=other_block.id, person_id=other.id, role=BlockRole.leader),
            ]
        )
        await session.flush()
        # Made out of order on purpose; the walk list puts them in order.
        places = [(b2, "", 1, "101"), (b1, "1", 5, "502"), (b1, "1", 2, "201"), (b1, "1", 2, "202")]
        made: dict[tuple[Any, ...], uuid.UUID] = {}
        for building, unit, floor, room in places:
            dwelling = Dwelling(
                id=uuid.uuid4(),
                area_id=area.id,
                building_id=building.id,
                unit=unit,
                floor=floor,
                room=room,
                state=DwellingState.rented_whole,
            )
            session.add(dwelling)
            made[(building.name, unit, floor, room)] = dwelling.id
        theirs = Dwelling(
            id=uuid.uuid4(), area_id=area.id, building_id=b1.id, unit="2", floor=1, room="101"
        )
        session.add(theirs)
        await session.flush()
        _, token = await issue_link(
            session,
            purpose=PURPOSE,
            subject_type="person",
            subject_id=leader.id,
            actions=("walk",),
            expires_at=utcnow() + timedelta(days=30),
            holder_type="person",
            holder_id=leader.id,
        )
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
