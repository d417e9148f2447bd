"""A floor is shown once: "18F" as written, a bare "12" as "12层"."""

from __future__ import annotations

import uuid

from sqlalchemy import update

from coordinator.labels import floor
from coordinator.registry.models import Company
from tests.visits.helpers import propose


def test_floor_is_shown_once_whatever_was_typed():
    assert floor("12", "zh") == "12层" and floor("12", "en") == "12F"
    assert floor("18F", "zh") == "18F" and floor("18F", "en") == "18F"
    assert floor("18层", "zh") == "18层"
    assert (
        floor("B1", "zh") == "B1" and floor("-2", "zh") == "地下2层" and floor("-2", "en") == "B2"
    )
    assert floor(None, "zh") == "" and floor("", "en") == ""


async def test_a_floor_written_18F_is_not_shown_as_18F_floor(api, database, world):
    async with database.sessionmaker.begin() as session:
        await session.execute(
            update(Company).where(Company.id == uuid.UUID(world.company_id)).values(floor="18F")
        )
    visit, path = await propose(api, database, world)
    assert " 18F（" in visit["place"] and "18F层" not in visit["place"]
    html = await (await api.client.get(path)).text()
    assert "18F" in html and "18F层" not in html
    english = await (await api.client.get(f"{path}?lang=en")).text()
    assert "18F" in english and "18F层" not in english
