"""Raising events (inside the caller's transaction) and reading them in commit order."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.events.catalogue import EVENT_TYPES
from coordinator.events.models import OutboxEvent


def record_event(
    session: AsyncSession,
    type: str,
    *,
    data: dict[str, Any],
    subject_type: str | None = None,
    subject_id: uuid.UUID | None = None,
    actor: str | None = None,
) -> OutboxEvent:
    """Add an event to the outbox; it commits or rolls back with the caller's change."""
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type!r}")
    event = OutboxEvent(
        id=uuid.uuid4(),
        type=type,
        data=data,
        subject_type=subject_type,
        subject_id=subject_id,
        actor=actor,
    )
    session.add(event)
    return event


async def events_after(
    session: AsyncSession,
    *,
    after: tuple[int, int] | None,
    types: list[str] | None,
    limit: int,
) -> list[OutboxEvent]:
    """Committed events after a (txid, seq) position, in a stable order with no gaps.

    Only events of transactions older than every transaction still running are
    returned: those can no longer be joined by an earlier-ordered event, so a reader
    that resumes from the last position it saw misses nothing.
    """
    horizon = await session.scalar(
        text("SELECT (pg_snapshot_xmin(pg_current_snapshot())::text)::bigint")
    )
    stmt = select(OutboxEvent).where(OutboxEvent.txid < horizon)
    if after is not None:
        txid, seq = after
        stmt = stmt.where(
            (OutboxEvent.txid > txid) | ((OutboxEvent.txid == txid) & (OutboxEvent.seq > seq))
        )
    if types:
        stmt = stmt.where(OutboxEvent.type.in_(types))
    stmt = stmt.order_by(OutboxEvent.txid, OutboxEvent.seq).limit(limit)
    return list((await session.scalars(stmt)).all())
