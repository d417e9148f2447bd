"""arq jobs: thin, idempotent, taking ids."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any, TypeVar, cast

import structlog
from arq import Retry
from arq.typing import WorkerCoroutine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from coordinator.notifications import handling
from coordinator.notifications.queue import enqueue_delivery
from coordinator.platform.db import RETRYABLE, sqlstate

log = structlog.get_logger("fumin.jobs")
T = TypeVar("T")
# A job that lost its database connection runs again after 0.5 s, 1 s, 2 s … at most 5 s
# later, where failing it would leave it to the sweep (FUMIN_REDELIVER_AFTER_SECONDS).
RETRY_FIRST, RETRY_MAX = 0.5, 5.0
# SQLSTATE classes of a connection lost or refused: 08 connection exception, 57P0x the
# server shutting down or starting up, 53300 too many connections.
_GONE = ("08", "57P01", "57P02", "57P03", "53300")


def lost_connection(exc: BaseException) -> bool:
    """True when a job failed for want of its database, not because of what it did."""
    if isinstance(exc, DBAPIError):
        code = sqlstate(exc)
        return (
            bool(exc.connection_invalidated)
            or code is None
            or code in RETRYABLE
            or code.startswith(_GONE)
        )
    return isinstance(exc, (OSError, PoolTimeout))


def retried_soon(job: Callable[..., Awaitable[T]]) -> WorkerCoroutine:
    """Run the job again shortly when it loses the database (PostgreSQL restarted, a
    connection dropped): what it did is undone with its transaction, and doing it again
    is safe, as every job is."""

    @wraps(job)
    async def run(ctx: dict[str, Any], **kwargs: Any) -> T:
        try:
            return await job(ctx, **kwargs)
        except Exception as exc:
            if not lost_connection(exc):
                raise
            defer = min(RETRY_MAX, RETRY_FIRST * 2 ** (int(ctx.get("job_try", 1)) - 1))
            log.warning("job_lost_database", job_id=ctx.get("job_id"), retry_in=defer)
            raise Retry(defer=defer) from exc

    return cast(WorkerCoroutine, run)


@retried_soon
async def handle_event(ctx: dict[str, Any], *, event_id: str) -> None:
    """Record the event's deliveries and make their first attempts right here; what must
    wait (a retry, quiet hours) goes on as a `deliver` job. Safe to run twice."""
    database, gateways = ctx["database"], ctx["gateways"]
    handled = await handling.handle_event_and_send(
        database=database, gateways=gateways, rules=ctx["rules"], event_id=uuid.UUID(event_id)
    )
    # What must wait goes on first: a job cut short by its timeout while attempting the
    # rest leaves nothing to the sweep's slower round.
    for delivery_id, delay in handled.later:
        await enqueue_delivery(ctx["redis"], delivery_id, defer_by=delay)
    for delivery_id in handled.due:
        attempt = await handling.attempt_delivery(
            database=database, gateways=gateways, rules=ctx["rules"], delivery_id=delivery_id
        )
        if attempt.retry_in is not None:
            await enqueue_delivery(ctx["redis"], delivery_id, defer_by=attempt.retry_in)


@retried_soon
async def deliver(ctx: dict[str, Any], *, delivery_id: str) -> str | None:
    """One attempt at a delivery; transient failures come back later through Retry."""
    attempt = await handling.attempt_delivery(
        database=ctx["database"],
        gateways=ctx["gateways"],
        rules=ctx["rules"],
        delivery_id=uuid.UUID(delivery_id),
    )
    if attempt.retry_in is not None:
        raise Retry(defer=attempt.retry_in)
    return attempt.status.value if attempt.status else None
