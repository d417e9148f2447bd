"""Notification rules of teams and their members."""

from __future__ import annotations

import uuid

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from coordinator.events.models import OutboxEvent
from coordinator.labels import render
from coordinator.notifications.models import Channel
from coordinator.notifications.rules import Planned, Rules
from coordinator.people.models import MemberRole, Person, Team
from coordinator.platform.settings import Settings

rules = Rules()

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


@rules.on("team.member_added")
async def tell_new_member(
    session: AsyncSession, event: OutboxEvent, settings: Settings
) -> list[Planned]:
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
