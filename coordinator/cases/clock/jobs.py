"""Cron jobs of the cases' clocks: every minute, the reminders and escalations that have
come due, then the follow-ups nobody answered. Found in PostgreSQL each time (a tick
missed while the workers were down is made up by the next), each round its own
transaction: a worker killed mid-way loses nothing, and a repeated round does no harm."""

from __future__ import annotations

import time
from typing import Any

from arq import cron

from coordinator.cases.clock.service import BATCH, close_unanswered_cases, sweep
from coordinator.platform.db import Database, utcnow
from coordinator.platform.settings import Settings
from coordinator.worktime.service import load_calendar

# A round finds at most BATCH tasks; a backlog (workers down for a day, every open task
# to plan after an upgrade) takes several, for at most half the job's time: the next
# minute's run goes on from there.
MAX_ROUNDS = 400


async def sweep_case_clocks(ctx: dict[str, Any]) -> dict[str, int]:
    database: Database = ctx["database"]
    settings: Settings = ctx["settings"]
    now = utcnow()
    started = time.monotonic()
    calendar = await database.transaction(lambda session: load_calendar(session, settings))
    totals = {"planned": 0, "reminders": 0, "escalations": 0}
    for _ in range(MAX_ROUNDS):
        result = await database.transaction(
            lambda session: sweep(session, settings=settings, now=now, calendar=calendar)
        )
        totals["planned"] += result.planned
        totals["reminders"] += result.reminders
        totals["escalations"] += result.escalations
        if result.found < BATCH or time.monotonic() - started > settings.job_timeout_seconds / 2:
            break
    totals["closed"] = await database.transaction(
        lambda session: close_unanswered_cases(session, now=now)
    )
    return totals


CRON_JOBS = [cron(sweep_case_clocks, second={40}, run_at_startup=True, unique=True)]
