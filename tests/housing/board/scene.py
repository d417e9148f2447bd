"""A small area to read a board of: two compounds, three buildings, three blocks, 18
dwellings, a few of them surveyed (one 40 days ago: stale), the rest not yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from coordinator.housing.models import CompoundKind, DwellingState, DwellingUse
from coordinator.platform.db import utcnow
from tests.housing.builders import Places

S = DwellingState


@dataclass
class Scene:
    area: Any
    blocks: dict[str, Any]
    dwellings: dict[str, Any]  # "building/unit/room" -> Dwelling
    now: datetime


async def small_area(session, now: datetime | None = None) -> Scene:  # type: ignore[no-untyped-def]
    now = now or utcnow()
    places = Places(session)
    area = await places.area("梧桐里居民区", stale_days=30)
    court = await places.compound(area, "梧桐小区", position=0)
    street = await places.compound(area, "南京西路沿街", position=1, kind=CompoundKind.street)
    one = await places.building(court, "1号楼", position=0)
    two = await places.building(court, "2号楼", position=1)
    shops = await places.building(street, "沿街商铺")
    blocks = {
        "第一块": await places.block(area, "第一块", (one, "1")),
        "第二块": await places.block(area, "第二块", (one, "2"), (two, "")),
        "第三块": await places.block(area, "第三块", (shops, "")),
    }
    dwellings: dict[str, Any] = {}
    known = {
        "1号楼/1/301": (S.suspected_group_rental, now - timedelta(days=2), 9),
        "1号楼/1/201": (S.rented_whole, now - timedelta(days=40), 3),
        "1号楼/2/302": (S.owner_occupied, now - timedelta(days=10), 2),
        "2号楼//101": (S.vacant, None, 0),
        "沿街商铺//1号": (S.rented_whole, now - timedelta(days=5), None),
    }

    async def add(building: Any, unit: str, floor: int, room: str) -> None:
        key = f"{building.name}/{unit}/{room}"
        state, seen, occupants = known.get(key, (S.unsurveyed, None, None))
        dwellings[key] = await places.dwelling(
            building, unit, floor, room, state, surveyed_at=seen, occupants=occupants
        )

    for unit in ("1", "2"):
        for floor in (1, 2, 3):
            for door in ("01", "02"):
                await add(one, unit, floor, f"{floor}{door}")
    for floor in (1, 2):
        for door in ("01", "02"):
            await add(two, "", floor, f"{floor}{door}")
    for room in ("1号", "3号"):
        await add(shops, "", 1, room)
    for key in ("沿街商铺//1号", "沿街商铺//3号"):
        dwellings[key].use = DwellingUse.shop
    await session.flush()
    return Scene(area=area, blocks=blocks, dwellings=dwellings, now=now)
