"""Cron jobs of the shifts feature: thin, idempotent, each one transaction."""

from __future__ import annotations

from typing import Any

from arq import cron

from coordinator.platform.db import Database, utcnow
from coordinator.platform.settings import Settings
from coordinator.shifts import staffing
from coordinator.shifts.rules import NO_SHOW_GRACE
from coordinator.shifts.series import service as series
from coordinator.shifts.signups import places


async def materialize_series(ctx: dict[str, Any]) -> int:
    """Keep every running roster made eight weeks ahead."""
    database: Database = ctx["database"]
    settings: Settings = ctx["settings"]
    return await database.transaction(
        lambda session: series.materialize_all(session=session, zone=settings.zone)
    )


async def staffing_checks(ctx: dict[str, Any]) -> int:
    """Understaffed shifts, due reminders and no-shows, found in the database (so ticks
    missed while workers were down are made up on the next one)."""
    database: Database = ctx["database"]
    now = utcnow()
    found = await database.transaction(
        lambda session: staffing.flag_understaffed(session=session, now=now)
    )
    found += await database.transaction(
        lambda session: staffing.raise_reminders(session=session, now=now)
    )
    found += await database.transaction(
        lambda session: places.mark_no_shows(session=session, now=now, grace=NO_SHOW_GRACE)
    )
    return found


CRON_JOBS = [
    cron(materialize_series, hour={2}, minute={15}, run_at_startup=True, unique=True),
    cron(staffing_checks, minute=set(range(0, 60, 5)), second={20}, unique=True),
]
