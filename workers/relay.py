"""The outbox relay: committed events to arq jobs, keyed by event id.

Woken by LISTEN/NOTIFY, with a poll as the backstop (a notification is lost while the
listener is away). A sweep re-enqueues whatever was relayed but not handled in time,
so a flushed or restarted Redis loses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import structlog
from arq.connections import ArqRedis
from arq.constants import job_key_prefix, result_key_prefix
from sqlalchemy import text

from coordinator.notifications.queue import (
    delivery_job_id,
    enqueue_delivery,
    enqueue_event,
    event_job_id,
)
from coordinator.platform.db import Database
from coordinator.platform.listen import listen
from coordinator.platform.settings import Settings

log = structlog.get_logger("fumin.relay")
T = TypeVar("T", bound=Any)
CHANNEL = "fumin_outbox"

# Each claim marks its rows in one short statement and commits before touching Redis,
# so no row stays locked while jobs are enqueued. A crash between the commit and the
# enqueue is caught by the sweep: a delay, never a loss.
_CLAIM = text(
    """
    UPDATE outbox SET relayed_at = now()
    WHERE id IN (
        SELECT id FROM outbox WHERE relayed_at IS NULL
        ORDER BY seq LIMIT :batch FOR UPDATE SKIP LOCKED
    )
    RETURNING id
    """
)
_STALE_EVENTS = text(
    """
    SELECT id FROM outbox
    WHERE handled_at IS NULL AND relayed_at < :cutoff
    ORDER BY seq LIMIT :batch
    """
)
_STALE_DELIVERIES = text(
    """
    SELECT id, not_before FROM deliveries
    WHERE status = 'pending' AND (enqueued_at IS NULL OR enqueued_at < :cutoff)
    ORDER BY created_at LIMIT :batch
    """
)
# What recover() walks: everything unfinished, in pages, whatever its age.
_UNHANDLED = text(
    """
    SELECT id, seq FROM outbox
    WHERE handled_at IS NULL AND relayed_at IS NOT NULL AND seq > :after
    ORDER BY seq LIMIT :batch
    """
)
_PENDING = text(
    """
    SELECT id, event_id, not_before, enqueued_at FROM deliveries
    WHERE status = 'pending' AND id > :after
    ORDER BY id LIMIT :batch
    """
)
_TOUCH_EVENTS = text("UPDATE outbox SET relayed_at = now() WHERE id = ANY(:ids)")
_TOUCH_DELIVERIES = text("UPDATE deliveries SET enqueued_at = now() WHERE id = ANY(:ids)")


@dataclass
class Relay:
    database: Database
    redis: ArqRedis
    settings: Settings
    batch: int = 500
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    relayed: int = 0

    async def relay_once(self) -> int:
        """Claim a batch of unrelayed events, then enqueue a job for each."""
        params = {"batch": self.batch}
        if self.database.autocommit is not None:
            # The claim is one statement: on its own it is its own transaction, one round
            # trip where BEGIN and COMMIT would make three (most wake-ups find nothing).
            async with self.database.autocommit.connect() as connection:
                ids = list((await connection.scalars(_CLAIM, params)).all())
        else:
            async with self.database.sessionmaker.begin() as session:
                ids = list((await session.scalars(_CLAIM, params)).all())
        for event_id in ids:
            await enqueue_event(self.redis, event_id)
        self.relayed += len(ids)
        return len(ids)

    async def sweep_once(self) -> int:
        """Re-enqueue events and deliveries whose jobs are missing from Redis (flushed or
        restarted Redis, a crash between commit and enqueue). One pipelined EXISTS per
        batch tells which jobs are still queued, so a long backlog costs little."""
        cutoff = datetime.now(UTC) - timedelta(seconds=self.settings.redeliver_after_seconds)
        params = {"cutoff": cutoff, "batch": self.batch}
        async with self.database.session() as session:
            events = list((await session.scalars(_STALE_EVENTS, params)).all())
            deliveries = (await session.execute(_STALE_DELIVERIES, params)).all()
        lost_events = await self._missing([event_job_id(e) for e in events], events)
        lost_deliveries = await self._missing(
            [delivery_job_id(d.id) for d in deliveries], list(deliveries)
        )
        if events or deliveries:
            # Every row looked at is touched, found queued or not: the next sweep looks at
            # the next ones, so a long queue of waiting jobs (reminders held for quiet
            # hours) cannot hide a lost one behind it.
            async with self.database.sessionmaker.begin() as session:
                if events:
                    await session.execute(_TOUCH_EVENTS, {"ids": events})
                if deliveries:
                    await session.execute(_TOUCH_DELIVERIES, {"ids": [d.id for d in deliveries]})
        if lost_events or lost_deliveries:
            await self._forget_results([event_job_id(e) for e in lost_events])
            await self._forget_results([delivery_job_id(d.id) for d in lost_deliveries])
            for event_id in lost_events:
                await enqueue_event(self.redis, event_id)
            for delivery in lost_deliveries:
                await enqueue_delivery(self.redis, delivery.id, delivery.not_before)
            log.info("sweep_requeued", events=len(lost_events), deliveries=len(lost_deliveries))
        return len(lost_events) + len(lost_deliveries)

    async def recover(self) -> int:
        """Enqueue at once every unfinished event and delivery that Redis holds no job
        for, however recent (sweep_once waits FUMIN_REDELIVER_AFTER_SECONDS): what a
        worker does when it starts, when Redis lost its data, when a worker died. A
        delivery is covered by its own job or by its event's (which attempts the event's
        pending deliveries); one waiting for a retry or quiet hours waits on."""
        requeued, after = 0, 0
        while True:
            async with self.database.session() as session:
                page = list((await session.execute(_UNHANDLED, self._page(after))).all())
            lost = await self._missing([event_job_id(e.id) for e in page], page)
            await self._forget_results([event_job_id(e.id) for e in lost])
            for event in lost:
                await enqueue_event(self.redis, event.id)
                requeued += 1
            if len(page) < self.batch:
                break
            after = page[-1].seq
        after_id = uuid.UUID(int=0)
        while True:
            async with self.database.session() as session:
                rows = list((await session.execute(_PENDING, self._page(after_id))).all())
            lost = await self._missing([delivery_job_id(d.id) for d in rows], rows)
            lost = await self._missing([event_job_id(d.event_id) for d in lost], lost)
            await self._forget_results([delivery_job_id(d.id) for d in lost])
            for delivery in lost:
                due = [t for t in (delivery.not_before, delivery.enqueued_at) if t is not None]
                await enqueue_delivery(self.redis, delivery.id, max(due, default=None))
                requeued += 1
            if len(rows) < self.batch:
                break
            after_id = rows[-1].id
        if requeued:
            log.info("recover_requeued", jobs=requeued)
        return requeued

    async def _forget_results(self, job_ids: list[str]) -> None:
        """Drop arq's result of a job it could not run (its job data was flushed under it:
        "job expired"). Fumin's jobs keep no results, and arq refuses to enqueue a job id
        whose result it still holds, for a minute."""
        if job_ids:
            await self.redis.delete(*(result_key_prefix + job_id for job_id in job_ids))

    def _page(self, after: object) -> dict[str, object]:
        return {"after": after, "batch": self.batch}

    async def _missing(self, job_ids: list[str], rows: list[T]) -> list[T]:
        if not job_ids:
            return []
        async with self.redis.pipeline(transaction=False) as pipe:
            for job_id in job_ids:
                pipe.exists(job_key_prefix + job_id)
            present = await pipe.execute()
        return [row for row, exists in zip(rows, present, strict=True) if not exists]

    async def drain(self) -> int:
        """Relay until a claim finds less than a full batch (what commits later wakes the
        relay again)."""
        total = 0
        while (n := await self.relay_once()) > 0:
            total += n
            if n < self.batch:
                break
        return total

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until `stop` is set: on every notification, and at least every poll."""
        listener = asyncio.create_task(self._listen(stop))
        sweep_every = max(self.settings.redeliver_after_seconds / 2, 1.0)
        next_sweep = asyncio.get_running_loop().time()
        try:
            while not stop.is_set():
                try:
                    await self.drain()
                    now = asyncio.get_running_loop().time()
                    if now >= next_sweep:
                        await self.sweep_once()
                        next_sweep = now + sweep_every
                except Exception:  # keep relaying through a passing outage
                    log.exception("relay_error")
                    await asyncio.sleep(1)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), self.settings.relay_poll_seconds)
                self.wake.clear()
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener

    async def _listen(self, stop: asyncio.Event) -> None:
        """Wake on every notification, and on listening (again): what was raised while
        not listening is caught up at once."""
        dsn = self.settings.async_database_url.replace("postgresql+asyncpg://", "postgresql://")
        await listen(
            dsn,
            CHANNEL,
            heard=lambda _payload: self.wake.set(),
            stop=stop,
            live=lambda up: self.wake.set() if up else None,
            name="fumin-relay",
        )
