"""Rules of campaigns: creating one, asking for a plan run or its cancelling. What a run
writes is in `runs`; the plan's items, their moves and approval in `items`."""

from __future__ import annotations

import uuid
from datetime import time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import record_row, snapshot
from coordinator.auth.service import Principal
from coordinator.campaigns.models import (
    Campaign,
    CampaignLiaison,
    CampaignPlanItem,
    CampaignStatus,
)
from coordinator.campaigns.schemas import CampaignIn, CampaignOut
from coordinator.people.models import Person, Team, TeamMember
from coordinator.platform.i18n import Text
from coordinator.platform.problems import (
    FieldError,
    StateConflict,
    ValidationFailed,
)
from coordinator.platform.resources import ensure_exists, get_or_404

CAMPAIGN = Text("走访行动", "campaign")
ITEM = Text("计划条目", "plan item")


def invalid(field: str, zh: str, en: str) -> ValidationFailed:
    message = Text(zh, en)
    return ValidationFailed(message, errors=[FieldError(field, message)])


def audit(
    session: AsyncSession,
    actor: Principal,
    action: str,
    row: Campaign | CampaignPlanItem,
    before: dict[str, Any] | None = None,
    entity_type: str = "campaign",
) -> None:
    record_row(
        session=session, actor=actor, action=action, entity_type=entity_type, row=row, before=before
    )


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


async def create_campaign(*, session: AsyncSession, actor: Principal, data: CampaignIn) -> Campaign:
    """A campaign in draft with its liaison pool (teams expanded to their members)."""
    if data.ends_on < data.starts_on:
        raise invalid("ends_on", "结束日期早于开始日期", "ends_on is before starts_on")
    for i, window in enumerate(data.windows):
        if window.end <= window.start:
            raise invalid(f"windows.{i}.end", "结束须晚于开始", "end must be after start")
    campaign = Campaign(
        id=uuid.uuid4(),
        name=data.name,
        purpose=data.purpose,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        weekdays=sorted(set(data.weekdays)),
        windows=[w.model_dump() for w in data.windows],
        visit_minutes=data.visit_minutes,
        filters=data.filters.model_dump(mode="json", exclude_none=True),
        company_windows=[w.model_dump(mode="json") for w in data.company_windows],
        travel=data.travel.model_dump(),
        time_limit_seconds=data.time_limit_seconds,
        status=CampaignStatus.draft,
        plan_run=0,
        cancel_requested=False,
        progress={},
        metrics={},
        report={},
    )
    session.add(campaign)
    seen: set[uuid.UUID] = set()
    for i, entry in enumerate(data.liaisons):
        if (entry.person_id is None) == (entry.team_id is None):
            raise invalid(
                f"liaisons.{i}", "须填写「person_id」或「team_id」之一", "give person_id or team_id"
            )
        if entry.team_id is not None:
            await ensure_exists(
                session, Team, entry.team_id, f"liaisons.{i}.team_id", Text("团队", "team")
            )
            people = list(
                await session.scalars(
                    select(TeamMember.person_id).where(TeamMember.team_id == entry.team_id)
                )
            )
        else:
            await ensure_exists(
                session, Person, entry.person_id, f"liaisons.{i}.person_id", Text("人员", "person")
            )
            people = [entry.person_id]  # type: ignore[list-item]
        for person_id in people:
            if person_id in seen:
                continue
            seen.add(person_id)
            session.add(
                CampaignLiaison(
                    campaign_id=campaign.id,
                    person_id=person_id,
                    weekdays=sorted(set(entry.weekdays or data.weekdays)),
                    start_time=_clock(entry.start),
                    end_time=_clock(entry.end),
                    max_per_day=entry.max_per_day,
                )
            )
    await session.flush()
    audit(session, actor, "create", campaign)
    return campaign


async def campaign_out(session: AsyncSession, campaign: Campaign) -> CampaignOut:
    count = await session.scalar(
        select(func.count()).where(CampaignLiaison.campaign_id == campaign.id)
    )
    out = CampaignOut.model_validate(campaign)
    out.liaisons = count or 0
    return out


# The states a campaign may move to from each state (any but planning may be planned again).
CAMPAIGN_NEXT: dict[CampaignStatus, tuple[str, ...]] = {
    CampaignStatus.draft: ("planning",),
    CampaignStatus.planning: ("cancelled", "failed", "planned"),
    CampaignStatus.planned: ("planning",),
    CampaignStatus.cancelled: ("planning",),
    CampaignStatus.failed: ("planning",),
}


def campaign_conflict(campaign: Campaign, detail: Text) -> StateConflict:
    return StateConflict(
        detail, current=campaign.status.value, allowed=CAMPAIGN_NEXT[campaign.status]
    )


async def get_campaign(
    *, session: AsyncSession, campaign_id: uuid.UUID, lock: bool = False
) -> Campaign:
    return await get_or_404(session, Campaign, campaign_id, CAMPAIGN, lock=lock)


async def request_plan(*, session: AsyncSession, actor: Principal, campaign_id: uuid.UUID) -> int:
    """Start a new planning run (any earlier one stops writing); returns its number."""
    campaign = await get_campaign(session=session, campaign_id=campaign_id, lock=True)
    before = snapshot(campaign)
    campaign.plan_run += 1
    campaign.status = CampaignStatus.planning
    campaign.cancel_requested = False
    campaign.progress = {"run": campaign.plan_run, "percent": 0, "phase": "queued"}
    await session.flush()
    audit(session, actor, "plan", campaign, before)
    return campaign.plan_run


async def request_cancel(
    *, session: AsyncSession, actor: Principal, campaign_id: uuid.UUID
) -> Campaign:
    campaign = await get_campaign(session=session, campaign_id=campaign_id, lock=True)
    before = snapshot(campaign)
    if campaign.status != CampaignStatus.planning:
        raise campaign_conflict(
            campaign, Text("走访行动不在规划中", "The campaign is not being planned")
        )
    campaign.cancel_requested = True
    await session.flush()
    audit(session, actor, "cancel", campaign, before)
    return campaign
