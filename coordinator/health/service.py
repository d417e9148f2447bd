"""What the operations endpoints report: whether PostgreSQL and Redis answer, and the
metrics read from them at scrape time (so every web and worker process is counted
however many there are)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from arq.connections import ArqRedis
from prometheus_client import CollectorRegistry, Gauge, generate_latest
from sqlalchemy import text

from coordinator.platform.db import Database

PROBE_SECONDS = 2.0

_EVENTS = text(
    """
    SELECT count(*) AS written,
           count(relayed_at) AS relayed,
           count(handled_at) AS handled,
           coalesce(
               extract(epoch FROM now() - min(occurred_at) FILTER (WHERE relayed_at IS NULL)), 0
           ) AS relay_lag
    FROM outbox
    """
)
_DELIVERIES = text("SELECT channel, status, count(*) FROM deliveries GROUP BY channel, status")


async def readiness(database: Database, redis: ArqRedis) -> dict[str, str]:
    """ "ok" or the error's name for PostgreSQL and for Redis, each given two seconds."""

    async def postgresql() -> None:
        async with database.session() as session:
            await session.execute(text("SELECT 1"))

    async def ping_redis() -> None:
        await redis.ping()

    probes: tuple[tuple[str, Callable[[], Awaitable[None]]], ...] = (
        ("postgresql", postgresql),
        ("redis", ping_redis),
    )
    checks: dict[str, str] = {}
    for name, probe in probes:
        try:
            await asyncio.wait_for(probe(), timeout=PROBE_SECONDS)
            checks[name] = "ok"
        except Exception as exc:  # any failure means not ready
            checks[name] = f"error: {type(exc).__name__}"
    return checks


async def metrics(database: Database, redis: ArqRedis) -> bytes:
    """The metrics in Prometheus text format."""
    registry = CollectorRegistry()
    events = Gauge("fumin_events", "Outbox events by stage", ["stage"], registry=registry)
    lag = Gauge(
        "fumin_relay_lag_seconds", "Age of the oldest event not yet relayed", registry=registry
    )
    deliveries = Gauge(
        "fumin_deliveries",
        "Deliveries by channel and status",
        ["channel", "status"],
        registry=registry,
    )
    queue = Gauge("fumin_queue_depth", "Jobs waiting in the arq queue", registry=registry)
    workers = Gauge("fumin_workers_alive", "Workers with a recent heartbeat", registry=registry)
    scrape = Gauge("fumin_scrape_seconds", "Time to gather these metrics", registry=registry)
    started = time.perf_counter()

    async with database.session() as session:
        row = (await session.execute(_EVENTS)).one()
        events.labels("written").set(row.written)
        events.labels("relayed").set(row.relayed)
        events.labels("handled").set(row.handled)
        lag.set(float(row.relay_lag))
        for channel, status, count in (await session.execute(_DELIVERIES)).all():
            deliveries.labels(channel, status).set(count)

    queue.set(await redis.zcard("arq:queue"))
    alive = 0
    async for _ in redis.scan_iter(match="fumin:worker:heartbeat:*", count=100):
        alive += 1
    workers.set(alive)
    scrape.set(time.perf_counter() - started)
    return bytes(generate_latest(registry))
