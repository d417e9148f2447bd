"""The plan's items: listing them, pinning or moving one, approving them into visits."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import record, snapshot
from coordinator.auth.models import Principal
from coordinator.campaigns.models import CampaignLiaison, CampaignPlanItem, CampaignStatus
from coordinator.campaigns.schemas import ItemOut, ItemPatch, ItemQuery
from coordinator.campaigns.service import ITEM, audit, campaign_conflict, get_campaign, invalid
from coordinator.platform.db import Database
from coordinator.platform.i18n import Text
from coordinator.platform.listing import JsonBody, Listing
from coordinator.platform.problems import Conflict, Problem
from coordinator.platform.resources import get_or_404
from coordinator.platform.settings import VisitSettings
from coordinator.registry.models import Contact
from coordinator.visits import service as visits
from coordinator.visits.schemas import VisitIn

ITEMS = Listing(
    CampaignPlanItem,
    ItemOut,
    sorts={"starts_at": CampaignPlanItem.starts_at},
    default_sort="starts_at",
    filters={
        "campaign_id": CampaignPlanItem.campaign_id,
        "liaison_id": CampaignPlanItem.liaison_id,
        "building_id": CampaignPlanItem.building_id,
        "day": CampaignPlanItem.day,
        "pinned": CampaignPlanItem.pinned,
    },
)


async def list_items(*, database: Database, campaign_id: uuid.UUID, query: ItemQuery) -> JsonBody:
    """A page of a campaign's items (404 if there is no such campaign)."""
    async with database.session() as session:
        await get_campaign(session=session, campaign_id=campaign_id)
    return await ITEMS.page(database, query, campaign_id=campaign_id)


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
            raise invalid("liaison_id", "该人员不在本次行动的联络员中", "not in the pool")
        item.liaison_id = data.liaison_id
        moved = True
    if data.starts_at is not None:
        local = data.starts_at.astimezone(zone)
        if not campaign.starts_on <= local.date() <= campaign.ends_on:
            raise invalid("starts_at", "不在行动期间内", "outside the campaign's period")
        item.starts_at = data.starts_at
        item.ends_at = data.starts_at + timedelta(minutes=campaign.visit_minutes)
        item.day = local.date()
        moved = True
    if data.pinned is not None:
        item.pinned = data.pinned
    elif moved:
        item.pinned = True
    await session.flush()
    audit(session, actor, "update", item, before, "campaign_item")
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
