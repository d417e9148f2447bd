"""The demo's residential survey: three areas with compounds, buildings, blocks that
cover every unit, leaders and deputies (with a reassignment kept), a few thousand
dwellings in mixed states with their history, and a board to show for each area; a survey
campaign under way with results, revisits and today's rounds, as the real rules leave them."""

from __future__ import annotations

import uuid
from datetime import datetime, time

from sqlalchemy import func, select

from coordinator.auth.models import Role
from coordinator.auth.service import Principal
from coordinator.housing.board import service
from coordinator.housing.models import (
    AreaSurvey,
    BlockPerson,
    BlockRole,
    Dwelling,
    DwellingStateChange,
    DwellingUse,
)
from coordinator.housing.models import (
    DwellingState as S,
)
from coordinator.housing.rounds import compliance
from coordinator.housing.rounds.models import Round
from coordinator.housing.rounds.sweep import sweep
from coordinator.housing.surveys.campaigns import current_campaign
from coordinator.housing.surveys.models import ResultCode, SurveyResult, SurveyRevisit
from coordinator.housing.surveys.progress import progress
from coordinator.housing.surveys.results import take_result
from coordinator.housing.surveys.schemas import ResultIn
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


async def test_the_demo_campaign_is_under_way_with_results_revisits_and_rounds(database, settings):
    zone = settings.zone
    now = datetime.combine(datetime.now(zone).date(), time(15, 30), tzinfo=zone)
    counts = await load_demo(database, settings, now=now)
    assert counts is not None
    async with database.session() as session:
        areas = [s.area_id for s in (await session.scalars(select(AreaSurvey))).all()]
        under_way = {await current_campaign(session, a, now.date()) for a in areas}
        assert len(under_way) == 1 and None not in under_way
        campaign = under_way.pop()
        assert campaign is not None

        done = (await progress(session, campaign.id)).overall
        assert done.total == counts["dwellings"]
        assert 0.2 < done.covered / done.total < 0.6
        assert done.by_result["confirmed"] > done.by_result["changed"] > 0
        assert done.by_result["moved_out"] > 0 and done.by_result["refused"] == 30
        assert done.revisits == done.by_result["nobody_home"] == counts["survey_revisits"]

        # A result that changed its dwelling is the history row naming it, and each
        # dwelling is at the version its latest result left it at.
        changed = (
            await session.execute(
                select(SurveyResult, DwellingStateChange).join(
                    DwellingStateChange, DwellingStateChange.id == SurveyResult.change_id
                )
            )
        ).all()
        assert len(changed) == done.by_result["changed"] + done.by_result["moved_out"]
        assert all(c.result_id == r.id and c.state == r.state and c.applied for r, c in changed)
        behind = await session.scalar(
            select(func.count())
            .select_from(SurveyResult)
            .join(Dwelling, Dwelling.id == SurveyResult.dwelling_id)
            .where(Dwelling.version != SurveyResult.version_after)
        )
        assert behind == 0
        revisits = (await session.scalars(select(SurveyRevisit))).all()
        assert {r.attempts for r in revisits} == {1, 2, 3}
        alert = settings.survey_revisit_alert_after
        assert all((r.lead_told_at is not None) == (r.attempts >= alert) for r in revisits)

        # The real rule takes results on top of the demo's: a third visit with nobody
        # home tells the lead; a confirmed door found changed is applied, no conflict.
        twice = next(r for r in revisits if r.attempts == 2)
        confirmed = await session.scalar(
            select(SurveyResult).where(SurveyResult.code == ResultCode.confirmed).limit(1)
        )
        assert confirmed is not None
        person = await session.scalar(
            select(SurveyResult.person_id).where(SurveyResult.dwelling_id == twice.dwelling_id)
        )
        actor = Principal(token_id=None, name="link:demo", role=Role.viewer)
        for person_id, dwelling_id, code, state in (
            (person, twice.dwelling_id, ResultCode.nobody_home, None),
            (confirmed.person_id, confirmed.dwelling_id, ResultCode.changed, S.renovating),
        ):
            dwelling = await session.get(Dwelling, dwelling_id)
            assert dwelling is not None and person_id is not None
            data = ResultIn(
                id=uuid.uuid4(),
                campaign_id=campaign.id,
                dwelling_id=dwelling_id,
                code=code,
                state=state,
                base_version=dwelling.version,
                recorded_at=now,
            )
            taken = await take_result(
                session, actor=actor, person_id=person_id, data=data, now=now, alert_after=alert
            )
            assert taken.created and not taken.out.conflict
        await session.refresh(twice)
        assert twice.attempts == 3 and twice.lead_told_at == now
        found = await session.get(Dwelling, confirmed.dwelling_id)
        assert found is not None and found.state == S.renovating

        # Today's rounds: every block walked since the window opened, some proven, one
        # under way at most per block, but one block walked only at dawn and now overdue.
        rounds = (await session.scalars(select(Round))).all()
        assert rounds and all(r.started_at.astimezone(zone).date() == now.date() for r in rounds)
        assert 0 < sum(r.proven for r in rounds) < len(rounds)
        open_blocks = [r.block_id for r in rounds if r.ended_at is None]
        assert len(open_blocks) == len(set(open_blocks))
        overdue = await sweep(session, settings=settings, now=now)
        assert (overdue.found, overdue.leaders, overdue.leads) == (1, 1, 0)
        gaps = []
        for area_id in areas:
            day = await compliance.board(
                session, area_id=area_id, day=now.date(), now=now, zone=zone
            )
            gaps += [item["name"] for item in day["items"] if item["gaps"]]
            assert all(item["done"] >= 2 for item in day["items"] if not item["gaps"])
        assert len(gaps) == 1
