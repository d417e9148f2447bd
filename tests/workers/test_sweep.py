"""The relay's sweep: jobs missing from Redis are enqueued again, however many wait."""

from __future__ import annotations

import uuid
from datetime import timedelta

from arq import create_pool
from arq.constants import job_key_prefix
from sqlalchemy import update

from coordinator.app import redis_settings
from coordinator.events.models import OutboxEvent
from coordinator.events.service import record_event
from coordinator.notifications.models import Channel, Delivery, DeliveryStatus
from coordinator.notifications.queue import delivery_job_id, enqueue_delivery
from coordinator.platform.db import utcnow
from workers.relay import Relay


async def test_a_lost_job_behind_a_full_batch_of_queued_ones_is_found(
    database, settings, redis_client
):
    long_ago = utcnow() - timedelta(hours=1)
    async with database.sessionmaker.begin() as session:
        event = record_event(session, "visit.proposed", data={"visit_id": "v1"})
        await session.flush()
        await session.execute(
            update(OutboxEvent).where(OutboxEvent.id == event.id).values(handled_at=long_ago)
        )
        deliveries = [
            Delivery(
                id=uuid.uuid4(),
                event_id=event.id,
                channel=Channel.email,
                recipient=f"{n}@example.test",
                template="team_member_added",
                status=DeliveryStatus.pending,
                enqueued_at=long_ago,
                created_at=long_ago + timedelta(seconds=n),
            )
            for n in range(3)
        ]
        session.add_all(deliveries)
    arq = await create_pool(redis_settings(settings.redis_url))
    try:
        for queued in deliveries[:2]:  # still waiting in Redis (held for quiet hours, say)
            await enqueue_delivery(arq, queued.id, defer_by=3600)
        relay = Relay(database=database, redis=arq, settings=settings, batch=2)
        assert await relay.sweep_once() == 0  # the first two: queued, nothing to do
        assert await relay.sweep_once() == 1  # then the one behind them, lost
        assert await redis_client.exists(job_key_prefix + delivery_job_id(deliveries[2].id))
    finally:
        await arq.aclose()
