"""The overdue list's query and items: open tasks with the case's two clocks side by side,
the department's own (its task's due time, and how far past it in working time) and, for
a 12345 hotline ticket, the city's (hotline_due_at)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from coordinator.cases.models import CaseSource, CaseStatus, TaskRole, TaskStatus, Urgency
from coordinator.cases.schemas import Code, Out
from coordinator.web.listing import ListQuery


class DueTaskQuery(ListQuery):
    overdue: bool | None = Field(
        default=None,
        description="true: past their due time; false: not yet due; unset: every open task",
    )
    department_id: uuid.UUID | None = None
    category: Code | None = Field(default=None, description="a category's code")
    hotline: bool | None = Field(
        default=None, description="true: 12345 hotline tickets only; false: every other source"
    )


class _DueTask(Out):
    id: uuid.UUID = Field(description="the task's id")
    case_id: uuid.UUID
    number: int = Field(description="the case's number")
    title: str = Field(description="the case's title")
    category: str = Field(description="the case's category (code)")
    urgency: Urgency
    case_status: CaseStatus
    source: CaseSource
    department_id: uuid.UUID
    department: str = Field(description="the department's name")
    role: TaskRole
    assignee_id: uuid.UUID | None
    status: TaskStatus = Field(description="pending or accepted: the list holds open tasks only")
    due_at: datetime = Field(description="the task's due time, on its department's hours")
    resolution_due_at: datetime = Field(description="the case's own resolution deadline")
    hotline_number: str | None = Field(description="the 12345 ticket's number")
    hotline_due_at: datetime | None = Field(description="the city's deadline for the ticket")


class DueTaskRow(_DueTask):
    """An item as PostgreSQL renders it: the department's hours, to count its working time."""

    work_hours: str | None


class DueTaskOut(_DueTask):
    overdue: bool = Field(description="past its due time")
    overdue_hours: float = Field(
        description="working hours past its due time on its department's calendar (0 if not due)"
    )
    hotline_overdue: bool | None = Field(
        description="the city's deadline has passed too (null: no city deadline)"
    )
