"""Fault drills with production timings: interrupted work resumes within seconds.

The sweep (FUMIN_REDELIVER_AFTER_SECONDS, a minute) and arq's in-progress marks (the job
timeout plus 10 s) are only the backstop: a worker killed mid-burst, Redis losing its
data, a dropped database connection must cost seconds, and a message is sent twice only
if it was on the wire at the time (once more, with the same Message-ID or event id).
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select, text

from coordinator.events.models import OutboxEvent
from coordinator.notifications.models import Delivery, DeliveryStatus
from coordinator.platform.db import Database
from tests.workers.conftest import MailServer, Receiver, Workers, eventually
from tests.workers.test_backbone import add_subscription, count_where, raise_member_events
from workers.settings import WorkerSettings

RECOVER_WITHIN = 10.0
BURST = 200
# Each job has at most one message on the wire, and a worker runs this many at once: the
# most that a fault can make it send twice (a few, in practice: see the printed figures).
ON_THE_WIRE = WorkerSettings.max_jobs


@pytest.fixture
def production_timing(worker_env) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return worker_env | {"FUMIN_REDELIVER_AFTER_SECONDS": "60", "FUMIN_JOB_TIMEOUT_SECONDS": "60"}


async def unhandled(database: Database) -> int:
    async with database.session() as session:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(OutboxEvent)
                .where(OutboxEvent.handled_at.is_(None))
            )
            or 0
        )


async def burst_under_way(
    database: Database, receiver: Receiver, mail: MailServer, burst: int = BURST
) -> list[str]:
    receiver.secret = "whsec_test_secret_value"
    await add_subscription(database, receiver.url, ["team.member_added"])
    return await raise_member_events(database, burst)


async def wait_until_all_handled(database: Database, since: float, burst: int = BURST) -> float:
    async def done() -> bool:
        sent = await count_where(database, Delivery.status == DeliveryStatus.sent)
        return sent == 2 * burst and await unhandled(database) == 0

    await eventually(done, timeout=60, interval=0.1, what="every event handled")
    return time.monotonic() - since


def duplicates(mail: MailServer, receiver: Receiver, emails: list[str], burst: int = BURST) -> int:
    by_recipient = mail.by_recipient()
    assert sorted(by_recipient) == sorted(emails)
    # A repeat is the very message that was on the wire: the same Message-ID, the same
    # event id (mail clients and webhook receivers deduplicate on those).
    assert all(len({m["Message-ID"] for m in ms}) == 1 for ms in by_recipient.values())
    assert all(len(ms) <= 2 for ms in by_recipient.values())
    ids = [p["id"] for p in receiver.received]
    assert len(set(ids)) == burst
    assert all(ids.count(i) <= 2 for i in set(ids))
    assert receiver.bad_signatures == 0
    return (len(mail.handler.messages) - burst) + (len(ids) - burst)


@pytest.mark.parametrize(
    ("fault", "jobs"),
    [("kill and flush", None), ("kill", None), ("flush", None), ("kill and flush", 1)],
    ids=["kill and flush", "kill", "flush", "kill and flush, one job at a time"],
)
async def test_drill_recovers_within_seconds_repeating_only_what_was_on_the_wire(
    fault, jobs, committed_database, production_timing, redis_client, mail, receiver, capsys
):
    """A worker killed mid-burst sends again only what was on the wire: with one job at a
    time that is one message at most."""
    env = production_timing | ({"FUMIN_WORKER_JOBS": str(jobs)} if jobs else {})
    # One job at a time is slower: a smaller burst, still under way when the worker dies.
    burst = BURST if jobs is None else BURST // 4
    workers = Workers(env)
    try:
        emails = await burst_under_way(committed_database, receiver, mail, burst)
        first = workers.start()

        async def some_sent() -> bool:
            return len(mail.handler.messages) >= burst // 5

        await eventually(some_sent, timeout=60, interval=0.02, what="a first part of the burst")
        if "kill" in fault:
            workers.kill(first)
        if "flush" in fault:
            await redis_client.flushall()
        assert len(mail.handler.messages) < burst, "the burst finished first; make it larger"
        since = time.monotonic()
        if "kill" in fault:
            workers.start()
        took = await wait_until_all_handled(committed_database, since, burst)
        extra = duplicates(mail, receiver, emails, burst)
        with capsys.disabled():
            print(f"\n[drill {fault}] every event handled {took:.1f} s after; {extra} duplicate(s)")
        assert took < RECOVER_WITHIN
        assert extra <= (jobs or ON_THE_WIRE)
    finally:
        workers.stop_all()


async def test_dropped_database_connections_are_retried_within_seconds(
    committed_database, production_timing, redis_client, mail, receiver, capsys
):
    """PostgreSQL drops every worker connection mid-burst: the jobs that lose theirs run
    again a moment later, not after the sweep."""
    workers = Workers(production_timing)
    try:
        emails = await burst_under_way(committed_database, receiver, mail)
        workers.start()

        async def some_sent() -> bool:
            return len(mail.handler.messages) >= 40

        await eventually(some_sent, timeout=60, interval=0.02, what="a first part of the burst")
        await committed_database.engine.dispose()  # the test's own connections: not these
        async with committed_database.sessionmaker.begin() as session:
            dropped = await session.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE pid <> pg_backend_pid() AND datname = current_database()"
                    " AND backend_type = 'client backend'"
                )
            )
        assert dropped
        since = time.monotonic()
        took = await wait_until_all_handled(committed_database, since)
        extra = duplicates(mail, receiver, emails)
        with capsys.disabled():
            print(f"\n[drill db drop] handled {took:.1f} s after; {extra} duplicate(s)")
        assert took < RECOVER_WITHIN
        assert extra <= ON_THE_WIRE
    finally:
        workers.stop_all()
