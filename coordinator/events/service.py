"""Raising events (inside the caller's transaction) and reading them in commit order
(the feed, resumable from a cursor)."""

from __future__ import annotations

import base64
import uuid
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.events.catalogue import EVENT_TYPES, PRIVATE_FIELDS
from coordinator.events.models import OutboxEvent
from coordinator.events.schemas import EventOut, EventPage, EventQuery
from coordinator.platform.i18n import Text
from coordinator.platform.problems import FieldError, ValidationFailed


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


async def feed(session: AsyncSession, query: EventQuery) -> EventPage:
    """A page of the feed after the query's cursor, capability links left out."""
    after = decode_position(query.after) if query.after else None
    types = [t.strip() for t in query.types.split(",")] if query.types else None
    events = await events_after(session, after=after, types=types, limit=query.limit)
    items = [
        EventOut(
            id=e.id,
            type=e.type,
            occurred_at=e.occurred_at,
            subject_type=e.subject_type,
            subject_id=e.subject_id,
            data={k: v for k, v in e.data.items() if k not in PRIVATE_FIELDS},
            cursor=encode_position(e.txid, e.seq),
        )
        for e in events
    ]
    next_cursor = items[-1].cursor if items else query.after
    return EventPage(items=items, next_cursor=next_cursor)


def encode_position(txid: int, seq: int) -> str:
    return base64.urlsafe_b64encode(f"{txid}:{seq}".encode()).decode().rstrip("=")


def decode_position(cursor: str) -> tuple[int, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        txid, seq = raw.split(":")
        return int(txid), int(seq)
    except (ValueError, UnicodeDecodeError):
        message = Text("游标无效", "the cursor is not valid")
        raise ValidationFailed(message, errors=[FieldError("after", message)]) from None
