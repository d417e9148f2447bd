"""arq worker settings: `arq workers.settings.WorkerSettings`."""

from __future__ import annotations

import os
import time
from typing import Any

from arq import cron
from arq.connections import RedisSettings

from coordinator.db import Database
from coordinator.logging import configure_logging
from coordinator.settings import load_settings

HEARTBEAT_KEY = "fumin:worker:heartbeat"


async def startup(ctx: dict[str, Any]) -> None:
    settings = load_settings()
    configure_logging(settings.log_level)
    ctx["settings"] = settings
    ctx["database"] = Database.from_url(settings.async_database_url, pool_size=5)


async def shutdown(ctx: dict[str, Any]) -> None:
    database: Database | None = ctx.get("database")
    if database is not None:
        await database.dispose()


async def heartbeat(ctx: dict[str, Any]) -> None:
    """Record that a worker is alive, for health checks."""
    await ctx["redis"].set(f"{HEARTBEAT_KEY}:{os.getpid()}", str(time.time()), ex=120)


def _redis_settings() -> RedisSettings:
    url = os.environ.get("REDIS_URL")
    return RedisSettings.from_dsn(url) if url else RedisSettings()


class WorkerSettings:
    functions: list[Any] = []
    cron_jobs = [cron(heartbeat, second={0, 30}, run_at_startup=True)]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = _redis_settings()
    max_jobs = 20
    job_timeout = 60
    keep_result = 60
