"""The "1+4" loop with real parts (HTTP, PostgreSQL, arq workers, SMTP): a suspected group
rental routed to the housing office as lead and three co-handlers; each task accepted and
finished in turn, the case resolved only after the last; the reporter unsatisfied
(reopened), then satisfied (closed). Every step an event, a mail and an audit row."""

from __future__ import annotations

import uuid
from collections import Counter

from sqlalchemy import select

from coordinator.cases.followup.service import confirm_by_reporter
from coordinator.notifications.models import Delivery, DeliveryStatus
from tests.cases.conftest import audits_of, events_of, make_world, problem
from tests.visits.test_whole_loop import text_of
from tests.workers.conftest import eventually

ORDER = ["housing", "urban", "appearance", "committee"]


async def test_a_group_rental_goes_round_the_whole_loop(
    committed_api, committed_database, settings, workers, mail
):
    api, database = committed_api, committed_database
    world = await make_world(database)
    workers.start()

    case = await api.ok("POST", "/api/v1/cases", 201, json=world.case())
    case_id = case["id"]
    assert case["status"] == "new" and case["source"] == "coordinator"
    assert case["lead_department_id"] == str(world.departments["housing"])
    assert case["area_id"] == str(world.area_id)  # the building's
    by_department = {t["department_id"]: t for t in case["tasks"]}
    tasks = {key: by_department[str(world.departments[key])] for key in ORDER}
    assert [t["role"] for t in case["tasks"]] == ["lead", "co", "co", "co"]
    assert case["tasks"][0]["department_id"] == str(world.departments["housing"])
    assert all(t["status"] == "pending" for t in case["tasks"])

    accepted = await api.ok("POST", f"/api/v1/cases/{case_id}/accept")
    assert accepted["status"] == "accepted" and accepted["accepted_at"]

    for n, key in enumerate(ORDER):
        task_path = f"/api/v1/cases/{case_id}/tasks/{tasks[key]['id']}"
        if n == len(ORDER) - 1 or n == 0:
            refused = await problem(
                await api.post(f"/api/v1/cases/{case_id}/resolve", json={"resolution": "已处置"}),
                409,
            )
            assert refused["current"] == ("accepted" if n == 0 else "in_progress")
            assert "resolved" not in refused["allowed"] and "merged" in refused["allowed"]
            unfinished = {t["department_id"] for t in refused["unfinished_tasks"]}
            assert str(world.departments[key]) in unfinished
        taken = await api.ok(
            "POST", f"{task_path}/accept", json={"assignee_id": str(world.leads[key])}
        )
        assert taken["status"] == "accepted" and taken["assignee_id"] == str(world.leads[key])
        done = await api.ok("POST", f"{task_path}/done", json={"note": f"{key} 已上门核查"})
        assert done["status"] == "done" and done["done_at"]
    progress = await api.ok("GET", f"/api/v1/cases/{case_id}")
    assert progress["status"] == "in_progress"

    resolved = await api.ok(
        "POST",
        f"/api/v1/cases/{case_id}/resolve",
        json={"resolution": "已责令整改，拆除隔断，清退超员租客"},
    )
    assert resolved["status"] == "resolved" and resolved["reply_due_at"]

    async with database.sessionmaker.begin() as session:
        reopened = await confirm_by_reporter(
            session, uuid.UUID(case_id), False, "隔断还在，仍有人住", settings=settings
        )
        assert reopened.status == "reopened" and reopened.reopened_count == 1
    again = await api.ok("GET", f"/api/v1/cases/{case_id}")
    lead_task = again["tasks"][0]
    assert lead_task["status"] == "pending" and lead_task["done_at"] is None
    assert [t["status"] for t in again["tasks"][1:]] == ["done", "done", "done"]
    assert again["feedback"] == "隔断还在，仍有人住" and again["satisfied"] is False

    lead_path = f"/api/v1/cases/{case_id}/tasks/{lead_task['id']}"
    await api.ok("POST", f"{lead_path}/accept", json={})
    await api.ok("POST", f"{lead_path}/done", json={"note": "复查：隔断已拆除"})
    await api.ok("POST", f"/api/v1/cases/{case_id}/resolve", json={"resolution": "复查合格"})
    async with database.sessionmaker.begin() as session:
        closed = await confirm_by_reporter(
            session, uuid.UUID(case_id), True, None, settings=settings
        )
        assert closed.status == "closed" and closed.closed_by == "confirmed"

    events = await events_of(database, case_id)
    kinds = [e.type for e in events]
    assert kinds == [
        "case.created",
        *["case.assigned"] * 4,
        "case.accepted",
        *["task.accepted", "task.done"] * 4,
        "case.resolved",
        "case.reopened",
        "task.accepted",
        "task.done",
        "case.resolved",
        "case.closed",
    ]
    assert [e.data["all_done"] for e in events if e.type == "task.done"] == [
        False,
        False,
        False,
        True,
        True,
    ]
    for event in events:
        assert event.data["case_id"] == case_id and event.data["number"] == case["number"]
        assert event.data["category"] == world.category_code

    # Every event is a mail sent (to the reporter, a department, an assignee or the lead),
    # and none of their mails is still waiting to go.
    async def every_event_mailed() -> bool:
        async with database.session() as session:
            rows = (
                await session.execute(
                    select(Delivery.event_id, Delivery.status).where(
                        Delivery.event_id.in_([e.id for e in events])
                    )
                )
            ).all()
        sent = {row.event_id for row in rows if row.status == DeliveryStatus.sent}
        waiting = any(row.status == DeliveryStatus.pending for row in rows)
        return sent == {e.id for e in events} and not waiting

    await eventually(every_event_mailed, timeout=90, what="a mail for every event")
    got = mail.by_recipient()
    reporter_mail = [text_of(m) for m in got[world.contact_email]]
    for words in ("已登记", "已受理", "已办结", "已重新办理", "已闭环"):
        assert any(words in body for body in reporter_mail), words
    assert any("已责令整改" in body for body in reporter_mail)
    for key in ORDER:
        assert any("新的案件任务" in text_of(m) for m in got[world.lead_emails[key]]), key
    housing = [text_of(m) for m in got[world.lead_emails["housing"]]]
    assert any("各部门均已完成" in body for body in housing)
    assert any("案件已重新办理" in body for body in housing)

    # Every write has its audit row: the case's and each task's.
    entries = await audits_of(database, case_id, *(t["id"] for t in case["tasks"]))
    by_case = Counter(e.action for e in entries if str(e.entity_id) == case_id)
    assert by_case == Counter(
        {"create": 1, "accept": 1, "start": 2, "resolve": 2, "unsatisfied": 1, "satisfied": 1}
    )
    by_task = Counter((str(e.entity_id), e.action) for e in entries if str(e.entity_id) != case_id)
    lead_id = lead_task["id"]
    assert by_task[(lead_id, "accept")] == 2 and by_task[(lead_id, "done")] == 2
    assert by_task[(lead_id, "reopen")] == 1
    for key in ORDER[1:]:
        task_id = tasks[key]["id"]
        assert [by_task[(task_id, a)] for a in ("create", "accept", "done")] == [1, 1, 1]
    reporter_rows = [e for e in entries if e.action in ("unsatisfied", "satisfied")]
    assert {e.actor_name for e in reporter_rows} == {"reporter"}
