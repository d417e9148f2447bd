"""The one way housing tests make their places straight in the database (a part's own API
tests make them through the API instead): residential areas with their survey rules,
compounds, buildings, blocks cut by (building, unit), dwellings, the people who lead and
deputise blocks, and a block leader's link."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.housing.leaders import PURPOSE
from coordinator.housing.models import (
    AreaSurvey,
    Block,
    BlockPerson,
    BlockRole,
    BlockUnit,
    Compound,
    CompoundKind,
    Dwelling,
    DwellingState,
    HousingBuilding,
)
from coordinator.links.service import issue_link
from coordinator.people.models import Person
from coordinator.platform.db import utcnow
from coordinator.registry.models import Area, AreaKind


@dataclass
class Places:
    """Inserts housing rows in the session given; remembers each building's area."""

    session: AsyncSession
    area_of: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)

    async def _add(self, row):  # type: ignore[no-untyped-def]
        self.session.add(row)
        await self.session.flush()
        return row

    async def area(
        self, name: str = "梧桐里居民区", stale_days: int | None = None, **survey: Any
    ) -> Area:
        """A residential area; with `stale_days` or other `AreaSurvey` fields (`lead_id`,
        `rounds_from` …), its survey settings too."""
        area = await self._add(Area(name=name, kind=AreaKind.residential))
        if stale_days is not None:
            survey["stale_days"] = stale_days
        if survey:
            await self._add(AreaSurvey(area_id=area.id, **survey))
        return area  # type: ignore[no-any-return]

    async def person(self, name: str, email: str | None = None) -> Person:
        return await self._add(Person(name=name, email=email))  # type: ignore[no-any-return]

    async def compound(
        self, area: Area, name: str, position: int = 0, kind: CompoundKind = CompoundKind.compound
    ) -> Compound:
        return await self._add(  # type: ignore[no-any-return]
            Compound(area_id=area.id, name=name, position=position, kind=kind)
        )

    async def building(self, compound: Compound, name: str, position: int = 0) -> HousingBuilding:
        building = await self._add(
            HousingBuilding(compound_id=compound.id, name=name, position=position)
        )
        self.area_of[building.id] = compound.area_id
        return building  # type: ignore[no-any-return]

    async def block(self, area: Area, name: str, *units: tuple[HousingBuilding, str]) -> Block:
        block = await self._add(Block(area_id=area.id, name=name, qr_secret=secrets.token_hex(16)))
        for building, unit in units:
            await self._add(BlockUnit(building_id=building.id, unit=unit, block_id=block.id))
        return block  # type: ignore[no-any-return]

    async def role(
        self, block: Block, person: Person, role: BlockRole = BlockRole.leader
    ) -> BlockPerson:
        return await self._add(  # type: ignore[no-any-return]
            BlockPerson(block_id=block.id, person_id=person.id, role=role)
        )

    async def dwelling(
        self,
        building: HousingBuilding,
        unit: str,
        floor: int,
        room: str,
        state: DwellingState = DwellingState.unsurveyed,
        surveyed_at: datetime | None = None,
        occupants: int | None = None,
    ) -> Dwelling:
        return await self._add(  # type: ignore[no-any-return]
            Dwelling(
                area_id=self.area_of[building.id],
                building_id=building.id,
                unit=unit,
                floor=floor,
                room=room,
                state=state,
                surveyed_at=surveyed_at,
                occupants=occupants,
                contact_name="张伟",
                contact_phone="13812345678",
            )
        )

    async def leader_link(self, person: Person, days: int = 30) -> str:
        """The person's block leader link, made directly; its token."""
        _, token = await issue_link(
            self.session,
            purpose=PURPOSE,
            subject_type="person",
            subject_id=person.id,
            actions=("start", "end", "walk", "result"),
            expires_at=utcnow() + timedelta(days=days),
            holder_type="person",
            holder_id=person.id,
        )
        return token
