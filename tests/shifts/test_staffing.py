"""Crons: understaffed shifts, reminders (once, never for a cancelled place), no-shows;
and what the notification rules make of the events."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select, update

from coordinator.events.models import OutboxEvent
from coordinator.features import rule_book
from coordinator.notifications import email
from coordinator.notifications.rules import plan
from coordinator.platform.db import utcnow
from coordinator.platform.settings import load_settings
from coordinator.shifts.models import Signup
from coordinator.shifts.rules import NO_SHOW_GRACE
from coordinator.shifts.signups.places import mark_no_shows
from coordinator.shifts.staffing import flag_understaffed, raise_reminders

from .conftest import events, hours_from_now

# What the rules read (links, the zone), as a worker would have it.
SETTINGS = load_settings(FUMIN_ENV="test", FUMIN_PUBLIC_URL="http://fumin.test")


async def planned_for(database, kind: str, settings=SETTINGS):  # type: ignore[no-untyped-def]
    async with database.sessionmaker.begin() as session:
        event = await session.scalar(
            select(OutboxEvent).where(OutboxEvent.type == kind).order_by(OutboxEvent.seq.desc())
        )
        return await plan(session, event, rule_book(), settings)


async def test_understaffed_shift_alerts_the_lead_and_calls_out_free_volunteers(world):
    lead = await world.person("队长", skills=["急救"])
    free = await world.person("空闲", skills=["急救"])
    busy = await world.person("忙碌", skills=["急救"])
    unqualified = await world.person("无证")
    team = await world.api.ok(
        "POST",
        "/api/v1/teams",
        201,
        json={
            "name": "门岗队",
            "kind": "volunteer",
            "lead_id": lead["id"],
            "members": [
                {"person_id": p["id"], "role": "member"} for p in (free, busy, unqualified)
            ],
        },
    )
    post = await world.post(team_id=team["id"], required_skills=["急救"])
    shift = await world.shift(
        post["id"], hours_from_now(20), hours_from_now(22), min_people=2, max_people=3
    )
    elsewhere = await world.shift(post["id"], hours_from_now(21), hours_from_now(23))
    await world.sign_up(elsewhere["id"], busy["id"])
    far = await world.shift(post["id"], hours_from_now(60), hours_from_now(62), min_people=2)

    async with world.database.sessionmaker.begin() as session:
        assert await flag_understaffed(session=session, now=utcnow()) == 1
        assert await flag_understaffed(session=session, now=utcnow()) == 0
    flagged = {e.data["shift_id"] for e in await events(world.database, "shift.understaffed")}
    assert shift["id"] in flagged and far["id"] not in flagged

    async with world.database.sessionmaker.begin() as session:
        event = await session.scalar(
            select(OutboxEvent).where(
                OutboxEvent.type == "shift.understaffed",
                OutboxEvent.subject_id == uuid.UUID(shift["id"]),
            )
        )
        planned = await plan(session, event, rule_book(), SETTINGS)
    kinds = {p.recipient: p.context["kind"] for p in planned}
    assert kinds == {lead["email"]: "understaffed", free["email"]: "callout"}
    callout = next(p for p in planned if p.context["kind"] == "callout")
    assert "/me/" in callout.context["link"]
    rendered = email.render("shift_notice", "zh", callout.context)
    assert "一键" in rendered.subject or "缺人" in rendered.subject
    assert callout.context["link"] in rendered.text


async def test_reminder_is_raised_once_and_dropped_for_a_cancelled_place(world):
    post = await world.post()
    shift = await world.shift(post["id"], hours_from_now(20), hours_from_now(22))
    person = await world.person("甲")
    signup = await world.sign_up(shift["id"], person["id"])
    async with world.database.sessionmaker.begin() as session:
        assert await raise_reminders(session=session, now=utcnow()) == 1
        assert await raise_reminders(session=session, now=utcnow()) == 0
    (due,) = await events(world.database, "shift.reminder_due")
    assert (due.data["kind"], due.data["sequence"]) == ("24h", 0)
    (reminder,) = await planned_for(world.database, "shift.reminder_due")
    assert reminder.deferrable is True
    assert reminder.recipient == person["email"]
    for language in ("zh", "en"):
        assert email.render("shift_notice", language, reminder.context).subject

    await world.api.ok("POST", f"/api/v1/signups/{signup['id']}/cancel")
    assert await planned_for(world.database, "shift.reminder_due") == []


async def test_missed_start_becomes_a_no_show(world):
    post = await world.post()
    shift = await world.shift(post["id"], hours_from_now(0.1), hours_from_now(2))
    person = await world.person("甲")
    signup = await world.sign_up(shift["id"], person["id"])
    async with world.database.sessionmaker.begin() as session:
        await session.execute(
            update(Signup)
            .where(Signup.id == uuid.UUID(signup["id"]))
            .values(starts_at=utcnow() - timedelta(minutes=30))
        )
        assert await mark_no_shows(session=session, now=utcnow(), grace=NO_SHOW_GRACE) == 1
    (row,) = await world.signups(shift["id"])
    assert row["status"] == "no_show"
    assert len(await events(world.database, "signup.no_show")) == 1


async def test_promoted_person_is_told_with_a_decline_link(world):
    post = await world.post()
    shift = await world.shift(post["id"], hours_from_now(30), hours_from_now(32), max_people=1)
    a, b = await world.person("甲"), await world.person("乙")
    held = await world.sign_up(shift["id"], a["id"])
    await world.sign_up(shift["id"], b["id"])
    await world.api.ok("POST", f"/api/v1/signups/{held['id']}/cancel")
    (notice,) = await planned_for(world.database, "signup.promoted")
    assert notice.recipient == b["email"]
    assert "/me/" in notice.context["link"]
    assert notice.context["link"] in email.render("shift_notice", "en", notice.context).text


async def test_a_shift_notice_names_the_configured_zone(world):
    post = await world.post()
    shift = await world.shift(post["id"], hours_from_now(30), hours_from_now(32))
    person = await world.person("甲")
    await world.sign_up(shift["id"], person["id"])
    (shanghai,) = await planned_for(world.database, "signup.created")
    assert shanghai.context["when_zh"].endswith("（北京时间）")
    assert shanghai.context["when_en"].endswith("(Beijing time)")
    berlin = load_settings(FUMIN_ENV="test", FUMIN_TIMEZONE="Europe/Berlin")
    (notice,) = await planned_for(world.database, "signup.created", berlin)
    assert notice.context["when_zh"].endswith("（Europe/Berlin）")
    assert "北京时间" not in email.render("shift_notice", "zh", notice.context).text
