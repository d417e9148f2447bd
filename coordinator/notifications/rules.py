"""Who hears of an event, over which channel, with which message."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from coordinator.events.models import OutboxEvent
from coordinator.labels import render
from coordinator.notifications.models import Channel, WebhookSubscription
from coordinator.people.models import MemberRole, Person, Team


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


_LEAD = aliased(Person)
# The new member, their team and its lead in one round trip.
_MEMBER_AND_TEAM = (
    select(
        Person.name,
        Person.email,
        Person.channels,
        Person.preferred_language,
        Team.name.label("team_name"),
        _LEAD.name.label("lead_name"),
    )
    .select_from(Person)
    .join(Team, Team.id == bindparam("team_id"))
    .outerjoin(_LEAD, _LEAD.id == Team.lead_id)
    .where(Person.id == bindparam("person_id"))
)


@rule("team.member_added")
async def tell_new_member(session: AsyncSession, event: OutboxEvent) -> list[Planned]:
    found = await session.execute(
        _MEMBER_AND_TEAM,
        {
            "person_id": uuid.UUID(event.data["person_id"]),
            "team_id": uuid.UUID(event.data["team_id"]),
        },
    )
    member = found.first()
    if member is None or not member.email or "email" not in member.channels:
        return []
    role = str(event.data.get("role", "member"))
    return [
        Planned(
            channel=Channel.email,
            recipient=member.email,
            template="team_member_added",
            language=member.preferred_language or "zh",
            context={
                "person_name": member.name,
                "team_name": member.team_name,
                "role": role,
                "role_zh": render(role, "zh", MemberRole),
                "lead_name": member.lead_name,
            },
        )
    ]


_SUBSCRIBED = select(WebhookSubscription.id, WebhookSubscription.url).where(
    WebhookSubscription.active.is_(True),
    WebhookSubscription.event_types.overlap(bindparam("types")),
)


async def webhook_deliveries(session: AsyncSession, event: OutboxEvent) -> list[Planned]:
    subscriptions = await session.execute(_SUBSCRIBED, {"types": [event.type, "*"]})
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
