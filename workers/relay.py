"""The outbox relay: committed events to arq jobs, keyed by event id.

Woken by LISTEN/NOTIFY, with a poll as the backstop (a notification is lost while the
listener is away). A sweep re-enqueues whatever was relayed but not handled in time,
so a flushed or restarted Redis loses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import asyncpg
import structlog
from arq.connections import ArqRedis
from sqlalchemy import text

from coordinator.db import Database
from coordinator.notifications.queue import enqueue_delivery, enqueue_event
from coordinator.settings import Settings

log = structlog.get_logger("fumin.relay")
CHANNEL = "fumin_outbox"

_CLAIM = text(
    """
    SELECT id FROM outbox
    WHERE relayed_at IS NULL
    ORDER BY seq
    LIMIT :batch
    FOR UPDATE SKIP LOCKED
    """
)
_MARK = text("UPDATE outbox SET relayed_at = now() WHERE id = ANY(:ids)")
_STALE_EVENTS = text(
    """
    SELECT id FROM outbox
    WHERE handled_at IS NULL AND relayed_at < :cutoff
    ORDER BY seq
    LIMIT :batch
    FOR UPDATE SKIP LOCKED
    """
)
_STALE_DELIVERIES = text(
    """
    SELECT id, not_before FROM deliveries
    WHERE status = 'pending' AND (enqueued_at IS NULL OR enqueued_at < :cutoff)
    ORDER BY created_at
    LIMIT :batch
    FOR UPDATE SKIP LOCKED
    """
)
_MARK_DELIVERIES = text("UPDATE deliveries SET enqueued_at = now() WHERE id = ANY(:ids)")


@dataclass
class Relay:
    database: Database
    redis: ArqRedis
    settings: Settings
    batch: int = 500
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    relayed: int = 0

    async def relay_once(self) -> int:
        """Claim a batch of unrelayed events, enqueue a job for each, mark them relayed."""
        async with self.database.sessionmaker.begin() as session:
            ids = list((await session.scalars(_CLAIM, {"batch": self.batch})).all())
            if not ids:
                return 0
            # A crash after enqueueing and before the commit re-enqueues the same job id:
            # a duplicate at worst, never a loss; handlers are idempotent.
            for event_id in ids:
                await enqueue_event(self.redis, event_id)
            await session.execute(_MARK, {"ids": ids})
        self.relayed += len(ids)
        return len(ids)

    async def sweep_once(self) -> int:
        """Re-enqueue events and deliveries whose jobs should have run by now."""
        cutoff = datetime.now(UTC) - timedelta(seconds=self.settings.redeliver_after_seconds)
        count = 0
        async with self.database.sessionmaker.begin() as session:
            params = {"cutoff": cutoff, "batch": self.batch}
            events = list((await session.scalars(_STALE_EVENTS, params)).all())
            for event_id in events:
                await enqueue_event(self.redis, event_id)
            if events:
                await session.execute(_MARK, {"ids": events})
            rows = (await session.execute(_STALE_DELIVERIES, params)).all()
            for delivery_id, not_before in rows:
                await enqueue_delivery(self.redis, delivery_id, not_before)
            if rows:
                await session.execute(_MARK_DELIVERIES, {"ids": [r[0] for r in rows]})
            count = len(events) + len(rows)
        if count:
            log.info("sweep_requeued", events=len(events), deliveries=len(rows))
        return count

    async def drain(self) -> int:
        total = 0
        while (n := await self.relay_once()) > 0:
            total += n
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
                    await asyncio.sleep(1)  # noqa: ASYNC110 (polls the connection state)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), self.settings.relay_poll_seconds)
                self.wake.clear()
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener

    async def _listen(self, stop: asyncio.Event) -> None:
        dsn = self.settings.async_database_url.replace("postgresql+asyncpg://", "postgresql://")
        while not stop.is_set():
            connection: asyncpg.Connection | None = None
            try:
                connection = await asyncpg.connect(dsn)
                await connection.add_listener(CHANNEL, lambda *_: self.wake.set())
                self.wake.set()  # catch up on anything raised while not listening
                while not stop.is_set() and not connection.is_closed():
                    await asyncio.sleep(1)  # noqa: ASYNC110 (polls the connection state)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("listen_failed", exc_info=True)
                await asyncio.sleep(2)
            finally:
                if connection is not None and not connection.is_closed():
                    await connection.close()
