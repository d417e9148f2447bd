"""The survey's rules, run by the workers on the events they follow (see service.py):
they act and tell no one themselves (the cases they open notify as every case does)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.events.models import OutboxEvent
from coordinator.housing.models import SUSPECT_STATES
from coordinator.housing.rules import service
from coordinator.notifications.rules import Planned, Rules
from coordinator.platform.settings import Settings

rules = Rules()


@rules.on("dwelling.state_changed")
async def suspicion_opens_a_case(
    session: AsyncSession, event: OutboxEvent, settings: Settings
) -> list[Planned]:
    if event.data.get("state") in SUSPECT_STATES and event.data.get("applied", True):
        await service.open_suspicion_case(session, settings, uuid.UUID(event.data["dwelling_id"]))
    return []


@rules.on("case.resolved")
async def rectification_updates_the_dwelling(
    session: AsyncSession, event: OutboxEvent, settings: Settings
) -> list[Planned]:
    if event.data.get("outcome") == "rectified" and event.data.get("dwelling_id"):
        await service.apply_rectification(
            session, settings, uuid.UUID(event.data["case_id"]), event.data.get("category", "")
        )
    return []
