"""arq worker settings: `arq workers.settings.WorkerSettings`.

Each worker also runs the outbox relay; several workers share the work through
`FOR UPDATE SKIP LOCKED`. arq exits when it loses Redis: run workers under something
that restarts them (`fumin up` does; so does a Procfile process manager).

Campaign planning runs in workers of its own (`workers.planner.PlannerSettings`): a
solver may run for minutes, and arq holds a killed worker's jobs for the longest job
timeout of its functions, which must stay short here so notifications recover quickly.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from typing import Any

from arq import cron
from arq.connections import RedisSettings
from arq.worker import func

from coordinator.features import cron_jobs, rule_book
from coordinator.notifications.gateways import Gateways
from coordinator.platform.db import Database
from coordinator.platform.logging import configure_logging
from coordinator.platform.settings import Settings, load_settings
from workers.jobs import deliver, handle_event
from workers.recovery import Recovery
from workers.relay import Relay

HEARTBEAT_KEY = "fumin:worker:heartbeat"
# Read once, when arq loads this module: the class below needs it, and every job reads
# it from the context.
settings = load_settings()


async def startup(ctx: dict[str, Any]) -> None:
    configure_logging(settings.log_level)
    database = Database.from_url(settings.async_database_url, pool_size=settings.db_pool_size)
    ctx["settings"] = settings
    ctx["database"] = database
    ctx["gateways"] = Gateways.open(settings)
    ctx["rules"] = rule_book()
    relay = Relay(database=database, redis=ctx["redis"], settings=settings)
    stop = asyncio.Event()
    ctx["relay"] = relay
    ctx["relay_stop"] = stop
    ctx["relay_task"] = asyncio.create_task(relay.run(stop))
    # arq marks a job in progress for the longest job timeout plus 10 s.
    recovery = Recovery(
        redis=ctx["redis"], relay=relay, in_progress_seconds=settings.job_timeout_seconds + 10
    )
    ctx["recovery"] = recovery
    ctx["recovery_task"] = asyncio.create_task(recovery.run(stop))


async def shutdown(ctx: dict[str, Any]) -> None:
    stop: asyncio.Event | None = ctx.get("relay_stop")
    if stop is not None:
        stop.set()
    for name in ("relay_task", "recovery_task"):
        task: asyncio.Task[None] | None = ctx.get(name)
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, 5)
    recovery: Recovery | None = ctx.get("recovery")
    if recovery is not None:
        with contextlib.suppress(Exception):
            await recovery.leave()
    gateways: Gateways | None = ctx.get("gateways")
    if gateways is not None:
        await gateways.close()
    database: Database | None = ctx.get("database")
    if database is not None:
        await database.dispose()


async def heartbeat(ctx: dict[str, Any]) -> None:
    """Record that a worker is alive, for health checks and /metrics."""
    await ctx["redis"].set(f"{HEARTBEAT_KEY}:{os.getpid()}", str(time.time()), ex=90)


async def job_started(ctx: dict[str, Any]) -> None:
    """Note the job as this worker's, so a worker that outlives it can free it."""
    recovery: Recovery | None = ctx.get("recovery")
    if recovery is not None:
        await recovery.job_started(ctx["job_id"])


async def job_ended(ctx: dict[str, Any]) -> None:
    recovery: Recovery | None = ctx.get("recovery")
    if recovery is not None:
        await recovery.job_ended(ctx["job_id"])


def redis_settings(settings: Settings) -> RedisSettings:
    return RedisSettings.from_dsn(settings.redis_url) if settings.redis_url else RedisSettings()


class WorkerSettings:
    # No kept results: a finished job's id is free at once, so the sweep or a replay can
    # enqueue it again; PostgreSQL, not arq, remembers what was done.
    functions = [
        func(handle_event, keep_result=0),
        func(deliver, keep_result=0),
    ]
    cron_jobs = [
        cron(heartbeat, second={0, 30}, run_at_startup=True, unique=False),
        *cron_jobs(),
    ]
    on_startup = startup
    on_shutdown = shutdown
    on_job_start = job_started
    after_job_end = job_ended
    redis_settings = redis_settings(settings)
    max_jobs = settings.worker_jobs
    poll_delay = 0.05
    job_timeout = settings.job_timeout_seconds
    keep_result = 60
    # Attempts are counted in PostgreSQL (deliveries.attempts); arq must not give up first.
    max_tries = 1000
    health_check_interval = 30
