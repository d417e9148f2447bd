"""The one place a case's events are written: the same keys on every one of them (the case,
and for a task event the task), whatever raised it."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
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
TASK_EVENTS = (
    "task.accepted",
    "task.done",
    "task.returned",
    "task.dropped",
    "task.noted",
)
_TASK_FIELDS = ("id", "department_id", "role", "assignee_id", "due_at", "status")


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


def task_data(task: CaseTask | Mapping[str, Any]) -> dict[str, Any]:
    """What a task event adds (of a task row, or of the values of one being inserted)."""
    values = task if isinstance(task, Mapping) else {f: getattr(task, f) for f in _TASK_FIELDS}
    return {
        "task_id": str(values["id"]),
        "department_id": str(values["department_id"]),
        "role": values["role"].value,
        "assignee_id": _id(values.get("assignee_id")),
        "due_at": values["due_at"].isoformat(),
        "task_status": values["status"].value,
    }


def _data(
    type: str, case: Case, category: str, task: CaseTask | Mapping[str, Any] | None, extra: Any
) -> dict[str, Any]:
    assert type in CASE_EVENTS or type in TASK_EVENTS, type
    data = case_data(case, category)
    if task is not None:
        data |= task_data(task)
    return data | extra


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
    return record_event(
        session,
        type,
        data=_data(type, case, category, task, extra),
        subject_type="case",
        subject_id=case.id,
        actor=actor,
    )


def case_event_row(
    type: str,
    case: Case,
    *,
    category: str,
    actor: str,
    task: Mapping[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The outbox row case_event would add, for a statement inserting several at once."""
    return {
        "id": uuid.uuid4(),
        "type": type,
        "data": _data(type, case, category, task, extra),
        "subject_type": "case",
        "subject_id": case.id,
        "actor": actor,
    }
