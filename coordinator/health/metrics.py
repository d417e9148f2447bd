"""`/metrics` in Prometheus text format, read from PostgreSQL and Redis at scrape time,
so every web and worker process is counted however many there are."""

from __future__ import annotations

import time

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest
from sqlalchemy import text

from coordinator.platform import keys
from coordinator.web.api import ApiRoutes

routes = ApiRoutes()

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


@routes.route(
    "GET",
    "/metrics",
    summary="Prometheus metrics",
    tags=("operations",),
    role=None,
    content_type="text/plain",
)
async def metrics(request: web.Request) -> web.Response:
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

    async with request.app[keys.DATABASE].session() as session:
        row = (await session.execute(_EVENTS)).one()
        events.labels("written").set(row.written)
        events.labels("relayed").set(row.relayed)
        events.labels("handled").set(row.handled)
        lag.set(float(row.relay_lag))
        for channel, status, count in (await session.execute(_DELIVERIES)).all():
            deliveries.labels(channel, status).set(count)

    redis = request.app[keys.ARQ]
    queue.set(await redis.zcard("arq:queue"))
    alive = 0
    async for _ in redis.scan_iter(match="fumin:worker:heartbeat:*", count=100):
        alive += 1
    workers.set(alive)
    scrape.set(time.perf_counter() - started)
    return web.Response(
        body=generate_latest(registry), headers={"Content-Type": CONTENT_TYPE_LATEST}
    )
