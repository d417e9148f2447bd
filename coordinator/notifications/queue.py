"""Job ids and enqueueing shared by the web app and the workers."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from arq.connections import ArqRedis


def event_job_id(event_id: uuid.UUID | str) -> str:
    return f"event:{event_id}"


def delivery_job_id(delivery_id: uuid.UUID | str) -> str:
    return f"delivery:{delivery_id}"


async def enqueue_event(redis: ArqRedis, event_id: uuid.UUID | str) -> None:
    await redis.enqueue_job("handle_event", event_id=str(event_id), _job_id=event_job_id(event_id))


async def enqueue_delivery(
    redis: ArqRedis,
    delivery_id: uuid.UUID | str,
    not_before: datetime | None = None,
    *,
    defer_by: float | None = None,
) -> None:
    defer = not_before if not_before and not_before > datetime.now(UTC) else None
    await redis.enqueue_job(
        "deliver",
        delivery_id=str(delivery_id),
        _job_id=delivery_job_id(delivery_id),
        _defer_until=defer,
        _defer_by=defer_by if defer is None else None,
    )
