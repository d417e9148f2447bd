"""The demo's joint-case side: the work calendar, departments, categories and their
routing rules, the residential survey (demo_housing) and its campaign under way with today's
rounds (demo_campaign), inserted after the registry and people they name, and then the
cases filed and moved through the engine (demo_cases)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.ops.demo_calendar import calendar_days, insert_calendar
from coordinator.ops.demo_campaign import CampaignDemo, insert_campaign
from coordinator.ops.demo_cases import CASES, insert_cases
from coordinator.ops.demo_depts import DepartmentsDemo, insert_departments
from coordinator.ops.demo_housing import HousingDemo, insert_housing
from coordinator.platform.settings import Settings


def joint_counts(
    departments: DepartmentsDemo, housing: HousingDemo, campaign: CampaignDemo
) -> dict[str, int]:
    return (
        {"work_calendar_days": len(calendar_days())}
        | departments.counts()
        | housing.counts()
        | campaign.counts()
        | {"cases": len(CASES)}
    )


async def insert_joint(
    session: AsyncSession,
    settings: Settings,
    departments: DepartmentsDemo,
    housing: tuple[HousingDemo, CampaignDemo],
    *,
    areas: list[dict[str, Any]],
    buildings: list[dict[str, Any]],
    now: datetime,
    seed: int,
) -> None:
    await insert_calendar(session)
    await insert_departments(session, departments)
    await insert_housing(session, housing[0], now)
    await insert_campaign(session, settings, *housing, now=now, seed=seed)
    await insert_cases(session, settings, areas=areas, buildings=buildings, now=now)
