"""The one place a need's event is written (need.raised, need.assigned, need.resolved,
need.closed, need.reopened), beside the case events the engine writes for the same
change: the keys webhook consumers have always read, from the need as it now reads, and
the case's id (the need's own)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.events.models import OutboxEvent
from coordinator.events.service import record_event
from coordinator.visits.needs.schemas import NeedOut

NEED_EVENTS = ("need.raised", "need.assigned", "need.resolved", "need.closed", "need.reopened")


def need_data(need: NeedOut) -> dict[str, Any]:
    return {
        "need_id": str(need.id),
        "case_id": str(need.id),
        "visit_id": str(need.visit_id),
        "company_id": str(need.company_id),
        "category": need.category.value,
        "urgency": need.urgency.value,
        "status": need.status.value,
        "assignee_team_id": str(need.assignee_team_id) if need.assignee_team_id else None,
        "assignee_department": need.assignee_department.value if need.assignee_department else None,
        "due_at": need.due_at.isoformat(),
    }


def need_event(
    session: AsyncSession, type: str, need: NeedOut, actor: str, **extra: Any
) -> OutboxEvent:
    """Record `type` about the need in the caller's transaction; `extra` adds what this
    event alone says (the resolution, the reason)."""
    assert type in NEED_EVENTS, type
    return record_event(
        session,
        type,
        data=need_data(need) | extra,
        subject_type="need",
        subject_id=need.id,
        actor=actor,
    )
