"""The clock with real parts (PostgreSQL, arq workers, SMTP): an overdue task escalated
once however often the sweep runs, one event and one mail to its department's lead; and
a case resolved between the sweep and the worker's job tells nobody."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func, select, update

from coordinator.cases.clock.models import CaseStep
from coordinator.cases.clock.service import sweep
from coordinator.cases.models import CaseTask
from coordinator.events.models import OutboxEvent
from coordinator.notifications.models import Delivery, DeliveryStatus
from coordinator.platform.db import utcnow
from tests.cases.conftest import make_world
from tests.visits.test_whole_loop import text_of
from tests.workers.conftest import eventually

OVERDUE = "案件任务已逾期"


async def _overdue_case(api, database, world) -> tuple[str, uuid.UUID]:  # type: ignore[no-untyped-def]
    """A case filed now whose lead task (the housing office's) came due a minute ago."""
    case = await api.ok("POST", "/api/v1/cases", 201, json=world.case())
    lead = next(t for t in case["tasks"] if t["role"] == "lead")
    async with database.sessionmaker.begin() as session:
        await session.execute(
            update(CaseTask)
            .where(CaseTask.id == uuid.UUID(lead["id"]))
            .values(due_at=utcnow() - timedelta(minutes=1))
        )
    return case["id"], uuid.UUID(lead["id"])


async def _sweep(database, settings) -> int:  # type: ignore[no-untyped-def]
    async with database.sessionmaker.begin() as session:
        return (await sweep(session, settings=settings)).escalations


async def _escalations(database, case_id: str) -> list[OutboxEvent]:  # type: ignore[no-untyped-def]
    async with database.session() as session:
        return list(
            (
                await session.scalars(
                    select(OutboxEvent).where(
                        OutboxEvent.subject_id == uuid.UUID(case_id),
                        OutboxEvent.type == "case.escalated",
                    )
                )
            ).all()
        )


async def _all_handled(database) -> bool:  # type: ignore[no-untyped-def]
    """Every event handled and every delivery of them settled."""
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


def _overdue_mails(mail, address: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        body
        for body in (text_of(m) for m in mail.by_recipient().get(address, []))
        if OVERDUE in body
    ]


async def test_an_overdue_task_is_escalated_once_one_event_one_mail(
    committed_api, committed_database, settings, workers, mail
):
    api, database = committed_api, committed_database
    world = await make_world(database)
    case_id, task_id = await _overdue_case(api, database, world)
    assert await _sweep(database, settings) == 1
    assert await _sweep(database, settings) == 0  # the same step: nothing again
    workers.start()  # whose own sweep runs at start-up, and every minute
    lead = world.lead_emails["housing"]

    async def mailed() -> bool:
        return bool(_overdue_mails(mail, lead)) and await _all_handled(database)

    await eventually(mailed, timeout=90, what="the escalation mailed to the housing lead")
    assert await _sweep(database, settings) == 0
    [event] = await _escalations(database, case_id)
    assert event.data["task_id"] == str(task_id) and event.data["to"] == "department_lead"
    async with database.session() as session:
        taken = await session.scalar(
            select(func.count()).select_from(CaseStep).where(CaseStep.task_id == task_id)
        )
        delivered = (
            await session.scalars(select(Delivery).where(Delivery.event_id == event.id))
        ).all()
    assert taken == 1
    assert [(d.recipient, d.status) for d in delivered] == [(lead, DeliveryStatus.sent)]
    [body] = _overdue_mails(mail, lead)
    assert world.category_code not in body and "疑似群租" in body


async def test_a_case_resolved_between_the_sweep_and_the_job_tells_nobody(
    committed_api, committed_database, settings, workers, mail
):
    api, database = committed_api, committed_database
    world = await make_world(database)
    case_id, _ = await _overdue_case(api, database, world)
    assert await _sweep(database, settings) == 1
    # Before any worker reads the event: every department done, the case resolved.
    case = await api.ok("POST", f"/api/v1/cases/{case_id}/accept")
    for task in case["tasks"]:
        task_path = f"/api/v1/cases/{case_id}/tasks/{task['id']}"
        await api.ok("POST", f"{task_path}/accept", json={})
        await api.ok("POST", f"{task_path}/done", json={"note": "已处置"})
    await api.ok("POST", f"/api/v1/cases/{case_id}/resolve", json={"resolution": "已清退"})
    workers.start()
    lead = world.lead_emails["housing"]

    async def settled() -> bool:
        # The lead's other news (a new task, every department done) has come by then.
        got = [text_of(m) for m in mail.by_recipient().get(lead, [])]
        return any("各部门均已完成" in body for body in got) and await _all_handled(database)

    await eventually(settled, timeout=90, what="every event of the case handled")
    [event] = await _escalations(database, case_id)
    async with database.session() as session:
        planned = await session.scalar(
            select(func.count()).select_from(Delivery).where(Delivery.event_id == event.id)
        )
    assert event.handled_at is not None and planned == 0
    assert _overdue_mails(mail, lead) == []
