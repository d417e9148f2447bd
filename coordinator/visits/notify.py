"""Who hears of each visit, liaison and need event (registered with @rule)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.events.models import OutboxEvent
from coordinator.labels import render
from coordinator.notifications.models import Channel
from coordinator.notifications.rules import Planned, Rules
from coordinator.people.models import Person, Team
from coordinator.platform.db import utcnow
from coordinator.platform.settings import Settings
from coordinator.registry.models import Company
from coordinator.visits.messages import (
    to_contact,
    to_person,
    unique,
    visit_lines,
    visit_parts,
    when,
)
from coordinator.visits.models import NeedCategory, Visit, VisitStatus

rules = Rules()


@rules.on("visit.proposed", "visit.rescheduled")
async def invite_contact(
    session: AsyncSession, event: OutboxEvent, settings: Settings
) -> list[Planned]:
    """The contact gets the (new) link; on a move the liaison hears of it too."""
    data = event.data
    company, contact, liaison, _ = await visit_parts(session, data)
    liaison_name = liaison.name if liaison else ""
    liaison_phone = (liaison.phone or "") if liaison else ""
    moved = event.type == "visit.rescheduled"
    planned = [
        to_contact(
            contact,
            "visit_invitation",
            company_name=company.name if company else "",
            when=(when(data["starts_at"], "zh", settings), when(data["starts_at"], "en", settings)),
            place=data.get("place", ""),
            liaison_name=liaison_name,
            liaison_phone=liaison_phone,
            link=data["link"],
            moved=moved,
            nudge=False,
        )
    ]
    if moved:
        planned.append(
            to_person(
                liaison,
                headline=("走访时间已调整", "A visit was moved"),
                lines=visit_lines(company, data, settings),
            )
        )
    return unique(planned)


_ANSWERS = {
    "visit.confirmed": ("企业已确认走访", "The company confirmed the visit"),
    "visit.declined": ("企业婉拒了走访", "The company declined the visit"),
    "visit.reschedule_requested": ("企业申请另约时间", "The company asked for another time"),
}


@rules.on(*_ANSWERS)
async def tell_liaison_of_answer(
    session: AsyncSession, event: OutboxEvent, settings: Settings
) -> list[Planned]:
    data = event.data
    company, _, liaison, lead = await visit_parts(session, data)
    lines = visit_lines(company, data, settings)
    if data.get("reason"):
        lines.append((f"原因：{data['reason']}", f"Reason: {data['reason']}"))
    for window in data.get("windows") or []:
        lines.append(
            (
                f"可选时间：{when(window['starts_at'], 'zh', settings)}",
                f"Possible time: {when(window['starts_at'], 'en', settings)}",
            )
        )
    if data.get("note"):
        lines.append((f"备注：{data['note']}", f"Note: {data['note']}"))
    headline = _ANSWERS[event.type]
    return unique([to_person(p, headline=headline, lines=lines) for p in (liaison, lead)])


@rules.on("visit.cancelled")
async def tell_of_cancellation(
    session: AsyncSession, event: OutboxEvent, settings: Settings
) -> list[Planned]:
    data = event.data
    company, contact, liaison, _ = await visit_parts(session, data)
    lines = visit_lines(company, data, settings)
    headline = ("走访已取消", "The visit was cancelled")
    return unique(
        [
            to_contact(contact, "visit_update", headline=headline, lines=lines),
            to_person(liaison, headline=headline, lines=lines),
        ]
    )


async def _still_current(session: AsyncSession, data: dict[str, Any], status: VisitStatus) -> bool:
    """The visit is as the event saw it: same status and sequence, not yet started."""
    visit = await session.get(Visit, uuid.UUID(data["visit_id"]))
    return (
        visit is not None
        and visit.status == status
        and visit.sequence == data["sequence"]
        and visit.starts_at > utcnow()
    )


@rules.on("visit.reminder_due")
async def remind(session: AsyncSession, event: OutboxEvent, settings: Settings) -> list[Planned]:
    """Never for a cancelled or moved visit, never after it started; waits out quiet hours."""
    data = event.data
    if not await _still_current(session, data, VisitStatus.confirmed):
        return []
    company, contact, liaison, _ = await visit_parts(session, data)
    headline = ("走访提醒", "Visit reminder")
    lines = visit_lines(company, data, settings)
    return unique(
        [
            to_contact(contact, "visit_update", headline=headline, lines=lines, deferrable=True),
            to_person(liaison, headline=headline, lines=lines, deferrable=True),
        ]
    )


@rules.on("visit.escalated")
async def escalate(session: AsyncSession, event: OutboxEvent, settings: Settings) -> list[Planned]:
    """Stage "contact_reminder": one reminder to the contact with a fresh link. Stage
    "alert": the team lead and coordinators get the list of unanswered proposals."""
    data = event.data
    if data["stage"] == "contact_reminder":
        if not await _still_current(session, data, VisitStatus.proposed):
            return []
        company, contact, liaison, _ = await visit_parts(session, data)
        return unique(
            [
                to_contact(
                    contact,
                    "visit_invitation",
                    company_name=company.name if company else "",
                    when=(
                        when(data["starts_at"], "zh", settings),
                        when(data["starts_at"], "en", settings),
                    ),
                    place=data.get("place", ""),
                    liaison_name=liaison.name if liaison else "",
                    liaison_phone=(liaison.phone or "") if liaison else "",
                    link=data["link"],
                    moved=False,
                    nudge=True,
                    deferrable=True,
                )
            ]
        )
    lead = None
    if data.get("team_id"):
        team = await session.get(Team, uuid.UUID(data["team_id"]))
        if team is not None and team.lead_id:
            lead = await session.get(Person, team.lead_id)
    names = dict(
        (
            await session.execute(
                select(Company.id, Company.name).where(
                    Company.id.in_([uuid.UUID(v["company_id"]) for v in data["visits"]])
                )
            )
        ).all()
    )
    lines = [
        (
            f"{names.get(uuid.UUID(v['company_id']), '')}：{when(v['starts_at'], 'zh', settings)}",
            f"{names.get(uuid.UUID(v['company_id']), '')}: {when(v['starts_at'], 'en', settings)}",
        )
        for v in data["visits"]
    ]
    headline = (
        f"{len(lines)} 个走访预约久未答复",
        f"{len(lines)} visit proposals are still unanswered",
    )
    planned: list[Planned | None] = [to_person(lead, headline=headline, lines=lines)]
    for address in settings.visits.coordinator_emails:
        planned.append(
            Planned(
                channel=Channel.email,
                recipient=address,
                template="visit_update",
                language="zh",
                context={"name": "协调员", "headline": headline[0], "lines": [z for z, _ in lines]},
            )
        )
    return unique(planned)


@rules.on("company.liaison_assigned")
async def tell_liaisons(
    session: AsyncSession, event: OutboxEvent, settings: Settings
) -> list[Planned]:
    """Both the new and the previous liaison are told."""
    data = event.data
    company = await session.get(Company, uuid.UUID(data["company_id"]))
    name = company.name if company else ""
    new = await session.get(Person, uuid.UUID(data["liaison_id"]))
    previous = (
        await session.get(Person, uuid.UUID(data["previous_liaison_id"]))
        if data.get("previous_liaison_id")
        else None
    )
    return unique(
        [
            to_person(
                new,
                headline=(f"您已成为{name}的联络员", f"You are now the liaison of {name}"),
                lines=[],
            ),
            to_person(
                previous,
                headline=(
                    f"{name}已改由{new.name if new else ''}联络",
                    f"{name} now has {new.name if new else ''} as liaison",
                ),
                lines=[],
            ),
        ]
    )


@rules.on("need.assigned")
async def tell_assignee(
    session: AsyncSession, event: OutboxEvent, settings: Settings
) -> list[Planned]:
    """A need assigned to a team reaches its lead."""
    data = event.data
    if not data.get("assignee_team_id"):
        return []
    team = await session.get(Team, uuid.UUID(data["assignee_team_id"]))
    lead = await session.get(Person, team.lead_id) if team and team.lead_id else None
    company = await session.get(Company, uuid.UUID(data["company_id"]))
    name = company.name if company else ""
    return unique(
        [
            to_person(
                lead,
                headline=(f"新的企业诉求：{name}", f"A new company need: {name}"),
                lines=[
                    (
                        f"类别：{render(data['category'], 'zh', NeedCategory)}",
                        f"Category: {render(data['category'], 'en', NeedCategory)}",
                    ),
                    (
                        f"办结期限：{when(data['due_at'], 'zh', settings)}",
                        f"Due: {when(data['due_at'], 'en', settings)}",
                    ),
                ],
            )
        ]
    )
