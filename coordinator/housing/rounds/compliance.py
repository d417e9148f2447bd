"""The compliance board of an area's day: for each block, the rounds done against the
rounds required, the gaps longer than allowed (measured in the area's window, in the
subdistrict's zone), the proven ones, and each person's share; two statements whatever
the number of blocks."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.housing.models import AreaSurvey, Block, BlockPerson, BlockRole
from coordinator.housing.rounds.models import Round
from coordinator.housing.rounds.queries import rules_of
from coordinator.housing.rounds.window import long_gaps, window_of
from coordinator.people.models import Person
from coordinator.platform.i18n import Text
from coordinator.platform.resources import get_or_404
from coordinator.registry.models import Area

AREA = Text("居民区", "area")


async def board(
    session: AsyncSession, *, area_id: uuid.UUID, day: date, now: datetime, zone: tzinfo
) -> dict[str, Any]:
    """The area's day, block by block (by name)."""
    area = await get_or_404(session, Area, area_id, AREA)
    per_day, opens, closes, max_gap = rules_of(await session.get(AreaSurvey, area_id))
    window = window_of(day, opens, closes, zone)
    midnight = window_of(day, time(0), time(0), zone).opens
    next_midnight = window_of(date.fromordinal(day.toordinal() + 1), time(0), time(0), zone).opens
    leaders = (
        select(BlockPerson.block_id, BlockPerson.person_id, Person.name)
        .join(Person, Person.id == BlockPerson.person_id)
        .where(BlockPerson.role == BlockRole.leader, BlockPerson.until.is_(None))
        .subquery()
    )
    blocks = (
        await session.execute(
            select(Block.id, Block.name, leaders.c.person_id, leaders.c.name)
            .outerjoin(leaders, leaders.c.block_id == Block.id)
            .where(Block.area_id == area_id)
            .order_by(Block.name)
        )
    ).all()
    rounds = (
        await session.execute(
            select(Round, Person.name)
            .join(Block, Block.id == Round.block_id)
            .join(Person, Person.id == Round.person_id)
            .where(
                Block.area_id == area_id,
                Round.started_at >= midnight,
                Round.started_at < next_midnight,
            )
            .order_by(Round.started_at)
        )
    ).all()
    items = []
    for block_id, name, leader_id, leader_name in blocks:
        mine = [(r, who) for r, who in rounds if r.block_id == block_id]
        done = [r for r, _ in mine if r.ended_at is not None]
        spans = [(r.started_at, r.ended_at) for r, _ in mine]
        gaps = long_gaps(window, spans, now, max_gap) if now > window.opens else []
        people: dict[uuid.UUID, dict[str, Any]] = {}
        for r, who in mine:
            entry = people.setdefault(
                r.person_id, {"person_id": r.person_id, "name": who, "done": 0}
            )
            entry["done"] += r.ended_at is not None
        items.append(
            {
                "block_id": block_id,
                "name": name,
                "leader_id": leader_id,
                "leader": leader_name,
                "required": per_day,
                "done": len(done),
                "proven": sum(1 for r in done if r.proven),
                "under_way": sum(1 for r, _ in mine if r.ended_at is None),
                "gaps": [
                    {
                        "since": g.since.astimezone(zone),
                        "until": g.until.astimezone(zone),
                        "minutes": g.minutes,
                        "ongoing": g.ongoing,
                    }
                    for g in gaps
                ],
                "compliant": len(done) >= per_day and not gaps,
                "people": list(people.values()),
                "rounds": [
                    {
                        "id": r.id,
                        "person_id": r.person_id,
                        "person": who,
                        "started_at": r.started_at.astimezone(zone),
                        "ended_at": r.ended_at.astimezone(zone) if r.ended_at else None,
                        "proven": r.proven,
                    }
                    for r, who in mine
                ],
            }
        )
    return {
        "area_id": area.id,
        "area": area.name,
        "day": day,
        "rounds_per_day": per_day,
        "window_opens": window.opens.astimezone(zone),
        "window_closes": window.closes.astimezone(zone),
        "max_gap_minutes": max_gap,
        "items": items,
    }


CSV_HEADER = {
    "zh": [
        "块",
        "块长",
        "应巡查",
        "已巡查",
        "扫码确认",
        "进行中",
        "超时空档",
        "最长空档（分钟）",
        "达标",
    ],
    "en": [
        "block",
        "leader",
        "required",
        "done",
        "proven",
        "under way",
        "gaps too long",
        "longest gap (minutes)",
        "compliant",
    ],
}


def csv_rows(report: dict[str, Any]) -> list[list[Any]]:
    return [
        [
            item["name"],
            item["leader"],
            item["required"],
            item["done"],
            item["proven"],
            item["under_way"],
            len(item["gaps"]),
            max((g["minutes"] for g in item["gaps"]), default=0),
            item["compliant"],
        ]
        for item in report["items"]
    ]
