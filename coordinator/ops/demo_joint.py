"""The demo's joint-case side: the work calendar, departments, categories and their
routing rules; and the residential survey (demo_housing), whose findings become cases:
inserted after the registry and people they name."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.ops.demo_calendar import calendar_days, insert_calendar
from coordinator.ops.demo_depts import DepartmentsDemo, insert_departments
from coordinator.ops.demo_housing import HousingDemo, insert_housing


def joint_counts(departments: DepartmentsDemo, housing: HousingDemo) -> dict[str, int]:
    return {"work_calendar_days": len(calendar_days())} | departments.counts() | housing.counts()


async def insert_joint(
    session: AsyncSession, departments: DepartmentsDemo, housing: HousingDemo
) -> None:
    await insert_calendar(session)
    await insert_departments(session, departments)
    await insert_housing(session, housing)
