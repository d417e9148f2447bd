"""The sweep: reminders before confirmed visits, escalation of unanswered proposals,
and the rules re-checking state before anyone is told."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select

from coordinator.events.models import OutboxEvent
from coordinator.features import rule_book
from coordinator.notifications.rules import plan
from coordinator.platform import keys
from coordinator.platform.settings import VisitSettings, load_settings
from coordinator.visits.reminders.service import sweep
from tests.visits.helpers import answer, propose

CONFIG = VisitSettings(coordinator_emails=("office@example.test",))


async def run_sweep(database, now: datetime):  # type: ignore[no-untyped-def]
    async with database.sessionmaker.begin() as session:
        return await sweep(session, config=CONFIG, base_url="http://fumin.test", now=now)


async def events(database, type_: str, visit_id: str | None = None) -> list[OutboxEvent]:  # type: ignore[no-untyped-def]
    async with database.session() as session:
        stmt = select(OutboxEvent).where(OutboxEvent.type == type_).order_by(OutboxEvent.seq)
        if visit_id:
            stmt = stmt.where(OutboxEvent.subject_id == uuid.UUID(visit_id))
        return list((await session.scalars(stmt)).all())


def start_of(visit: dict) -> datetime:
    return datetime.fromisoformat(visit["starts_at"])


async def test_reminders_24h_and_2h_once_each(api, database, world):
    visit, path = await propose(api, database, world, start_hours=48)
    await answer(api.client, path, "confirm")
    start = start_of(visit)
    assert (await run_sweep(database, start - timedelta(hours=30))).reminders == 0
    assert (await run_sweep(database, start - timedelta(hours=23))).reminders == 1
    assert (await run_sweep(database, start - timedelta(hours=22))).reminders == 0  # repeat
    assert (await run_sweep(database, start - timedelta(hours=1))).reminders == 1
    assert (await run_sweep(database, start + timedelta(minutes=1))).reminders == 0
    kinds = [e.data["kind"] for e in await events(database, "visit.reminder_due")]
    assert kinds == ["before_1440m", "before_120m"]
    async with database.session() as session:
        reminder = (await events(database, "visit.reminder_due"))[0]
        planned = await plan(session, reminder, rule_book(), api.client.app[keys.SETTINGS])
    assert {p.recipient for p in planned} == {world.contact_email, world.liaison_email}
    assert all(p.deferrable for p in planned)


async def test_no_reminder_after_cancel_and_none_planned_for_a_stale_event(api, database, world):
    visit, path = await propose(api, database, world, start_hours=48)
    await answer(api.client, path, "confirm")
    start = start_of(visit)
    await run_sweep(database, start - timedelta(hours=23))
    [due] = await events(database, "visit.reminder_due")
    await api.ok("POST", f"/api/v1/visits/{visit['id']}/cancel", json={})
    assert (await run_sweep(database, start - timedelta(hours=1))).reminders == 0
    async with database.session() as session:
        assert (
            await plan(session, due, rule_book(), api.client.app[keys.SETTINGS]) == []
        )  # the rule re-checks: cancelled, nobody reminded


async def test_moved_visit_gets_fresh_reminders_and_stale_ones_are_dropped(api, database, world):
    visit, path = await propose(api, database, world, start_hours=48)
    await answer(api.client, path, "confirm")
    await run_sweep(database, start_of(visit) - timedelta(hours=23))
    [stale] = await events(database, "visit.reminder_due")
    moved = await api.ok(
        "POST",
        f"/api/v1/visits/{visit['id']}/move",
        json={
            "starts_at": visit["starts_at"].replace(
                visit["starts_at"][:10], visit["starts_at"][:10]
            ),
            "ends_at": visit["ends_at"],
        },
    )
    [event] = await events(database, "visit.rescheduled")
    new_path = event.data["link"].removeprefix("http://fumin.test")
    await answer(api.client, new_path, "confirm")
    async with database.session() as session:
        assert await plan(session, stale, rule_book(), api.client.app[keys.SETTINGS]) == []
    assert (await run_sweep(database, start_of(moved) - timedelta(hours=23))).reminders == 1


async def test_unanswered_proposal_nudges_the_contact_once_then_alerts_lead(
    api, database, world, monkeypatch
):
    office = load_settings(
        FUMIN_ENV="test",
        FUMIN_PUBLIC_URL="http://fumin.test",
        FUMIN_COORDINATOR_EMAILS="office@example.test",
    )
    visit, _ = await propose(api, database, world, start_hours=24 * 6)
    now = datetime.fromisoformat(visit["proposed_at"])
    assert (await run_sweep(database, now + timedelta(hours=47))).nudges == 0
    assert (await run_sweep(database, now + timedelta(hours=49))).nudges == 1
    assert (await run_sweep(database, now + timedelta(hours=50))).nudges == 0
    [nudge] = await events(database, "visit.escalated")
    assert nudge.data["stage"] == "contact_reminder"
    new_link = nudge.data["link"].removeprefix("http://fumin.test")
    assert (await api.client.get(new_link)).status == 200
    async with database.session() as session:
        [mail] = await plan(session, nudge, rule_book(), office)
    assert mail.recipient == world.contact_email and mail.context["nudge"] is True
    # Still unanswered a day after the nudge: the lead and coordinators are alerted.
    assert (await run_sweep(database, now + timedelta(hours=49 + 23))).alerts == 0
    result = await run_sweep(database, now + timedelta(hours=49 + 25))
    assert result.alerts == 1
    alert = (await events(database, "visit.escalated"))[-1]
    assert alert.data["stage"] == "alert" and alert.data["team_id"] == world.team_id
    assert [v["visit_id"] for v in alert.data["visits"]] == [visit["id"]]
    async with database.session() as session:
        recipients = {p.recipient for p in await plan(session, alert, rule_book(), office)}
    assert recipients == {world.lead_email, "office@example.test"}
    again = await run_sweep(database, now + timedelta(hours=49 + 26))
    assert again.alerts == 0


async def test_answers_reach_liaison_and_lead_and_reassignment_both_liaisons(api, database, world):
    _visit, path = await propose(api, database, world)
    await answer(api.client, path, "decline", reason="出差")
    [declined] = await events(database, "visit.declined")
    async with database.session() as session:
        planned = await plan(session, declined, rule_book(), api.client.app[keys.SETTINGS])
    assert {p.recipient for p in planned} == {world.liaison_email, world.lead_email}
    assert any("出差" in line for p in planned for line in p.context["lines"])

    await api.ok(
        "PUT", f"/api/v1/companies/{world.company_id}/liaison", json={"person_id": world.liaison_id}
    )
    await api.ok(
        "PUT", f"/api/v1/companies/{world.company_id}/liaison", json={"person_id": world.lead_id}
    )
    second = (await events(database, "company.liaison_assigned"))[-1]
    async with database.session() as session:
        told = {
            p.recipient
            for p in await plan(session, second, rule_book(), api.client.app[keys.SETTINGS])
        }
    assert told == {world.liaison_email, world.lead_email}


async def test_cancel_tells_contact_and_liaison(api, database, world):
    visit, _ = await propose(api, database, world)
    await api.ok("POST", f"/api/v1/visits/{visit['id']}/cancel", json={"reason": "临时有会"})
    [cancelled] = await events(database, "visit.cancelled")
    async with database.session() as session:
        planned = await plan(session, cancelled, rule_book(), api.client.app[keys.SETTINGS])
    assert {p.recipient for p in planned} == {world.contact_email, world.liaison_email}
