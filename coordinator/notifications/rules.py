"""Who hears of an event, over which channel, with which message."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.events.models import OutboxEvent
from coordinator.notifications.models import Channel, WebhookSubscription
from coordinator.people.models import Person, Team


@dataclass(frozen=True)
class Planned:
    """A delivery to make: one recipient on one channel."""

    channel: Channel
    recipient: str
    template: str | None = None
    language: str = "zh"
    context: dict[str, Any] = field(default_factory=dict)
    subscription_id: uuid.UUID | None = None
    # Reminders and other deferrable messages wait out the recipient's quiet hours
    # (their own, e.g. "22:00-07:00" or "off", else the subdistrict's).
    deferrable: bool = False
    quiet_hours: str | None = None


Rule = Callable[[AsyncSession, OutboxEvent], Awaitable[list[Planned]]]
RULES: dict[str, list[Rule]] = {}


def rule(*event_types: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        for event_type in event_types:
            RULES.setdefault(event_type, []).append(fn)
        return fn

    return register


_ROLE_ZH = {"lead": "负责人", "deputy": "副负责人", "member": "成员"}


@rule("team.member_added")
async def tell_new_member(session: AsyncSession, event: OutboxEvent) -> list[Planned]:
    person = await session.get(Person, uuid.UUID(event.data["person_id"]))
    team = await session.get(Team, uuid.UUID(event.data["team_id"]))
    if person is None or team is None or not person.email or "email" not in person.channels:
        return []
    lead = await session.get(Person, team.lead_id) if team.lead_id else None
    role = str(event.data.get("role", "member"))
    language = person.preferred_language or "zh"
    return [
        Planned(
            channel=Channel.email,
            recipient=person.email,
            template="team_member_added",
            language=language,
            context={
                "person_name": person.name,
                "team_name": team.name,
                "role": role,
                "role_zh": _ROLE_ZH.get(role, role),
                "lead_name": lead.name if lead else None,
            },
        )
    ]


async def webhook_deliveries(session: AsyncSession, event: OutboxEvent) -> list[Planned]:
    subscriptions = await session.scalars(
        select(WebhookSubscription).where(
            WebhookSubscription.active.is_(True),
            WebhookSubscription.event_types.overlap([event.type, "*"]),
        )
    )
    return [
        Planned(channel=Channel.webhook, recipient=s.url, subscription_id=s.id)
        for s in subscriptions
    ]


async def plan(session: AsyncSession, event: OutboxEvent) -> list[Planned]:
    from coordinator.notifications import all_rules  # noqa: F401  (registers every rule)

    planned = await webhook_deliveries(session, event)
    for fn in RULES.get(event.type, []):
        planned.extend(await fn(session, event))
    return planned
