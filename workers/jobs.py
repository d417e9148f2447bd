"""arq jobs: thin, idempotent, taking ids."""

from __future__ import annotations

import uuid
from typing import Any

from arq import Retry

from coordinator.notifications import service
from coordinator.notifications.queue import enqueue_delivery


async def handle_event(ctx: dict[str, Any], *, event_id: str) -> None:
    """Record the event's deliveries and make their first attempts right here; what must
    wait (a retry, quiet hours) goes on as a `deliver` job. Safe to run twice."""
    database, gateways = ctx["database"], ctx["gateways"]
    handled = await service.handle_event_and_send(
        database=database, gateways=gateways, event_id=uuid.UUID(event_id)
    )
    # What must wait goes on first: a job cut short by its timeout while attempting the
    # rest leaves nothing to the sweep's slower round.
    for delivery_id, delay in handled.later:
        await enqueue_delivery(ctx["redis"], delivery_id, defer_by=delay)
    for delivery_id in handled.due:
        attempt = await service.attempt_delivery(
            database=database, gateways=gateways, delivery_id=delivery_id
        )
        if attempt.retry_in is not None:
            await enqueue_delivery(ctx["redis"], delivery_id, defer_by=attempt.retry_in)


async def deliver(ctx: dict[str, Any], *, delivery_id: str) -> str | None:
    """One attempt at a delivery; transient failures come back later through Retry."""
    attempt = await service.attempt_delivery(
        database=ctx["database"], gateways=ctx["gateways"], delivery_id=uuid.UUID(delivery_id)
    )
    if attempt.retry_in is not None:
        raise Retry(defer=attempt.retry_in)
    return attempt.status.value if attempt.status else None
