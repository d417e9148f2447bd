"""What the clock shows: the overdue list with a 12345 ticket's two clocks side by side,
the follow-up window closing unanswered cases, and the tasks' due times in the team feed
of a department that is a Fumin team and in the assignee's own feed."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from sqlalchemy import select, update

from coordinator.cases.clock.jobs import sweep_case_clocks
from coordinator.cases.clock.overdue import due_tasks
from coordinator.cases.clock.schemas import DueTaskQuery
from coordinator.cases.clock.service import close_unanswered_cases
from coordinator.cases.models import Case, CaseTask
from coordinator.departments.models import Department
from coordinator.events.models import OutboxEvent
from coordinator.features import rule_book
from coordinator.notifications.rules import plan
from coordinator.people.models import Team, TeamKind, TeamMember
from tests.calendars.test_feeds import events, fetch, path
from tests.cases.clocks import at, file_at, labour_day, tasks_of, work_to_resolution

HOTLINE = "SH12345-20260430-0042"


async def listed(database, settings, now: datetime, **query) -> dict:  # type: ignore[no-untyped-def]
    body = await due_tasks(
        database=database, settings=settings, query=DueTaskQuery(**query), now=now
    )
    return json.loads(body)


async def test_the_overdue_list_shows_both_clocks_of_a_hotline_ticket(
    api, database, settings, world
):
    await labour_day(database, world)
    housing, urban = str(world.departments["housing"]), str(world.departments["urban"])
    ticket = await file_at(
        database,
        settings,
        world,
        at(30, 10, month=4),
        hotline_number=HOTLINE,
        hotline_due_at=at(8, 17).isoformat(),
    )
    later = await file_at(database, settings, world, at(6, 9))  # due Thursday 7 May

    page = await listed(database, settings, at(7, 10), overdue=True)
    assert page["total"] == 4 and page["next_cursor"] is None
    assert {i["case_id"] for i in page["items"]} == {str(ticket.id)}
    first = page["items"][0]
    assert first["department_id"] == housing  # due at 17:00, the others 17:30
    assert first["number"] == ticket.number and first["hotline_number"] == HOTLINE
    assert datetime.fromisoformat(first["due_at"]) == at(6, 17)
    assert datetime.fromisoformat(first["hotline_due_at"]) == at(8, 17)
    # Wednesday 17:00 to Thursday 10:00 is 1.5 working hours of the housing office
    # (from 08:30), one hour of the others (from 09:00); the city's deadline is ahead.
    hours = {i["department_id"]: i["overdue_hours"] for i in page["items"]}
    assert hours[housing] == 1.5 and hours[urban] == 1.0
    assert all(i["overdue"] and i["hotline_overdue"] is False for i in page["items"])
    assert first["department"].startswith("房办") and first["status"] == "pending"
    assert "work_hours" not in first

    # Monday 11 May 09:00: Thursday, Friday, the make-up Saturday (7 hours each) and half
    # an hour; the city's deadline (Friday 17:00) has passed too.
    monday = await listed(database, settings, at(11, 9), overdue=True, hotline=True)
    mine = next(i for i in monday["items"] if i["department_id"] == housing)
    assert mine["overdue_hours"] == 21.5 and mine["hotline_overdue"] is True
    assert monday["total"] == 4  # the later case is no ticket
    assert (await listed(database, settings, at(11, 9), overdue=True))["total"] == 8

    not_yet = await listed(database, settings, at(7, 10), overdue=False)
    assert {i["case_id"] for i in not_yet["items"]} == {str(later.id)}
    assert all(i["overdue_hours"] == 0 and i["hotline_overdue"] is None for i in not_yet["items"])
    by_department = await listed(database, settings, at(7, 10), department_id=housing)
    assert [i["case_id"] for i in by_department["items"]] == [str(ticket.id), str(later.id)]
    assert (await listed(database, settings, at(7, 10), category="no_such"))["total"] == 0
    assert (await listed(database, settings, at(7, 10), category=world.category_code))["total"] == 8

    # Pages by cursor: every open task once, in due order.
    seen, cursor = [], None
    while True:
        page = await listed(database, settings, at(7, 10), limit=3, cursor=cursor)
        seen += page["items"]
        if not (cursor := page["next_cursor"]):
            break
    assert len({i["id"] for i in seen}) == len(seen) == 8
    assert [i["due_at"] for i in seen] == sorted(i["due_at"] for i in seen)

    # A task done leaves the list.
    async with database.sessionmaker.begin() as session:
        await session.execute(
            update(CaseTask)
            .where(CaseTask.case_id == ticket.id, CaseTask.department_id == uuid.UUID(housing))
            .values(status="done")
        )
    assert (await listed(database, settings, at(7, 10), overdue=True))["total"] == 3

    # Over HTTP: the same list, now (December 2026) everything past both clocks.
    answer = await api.ok("GET", "/api/v1/case-tasks?overdue=true&hotline=true&limit=2")
    assert answer["total"] == 3 and len(answer["items"]) == 2 and answer["next_cursor"]
    assert all(i["hotline_overdue"] and i["overdue_hours"] > 21.5 for i in answer["items"])
    bad = await api.get("/api/v1/case-tasks?sort=title")
    assert bad.status == 422 and "sort" in await bad.text()


async def test_an_unanswered_follow_up_closes_the_case_and_says_so(database, settings, world):
    case = await file_at(database, settings, world, at(30, 10, month=4))
    await work_to_resolution(database, case.id, at(7, 9))  # three days to answer
    async with database.sessionmaker.begin() as session:
        assert await close_unanswered_cases(session, now=at(10, 8, 59)) == 0
    async with database.sessionmaker.begin() as session:
        assert await close_unanswered_cases(session, now=at(10, 9)) == 1
    async with database.sessionmaker.begin() as session:
        assert await close_unanswered_cases(session, now=at(10, 9, 1)) == 0
        closed = await session.get(Case, case.id)
        assert closed is not None
        assert (closed.status, closed.closed_by) == ("closed", "unanswered")
        assert closed.closed_at == at(10, 9)
        event = await session.scalar(
            select(OutboxEvent).where(
                OutboxEvent.subject_id == case.id, OutboxEvent.type == "case.closed"
            )
        )
        assert event is not None and event.data["closed_by"] == "unanswered"
        [told] = await plan(session, event, rule_book(), settings)
    assert told.recipient == world.contact_email
    assert any("自动闭环" in line for line in told.context["lines"])


async def test_the_minute_job_sweeps_and_closes(database, settings, world):
    """The cron job itself, at the real now: the first case's tasks long overdue, the
    second case resolved months ago and never answered."""
    first = await file_at(database, settings, world, at(30, 10, month=4))
    second = await file_at(database, settings, world, at(30, 11, month=4))
    await work_to_resolution(database, second.id, at(7, 9))
    done = await sweep_case_clocks({"database": database, "settings": settings})
    assert done == {"planned": 4, "reminders": 0, "escalations": 4, "closed": 1}
    again = await sweep_case_clocks({"database": database, "settings": settings})
    assert again == {"planned": 0, "reminders": 0, "escalations": 0, "closed": 0}
    async with database.session() as session:
        assert (await session.get(Case, second.id)).closed_by == "unanswered"  # type: ignore[union-attr]
    assert all(t.next_step_at is None for t in (await tasks_of(database, first.id)).values())


async def test_a_department_team_feed_and_the_assignees_feed_show_due_times(api, database, world):
    team_id = uuid.uuid4()
    housing = world.departments["housing"]
    async with database.sessionmaker.begin() as session:
        session.add(
            Team(id=team_id, name=f"房办专班-{world.suffix}", kind=TeamKind.joint_operation)
        )
        await session.flush()
        session.add(TeamMember(team_id=team_id, person_id=world.leads["housing"]))
        await session.execute(
            update(Department).where(Department.id == housing).values(team_id=team_id)
        )
    case = await api.ok(
        "POST",
        "/api/v1/cases",
        201,
        json=world.case(
            reporter_contact_id=None, reporter_name="陈女士", reporter_phone="13912340000"
        ),
    )
    tasks = {t["department_id"]: t for t in case["tasks"]}
    ours = tasks[str(housing)]
    issued = await api.ok(
        "POST",
        f"/api/v1/teams/{team_id}/feeds",
        201,
        json={"person_id": str(world.leads["housing"])},
    )
    url = path(issued)
    response, body = await fetch(api, url)
    assert response.status == 200
    found = events(body)
    assert list(found) == [f"case-task-{ours['id']}@fumin.test"]  # not the co-handlers'
    event = found[f"case-task-{ours['id']}@fumin.test"]
    assert event.decoded("DTSTART") == datetime.fromisoformat(ours["due_at"])
    summary, description = str(event["SUMMARY"]), str(event["DESCRIPTION"])
    assert summary == f"案件{case['number']} 疑似群租：{case['title']}"
    assert "地点：华山公寓" in description and "华山路 100 弄 3 号" in str(event["LOCATION"])
    assert "部门：房办" in description and "（牵头）" in description
    assert "http" not in description and "URL" not in event
    assert "13912340000" not in body.decode() and "陈女士" not in body.decode()

    # The urban management lead's own feed: empty until the task is theirs.
    urban = world.departments["urban"]
    mine = path(await api.ok("POST", f"/api/v1/people/{world.leads['urban']}/feeds", 201, json={}))
    assert events((await fetch(api, mine))[1]) == {}
    theirs = tasks[str(urban)]
    await api.ok("POST", f"/api/v1/cases/{case['id']}/accept")
    task_path = f"/api/v1/cases/{case['id']}/tasks/{theirs['id']}"
    await api.ok("POST", f"{task_path}/accept", json={"assignee_id": str(world.leads["urban"])})
    personal = events((await fetch(api, mine))[1])
    assert list(personal) == [f"case-task-{theirs['id']}@fumin.test"]
    assert "任务状态：办理中" in str(
        personal[f"case-task-{theirs['id']}@fumin.test"]["DESCRIPTION"]
    )

    # Done: the task leaves the feed.
    await api.ok("POST", f"{task_path}/done", json={"note": "已上门核查"})
    assert events((await fetch(api, mine))[1]) == {}
    assert list(events((await fetch(api, url))[1])) == [f"case-task-{ours['id']}@fumin.test"]
