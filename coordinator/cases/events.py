"""The one place a case's events are written: the same keys on every one of them (the case,
and for a task event the task), whatever raised it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.cases.models import Case, CaseTask
from coordinator.events.models import OutboxEvent
from coordinator.events.service import record_event

CASE_EVENTS = (
    "case.created",
    "case.accepted",
    "case.assigned",
    "case.escalated",
    "case.resolved",
    "case.closed",
    "case.reopened",
    "case.rejected",
    "case.merged",
    "case.reminder_due",
)
TASK_EVENTS = ("task.accepted", "task.done", "task.returned", "task.dropped")


def _id(value: Any) -> str | None:
    return str(value) if value is not None else None


def case_data(case: Case, category: str) -> dict[str, Any]:
    """What every case event says of its case."""
    return {
        "case_id": str(case.id),
        "number": case.number,
        "status": case.status.value,
        "category": category,
        "urgency": case.urgency.value,
        "lead_department_id": _id(case.lead_department_id),
        "title": case.title,
    }


def task_data(task: CaseTask) -> dict[str, Any]:
    """What a task event adds."""
    return {
        "task_id": str(task.id),
        "department_id": str(task.department_id),
        "role": task.role.value,
        "assignee_id": _id(task.assignee_id),
        "due_at": task.due_at.isoformat(),
        "task_status": task.status.value,
    }


def case_event(
    session: AsyncSession,
    type: str,
    case: Case,
    *,
    category: str,
    actor: str,
    task: CaseTask | None = None,
    **extra: Any,
) -> OutboxEvent:
    """Record `type` about `case` (and `task`) in the caller's transaction; `extra` adds
    what this event alone says (a reason, the master of a merge)."""
    assert type in CASE_EVENTS or type in TASK_EVENTS, type
    data = case_data(case, category)
    if task is not None:
        data |= task_data(task)
    data |= extra
    return record_event(
        session, type, data=data, subject_type="case", subject_id=case.id, actor=actor
    )
