"""The one place round events are written: the same keys on every event of a kind. They
name the block, its area and the person walking it, nothing of the residents."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.events.models import OutboxEvent
from coordinator.events.service import record_event
from coordinator.housing.models import Block
from coordinator.housing.rounds.models import Round


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def round_event(
    session: AsyncSession, type_: str, round_: Round, block: Block, *, actor: str
) -> OutboxEvent:
    """round.started / round.completed."""
    data: dict[str, Any] = {
        "round_id": str(round_.id),
        "block_id": str(block.id),
        "block": block.name,
        "area_id": str(block.area_id),
        "person_id": str(round_.person_id),
        "started_at": _iso(round_.started_at),
        "ended_at": _iso(round_.ended_at),
        "proven": round_.proven,
    }
    if round_.ended_at is not None:
        data["minutes"] = int((round_.ended_at - round_.started_at).total_seconds() // 60)
    return record_event(
        session, type_, data=data, subject_type="round", subject_id=round_.id, actor=actor
    )


def overdue_event(
    session: AsyncSession,
    block: Block,
    *,
    day: date,
    to: str,
    sequence: int,
    since: datetime,
    due_at: datetime,
    max_gap: int,
    actor: str,
) -> OutboxEvent:
    """round.overdue: the block unwalked since `since`, told `to` the leader or the lead."""
    data = {
        "block_id": str(block.id),
        "block": block.name,
        "area_id": str(block.area_id),
        "day": day.isoformat(),
        "to": to,
        "sequence": sequence,
        "since": since.isoformat(),
        "due_at": due_at.isoformat(),
        "max_gap_minutes": max_gap,
    }
    return record_event(
        session, "round.overdue", data=data, subject_type="block", subject_id=block.id, actor=actor
    )
