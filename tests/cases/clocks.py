"""What the clock tests share: the 2026 Labour Day calendar (a public holiday on each side
of a weekend, a make-up working Saturday after it), a case filed at a given moment, the
sweep run at a given moment, a case worked to its end."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select, update

from coordinator.auth.service import SYSTEM
from coordinator.cases.categories.models import CaseCategory
from coordinator.cases.clock.service import SweepResult, sweep
from coordinator.cases.filing.service import file_case
from coordinator.cases.followup.service import resolve_case
from coordinator.cases.models import Case, CaseSource, CaseTask
from coordinator.cases.schemas import CaseIn
from coordinator.cases.service import accept_case
from coordinator.cases.tasks.service import accept_task, complete_task
from coordinator.departments.models import Department
from coordinator.events.models import OutboxEvent
from coordinator.platform.db import Database
from coordinator.platform.settings import Settings
from coordinator.worktime.models import WorkCalendarDay
from tests.cases.conftest import World

BEIJING = timezone(timedelta(hours=8))
# Friday 1 May and Monday 4, Tuesday 5 May off; Saturday 9 May worked (调休上班).
LABOUR_DAY = {
    date(2026, 5, 1): False,
    date(2026, 5, 4): False,
    date(2026, 5, 5): False,
    date(2026, 5, 9): True,
}
HOUSING_HOURS = "08:30-11:30,13:00-17:00"  # 7 working hours a day
LADDER = [
    {"after_hours": 0, "to": "department_lead"},
    {"after_hours": 16, "to": "coordinators"},
]


def at(day: int, hour: int, minute: int = 0, month: int = 5) -> datetime:
    """A moment of 2026 in Beijing."""
    return datetime(2026, month, day, hour, minute, tzinfo=BEIJING)


async def labour_day(database: Database, world: World, *, resolution_days: int = 1) -> None:
    """The holiday calendar, the housing office on its own hours, the category's ladder."""
    async with database.sessionmaker.begin() as session:
        for day, working in LABOUR_DAY.items():
            session.add(WorkCalendarDay(day=day, working=working, name="劳动节"))
        await session.execute(
            update(Department)
            .where(Department.id == world.departments["housing"])
            .values(work_hours=HOUSING_HOURS)
        )
        await session.execute(
            update(CaseCategory)
            .where(CaseCategory.id == world.category_id)
            .values(resolution_days=resolution_days, escalation=LADDER)
        )


async def file_at(
    database: Database, settings: Settings, world: World, now: datetime, **extra: Any
) -> Case:
    data = {
        "title": "疑似群租：华山路 100 弄 3 号 502 室",
        "description": "一套两居室住了十余人",
        "category": world.category_code,
        "building_id": str(world.building_id),
        "reporter_contact_id": str(world.contact_id),
        **extra,
    }
    source = CaseSource.hotline if extra.get("hotline_number") else CaseSource.coordinator
    async with database.sessionmaker.begin() as session:
        return await file_case(
            session=session,
            actor=SYSTEM,
            settings=settings,
            data=CaseIn.model_validate_json(json.dumps(data)),
            source=source,
            now=now,
        )


async def run_sweep(database: Database, settings: Settings, now: datetime) -> SweepResult:
    async with database.sessionmaker.begin() as session:
        return await sweep(session, settings=settings, now=now)


async def tasks_of(database: Database, case_id: uuid.UUID) -> dict[uuid.UUID, CaseTask]:
    """A case's tasks by department."""
    async with database.session() as session:
        tasks = await session.scalars(select(CaseTask).where(CaseTask.case_id == case_id))
        return {t.department_id: t for t in tasks}


async def clock_events(database: Database, case_id: uuid.UUID) -> list[OutboxEvent]:
    async with database.session() as session:
        return list(
            (
                await session.scalars(
                    select(OutboxEvent)
                    .where(
                        OutboxEvent.subject_id == case_id,
                        OutboxEvent.type.in_(["case.reminder_due", "case.escalated"]),
                    )
                    .order_by(OutboxEvent.txid, OutboxEvent.seq)
                )
            ).all()
        )


def steps(events: list[OutboxEvent]) -> list[tuple[str, str, int, int]]:
    """(department, kind, step, sequence) of each clock event."""
    return [
        (
            e.data["department_id"],
            "remind" if e.type == "case.reminder_due" else "escalate",
            e.data["step"],
            e.data["sequence"],
        )
        for e in events
    ]


async def work_to_resolution(database: Database, case_id: uuid.UUID, now: datetime) -> None:
    """Accept the case, every task accepted and done, the case resolved."""
    async with database.sessionmaker.begin() as session:
        await accept_case(session=session, actor=SYSTEM, case_id=case_id)
        tasks = await session.scalars(select(CaseTask.id).where(CaseTask.case_id == case_id))
        for task_id in list(tasks.all()):
            await accept_task(session=session, actor=SYSTEM, case_id=case_id, task_id=task_id)
            await complete_task(
                session=session, actor=SYSTEM, case_id=case_id, task_id=task_id, note="已处置"
            )
        await resolve_case(
            session=session, actor=SYSTEM, case_id=case_id, resolution="已处置完毕", now=now
        )
