"""Which deliveries an event calls for, honouring each person's preferences."""

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from coordinator.events.models import OutboxEvent
from coordinator.features import rule_book
from coordinator.notifications import handling
from coordinator.notifications.gateways import Gateways
from coordinator.notifications.models import Delivery
from coordinator.notifications.rules import Planned


async def add_member(api, **person):  # type: ignore[no-untyped-def]
    lead = await api.ok("POST", "/api/v1/people", 201, json={"name": "队长"})
    team = await api.ok(
        "POST",
        "/api/v1/teams",
        201,
        json={"name": f"队{uuid.uuid4().hex[:4]}", "kind": "volunteer", "lead_id": lead["id"]},
    )
    member = await api.ok("POST", "/api/v1/people", 201, json={"name": "成员", **person})
    await api.ok(
        "POST", f"/api/v1/teams/{team['id']}/members", 201, json={"person_id": member["id"]}
    )
    return member


async def handle(database, settings, event_id, clock=None, rules=None):  # type: ignore[no-untyped-def]
    """Handle an event as a worker's job does (its first message sent at once)."""
    gateways = Gateways.open(settings)
    try:
        return await handling.handle_event_and_send(
            database=database,
            gateways=gateways,
            rules=rule_book() if rules is None else rules,
            event_id=event_id,
            **({"clock": clock} if clock else {}),
        )
    finally:
        await gateways.close()


async def attempt(database, settings, delivery_id, clock=None, rules=None):  # type: ignore[no-untyped-def]
    gateways = Gateways.open(settings)
    try:
        return await handling.attempt_delivery(
            database=database,
            gateways=gateways,
            rules=rule_book() if rules is None else rules,
            delivery_id=delivery_id,
            **({"clock": clock} if clock else {}),
        )
    finally:
        await gateways.close()


async def plan_for_last_event(database, settings):  # type: ignore[no-untyped-def]
    async with database.session() as session:
        event = await session.scalar(
            select(OutboxEvent)
            .where(OutboxEvent.type == "team.member_added")
            .order_by(OutboxEvent.seq.desc())
            .limit(1)
        )
    await handle(database, settings, event.id)
    async with database.session() as session:
        return list(
            (await session.scalars(select(Delivery).where(Delivery.event_id == event.id))).all()
        )


@pytest.fixture(autouse=True)
def mail_to_files(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.data_dir = tmp_path  # development mail goes to files here


async def test_joining_a_team_emails_the_person_in_their_language(api, database, settings):
    await add_member(api, email="li.na@example.test", preferred_language="en")
    [delivery] = await plan_for_last_event(database, settings)
    assert (delivery.channel, delivery.recipient, delivery.language) == (
        "email",
        "li.na@example.test",
        "en",
    )
    assert delivery.context["person_name"] == "成员"
    assert delivery.not_before is None  # not a reminder: quiet hours do not hold it


async def test_no_email_for_someone_who_chose_sms_only(api, database, settings):
    await add_member(api, email="sms.only@example.test", channels=["sms"])
    assert await plan_for_last_event(database, settings) == []


async def test_handling_an_event_twice_plans_nothing_more(api, database, settings):
    await add_member(api, email="twice@example.test")
    first = await plan_for_last_event(database, settings)
    second = await plan_for_last_event(database, settings)
    assert [d.id for d in first] == [d.id for d in second]


async def test_deferrable_messages_wait_out_personal_quiet_hours(
    api, database, settings, monkeypatch
):
    """A reminder raised at 23:30 Beijing time waits until the end of the recipient's night."""

    async def reminder(session, event, settings):  # type: ignore[no-untyped-def]
        return [
            Planned(
                channel="email",
                recipient="night@example.test",
                template="team_member_added",
                deferrable=True,
                quiet_hours="23:00-06:30",
            )
        ]

    book = {"area.created": [reminder]}
    await api.ok("POST", "/api/v1/areas", 201, json={"name": "夜间片区", "kind": "block"})
    async with database.session() as session:
        event = await session.scalar(select(OutboxEvent).where(OutboxEvent.type == "area.created"))
    night = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)
    handled = await handle(database, settings, event.id, clock=lambda: night, rules=book)
    async with database.session() as session:
        delivery = await session.scalar(select(Delivery).where(Delivery.event_id == event.id))
    assert (delivery.deferrable, delivery.status, delivery.attempts) == (True, "pending", 0)
    assert delivery.not_before == datetime(
        2026, 3, 2, 22, 30, tzinfo=UTC
    )  # 06:30 on 3 March in Shanghai
    assert handled == handling.Handled(due=[], later=[(delivery.id, 7 * 3600.0)])


