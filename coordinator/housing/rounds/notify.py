"""Who hears of the rounds' events (registered with @rules.on): the block's leader (its
deputies when it has none) of an overdue round, then the area's lead; a person of their
new block leader link. An overdue reminder re-checks the block when its mail is planned:
a round started since tells nobody. Chinese unless the person prefers English."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.cases.messages import Pair, to_person, unique, when
from coordinator.events.models import OutboxEvent
from coordinator.housing.models import AreaSurvey, BlockPerson, BlockRole
from coordinator.housing.rounds.models import TO_LEAD, Round
from coordinator.notifications.rules import Planned, Rules
from coordinator.people.models import Person
from coordinator.platform.settings import Settings
from coordinator.registry.models import Area

rules = Rules()


async def _walked_since(session: AsyncSession, block_id: uuid.UUID, since: datetime) -> bool:
    found = await session.scalar(
        select(exists().where(Round.block_id == block_id, Round.started_at > since))
    )
    return bool(found)


async def _block_people(session: AsyncSession, block_id: uuid.UUID) -> list[Person]:
    """The block's leader now, else its deputies."""
    rows = (
        await session.execute(
            select(Person, BlockPerson.role)
            .join(BlockPerson, BlockPerson.person_id == Person.id)
            .where(BlockPerson.block_id == block_id, BlockPerson.until.is_(None))
            .order_by(Person.name)
        )
    ).all()
    leaders = [person for person, role in rows if role == BlockRole.leader]
    return leaders or [person for person, _ in rows]


@rules.on("round.overdue")
async def remind_overdue(
    session: AsyncSession, event: OutboxEvent, settings: Settings
) -> list[Planned]:
    data = event.data
    block_id = uuid.UUID(data["block_id"])
    if await _walked_since(session, block_id, datetime.fromisoformat(data["since"])):
        return []
    area = await session.get(Area, uuid.UUID(data["area_id"]))
    since = (when(data["since"], "zh", settings), when(data["since"], "en", settings))
    gap = data["max_gap_minutes"]
    lines: list[Pair] = [
        (f"居民区：{area.name if area else ''}", f"Area: {area.name if area else ''}"),
        (f"块：{data['block']}", f"Block: {data['block']}"),
        (
            f"上次巡查结束（或巡查时段开始）：{since[0]}",
            f"Last walked (or hours began): {since[1]}",
        ),
        (f"允许的最长间隔：{gap} 分钟", f"Longest gap allowed: {gap} minutes"),
    ]
    if data["to"] == TO_LEAD:
        survey = await session.get(AreaSurvey, uuid.UUID(data["area_id"]))
        lead = await session.get(Person, survey.lead_id) if survey and survey.lead_id else None
        headline = (
            f"块长未按时巡查：{data['block']}",
            f"A block has gone unwalked: {data['block']}",
        )
        return unique([to_person(lead, headline, lines)])
    headline = (f"巡查已超时，请尽快巡查：{data['block']}", f"A round is overdue: {data['block']}")
    lines.append(("请打开块长链接开始巡查", "Open your block leader link to start a round"))
    people = await _block_people(session, block_id)
    return unique([to_person(person, headline, lines) for person in people])


@rules.on("block_leader_link.issued")
async def mail_block_leader_link(
    session: AsyncSession, event: OutboxEvent, settings: Settings
) -> list[Planned]:
    """The person gets their new block leader link."""
    person = await session.get(Person, uuid.UUID(event.data["person_id"]))
    expires = (
        when(event.data["expires_at"], "zh", settings),
        when(event.data["expires_at"], "en", settings),
    )
    link = event.data["link"]
    lines: list[Pair] = [
        (f"您的块长链接：{link}", f"Your block leader link: {link}"),
        (
            f"在手机上打开即可开始和结束巡查、扫码确认到场；有效期至{expires[0]}",
            f"Open it on a phone to start and end rounds and scan the block's code; "
            f"valid until {expires[1]}",
        ),
    ]
    return unique([to_person(person, ("您的块长链接", "Your block leader link"), lines)])
