"""The cases' clock: reminders before a task's due time and the category's escalation
ladder after it, in working time on the department's calendar across a weekend, public
holidays and a make-up working day; each step once; nobody told once the case is done."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from coordinator.auth.service import SYSTEM
from coordinator.cases.categories.models import CaseCategory
from coordinator.cases.clock.models import CaseStep
from coordinator.cases.clock.service import sweep
from coordinator.cases.followup.service import reopen_case
from coordinator.features import rule_book
from coordinator.notifications.rules import plan
from coordinator.platform.settings import load_settings
from tests.cases.clocks import (
    at,
    clock_events,
    file_at,
    labour_day,
    run_sweep,
    steps,
    tasks_of,
    work_to_resolution,
)

OFFICE = "office@example.test"


def office(settings, **extra):  # type: ignore[no-untyped-def]
    """The test's settings with the coordinators' address (and anything else)."""
    return load_settings(
        FUMIN_ENV="test",
        DATABASE_URL=settings.database_url,
        FUMIN_PUBLIC_URL="http://fumin.test",
        FUMIN_COORDINATOR_EMAILS=OFFICE,
        **extra,
    )


async def test_deadlines_reminders_and_the_ladder_across_holidays_and_a_make_up_day(
    database, settings, world
):
    await labour_day(database, world)
    settings = office(settings)
    housing = world.departments["housing"]
    # Thursday 30 April, 10:00: one working day is Wednesday 6 May (1 May, the weekend,
    # 4 and 5 May off), at the close of each department's own day.
    case = await file_at(database, settings, world, at(30, 10, month=4))
    tasks = await tasks_of(database, case.id)
    assert tasks[housing].due_at == at(6, 17)
    assert tasks[world.departments["urban"]].due_at == at(6, 17, 30)

    first = await run_sweep(database, settings, at(30, 10, 1, month=4))
    assert (first.planned, first.reminders, first.escalations) == (4, 0, 0)
    tasks = await tasks_of(database, case.id)
    # Two working hours before the close of business; the ladder counted past it.
    assert tasks[housing].next_step_at == at(6, 15)
    assert tasks[housing].clock_due_at == tasks[housing].due_at
    assert tasks[housing].clock_sequence == 1
    assert (await run_sweep(database, settings, at(6, 14, 59))).found == 0

    assert (await run_sweep(database, settings, at(6, 15))).reminders == 1  # housing
    assert (await run_sweep(database, settings, at(6, 15, 30))).reminders == 3  # the others
    assert (await run_sweep(database, settings, at(6, 16))).found == 0
    # Due at 17:00: the first rung (after 0 hours) is the due time itself.
    due = await run_sweep(database, settings, at(6, 17))
    assert (due.reminders, due.escalations) == (0, 1)
    assert (await run_sweep(database, settings, at(6, 17, 30))).escalations == 3
    # 16 working hours past due: Thursday 7 and Friday 8 May give 14 of the housing
    # office's (7 a day), the make-up Saturday the last 2, from 08:30: 10:30.
    tasks = await tasks_of(database, case.id)
    assert tasks[housing].next_step_at == at(9, 10, 30)
    # The others, on 7.5-hour days from 09:00: Saturday 10:00.
    assert tasks[world.departments["urban"]].next_step_at == at(9, 10)
    assert (await run_sweep(database, settings, at(8, 17, 30))).found == 0
    assert (await run_sweep(database, settings, at(9, 10))).escalations == 3
    assert (await run_sweep(database, settings, at(9, 10, 29))).found == 0
    assert (await run_sweep(database, settings, at(9, 10, 30))).escalations == 1
    # Nothing left: the ladder is done, and sweeps a week on find nothing.
    tasks = await tasks_of(database, case.id)
    assert all(t.next_step_at is None for t in tasks.values())
    assert (await run_sweep(database, settings, at(16, 10))).found == 0

    events = await clock_events(database, case.id)
    mine = [s for s in steps(events) if s[0] == str(housing)]
    assert mine == [
        (str(housing), "remind", 0, 1),
        (str(housing), "escalate", 0, 1),
        (str(housing), "escalate", 1, 1),
    ]
    assert len(events) == 4 * 3
    lead_rung, office_rung = [e for e in events if e.data["department_id"] == str(housing)][1:]
    assert (lead_rung.data["to"], office_rung.data["to"]) == ("department_lead", "coordinators")
    assert office_rung.data["after_hours"] == 16.0
    assert datetime.fromisoformat(office_rung.data["step_at"]) == at(9, 10, 30)
    for event in events:
        assert event.data["case_id"] == str(case.id) and event.data["number"] == case.number
        assert event.data["category"] == world.category_code and event.actor == "sweep"
    async with database.session() as session:
        [to_lead] = await plan(session, lead_rung, rule_book(), settings)
        [to_office] = await plan(session, office_rung, rule_book(), settings)
    assert to_lead.recipient == world.lead_emails["housing"]
    assert to_office.recipient == OFFICE
    assert "已逾期" in to_lead.context["headline"]


async def test_a_reminder_counts_back_across_the_holidays(database, settings, world):
    """Eight working hours before Wednesday 17:00 on 7-hour days: Wednesday gives 7, the
    last one is Thursday 30 April's last hour, before the holidays."""
    await labour_day(database, world)
    settings = office(settings, FUMIN_CASE_REMIND_HOURS="8")
    housing = world.departments["housing"]
    case = await file_at(database, settings, world, at(30, 10, month=4))
    await run_sweep(database, settings, at(30, 10, 1, month=4))
    assert (await tasks_of(database, case.id))[housing].next_step_at == at(30, 16, month=4)
    assert (await run_sweep(database, settings, at(30, 15, 59, month=4))).reminders == 0
    assert (await run_sweep(database, settings, at(30, 16, month=4))).reminders == 1
    [reminder] = await clock_events(database, case.id)
    assert reminder.type == "case.reminder_due" and reminder.data["remind_hours"] == 8.0
    async with database.session() as session:
        planned = await plan(session, reminder, rule_book(), settings)
    # Nobody has taken the task on: every member of the department hears of it.
    assert [p.recipient for p in planned] == [world.lead_emails["housing"]]
    assert all(p.deferrable for p in planned)


