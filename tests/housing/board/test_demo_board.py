"""The demo's residential survey: three areas with compounds, buildings, blocks that
cover every unit, leaders and deputies (with a reassignment kept), a few thousand
dwellings in mixed states with their history, and a board to show for each area."""

from __future__ import annotations

from sqlalchemy import func, select

from coordinator.housing.board import service
from coordinator.housing.models import (
    AreaSurvey,
    BlockPerson,
    BlockRole,
    Dwelling,
    DwellingStateChange,
    DwellingUse,
)
from coordinator.ops.demo_load import load_demo


async def test_the_demo_survey_fills_three_boards(database, settings):
    counts = await load_demo(database, settings)
    assert counts is not None
    assert counts["dwellings"] > 2500 and counts["blocks"] == 15
    async with database.session() as session:
        assert (
            await session.scalar(select(func.count()).select_from(Dwelling)) == counts["dwellings"]
        )
        history = await session.scalar(select(func.count()).select_from(DwellingStateChange))
        versions = await session.scalar(select(func.sum(Dwelling.version - 1)))
        assert history == versions == counts["dwelling_states"]
        surveys = (await session.scalars(select(AreaSurvey))).all()
        assert len(surveys) == 3 and all(s.lead_id is not None for s in surveys)
        live = (
            await session.execute(
                select(BlockPerson.role, func.count())
                .where(BlockPerson.until.is_(None))
                .group_by(BlockPerson.role)
            )
        ).all()
        assert dict(live) == {BlockRole.leader: 15, BlockRole.deputy: 15}
        ended = await session.scalar(select(func.count()).where(BlockPerson.until.is_not(None)))
        assert ended == 3
        shops = await session.scalar(
            select(func.count()).where(
                Dwelling.use == DwellingUse.shop, Dwelling.company_id.is_not(None)
            )
        )
        assert shops == 16  # every street shop company of the registry has its shop

        for survey in surveys:
            board = await service.board(session, survey.area_id)
            assert board is not None and board["total"] > 900
            assert len({e["state"] for e in board["legend"] if e["total"]}) == 8
            assert board["stale"] > 0
            names = [c["name"] for c in board["compounds"]]
            assert len(names) == 3 and names[2].endswith("沿街商铺")
            tower = board["compounds"][1]["buildings"][0]
            assert [u["doors"] for u in tower["units"]] == [["01", "02", "03", "04"]] * 2
