"""The event backbone end to end: outbox -> relay -> arq workers -> SMTP and webhooks."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select, text

from coordinator.events.models import OutboxEvent
from coordinator.events.service import record_event
from coordinator.notifications.models import Delivery, DeliveryStatus, WebhookSubscription
from coordinator.people.models import MemberRole, Person, Team, TeamMember
from coordinator.platform.db import Database
from tests.workers.conftest import eventually


async def raise_member_events(database: Database, count: int, *, batch: int = 100) -> list[str]:
    """`count` people join a team: one team.member_added event each. Returns their emails."""
    emails: list[str] = []
    async with database.sessionmaker.begin() as session:
        team = Team(name=f"志愿者服务队-{uuid.uuid4().hex[:6]}", kind="volunteer")
        session.add(team)
        await session.flush()
        team_id = team.id
    for start in range(0, count, batch):
        async with database.sessionmaker.begin() as session:
            for i in range(start, min(start + batch, count)):
                address = f"volunteer{i}@example.test"
                person = Person(name=f"志愿者{i}", email=address, skills=[], party_member=False)
                session.add(person)
                await session.flush()
                session.add(
                    TeamMember(team_id=team_id, person_id=person.id, role=MemberRole.member)
                )
                record_event(
                    session,
                    "team.member_added",
                    data={"team_id": str(team_id), "person_id": str(person.id), "role": "member"},
                    subject_type="team",
                    subject_id=team_id,
                )
                emails.append(address)
    return emails


async def count_where(database: Database, *conditions) -> int:  # type: ignore[no-untyped-def]
    async with database.session() as session:
        return int(
            await session.scalar(select(func.count()).select_from(Delivery).where(*conditions)) or 0
        )


async def add_subscription(database: Database, url: str, types: list[str]) -> WebhookSubscription:
    async with database.sessionmaker.begin() as session:
        subscription = WebhookSubscription(
            url=url, event_types=types, secret="whsec_test_secret_value"
        )
        session.add(subscription)
    return subscription


async def test_thousand_events_each_delivered_once_by_mail_and_webhook(
    committed_database, workers, mail, receiver
):
    receiver.secret = "whsec_test_secret_value"
    await add_subscription(committed_database, receiver.url, ["team.member_added"])
    emails = await raise_member_events(committed_database, 1000)
    workers.start()
    workers.start()

    async def all_sent() -> bool:
        return await count_where(committed_database, Delivery.status == DeliveryStatus.sent) == 2000

    await eventually(all_sent, timeout=180, what="2000 deliveries sent")

    by_recipient = mail.by_recipient()
    assert sorted(by_recipient) == sorted(emails)
    assert all(len(messages) == 1 for messages in by_recipient.values())
    ids = [p["id"] for p in receiver.received]
    assert len(ids) == 1000 and len(set(ids)) == 1000
    assert receiver.bad_signatures == 0
    async with committed_database.session() as session:
        unhandled = await session.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.handled_at.is_(None))
        )
    assert unhandled == 0


async def test_worker_killed_mid_burst_loses_nothing_and_sends_nothing_twice(
    committed_database, workers, mail
):
    emails = await raise_member_events(committed_database, 400)
    first = workers.start()

    async def some_sent() -> bool:
        return len(mail.handler.messages) >= 40

    await eventually(some_sent, timeout=60, what="a first part of the burst")
    workers.kill(first)
    sent_before_kill = len(mail.handler.messages)
    assert sent_before_kill < 400, "the burst finished before the kill; make it larger"
    workers.start()

    async def all_sent() -> bool:
        return await count_where(committed_database, Delivery.status == DeliveryStatus.sent) == 400

    await eventually(all_sent, timeout=120, what="all 400 deliveries sent after the restart")
    by_recipient = mail.by_recipient()
    assert sorted(by_recipient) == sorted(emails)
    # Each recipient sees one notification: at most a repeat of the very message that was
    # on the wire at the kill, with the same Message-ID, which mail clients show once.
    for messages in by_recipient.values():
        assert len({m["Message-ID"] for m in messages}) == 1
    assert len(mail.handler.messages) - 400 <= 20


async def test_redis_flushed_mid_burst_is_recovered_from_postgresql(
    committed_database, workers, mail, redis_client
):
    emails = await raise_member_events(committed_database, 400)
    workers.start()

    async def some_sent() -> bool:
        return len(mail.handler.messages) >= 20

    await eventually(some_sent, timeout=60, what="a first part of the burst")
    await redis_client.flushall()

    async def all_sent() -> bool:
        return await count_where(committed_database, Delivery.status == DeliveryStatus.sent) == 400

    await eventually(all_sent, timeout=120, what="all deliveries sent after FLUSHALL")
    by_recipient = mail.by_recipient()
    assert sorted(by_recipient) == sorted(emails)
    assert all(len({m["Message-ID"] for m in ms}) == 1 for ms in by_recipient.values())


async def test_smtp_down_then_back_is_retried_and_delivered(committed_database, workers, mail):
    mail.stop()
    emails = await raise_member_events(committed_database, 10)
    workers.start()

    async def retried() -> bool:
        return (
            await count_where(
                committed_database,
                Delivery.attempts >= 2,
                Delivery.status == DeliveryStatus.pending,
            )
            == 10
        )

    await eventually(retried, timeout=60, what="every delivery retried while SMTP is down")
    mail.start()

    async def all_sent() -> bool:
        return await count_where(committed_database, Delivery.status == DeliveryStatus.sent) == 10

    await eventually(all_sent, timeout=60, what="deliveries sent once SMTP is back")
    assert sorted(mail.by_recipient()) == sorted(emails)


async def test_rejected_address_fails_visibly_and_replay_delivers(
    committed_database, committed_api, workers, mail
):
    mail.handler.rejected.add("volunteer0@example.test")
    await raise_member_events(committed_database, 3)
    workers.start()

    async def settled() -> bool:
        return await count_where(committed_database, Delivery.status != DeliveryStatus.pending) == 3

    await eventually(settled, timeout=60, what="all deliveries settled")
    failed = await committed_api.ok("GET", "/api/v1/deliveries?status=failed")
    assert failed["total"] == 1
    [item] = failed["items"]
    assert item["recipient"] == "volunteer0@example.test"
    assert item["attempts"] == 1  # a permanent refusal is not retried
    assert "550" in item["last_error"]

    mail.handler.rejected.clear()
    replayed = await committed_api.ok("POST", f"/api/v1/deliveries/{item['id']}/replay")
    assert replayed["status"] == "pending"

    async def delivered() -> bool:
        return await count_where(committed_database, Delivery.status == DeliveryStatus.sent) == 3

    await eventually(delivered, timeout=60, what="the replayed delivery sent")
    assert "volunteer0@example.test" in mail.by_recipient()


async def test_webhook_5xx_is_retried_until_accepted(committed_database, workers, receiver):
    receiver.secret = "whsec_test_secret_value"
    receiver.fail_next = 2
    await add_subscription(committed_database, receiver.url, ["*"])
    await raise_member_events(committed_database, 1)
    workers.start()

    async def sent() -> bool:
        return (
            await count_where(
                committed_database,
                Delivery.channel == "webhook",
                Delivery.status == DeliveryStatus.sent,
            )
            == 1
        )

    await eventually(sent, timeout=60, what="the webhook delivered after two 503s")
    async with committed_database.session() as session:
        attempts = await session.scalar(
            select(Delivery.attempts).where(Delivery.channel == "webhook")
        )
    assert attempts == 3
    assert [p["type"] for p in receiver.received] == ["team.member_added"]


async def test_rolled_back_transaction_emits_nothing(committed_database):
    async with committed_database.sessionmaker() as session:
        async with session.begin():
            record_event(session, "area.created", data={"name": "x"})
            await session.flush()
            await session.rollback()
    async with committed_database.session() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxEvent)) == 0
        assert (await session.execute(text("SELECT count(*) FROM deliveries"))).scalar() == 0
