"""Who hears of each case event (registered with @rules.on): a department given a task,
the assignee of a task, the lead when every department is done or one hands back, the
reporters (of the case and of every case merged into it), the coordinators when a task is
escalated to them. Reminders and escalations re-check the case before anyone is told."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.cases.merging.service import reporters_of
from coordinator.cases.messages import (
    Pair,
    case_lines,
    department_people,
    task_lines,
    to_coordinators,
    to_department,
    to_person,
    to_reporter,
    unique,
    when,
)
from coordinator.cases.models import OPEN_STATES, Case, CaseTask
from coordinator.cases.states import OPEN_TASK
from coordinator.events.models import OutboxEvent
from coordinator.notifications.rules import Planned, Rules
from coordinator.people.models import Person
from coordinator.platform.settings import Settings

rules = Rules()


async def _case(session: AsyncSession, data: dict[str, Any]) -> Case | None:
    return await session.get(Case, uuid.UUID(data["case_id"]))


async def _assignee(session: AsyncSession, data: dict[str, Any]) -> Person | None:
    if not data.get("assignee_id"):
        return None
    return await session.get(Person, uuid.UUID(data["assignee_id"]))


@rules.on("case.assigned")
async def tell_department(
    session: AsyncSession, event: OutboxEvent, settings: Settings
) -> list[Planned]:
    """Every member of the department (its lead among them) and its own address."""
    data = event.data
    department, people, _ = await department_people(session, uuid.UUID(data["department_id"]))
    headline = (f"新的案件任务：{data['title']}", f"A new task on a case: {data['title']}")
    lines = await case_lines(session, data, settings) + task_lines(data, department, settings)
    return unique(
        [to_department(department, headline, lines)]
        + [to_person(person, headline, lines) for person in people]
    )


_TASK_NEWS: dict[str, Pair] = {
    "task.accepted": ("您已接单", "You accepted a task"),
    "task.done": ("任务已完成", "A task was finished"),
    "task.returned": ("任务已退回", "A task was handed back"),
    "task.dropped": ("任务已撤销", "A task was dropped"),
}


@rules.on(*_TASK_NEWS)
async def tell_of_task(
    session: AsyncSession, event: OutboxEvent, settings: Settings
) -> list[Planned]:
    """The assignee (a dropped task with nobody on it: the department's people); the lead
    department's lead when a co-handler hands back, or when the last task is done."""
    data = event.data
    department, people, _ = await department_people(session, uuid.UUID(data["department_id"]))
    lines = await case_lines(session, data, settings) + task_lines(data, department, settings)
    if data.get("reason"):
        lines.append((f"原因：{data['reason']}", f"Reason: {data['reason']}"))
    if data.get("note"):
        lines.append((f"办理情况：{data['note']}", f"What was done: {data['note']}"))
    headline = _TASK_NEWS[event.type]
    assignee = await _assignee(session, data)
    planned: list[Planned | None] = [to_person(assignee, headline, lines)]
    if assignee is None and event.type == "task.dropped":
        planned += [to_person(person, headline, lines) for person in people]
    if event.type == "task.returned" or data.get("all_done"):
        lead = None
        if data.get("lead_department_id"):
            _, _, lead = await department_people(session, uuid.UUID(data["lead_department_id"]))
        if data.get("all_done"):
            headline = (
                f"各部门均已完成，请牵头部门办结：{data['title']}",
                f"Every department is done; the lead may resolve: {data['title']}",
            )
        planned.append(to_person(lead, headline, lines))
    return unique(planned)


_REPORTER_NEWS: dict[str, Pair] = {
    "case.created": ("您反映的问题已登记", "What you reported has been filed"),
    "case.accepted": ("您反映的问题已受理", "What you reported has been taken on"),
    "case.rejected": ("您反映的问题不予受理", "What you reported was not taken on"),
    "case.resolved": ("您反映的问题已办结", "What you reported has been resolved"),
    "case.closed": ("您反映的问题已闭环", "What you reported is closed"),
    "case.reopened": ("您反映的问题已重新办理", "What you reported is being worked on again"),
    "case.merged": (
        "您反映的问题已与同类问题合并办理",
        "What you reported is handled with the same problem reported before",
    ),
}


def _reporter_lines(event: OutboxEvent) -> list[Pair]:
    data = event.data
    lines: list[Pair] = []
    if event.type == "case.resolved":
        lines.append((f"办理结果：{data['resolution']}", f"Result: {data['resolution']}"))
        if data.get("link"):
            lines.append(
                (
                    f"请告诉我们您是否满意：{data['link']}",
                    f"Tell us if you are satisfied: {data['link']}",
                )
            )
    if event.type == "case.closed" and data.get("closed_by") == "unanswered":
        lines.append(
            (
                "回访期内未收到您的答复，案件已自动闭环",
                "No answer came within the follow-up time, so the case closed by itself",
            )
        )
    if data.get("reason"):
        lines.append((f"原因：{data['reason']}", f"Reason: {data['reason']}"))
    if event.type == "case.merged":
        lines.append(
            (
                f"并入案件：{data['master_number']} {data['master_title']}",
                f"Now followed as case {data['master_number']}: {data['master_title']}",
            )
        )
    return lines


@rules.on(*_REPORTER_NEWS)
async def tell_reporters(
    session: AsyncSession, event: OutboxEvent, settings: Settings
) -> list[Planned]:
    """The case's reporters and those of the cases merged into it; a merge tells the
    master's reporters too."""
    data = event.data
    case = await _case(session, data)
    if case is None:
        return []
    reporters = await reporters_of(session, case)
    if event.type == "case.merged":
        master = await session.get(Case, uuid.UUID(data["master_id"]))
        if master is not None:
            reporters += await reporters_of(session, master)
    lines = await case_lines(session, data, settings) + _reporter_lines(event)
    headline = _REPORTER_NEWS[event.type]
    return unique([to_reporter(reporter, headline, lines) for reporter in reporters])


@rules.on("case.reopened")
async def tell_lead_of_reopening(
    session: AsyncSession, event: OutboxEvent, settings: Settings
) -> list[Planned]:
    """The lead department's people: their task is pending again."""
    data = event.data
    if not data.get("lead_department_id"):
        return []
    _, people, _ = await department_people(session, uuid.UUID(data["lead_department_id"]))
    headline = (
        f"案件已重新办理：{data['title']}",
        f"A case is being worked on again: {data['title']}",
    )
    lines = await case_lines(session, data, settings)
    if data.get("reason"):
        lines.append((f"原因：{data['reason']}", f"Reason: {data['reason']}"))
    return unique([to_person(person, headline, lines) for person in people])


async def _task_still_open(session: AsyncSession, data: dict[str, Any]) -> bool:
    """The task is still being worked on, on the due time the event was raised for, and
    its case is open (read as they are now, not as the sweep saw them): else nobody is
    told."""
    case = await _case(session, data)
    task = await session.get(CaseTask, uuid.UUID(data["task_id"])) if data.get("task_id") else None
    return (
        case is not None
        and case.status.value in OPEN_STATES
        and task is not None
        and task.status in OPEN_TASK
        and ("due_at" not in data or task.due_at == datetime.fromisoformat(data["due_at"]))
    )


@rules.on("case.reminder_due")
async def remind(session: AsyncSession, event: OutboxEvent, settings: Settings) -> list[Planned]:
    """The assignee (nobody yet: the department's people) of a task coming due."""
    data = event.data
    if not await _task_still_open(session, data):
        return []
    department, people, _ = await department_people(session, uuid.UUID(data["department_id"]))
    headline = (f"案件任务即将到期：{data['title']}", f"A task is coming due: {data['title']}")
    lines = await case_lines(session, data, settings) + task_lines(data, department, settings)
    assignee = await _assignee(session, data)
    targets = [assignee] if assignee is not None else people
    return unique([to_person(p, headline, lines, deferrable=True) for p in targets])


@rules.on("case.escalated")
async def escalate(session: AsyncSession, event: OutboxEvent, settings: Settings) -> list[Planned]:
    """A step of the category's ladder: `to` department_lead (the task's department's
    lead) or coordinators. Nobody is told once the task or the case is no longer open."""
    data = event.data
    if not await _task_still_open(session, data):
        return []
    department, _, lead = await department_people(session, uuid.UUID(data["department_id"]))
    headline = (f"案件任务已逾期：{data['title']}", f"A task on a case is overdue: {data['title']}")
    lines = await case_lines(session, data, settings) + task_lines(data, department, settings)
    if data.get("to") == "department_lead":
        return unique([to_person(lead, headline, lines)])
    return unique(list(to_coordinators(settings, headline, lines)))


@rules.on("handler_link.issued")
async def mail_handler_link(
    session: AsyncSession, event: OutboxEvent, settings: Settings
) -> list[Planned]:
    """The person gets their new handler link."""
    person = await session.get(Person, uuid.UUID(event.data["person_id"]))
    expires = (
        when(event.data["expires_at"], "zh", settings),
        when(event.data["expires_at"], "en", settings),
    )
    lines: list[Pair] = [
        (f"您的任务办理链接：{event.data['link']}", f"Your task link: {event.data['link']}"),
        (
            f"在手机上打开即可接单、记录进展、上传照片、办结；有效期至{expires[0]}",
            f"Open it on a phone to accept, note, add photos, finish; valid until {expires[1]}",
        ),
    ]
    return unique([to_person(person, ("您的任务办理链接", "Your task link"), lines)])
