"""What a field handler's page reads: the open tasks of the departments the person belongs
to (and those assigned to them), each with its case, its photos and its notes."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.cases.models import Case, CaseNote, CasePhoto, CaseTask, TaskStatus
from coordinator.cases.states import WORKING
from coordinator.departments.models import Department, DepartmentMember

OPEN_TASK = (TaskStatus.pending, TaskStatus.accepted)


@dataclass
class TaskView:
    task: CaseTask
    case: Case
    department: str
    overdue: bool
    photo_ids: list[uuid.UUID] = field(default_factory=list)
    notes: list[CaseNote] = field(default_factory=list)


def _mine(person_id: uuid.UUID) -> ColumnElement[bool]:
    """A task is the person's when their department has it or it is assigned to them."""
    departments = select(DepartmentMember.department_id).where(
        DepartmentMember.person_id == person_id
    )
    return or_(CaseTask.department_id.in_(departments), CaseTask.assignee_id == person_id)


async def open_tasks(session: AsyncSession, person_id: uuid.UUID, now: datetime) -> list[TaskView]:
    """The person's open tasks on cases being worked on, soonest due first."""
    rows = (
        await session.execute(
            select(CaseTask, Case, Department.name)
            .join(Case, Case.id == CaseTask.case_id)
            .join(Department, Department.id == CaseTask.department_id)
            .where(_mine(person_id), CaseTask.status.in_(OPEN_TASK), Case.status.in_(WORKING))
            .order_by(CaseTask.due_at, CaseTask.id)
        )
    ).all()
    views = [TaskView(task, case, name, task.due_at < now) for task, case, name in rows]
    if not views:
        return views
    case_ids = {v.case.id for v in views}
    photos: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for case_id, photo_id in await session.execute(
        select(CasePhoto.case_id, CasePhoto.photo_id)
        .where(CasePhoto.case_id.in_(case_ids))
        .order_by(CasePhoto.created_at, CasePhoto.id)
    ):
        if photo_id not in photos[case_id]:
            photos[case_id].append(photo_id)
    notes: dict[uuid.UUID, list[CaseNote]] = defaultdict(list)
    for note in await session.scalars(
        select(CaseNote)
        .where(CaseNote.task_id.in_([v.task.id for v in views]))
        .order_by(CaseNote.created_at.desc(), CaseNote.id)
    ):
        notes[note.task_id or note.case_id].append(note)
    for view in views:
        view.photo_ids = photos[view.case.id]
        view.notes = notes[view.task.id]
    return views


async def my_task(
    session: AsyncSession, person_id: uuid.UUID, task_id: uuid.UUID
) -> CaseTask | None:
    """The task if it is the person's (whatever its state), else None."""
    return await session.scalar(select(CaseTask).where(CaseTask.id == task_id, _mine(person_id)))


async def may_see_photo(session: AsyncSession, person_id: uuid.UUID, photo_id: uuid.UUID) -> bool:
    """A photo the page shows: on a case where the person has an open task."""
    found = await session.scalar(
        select(CasePhoto.id)
        .join(CaseTask, CaseTask.case_id == CasePhoto.case_id)
        .where(CasePhoto.photo_id == photo_id, _mine(person_id), CaseTask.status.in_(OPEN_TASK))
        .limit(1)
    )
    return found is not None
