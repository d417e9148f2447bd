"""Rules of campaigns: create, plan runs and their progress, pins and moves, approval."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import record, record_row, snapshot
from coordinator.auth.service import Principal
from coordinator.campaigns.loading import Frame
from coordinator.campaigns.models import (
    Campaign,
    CampaignLiaison,
    CampaignPlanItem,
    CampaignStatus,
)
from coordinator.campaigns.planner import Plan
from coordinator.campaigns.schemas import CampaignIn, CampaignOut, ItemPatch
from coordinator.people.models import Person, Team, TeamMember
from coordinator.platform.db import Database, utcnow
from coordinator.platform.i18n import Text
from coordinator.platform.problems import (
    Conflict,
    FieldError,
    Problem,
    StateConflict,
    ValidationFailed,
)
from coordinator.platform.resources import ensure_exists, get_or_404
from coordinator.platform.settings import VisitSettings
from coordinator.registry.models import Contact
from coordinator.visits import service as visits
from coordinator.visits.schemas import VisitIn

CAMPAIGN = Text("走访行动", "campaign")
ITEM = Text("计划条目", "plan item")


def _invalid(field: str, zh: str, en: str) -> ValidationFailed:
    message = Text(zh, en)
    return ValidationFailed(message, errors=[FieldError(field, message)])


def _audit(
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
        raise _invalid("ends_on", "结束日期早于开始日期", "ends_on is before starts_on")
    for i, window in enumerate(data.windows):
        if window.end <= window.start:
            raise _invalid(f"windows.{i}.end", "结束须晚于开始", "end must be after start")
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
            raise _invalid(
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
    _audit(session, actor, "create", campaign)
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
    _audit(session, actor, "plan", campaign, before)
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
    _audit(session, actor, "cancel", campaign, before)
    return campaign


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


async def patch_item(
    *,
    session: AsyncSession,
    actor: Principal,
    campaign_id: uuid.UUID,
    item_id: uuid.UUID,
    data: ItemPatch,
    zone: ZoneInfo,
) -> CampaignPlanItem:
    """Pin an item, or move it to another liaison or time (a move pins it)."""
    campaign = await get_campaign(session=session, campaign_id=campaign_id)
    item = await get_or_404(session, CampaignPlanItem, item_id, ITEM, lock=True)
    if item.campaign_id != campaign.id:
        await get_or_404(session, CampaignPlanItem, uuid.uuid4(), ITEM)
    if item.visit_id is not None:
        raise Conflict(
            Text("该条目已批准为走访，请改走访本身", "Approved already: move the visit instead"),
            extra={"visit_id": str(item.visit_id)},
        )
    before = snapshot(item)
    moved = False
    if data.liaison_id is not None and data.liaison_id != item.liaison_id:
        in_pool = await session.scalar(
            select(CampaignLiaison.id).where(
                CampaignLiaison.campaign_id == campaign.id,
                CampaignLiaison.person_id == data.liaison_id,
            )
        )
        if in_pool is None:
            raise _invalid("liaison_id", "该人员不在本次行动的联络员中", "not in the pool")
        item.liaison_id = data.liaison_id
        moved = True
    if data.starts_at is not None:
        local = data.starts_at.astimezone(zone)
        if not campaign.starts_on <= local.date() <= campaign.ends_on:
            raise _invalid("starts_at", "不在行动期间内", "outside the campaign's period")
        item.starts_at = data.starts_at
        item.ends_at = data.starts_at + timedelta(minutes=campaign.visit_minutes)
        item.day = local.date()
        moved = True
    if data.pinned is not None:
        item.pinned = data.pinned
    elif moved:
        item.pinned = True
    await session.flush()
    _audit(session, actor, "update", item, before, "campaign_item")
    return item


async def approve(
    *,
    database: Database,
    actor: Principal,
    campaign_id: uuid.UUID,
    config: VisitSettings,
    base_url: str,
    batch_size: int = 200,
) -> dict[str, Any]:
    """Propose a visit for every item without one, a batch per transaction; an item's
    visit is written with its proposal, so approving again creates nothing more."""
    async with database.sessionmaker.begin() as session:
        campaign = await get_campaign(session=session, campaign_id=campaign_id)
        if campaign.status not in (CampaignStatus.planned, CampaignStatus.cancelled):
            raise campaign_conflict(
                campaign, Text("走访行动尚无可批准的计划", "The campaign has no plan to approve")
            )
        purpose = campaign.purpose
        already = await session.scalar(
            select(func.count()).where(
                CampaignPlanItem.campaign_id == campaign_id,
                CampaignPlanItem.visit_id.is_not(None),
            )
        )
    created = 0
    skipped: list[dict[str, str]] = []
    after = uuid.UUID(int=0)
    while True:
        async with database.sessionmaker.begin() as session:
            made = created
            items = (
                await session.scalars(
                    select(CampaignPlanItem)
                    .where(
                        CampaignPlanItem.campaign_id == campaign_id,
                        CampaignPlanItem.visit_id.is_(None),
                        CampaignPlanItem.id > after,
                    )
                    .order_by(CampaignPlanItem.id)
                    .limit(batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not items:
                break
            after = items[-1].id
            contacts = dict(
                (
                    await session.execute(
                        select(Contact.company_id, Contact.id)
                        .where(Contact.company_id.in_([i.company_id for i in items]))
                        .order_by(Contact.company_id, Contact.created_at.desc(), Contact.id.desc())
                    )
                ).all()
            )  # the earliest contact of each company wins (last written)
            for item in items:
                contact_id = contacts.get(item.company_id)
                if contact_id is None:
                    skipped.append({"company_id": str(item.company_id), "reason": "no_contact"})
                    continue
                data = VisitIn(
                    company_id=item.company_id,
                    contact_id=contact_id,
                    liaison_id=item.liaison_id,
                    starts_at=item.starts_at,
                    ends_at=item.ends_at,
                    purpose=purpose,
                )
                try:
                    async with session.begin_nested():
                        visit = await visits.propose_visit(
                            session=session,
                            actor=actor,
                            data=data,
                            config=config,
                            base_url=base_url,
                        )
                except Problem as exc:
                    skipped.append({"company_id": str(item.company_id), "reason": exc.slug})
                    continue
                item.visit_id = visit.id
                created += 1
            await session.flush()
            if created > made:  # each visit is audited too, with its proposal
                record(
                    session=session,
                    actor=actor,
                    action="approve",
                    entity_type="campaign",
                    entity_id=campaign_id,
                    after={"created": created - made},
                )
    return {"created": created, "already": already or 0, "skipped": skipped}
