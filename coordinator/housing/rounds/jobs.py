"""Cron job of the rounds: every minute, the overdue reminders that have come due, found
in PostgreSQL each time (a tick missed while the workers were down is made up by the
next), in one transaction: a worker killed mid-way loses nothing."""

from __future__ import annotations

from typing import Any

from arq import cron

from coordinator.housing.rounds.sweep import sweep
from coordinator.platform.db import Database
from coordinator.platform.settings import Settings


async def sweep_overdue_rounds(ctx: dict[str, Any]) -> dict[str, int]:
    database: Database = ctx["database"]
    settings: Settings = ctx["settings"]
    result = await database.transaction(lambda session: sweep(session, settings=settings))
    return {"found": result.found, "leaders": result.leaders, "leads": result.leads}


CRON_JOBS = [cron(sweep_overdue_rounds, second={20}, run_at_startup=True, unique=True)]
