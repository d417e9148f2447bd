"""Overdue rounds with the sweep and an injected clock: a block unwalked longer than its
area allows reminds its leader once, then (a further gap on) the area's lead once; a
round walked starts a new gap; nothing outside the window or while a round is under way;
one open round per block and person, by the database."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from coordinator.events.models import OutboxEvent
from coordinator.housing.rounds.models import Round
from coordinator.housing.rounds.sweep import sweep
from tests.housing.rounds.conftest import make_blocks

ZONE = ZoneInfo("Asia/Shanghai")


def local(hour: int, minute: int = 0) -> datetime:
    today = datetime.now(ZONE).date()
    return datetime.combine(today, time(hour, minute), tzinfo=ZONE).astimezone(UTC)


async def _sweep(database, settings, now: datetime):  # type: ignore[no-untyped-def]
    async with database.sessionmaker.begin() as session:
        return await sweep(session, settings=settings, now=now)


async def _overdue(database, block_id) -> list[OutboxEvent]:  # type: ignore[no-untyped-def]
    async with database.session() as session:
        rows = await session.scalars(
            select(OutboxEvent).where(
                OutboxEvent.type == "round.overdue", OutboxEvent.subject_id == block_id
            )
        )
        return sorted(rows.all(), key=lambda e: e.data["due_at"])


async def test_a_missed_round_reminds_the_leader_once_then_the_lead_once(database, settings):
    blocks = await make_blocks(database, rounds_from=time(7), rounds_until=time(21))
    # 07:59: unwalked 59 minutes of the 60 allowed.
    assert (await _sweep(database, settings, local(7, 59))).leaders == 0
    first = await _sweep(database, settings, local(8, 1))
    assert (first.leaders, first.leads) == (2, 0)  # both blocks of the area
    again = await _sweep(database, settings, local(8, 30))
    assert (again.leaders, again.leads) == (0, 0)
    later = await _sweep(database, settings, local(9, 2))
    assert (later.leaders, later.leads) == (0, 2)
    assert (await _sweep(database, settings, local(9, 30))).leads == 0
    events = await _overdue(database, blocks.block_id)
    assert [(e.data["to"], e.data["sequence"]) for e in events] == [("leader", 0), ("lead", 0)]
    assert events[0].data["since"] == local(7).isoformat()

    # A round walked 09:40–10:00 ends that gap; the next one is new, from 10:00.
    async with database.sessionmaker.begin() as session:
        session.add(
            Round(
                block_id=blocks.block_id,
                person_id=blocks.leader_id,
                started_at=local(9, 40),
                ended_at=local(10),
            )
        )
    assert (await _sweep(database, settings, local(10, 59))).leaders == 0
    # The other block's gap is still the first one: told already.
    assert (await _sweep(database, settings, local(11, 0))).leaders == 1
    events = await _overdue(database, blocks.block_id)
    assert [(e.data["to"], e.data["sequence"]) for e in events][-1] == ("leader", 1)
    assert events[-1].data["since"] == local(10).isoformat()


async def test_no_reminder_outside_the_window_or_while_a_round_is_under_way(database, settings):
    blocks = await make_blocks(database, rounds_from=time(7), rounds_until=time(21))
    assert (await _sweep(database, settings, local(6, 30))).found == 0
    async with database.sessionmaker.begin() as session:
        session.add(
            Round(block_id=blocks.block_id, person_id=blocks.deputy_id, started_at=local(7, 5))
        )
    under_way = await _sweep(database, settings, local(9))
    # Only the other block (nobody walking it) is reminded.
    assert (under_way.found, under_way.leaders, under_way.leads) == (1, 1, 1)
    assert await _overdue(database, blocks.block_id) == []
    assert len(await _overdue(database, blocks.other_block_id)) == 2


async def test_one_open_round_per_block_and_person_by_the_database(database):
    blocks = await make_blocks(database)
    now = datetime.now(UTC)
    with pytest.raises(IntegrityError):
        async with database.sessionmaker.begin() as session:
            session.add_all(
                [
                    Round(block_id=blocks.block_id, person_id=blocks.leader_id, started_at=now),
                    Round(
                        block_id=blocks.block_id,
                        person_id=blocks.leader_id,
                        started_at=now + timedelta(seconds=1),
                    ),
                ]
            )
    async with database.sessionmaker.begin() as session:  # another person: fine
        session.add_all(
            [
                Round(block_id=blocks.block_id, person_id=blocks.leader_id, started_at=now),
                Round(block_id=blocks.block_id, person_id=blocks.deputy_id, started_at=now),
            ]
        )
