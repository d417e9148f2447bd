"""What a planning run writes (campaigns/jobs.py): its progress, its plan, its failure.
A run that is no longer the campaign's current one writes nothing."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.campaigns.loading import Frame
from coordinator.campaigns.models import Campaign, CampaignPlanItem, CampaignStatus
from coordinator.campaigns.plans import Plan
from coordinator.platform.db import utcnow


async def record_progress(
    *, session: AsyncSession, campaign_id: uuid.UUID, run: int, progress: dict[str, Any]
) -> bool | None:
    """Store a run's progress; returns whether to stop (None: the run is no longer current)."""
    campaign = await session.get(Campaign, campaign_id, with_for_update=True)
    if campaign is None or campaign.plan_run != run:
        return None
    campaign.progress = {"run": run, **progress}
    await session.flush()
    return campaign.cancel_requested


async def save_plan(
    *,
    session: AsyncSession,
    campaign_id: uuid.UUID,
    run: int,
    plan: Plan,
    frame: Frame,
    status: CampaignStatus | None,
) -> bool:
    """Replace the unpinned, unapproved items by the plan's; False if the run is stale."""
    campaign = await session.get(Campaign, campaign_id, with_for_update=True)
    if campaign is None or campaign.plan_run != run:
        return False
    await session.execute(
        delete(CampaignPlanItem).where(
            CampaignPlanItem.campaign_id == campaign_id,
            CampaignPlanItem.pinned.is_(False),
            CampaignPlanItem.visit_id.is_(None),
        )
    )
    length = timedelta(minutes=campaign.visit_minutes)
    rows = []
    for visit in plan.visits:
        if visit.pinned:
            continue
        company_id = uuid.UUID(visit.company)
        starts_at = frame.at(visit.day, visit.start)
        rows.append(
            {
                "id": uuid.uuid4(),
                "campaign_id": campaign_id,
                "company_id": company_id,
                "liaison_id": uuid.UUID(visit.liaison),
                "building_id": uuid.UUID(b) if (b := frame.buildings.get(company_id)) else None,
                "day": frame.days[visit.day],
                "starts_at": starts_at,
                "ends_at": starts_at + length,
                "pinned": False,
                "preferred_hit": visit.preferred_hit,
            }
        )
    if rows:
        await session.execute(insert(CampaignPlanItem), rows)
    campaign.metrics = plan.summary()
    campaign.report = {
        "issues": [asdict(i) for i in plan.issues],
        "unscheduled": [asdict(u) for u in plan.unscheduled],
    }
    if status is not None:
        campaign.status = status
        campaign.planned_at = utcnow()
        campaign.progress = {**(campaign.progress or {}), "percent": 100, "phase": status.value}
    await session.flush()
    return True


async def fail_plan(*, session: AsyncSession, campaign_id: uuid.UUID, run: int, error: str) -> None:
    await session.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id, Campaign.plan_run == run)
        .values(
            status=CampaignStatus.failed, report={"issues": [{"code": "error", "detail": error}]}
        )
    )
