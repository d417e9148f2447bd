"""Planning as a job: the solver in a thread, progress and cancellation through the row."""

from __future__ import annotations

import asyncio
import threading
import uuid
from typing import Any

from coordinator.campaigns import runs, service
from coordinator.campaigns.loading import load_problem
from coordinator.campaigns.models import CampaignStatus
from coordinator.campaigns.planner import plan
from coordinator.campaigns.plans import Progress
from coordinator.platform.db import Database
from coordinator.platform.settings import Settings

POLL_SECONDS = 0.5


async def run_plan(database: Database, campaign_id: uuid.UUID, run: int, settings: Settings) -> str:
    """Plan one run of a campaign; safe to repeat (a stale run writes nothing)."""
    async with database.sessionmaker.begin() as session:
        campaign = await service.get_campaign(session=session, campaign_id=campaign_id)
        if campaign.plan_run != run or campaign.status != CampaignStatus.planning:
            return "stale"
        problem, frame = await load_problem(session, campaign, settings.zone)
        time_limit = float(campaign.time_limit_seconds)
    stop = threading.Event()
    latest: list[Progress] = []
    task = asyncio.create_task(
        asyncio.to_thread(
            plan,
            problem,
            time_limit=time_limit,
            stop=stop.is_set,
            on_progress=latest.append,
            workers=settings.plan_workers,
        )
    )
    written = 0
    try:
        while not task.done():
            await asyncio.wait({task}, timeout=POLL_SECONDS)
            if task.done():
                break
            written = await _write(database, campaign_id, run, latest, written, frame, stop)
        result = task.result()
    except Exception as exc:
        stop.set()
        async with database.sessionmaker.begin() as session:
            await runs.fail_plan(
                session=session, campaign_id=campaign_id, run=run, error=type(exc).__name__
            )
        raise
    status = CampaignStatus.cancelled if stop.is_set() else CampaignStatus.planned
    async with database.sessionmaker.begin() as session:
        saved = await runs.save_plan(
            session=session,
            campaign_id=campaign_id,
            run=run,
            plan=result,
            frame=frame,
            status=status,
        )
    return status.value if saved else "stale"


async def _write(
    database: Database,
    campaign_id: uuid.UUID,
    run: int,
    latest: list[Progress],
    written: int,
    frame: Any,
    stop: threading.Event,
) -> int:
    """Store the newest progress (and a new best plan, if one came); set stop if asked."""
    count = len(latest)
    async with database.sessionmaker.begin() as session:
        progress = latest[-1] if count else None
        body: dict[str, Any] = {"percent": 0, "phase": "starting"}
        if progress is not None:
            body = {
                "percent": progress.percent,
                "phase": progress.phase,
                "objective": progress.objective,
                "bound": progress.bound,
            }
        cancel = await runs.record_progress(
            session=session, campaign_id=campaign_id, run=run, progress=body
        )
        if cancel is None or cancel:
            stop.set()
            return count
        best = next((p.plan for p in reversed(latest[written:count]) if p.plan), None)
        if best is not None:
            await runs.save_plan(
                session=session,
                campaign_id=campaign_id,
                run=run,
                plan=best,
                frame=frame,
                status=None,
            )
    return count


async def plan_campaign(ctx: dict[str, Any], *, campaign_id: str, run: int) -> str:
    """arq job: plan one run of a campaign."""
    return await run_plan(ctx["database"], uuid.UUID(campaign_id), run, ctx["settings"])
