"""Handling an event: its deliveries written once, the first message sent in the same go."""

import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from structlog.testing import capture_logs

from coordinator.events.models import OutboxEvent
from coordinator.events.service import record_event
from coordinator.notifications import handling
from coordinator.notifications.gateways import Gateways
from coordinator.notifications.models import Delivery
from coordinator.notifications.rules import Planned

CONTEXT = {
    "person_name": "王",
    "team_name": "队",
    "role": "member",
    "role_zh": "成员",
    "lead_name": None,
}


async def handle(database, settings, monkeypatch, tmp_path, planned):  # type: ignore[no-untyped-def]
    """Raise an event whose only rule plans `planned`; handle it twice."""

    async def the_rule(session, event, settings):  # type: ignore[no-untyped-def]
        return planned

    book = {"visit.proposed": [the_rule]}
    settings.data_dir = tmp_path  # development mail goes to files here
    async with database.sessionmaker.begin() as session:
        event = record_event(session, "visit.proposed", data={"visit_id": "v1"})
    gateways = Gateways.open(settings)
    try:
        with capture_logs() as logs:  # whatever logging other tests left configured
            first = await handling.handle_event_and_send(
                database=database, gateways=gateways, rules=book, event_id=event.id
            )
            again = await handling.handle_event_and_send(
                database=database, gateways=gateways, rules=book, event_id=event.id
            )
    finally:
        await gateways.close()
    async with database.session() as session:
        stored = await session.get(OutboxEvent, event.id)
        deliveries = {
            d.recipient: d
            for d in await session.scalars(select(Delivery).where(Delivery.event_id == event.id))
        }
    assert stored is not None and stored.handled_at is not None
    return first, again, deliveries, [entry["event"] for entry in logs]


async def test_the_first_message_is_sent_with_the_event_and_the_rest_left_due(
    database, settings, monkeypatch, tmp_path
):
    planned = [
        Planned(channel="email", recipient=r, template="team_member_added", context=CONTEXT)
        for r in ("a@example.test", "b@example.test", "a@example.test")
    ]
    first, again, deliveries, logged = await handle(
        database, settings, monkeypatch, tmp_path, planned
    )
    a, b = deliveries["a@example.test"], deliveries["b@example.test"]
    assert (a.status, a.attempts, b.status, b.attempts) == ("sent", 1, "pending", 0)
    assert len(deliveries) == 2  # one per channel and recipient
    assert first == handling.Handled(due=[b.id], later=[])
    assert again == handling.Handled(due=[b.id])  # a repeated job retries what is pending
    assert len(list(tmp_path.joinpath("mail").iterdir())) == 1
    assert logged == ["mail_written"]


async def test_a_message_that_fails_to_render_holds_back_no_other(
    database, settings, monkeypatch, tmp_path
):
    planned = [
        Planned(channel="email", recipient="a@example.test", template="no_such_template"),
        Planned(
            channel="email",
            recipient="b@example.test",
            template="team_member_added",
            context=CONTEXT,
        ),
    ]
    first, _, deliveries, logged = await handle(database, settings, monkeypatch, tmp_path, planned)
    a, b = deliveries["a@example.test"], deliveries["b@example.test"]
    assert (a.status, a.attempts, b.status) == ("pending", 1, "pending")
    assert "TemplateNotFound" in (a.last_error or "")
    assert first.due == [b.id]
    ((retried, delay),) = first.later  # a failed attempt: tried again after a backoff
    assert retried == a.id and delay > 0
    assert logged == ["delivery_error"]


async def test_a_message_that_never_renders_ends_failed_and_replayable(
    database, settings, monkeypatch, tmp_path
):
    """An unexpected error counts as an attempt: at the limit the delivery is failed, so it
    shows among failed deliveries instead of waiting forever."""
    settings.delivery_max_attempts = 2
    planned = [Planned(channel="email", recipient="a@example.test", template="no_such_template")]
    first, _, deliveries, _ = await handle(database, settings, monkeypatch, tmp_path, planned)
    a = deliveries["a@example.test"]
    assert (a.status, a.attempts) == ("pending", 1) and first.later
    gateways = Gateways.open(settings)
    try:
        with capture_logs():  # its retry, made at once
            attempt = await handling.attempt_delivery(
                database=database, gateways=gateways, rules={}, delivery_id=a.id
            )
    finally:
        await gateways.close()
    assert attempt == handling.Attempt(status="failed")
    async with database.session() as session:
        failed = await session.get(Delivery, a.id, populate_existing=True)
    assert failed is not None and (failed.status, failed.attempts) == ("failed", 2)
    assert "TemplateNotFound" in (failed.last_error or "")


async def test_a_write_refused_before_the_first_send_sends_nothing(
    database, settings, monkeypatch, tmp_path
):
    """The deliveries are written before the first message goes out: a row the database
    refuses (a webhook subscription deleted meanwhile) fails the event with nothing sent,
    and its retry plans afresh."""
    planned = [
        Planned(
            channel="email",
            recipient="a@example.test",
            template="team_member_added",
            context=CONTEXT,
        ),
        Planned(
            channel="webhook",
            recipient="https://gone.example.test/hook",
            subscription_id=uuid.uuid4(),
        ),
    ]
    with pytest.raises(DBAPIError):
        await handle(database, settings, monkeypatch, tmp_path, planned)
    assert not tmp_path.joinpath("mail").exists() or not any(tmp_path.joinpath("mail").iterdir())
