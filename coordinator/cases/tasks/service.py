"""The departments' tasks on a case: accepted by an assignee, finished with a note and
photos, handed back by a co-handler with a reason; the lead adds a department, drops one,
or sends a returned task again. Every change locks the case first (service.lock_case), so
two departments finishing at once are counted one after the other."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import snapshot
from coordinator.auth.service import Principal
from coordinator.cases.deadlines import task_due
from coordinator.cases.events import case_event
from coordinator.cases.models import TASK, Case, CaseStatus, CaseTask, TaskRole, TaskStatus
from coordinator.cases.photos import attach_photos, ensure_photos
from coordinator.cases.schemas import TaskIn
from coordinator.cases.service import audit, category_of, lock_case, tasks_of
from coordinator.cases.states import (
    STAFFING,
    UNFINISHED,
    WORKING,
    ensure_case,
    ensure_case_in,
    ensure_task,
)
from coordinator.departments.models import DEPARTMENT, Department, DepartmentMember
from coordinator.platform.db import utcnow
from coordinator.platform.i18n import Text
from coordinator.platform.problems import Conflict, FieldError, invalid_field, not_found
from coordinator.platform.settings import Settings
from coordinator.worktime.service import WorkCalendar, load_calendar


async def _task(session: AsyncSession, case: Case, task_id: uuid.UUID) -> CaseTask:
    task = await session.scalar(
        select(CaseTask)
        .where(CaseTask.id == task_id, CaseTask.case_id == case.id)
        .execution_options(populate_existing=True)
    )
    if task is None:
        raise not_found(TASK)
    return task


async def add_task(
    *,
    session: AsyncSession,
    actor: Principal,
    settings: Settings,
    case_id: uuid.UUID,
    data: TaskIn,
    now: datetime | None = None,
    calendar: WorkCalendar | None = None,
) -> CaseTask:
    """Give one more department a task (pending, due on its own hours). The first
    department of a case nobody leads yet leads it; a case has one lead."""
    now = now or utcnow()
    case = await lock_case(session, case_id)
    ensure_case_in(case, STAFFING, "add_task")
    department = await session.get(Department, data.department_id)
    if department is None or not department.active:
        raise invalid_field(
            "department_id",
            Text(
                "引用的{zh}不存在或已停用", "the referenced {en} does not exist or is inactive"
            ).format(zh=DEPARTMENT.zh, en=DEPARTMENT.en),
        )
    if (data.role == TaskRole.lead) != (case.lead_department_id is None):
        message = (
            Text("案件已有牵头部门", "the case has a lead department already")
            if case.lead_department_id
            else Text(
                "案件还没有牵头部门：先指定牵头部门", "the case has no lead yet: add one first"
            )
        )
        raise invalid_field("role", message)
    taken = await session.scalar(
        select(
            exists().where(
                CaseTask.case_id == case.id,
                CaseTask.department_id == department.id,
                CaseTask.status != TaskStatus.dropped,
            )
        )
    )
    if taken:
        message = Text("该部门已在办理此案件", "the department has a task on this case already")
        raise Conflict(message, errors=[FieldError("department_id", message)])
    category = await category_of(session, case)
    calendar = calendar or await load_calendar(session, settings)
    task = CaseTask(
        id=uuid.uuid4(),
        case_id=case.id,
        department_id=department.id,
        role=data.role,
        status=TaskStatus.pending,
        due_at=task_due(calendar, department, category, case.urgency, now),
    )
    session.add(task)
    if data.role == TaskRole.lead:
        before = snapshot(case)
        case.lead_department_id = department.id
        await session.flush()
        audit(session, actor, "update", case, before)
    await session.flush()
    audit(session, actor, "create", task)
    case_event(session, "case.assigned", case, category=category.code, actor=actor.name, task=task)
    return task


async def drop_task(
    *, session: AsyncSession, actor: Principal, case_id: uuid.UUID, task_id: uuid.UUID
) -> CaseTask:
    """The lead takes a co-handler off the case (never its own task)."""
    case = await lock_case(session, case_id)
    ensure_case_in(case, STAFFING, "drop")
    task = await _task(session, case, task_id)
    before = snapshot(task)
    task.status = ensure_task(task, "drop")
    await session.flush()
    audit(session, actor, "drop", task, before)
    category = await category_of(session, case)
    case_event(session, "task.dropped", case, category=category.code, actor=actor.name, task=task)
    return task


async def _member(session: AsyncSession, department_id: uuid.UUID, person_id: uuid.UUID) -> None:
    found = await session.scalar(
        select(
            exists().where(
                DepartmentMember.department_id == department_id,
                DepartmentMember.person_id == person_id,
            )
        )
    )
    if not found:
        raise invalid_field(
            "assignee_id",
            Text("经办人须是该部门的成员", "the assignee must be a member of the department"),
        )


async def accept_task(
    *,
    session: AsyncSession,
    actor: Principal,
    case_id: uuid.UUID,
    task_id: uuid.UUID,
    assignee_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> CaseTask:
    """接单: a member of the department takes the task on; the case's first accepted task
    puts it in progress."""
    now = now or utcnow()
    case = await lock_case(session, case_id)
    ensure_case_in(case, WORKING, "accept_task")
    task = await _task(session, case, task_id)
    before = snapshot(task)
    task.status = ensure_task(task, "accept_task")
    if assignee_id is not None:
        await _member(session, task.department_id, assignee_id)
        task.assignee_id = assignee_id
    task.accepted_at = now
    if case.status != CaseStatus.in_progress:
        case_before = snapshot(case)
        case.status = ensure_case(case, "start")
        await session.flush()
        audit(session, actor, "start", case, case_before)
    await session.flush()
    audit(session, actor, "accept", task, before)
    category = await category_of(session, case)
    case_event(session, "task.accepted", case, category=category.code, actor=actor.name, task=task)
    return task


async def complete_task(
    *,
    session: AsyncSession,
    actor: Principal,
    case_id: uuid.UUID,
    task_id: uuid.UUID,
    note: str,
    photo_ids: Sequence[uuid.UUID] = (),
    now: datetime | None = None,
) -> CaseTask:
    """办结 a task, with what was done and its photos. The event says whether it was the
    last one unfinished (`all_done`): then the lead may sign the case off."""
    now = now or utcnow()
    case = await lock_case(session, case_id)
    ensure_case_in(case, WORKING, "done")
    task = await _task(session, case, task_id)
    before = snapshot(task)
    task.status = ensure_task(task, "done")
    photos = await ensure_photos(session, photo_ids)
    task.note = note
    task.done_at = now
    await session.flush()
    await attach_photos(session, photos, case_id=case.id, task_id=task.id)
    audit(session, actor, "done", task, before)
    remaining = [t for t in await tasks_of(session, case) if t.status in UNFINISHED]
    category = await category_of(session, case)
    case_event(
        session,
        "task.done",
        case,
        category=category.code,
        actor=actor.name,
        task=task,
        note=note,
        photo_ids=[str(p) for p in photos],
        all_done=not remaining,
    )
    return task


async def hand_back_task(
    *,
    session: AsyncSession,
    actor: Principal,
    case_id: uuid.UUID,
    task_id: uuid.UUID,
    reason: str,
) -> CaseTask:
    """A co-handler says the task is not theirs (退回), with why; it blocks resolving until
    the lead drops it or sends it again."""
    case = await lock_case(session, case_id)
    ensure_case_in(case, WORKING, "hand_back")
    task = await _task(session, case, task_id)
    before = snapshot(task)
    task.status = ensure_task(task, "hand_back")
    task.return_reason = reason
    await session.flush()
    audit(session, actor, "hand_back", task, before)
    category = await category_of(session, case)
    case_event(
        session,
        "task.returned",
        case,
        category=category.code,
        actor=actor.name,
        task=task,
        reason=reason,
    )
    return task


async def resend_task(
    *,
    session: AsyncSession,
    actor: Principal,
    settings: Settings,
    case_id: uuid.UUID,
    task_id: uuid.UUID,
    now: datetime | None = None,
    calendar: WorkCalendar | None = None,
) -> CaseTask:
    """A returned task given to its department again (pending, with a fresh due time)."""
    now = now or utcnow()
    case = await lock_case(session, case_id)
    ensure_case_in(case, STAFFING, "resend")
    task = await _task(session, case, task_id)
    before = snapshot(task)
    task.status = ensure_task(task, "resend")
    category = await category_of(session, case)
    calendar = calendar or await load_calendar(session, settings)
    department = await session.get(Department, task.department_id)
    task.due_at = task_due(calendar, department, category, case.urgency, now)
    task.accepted_at = None
    await session.flush()
    audit(session, actor, "resend", task, before)
    case_event(session, "case.assigned", case, category=category.code, actor=actor.name, task=task)
    return task
