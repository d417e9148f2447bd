"""The demo's joint-case side: the work calendar, departments, categories and their
routing rules, inserted after the registry and people they name."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.ops.demo_calendar import calendar_days, insert_calendar
from coordinator.ops.demo_depts import DepartmentsDemo, insert_departments


def joint_counts(departments: DepartmentsDemo) -> dict[str, int]:
    return {"work_calendar_days": len(calendar_days())} | departments.counts()


async def insert_joint(session: AsyncSession, departments: DepartmentsDemo) -> None:
    await insert_calendar(session)
    await insert_departments(session, departments)
