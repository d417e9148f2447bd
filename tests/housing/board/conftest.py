"""Rows for the board's tests, inserted directly: an area with compounds, buildings cut
into blocks by unit, and dwellings in given states."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime

import pytest
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.housing.models import (
    AreaSurvey,
    Block,
    BlockUnit,
    Compound,
    CompoundKind,
    Dwelling,
    DwellingState,
    HousingBuilding,
    StateColour,
)
from coordinator.registry.models import Area, AreaKind


@dataclass
class Places:
    """Inserts the places of a board; remembers each building's area."""

    session: AsyncSession
    area_of: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)

    async def _add(self, row):  # type: ignore[no-untyped-def]
        self.session.add(row)
        await self.session.flush()
        return row

    async def area(self, name: str = "梧桐里居民区", stale_days: int | None = None) -> Area:
        area = await self._add(Area(name=name, kind=AreaKind.residential))
        if stale_days is not None:
            await self._add(AreaSurvey(area_id=area.id, stale_days=stale_days))
        return area  # type: ignore[no-any-return]

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


# The legend migration 0019 seeds (tests/conftest.py truncate_all puts it back after a
# test that commits); `legend` makes sure of it in the test's own rolled-back database.
SEEDED = (
    ("owner_occupied", "#4caf50"),
    ("rented_whole", "#ffeb3b"),
    ("rented_shared", "#ff9800"),
    ("suspected_group_rental", "#e53935"),
    ("suspected_day_rental", "#8e24aa"),
    ("vacant", "#90caf9"),
    ("renovating", "#8d6e63"),
    ("unsurveyed", "#e0e0e0"),
)


async def seeded_legend(session: AsyncSession) -> None:
    rows = [{"state": s, "colour": c, "position": n} for n, (s, c) in enumerate(SEEDED)]
    await session.execute(insert(StateColour).values(rows).on_conflict_do_nothing())


@pytest.fixture
async def legend(database):  # type: ignore[no-untyped-def]
    """The seeded legend, in the test's rolled-back database."""
    async with database.sessionmaker.begin() as session:
        await seeded_legend(session)
    return dict(SEEDED)


@pytest.fixture
async def scene(database, legend):  # type: ignore[no-untyped-def]
    """The small area of scene.py, in the test's rolled-back database."""
    from tests.housing.board.scene import small_area

    async with database.sessionmaker.begin() as session:
        return await small_area(session)