async def test_a_deferred_reminder_no_longer_due_is_skipped_not_sent(
    api, database, settings, monkeypatch
):
    """The rule behind a reminder is asked again just before sending: once its subject is
    gone (a cancelled visit, a deleted area here) the waiting delivery is skipped."""
    from sqlalchemy import func

    from coordinator.registry.models import Area

    async def remind_while_area_exists(session, event, settings):  # type: ignore[no-untyped-def]
        still = await session.scalar(
            select(func.count()).select_from(Area).where(Area.id == event.subject_id)
        )
        return (
            [
                Planned(
                    channel="email",
                    recipient="night@example.test",
                    template="team_member_added",
                    deferrable=True,
                )
            ]
            if still
            else []
        )

    book = {"area.created": [remind_while_area_exists]}
    settings.quiet_hours = "21:00-08:00"
    area = await api.ok("POST", "/api/v1/areas", 201, json={"name": "提醒片区", "kind": "block"})
    async with database.session() as session:
        event = await session.scalar(select(OutboxEvent).where(OutboxEvent.type == "area.created"))
    night = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)  # 23:30 in Shanghai: the reminder waits
    handled = await handle(database, settings, event.id, clock=lambda: night, rules=book)
    [(delivery_id, _)] = handled.later
    await api.ok("DELETE", f"/api/v1/areas/{area['id']}", 204)

    morning = datetime(2026, 3, 3, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai
    outcome = await attempt(database, settings, delivery_id, clock=lambda: morning, rules=book)
    assert outcome.status == "skipped"
    async with database.session() as session:
        delivery = await session.get(Delivery, delivery_id)
    assert (delivery.status, delivery.attempts, delivery.last_error) == (
        "skipped",
        0,
        "no longer due",
    )


async def test_a_link_in_clear_is_forgotten_once_delivered(
    api, database, settings, monkeypatch, tmp_path
):
    """Capability links are stored hashed; the copy in clear that an email needs is dropped
    from each delivery once it is sent, and from the event as soon as nothing could still
    send it (here: after the second of its two messages)."""
    from coordinator.events.service import record_event

    context = {
        "person_name": "王",
        "team_name": "队",
        "role": "member",
        "role_zh": "成员",
        "lead_name": None,
    }

    async def mail_the_link(session, event, settings):  # type: ignore[no-untyped-def]
        return [
            Planned(
                channel="email",
                recipient=recipient,
                template="team_member_added",
                context={**context, "link": event.data["link"]},
            )
            for recipient in ("a@example.test", "b@example.test")
        ]

    book = {"visit.proposed": [mail_the_link]}
    async with database.sessionmaker.begin() as session:
        event = record_event(
            session,
            "visit.proposed",
            data={"visit_id": "v1", "link": "https://fumin.test/v/secret-token"},
        )
    handled = await handle(database, settings, event.id, rules=book)
    [second] = handled.due
    async with database.session() as session:
        waiting = await session.get(OutboxEvent, event.id)
    assert waiting.data["link"] == "https://fumin.test/v/secret-token"  # b's is not sent yet

    outcome = await attempt(database, settings, second, rules=book)
    assert outcome.status == "sent"
    assert len(list(tmp_path.joinpath("mail").iterdir())) == 2  # both messages went out
    async with database.session() as session:
        deliveries = list(
            (await session.scalars(select(Delivery).where(Delivery.event_id == event.id))).all()
        )
        stored = await session.get(OutboxEvent, event.id)
    assert [d.status for d in deliveries] == ["sent", "sent"]
    assert all("link" not in d.context and d.context["person_name"] == "王" for d in deliveries)
    assert stored.data == {"visit_id": "v1"}
