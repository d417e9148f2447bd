"""Who leads a case: a coordinator names its lead department, or hands the lead to
another one. The new lead works on a task of its own (a co-handler's task becomes the
lead's); the former lead's unfinished task is dropped, a finished one stays as a
co-handler's. Locks the case first, as every rule on a case does."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import snapshot
from coordinator.auth.service import Principal
from coordinator.cases.deadlines import task_due
from coordinator.cases.events import case_event
from coordinator.cases.models import CaseTask, TaskRole, TaskStatus
from coordinator.cases.schemas import TaskIn
from coordinator.cases.service import audit, category_of, lock_case, tasks_of
from coordinator.cases.states import STAFFING, ensure_case_in
from coordinator.cases.tasks.service import add_task
from coordinator.departments.models import DEPARTMENT, Department
from coordinator.platform.db import utcnow
from coordinator.platform.i18n import Text
from coordinator.platform.problems import invalid_field
from coordinator.platform.settings import Settings
from coordinator.worktime.service import WorkCalendar, load_calendar


async def set_lead(
    *,
    session: AsyncSession,
    actor: Principal,
    settings: Settings,
    case_id: uuid.UUID,
    department_id: uuid.UUID,
    now: datetime | None = None,
    calendar: WorkCalendar | None = None,
) -> CaseTask:
    """Make the department the case's lead and answer its task: unchanged if it leads
    already; a case nobody leads gets its first lead (as add_task gives it)."""
    now = now or utcnow()
    case = await lock_case(session, case_id)
    ensure_case_in(case, STAFFING, "assign")
    if case.lead_department_id is None:
        return await add_task(
            session=session,
            actor=actor,
            settings=settings,
            case_id=case.id,
            data=TaskIn(department_id=department_id, role=TaskRole.lead),
            now=now,
            calendar=calendar,
        )
    live = [t for t in await tasks_of(session, case) if t.status != TaskStatus.dropped]
    current = next((t for t in live if t.role == TaskRole.lead), None)
    if current is not None and current.department_id == department_id:
        return current
    department = await session.get(Department, department_id)
    if department is None or not department.active:
        raise invalid_field(
            "department_id",
            Text(
                "引用的{zh}不存在或已停用", "the referenced {en} does not exist or is inactive"
            ).format(zh=DEPARTMENT.zh, en=DEPARTMENT.en),
        )
    category = await category_of(session, case)
    changed: list[tuple[CaseTask, dict[str, object], str]] = []
    if current is not None:
        # One lead task per case: the former lead's is a co-handler's from now on.
        before = snapshot(current)
        current.role = TaskRole.co
        if current.status == TaskStatus.done:
            changed.append((current, before, "update"))
        else:
            current.status = TaskStatus.dropped
            changed.append((current, before, "drop"))
    task = next((t for t in live if t.department_id == department_id), None)
    if task is not None:
        before = snapshot(task)
        task.role = TaskRole.lead
        changed.append((task, before, "update"))
    else:
        calendar = calendar or await load_calendar(session, settings)
        task = CaseTask(
            id=uuid.uuid4(),
            case_id=case.id,
            department_id=department.id,
            role=TaskRole.lead,
            status=TaskStatus.pending,
            due_at=task_due(calendar, department, category, case.urgency, now),
        )
        session.add(task)
    case_before = snapshot(case)
    case.lead_department_id = department.id
    await session.flush()
    audit(session, actor, "update", case, case_before)
    for row, before, action in changed:
        audit(session, actor, action, row, before)
        if action == "drop":
            case_event(
                session, "task.dropped", case, category=category.code, actor=actor.name, task=row
            )
    if not any(row is task for row, _, _ in changed):
        audit(session, actor, "create", task)
    case_event(session, "case.assigned", case, category=category.code, actor=actor.name, task=task)
    return task
