"""Who hears of survey events: the area's lead (`AreaSurvey.lead_id`) when nobody was home
at a dwelling the set number of times in a campaign (the event is raised once per
campaign and dwelling), in their own language, Chinese first."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.cases.messages import to_person
from coordinator.events.models import OutboxEvent
from coordinator.housing.models import Block, HousingBuilding
from coordinator.housing.surveys.models import SurveyCampaign
from coordinator.notifications.rules import Planned, Rules
from coordinator.people.models import Person
from coordinator.platform.settings import Settings

rules = Rules()


@rules.on("survey.revisit_escalated")
async def tell_area_lead(
    session: AsyncSession, event: OutboxEvent, settings: Settings
) -> list[Planned]:
    data = event.data
    if not data.get("lead_id"):
        return []
    lead = await session.get(Person, uuid.UUID(data["lead_id"]))
    building = await session.get(HousingBuilding, uuid.UUID(data["building_id"]))
    block = await session.get(Block, uuid.UUID(data["block_id"]))
    campaign = await session.get(SurveyCampaign, uuid.UUID(data["campaign_id"]))
    name, unit, room = (building.name if building else ""), data["unit"], data["room"]
    place_zh = f"{name}{f' {unit}单元' if unit else ''} {room}室"
    place_en = f"{name}{f', unit {unit}' if unit else ''}, room {room}"
    headline = (
        f"排摸：{place_zh} 已 {data['attempts']} 次无人在家",
        f"Survey: nobody home at {place_en} {data['attempts']} times",
    )
    lines = [
        (
            f"排摸行动：{campaign.name if campaign else ''}",
            f"Campaign: {campaign.name if campaign else ''}",
        ),
        (f"所在块：{block.name if block else ''}", f"Block: {block.name if block else ''}"),
        (
            "请安排其他时间或方式联系住户。",
            "Please arrange another time or way to reach the household.",
        ),
    ]
    planned = to_person(lead, headline, lines)
    return [planned] if planned is not None else []
