"""The board's tests: the legend as seeded, and a small area (scene.py, made with
tests/housing/builders.py)."""

from __future__ import annotations

import pytest
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.housing.models import (
    StateColour,
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
