"""arq settings for planning workers: `arq workers.planner.PlannerSettings`.

Planning a campaign can take minutes of solver time, so it runs apart from the
notification workers (whose killed jobs arq would otherwise hold back for as long as the
longest job timeout). One job at a time per planner process; the solver runs in a thread.
"""

from __future__ import annotations

from typing import Any

from arq.worker import func

from coordinator.campaigns.jobs import plan_campaign
from coordinator.campaigns.queue import PLANNING_QUEUE
from coordinator.platform.db import Database
from coordinator.platform.logging import configure_logging
from workers.settings import redis_settings, settings


async def startup(ctx: dict[str, Any]) -> None:
    configure_logging(settings.log_level)
    ctx["settings"] = settings
    ctx["database"] = Database.from_url(settings.async_database_url, pool_size=2)


async def shutdown(ctx: dict[str, Any]) -> None:
    database: Database | None = ctx.get("database")
    if database is not None:
        await database.dispose()


class PlannerSettings:
    queue_name = PLANNING_QUEUE
    functions = [func(plan_campaign, keep_result=0, timeout=900, max_tries=1)]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = redis_settings(settings)
    max_jobs = 1
    health_check_interval = 30
