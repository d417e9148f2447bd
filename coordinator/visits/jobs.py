"""Cron jobs of the visits feature: reminders and escalations found in PostgreSQL."""

from __future__ import annotations

from typing import Any

from arq import cron

from coordinator.platform.db import Database
from coordinator.platform.settings import Settings
from coordinator.visits.reminders.service import sweep


async def sweep_visits(ctx: dict[str, Any]) -> dict[str, int]:
    """Safe to run twice or concurrently: every step is recorded once per visit."""
    database: Database = ctx["database"]
    settings: Settings = ctx["settings"]
    async with database.sessionmaker.begin() as session:
        result = await sweep(session, config=settings.visits, base_url=settings.base_url)
    return {"reminders": result.reminders, "nudges": result.nudges, "alerts": result.alerts}


CRON_JOBS = [cron(sweep_visits, second={15}, run_at_startup=True)]