async def test_each_step_once_and_two_sweeps_at_once_share_the_work(database, settings, world):
    await labour_day(database, world)
    case = await file_at(database, settings, world, at(30, 10, month=4))
    await run_sweep(database, settings, at(30, 10, 1, month=4))
    late = at(6, 18)  # past due for all: the reminders are skipped, the first rung taken
    async with database.sessionmaker.begin() as session:
        one = await sweep(session, settings=settings, now=late, batch=2)
        two = await sweep(session, settings=settings, now=late, batch=2)
        three = await sweep(session, settings=settings, now=late, batch=2)
    assert (one.found, two.found, three.found) == (2, 2, 0)
    assert one.escalations + two.escalations == 4 and one.reminders + two.reminders == 0
    again = await run_sweep(database, settings, late + timedelta(minutes=1))
    assert again.found == 0
    async with database.session() as session:
        taken = await session.scalar(select(func.count()).select_from(CaseStep))
    assert taken == 4
    assert len(await clock_events(database, case.id)) == 4


async def test_a_sweep_killed_before_its_commit_leaves_the_step_to_the_next(
    database, settings, world
):
    await labour_day(database, world)
    case = await file_at(database, settings, world, at(30, 10, month=4))
    late = at(6, 18)

    class Killed(Exception):
        pass

    try:
        async with database.sessionmaker.begin() as session:
            assert (await sweep(session, settings=settings, now=late)).escalations == 4
            raise Killed
    except Killed:
        pass
    assert await clock_events(database, case.id) == []
    assert (await run_sweep(database, settings, late)).escalations == 4
    assert len(await clock_events(database, case.id)) == 4


async def test_no_mail_once_the_case_is_resolved_and_a_reopened_task_starts_afresh(
    database, settings, world
):
    await labour_day(database, world)
    settings = office(settings)
    housing = world.departments["housing"]
    case = await file_at(database, settings, world, at(30, 10, month=4))
    await run_sweep(database, settings, at(6, 17, 1))
    events = await clock_events(database, case.id)
    [escalated] = [
        e for e in events if e.type == "case.escalated" and e.data["department_id"] == str(housing)
    ]
    async with database.session() as session:
        assert len(await plan(session, escalated, rule_book(), settings)) == 1
    # Resolved between the sweep and the mail: the rule reads the case as it is now.
    await work_to_resolution(database, case.id, at(7, 9))
    async with database.session() as session:
        for event in events:
            assert await plan(session, event, rule_book(), settings) == []
    assert (await run_sweep(database, settings, at(9, 11))).found == 0  # done: not read

    # Reopened: the lead's task is due again on a fresh clock, its steps start afresh.
    async with database.sessionmaker.begin() as session:
        await reopen_case(
            session=session,
            actor=SYSTEM,
            settings=settings,
            case_id=case.id,
            reason="复查仍有群租",
            now=at(11, 9),
        )
    task = (await tasks_of(database, case.id))[housing]
    assert task.status == "pending" and task.due_at == at(12, 17)
    planned = await run_sweep(database, settings, at(11, 9, 1))
    assert (planned.planned, planned.reminders, planned.escalations) == (1, 0, 0)
    assert (await run_sweep(database, settings, at(12, 15))).reminders == 1
    assert (await run_sweep(database, settings, at(12, 17))).escalations == 1
    fresh = [s for s in steps(await clock_events(database, case.id)) if s[0] == str(housing)]
    assert fresh[-2:] == [(str(housing), "remind", 0, 2), (str(housing), "escalate", 0, 2)]
    # The old plan's escalation says nothing any more, the new one does.
    latest = (await clock_events(database, case.id))[-1]
    async with database.session() as session:
        assert await plan(session, escalated, rule_book(), settings) == []
        assert len(await plan(session, latest, rule_book(), settings)) == 1


async def test_a_ladder_rung_not_understood_is_skipped(database, settings, world):
    await labour_day(database, world)
    async with database.sessionmaker.begin() as session:
        category = await session.get(CaseCategory, world.category_id)
        assert category is not None
        category.escalation = [
            {"after_hours": "soon", "to": "department_lead"},
            {"after_hours": 1, "to": "the mayor"},
            {"after_hours": 2, "to": "coordinators"},
        ]
    case = await file_at(database, settings, world, at(30, 10, month=4))
    # Two working hours past due: Thursday 10:30 (housing), 11:00 (the others).
    assert (await run_sweep(database, settings, at(7, 10, 45))).escalations == 1
    assert (await run_sweep(database, settings, at(7, 12))).escalations == 3
    kinds = {(s[1], s[2]) for s in steps(await clock_events(database, case.id))}
    assert kinds == {("escalate", 2)}
