"""The demo's joint-case side: the work calendar, departments, categories and their
routing rules, the residential survey (demo_housing), inserted after the registry and
people they name, and then the cases filed and moved through the engine (demo_cases)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.ops.demo_calendar import calendar_days, insert_calendar
from coordinator.ops.demo_cases import CASES, insert_cases
from coordinator.ops.demo_depts import DepartmentsDemo, insert_departments
from coordinator.ops.demo_housing import HousingDemo, insert_housing
from coordinator.platform.settings import Settings


def joint_counts(departments: DepartmentsDemo, housing: HousingDemo) -> dict[str, int]:
    return (
        {"work_calendar_days": len(calendar_days())}
        | departments.counts()
        | housing.counts()
        | {"cases": len(CASES)}
    )


async def insert_joint(
    session: AsyncSession,
    settings: Settings,
    departments: DepartmentsDemo,
    housing: HousingDemo,
    *,
    areas: list[dict[str, Any]],
    buildings: list[dict[str, Any]],
) -> None:
    await insert_calendar(session)
    await insert_departments(session, departments)
    await insert_housing(session, housing)
    await insert_cases(session, settings, areas=areas, buildings=buildings)
