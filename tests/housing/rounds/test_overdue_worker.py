"""An overdue round with real parts (PostgreSQL, arq workers, SMTP): the block's leader is
mailed once and the area's lead once, however often the sweep runs."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import func, select

from coordinator.events.models import OutboxEvent
from coordinator.notifications.models import Delivery, DeliveryStatus
from tests.housing.rounds.conftest import make_blocks
from tests.housing.rounds.test_overdue_sweep import _sweep, local
from tests.visits.test_whole_loop import text_of
from tests.workers.conftest import eventually


def _mails(mail, address: str, words: str) -> list[str]:  # type: ignore[no-untyped-def]
    bodies = (text_of(m) for m in mail.by_recipient().get(address, []))
    return [body for body in bodies if words in body]


async def _all_handled(database) -> bool:  # type: ignore[no-untyped-def]
    async with database.session() as session:
        unhandled = await session.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.handled_at.is_(None))
        )
        pending = await session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(Delivery.status == DeliveryStatus.pending)
        )
    return unhandled == 0 and pending == 0


async def test_a_missed_round_reminds_the_leader_once(committed_database, settings, workers, mail):
    database = committed_database
    blocks = await make_blocks(database, rounds_from=time(7), rounds_until=time(21))
    noon = local(12)
    first = await _sweep(database, settings, noon)
    assert (first.leaders, first.leads) == (2, 2)  # both blocks: unwalked since 07:00
    assert (await _sweep(database, settings, noon + timedelta(minutes=5))).leaders == 0
    workers.start()  # whose own sweep runs at start-up, and every minute

    async def mailed() -> bool:
        return bool(_mails(mail, blocks.leader_email, "巡查已超时")) and await _all_handled(
            database
        )

    await eventually(mailed, timeout=90, what="the overdue reminder mailed to the leader")
    assert (await _sweep(database, settings, noon + timedelta(minutes=10))).leaders == 0
    [reminder] = _mails(mail, blocks.leader_email, "巡查已超时")
    assert "第一块" in reminder and "60 分钟" in reminder
    # The lead hears of both blocks, once each.
    told = _mails(mail, blocks.lead_email, "块长未按时巡查")
    assert sorted("第一块" in body for body in told) == [False, True]
