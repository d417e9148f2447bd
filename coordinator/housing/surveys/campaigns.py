"""Rules of survey campaigns: create, read, list, change, delete; each write audited and
evented (`survey_campaign.*`) in the caller's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import bindparam, delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import record, snapshot
from coordinator.auth.service import Principal
from coordinator.events.service import record_event
from coordinator.housing.surveys.models import (
    SURVEY_CAMPAIGN,
    SurveyCampaign,
    SurveyCampaignArea,
)
from coordinator.housing.surveys.schemas import (
    CampaignIn,
    CampaignOut,
    CampaignPatch,
    CampaignQuery,
)
from coordinator.platform.db import Database
from coordinator.platform.i18n import Text
from coordinator.platform.json_sql import list_json, value_json
from coordinator.platform.listing import JsonBody, Listing
from coordinator.platform.problems import FieldError, ValidationFailed, invalid_field
from coordinator.platform.resources import get_or_404, patch_values
from coordinator.registry.models import Area, AreaKind

_area = SurveyCampaignArea.__table__.alias("ca")

CAMPAIGNS = Listing(
    SurveyCampaign,
    CampaignOut,
    sorts={
        "name": SurveyCampaign.name,
        "starts_on": SurveyCampaign.starts_on,
        "created_at": SurveyCampaign.created_at,
    },
    default_sort="-starts_on",
    filters={
        "area_id": lambda area_id: exists().where(
            SurveyCampaignArea.campaign_id == SurveyCampaign.id,
            SurveyCampaignArea.area_id == area_id,
        ),
        "on": lambda day: (SurveyCampaign.starts_on <= day) & (SurveyCampaign.ends_on >= day),
    },
    search=(SurveyCampaign.name,),
    json={
        "area_ids": list_json(
            value_json(_area.c.area_id),
            rows="survey_campaign_areas AS ca WHERE ca.campaign_id = survey_campaigns.id",
            order_by=[_area.c.area_id],
        )
    },
)


async def list_campaigns(*, database: Database, query: CampaignQuery) -> JsonBody:
    return await CAMPAIGNS.page(database, query)


async def area_ids(session: AsyncSession, campaign_id: uuid.UUID) -> list[uuid.UUID]:
    return list(
        await session.scalars(
            select(SurveyCampaignArea.area_id)
            .where(SurveyCampaignArea.campaign_id == campaign_id)
            .order_by(SurveyCampaignArea.area_id)
        )
    )


async def campaign_out(session: AsyncSession, campaign: SurveyCampaign) -> CampaignOut:
    return CampaignOut.model_validate(
        {**snapshot(campaign), "area_ids": await area_ids(session, campaign.id)}
    )


async def _check_areas(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    """The areas, each once; 422 naming the first that is missing or not residential."""
    kinds = dict((await session.execute(select(Area.id, Area.kind).where(Area.id.in_(ids)))).all())
    for i, area_id in enumerate(ids):
        if area_id not in kinds:
            raise invalid_field(f"area_ids.{i}", Text("片区不存在", "no such area"))
        if kinds[area_id] != AreaKind.residential:
            raise invalid_field(
                f"area_ids.{i}", Text("排摸只针对居民区", "only residential areas are surveyed")
            )
    return list(dict.fromkeys(ids))


def _check_period(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        message = Text("结束日期早于开始日期", "ends_on is before starts_on")
        raise ValidationFailed(message, errors=[FieldError("ends_on", message)])


async def _set_areas(session: AsyncSession, campaign_id: uuid.UUID, ids: list[uuid.UUID]) -> None:
    await session.execute(
        delete(SurveyCampaignArea).where(SurveyCampaignArea.campaign_id == campaign_id)
    )
    session.add_all(SurveyCampaignArea(campaign_id=campaign_id, area_id=a) for a in ids)
    await session.flush()


def _written(
    session: AsyncSession,
    actor: Principal,
    action: str,
    campaign_id: uuid.UUID,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    record(
        session=session,
        actor=actor,
        action=action,
        entity_type="survey_campaign",
        entity_id=campaign_id,
        before=before,
        after=after,
    )
    verb = {"create": "created", "update": "updated", "delete": "deleted"}[action]
    record_event(
        session,
        f"survey_campaign.{verb}",
        data=after or before or {},
        subject_type="survey_campaign",
        subject_id=campaign_id,
        actor=actor.name,
    )


async def create_campaign(
    *, session: AsyncSession, actor: Principal, data: CampaignIn
) -> CampaignOut:
    _check_period(data.starts_on, data.ends_on)
    ids = await _check_areas(session, data.area_ids)
    campaign = SurveyCampaign(
        id=uuid.uuid4(),
        name=data.name,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        note=data.note,
    )
    session.add(campaign)
    await session.flush()
    await _set_areas(session, campaign.id, ids)
    out = await campaign_out(session, campaign)
    _written(session, actor, "create", campaign.id, None, out.model_dump(mode="json"))
    return out


async def get_campaign(*, session: AsyncSession, campaign_id: uuid.UUID) -> CampaignOut:
    campaign = await get_or_404(session, SurveyCampaign, campaign_id, SURVEY_CAMPAIGN)
    return await campaign_out(session, campaign)


async def update_campaign(
    *, session: AsyncSession, actor: Principal, campaign_id: uuid.UUID, patch: CampaignPatch
) -> CampaignOut:
    campaign = await get_or_404(session, SurveyCampaign, campaign_id, SURVEY_CAMPAIGN, lock=True)
    values = patch_values(patch, required={"name", "area_ids", "starts_on", "ends_on"})
    before = (await campaign_out(session, campaign)).model_dump(mode="json")
    _check_period(
        values.get("starts_on", campaign.starts_on), values.get("ends_on", campaign.ends_on)
    )
    if "area_ids" in values:
        await _set_areas(session, campaign.id, await _check_areas(session, values.pop("area_ids")))
    for name, value in values.items():
        setattr(campaign, name, value)
    await session.flush()
    await session.refresh(campaign, ["updated_at"])
    out = await campaign_out(session, campaign)
    _written(session, actor, "update", campaign.id, before, out.model_dump(mode="json"))
    return out


async def delete_campaign(
    *, session: AsyncSession, actor: Principal, campaign_id: uuid.UUID
) -> None:
    """A campaign goes with its results and revisits; the dwellings' history keeps what
    the results changed."""
    campaign = await get_or_404(session, SurveyCampaign, campaign_id, SURVEY_CAMPAIGN, lock=True)
    before = (await campaign_out(session, campaign)).model_dump(mode="json")
    await session.delete(campaign)
    await session.flush()
    _written(session, actor, "delete", campaign_id, before, None)


# The campaigns covering an area on a day, the newest first (the walk list's campaign).
CURRENT = (
    select(SurveyCampaign)
    .join(SurveyCampaignArea, SurveyCampaignArea.campaign_id == SurveyCampaign.id)
    .where(
        SurveyCampaignArea.area_id == bindparam("area_id"),
        SurveyCampaign.starts_on <= bindparam("day"),
        SurveyCampaign.ends_on >= bindparam("day"),
    )
    .order_by(SurveyCampaign.starts_on.desc(), SurveyCampaign.created_at.desc())
    .limit(1)
)


async def current_campaign(
    session: AsyncSession, area_id: uuid.UUID, day: date
) -> SurveyCampaign | None:
    result: SurveyCampaign | None = await session.scalar(CURRENT, {"area_id": area_id, "day": day})
    return result
