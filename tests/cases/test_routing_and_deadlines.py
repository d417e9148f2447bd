"""Routing picks the most specific rule (building > area > the category's own); clocks are
counted in working time across a weekend, a public holiday and a make-up working day,
each department's task on its own hours, urgency scaling both."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from coordinator.auth.service import SYSTEM
from coordinator.cases.categories.models import CaseCategory, CaseRoute
from coordinator.cases.filing.service import file_case
from coordinator.cases.models import CaseSource, CaseTask, TaskRole
from coordinator.cases.schemas import CaseIn
from coordinator.departments.models import Department, DepartmentKind
from coordinator.worktime.models import WorkCalendarDay
from coordinator.worktime.service import load_calendar
from tests.cases.conftest import World

BEIJING = timezone(timedelta(hours=8))


def body(world: World, **extra) -> CaseIn:  # type: ignore[no-untyped-def]
    data = {
        "title": "楼道堆物",
        "description": "楼道里堆满纸箱",
        "category": world.category_code,
        "building_id": str(world.building_id),
        **extra,
    }
    return CaseIn.model_validate_json(json.dumps(data))


async def _department(session, name: str, hours: str | None = None) -> Department:  # type: ignore[no-untyped-def]
    department = Department(
        id=uuid.uuid4(), name=f"{name}-{uuid.uuid4().hex[:6]}", kind=DepartmentKind.other
    )
    department.work_hours = hours
    session.add(department)
    await session.flush()
    return department


async def test_the_building_rule_beats_the_area_rule_which_beats_the_category_rule(
    database, settings, world: World
):
    async with database.sessionmaker.begin() as session:
        by_area = await _department(session, "片区专班")
        by_building = await _department(session, "楼宇专班")
        session.add_all(
            [
                CaseRoute(
                    category_id=world.category_id,
                    area_id=world.area_id,
                    lead_department_id=by_area.id,
                ),
                CaseRoute(
                    category_id=world.category_id,
                    building_id=world.building_id,
                    lead_department_id=by_building.id,
                ),
            ]
        )
    async with database.sessionmaker.begin() as session:
        in_building = await file_case(
            session=session,
            actor=SYSTEM,
            settings=settings,
            data=body(world),
            source=CaseSource.survey,
        )
        in_area = await file_case(
            session=session,
            actor=SYSTEM,
            settings=settings,
            data=body(world, building_id=str(world.other_building_id)),
            source=CaseSource.survey,
        )
        elsewhere = await file_case(
            session=session,
            actor=SYSTEM,
            settings=settings,
            data=body(world, building_id=None, address="华山路 200 号"),
            source=CaseSource.survey,
        )
        assert in_building.lead_department_id == by_building.id
        assert in_area.lead_department_id == by_area.id
        assert in_area.area_id == world.area_id
        assert elsewhere.lead_department_id == world.departments["housing"]
        # The building and area rules have no co-handlers; the category's has three.
        counts = {}
        for case in (in_building, in_area, elsewhere):
            tasks = (
                await session.scalars(select(CaseTask).where(CaseTask.case_id == case.id))
            ).all()
            counts[case.id] = sorted(t.role.value for t in tasks)
        assert counts[in_building.id] == ["lead"]
        assert counts[in_area.id] == ["lead"]
        assert counts[elsewhere.id] == ["co", "co", "co", "lead"]


async def test_a_category_without_a_rule_files_a_case_with_no_task(database, settings, world):
    async with database.sessionmaker.begin() as session:
        await session.execute(
            CaseRoute.__table__.delete().where(CaseRoute.category_id == world.category_id)
        )
        case = await file_case(
            session=session,
            actor=SYSTEM,
            settings=settings,
            data=body(world),
            source=CaseSource.survey,
        )
        tasks = (await session.scalars(select(CaseTask).where(CaseTask.case_id == case.id))).all()
        assert case.status == "new" and case.lead_department_id is None and list(tasks) == []


async def _calendar_with_may_2026(session) -> None:  # type: ignore[no-untyped-def]
    """Saturday 9 May is a make-up working day, Monday 11 May a public holiday."""
    session.add_all(
        [
            WorkCalendarDay(day=date(2026, 5, 9), working=True, name="调休上班"),
            WorkCalendarDay(day=date(2026, 5, 11), working=False, name="假日"),
        ]
    )
    await session.flush()


@pytest.mark.parametrize(
    ("urgency", "response", "resolution", "task"),
    [
        # Friday 16:00: 1.5 h left that day, Saturday is worked (make-up), Sunday is not,
        # Monday is a holiday. Eight hours: Saturday 16:30. Two working days: Saturday,
        # then Tuesday (close of business 17:30; the department closes at 17:00).
        ("normal", (5, 9, 16, 30), (5, 12, 17, 30), (5, 12, 17, 0)),
        # Urgent (0.25): two hours, Saturday 09:30; half a working day (3.75 h),
        # Saturday 11:15 (the department's day is 7 h: 3.5 h, Saturday 11:00).
        ("urgent", (5, 9, 9, 30), (5, 9, 11, 15), (5, 9, 11, 0)),
        # Low (2): sixteen hours, Tuesday 17:00; four working days, Thursday's close.
        ("low", (5, 12, 17, 0), (5, 14, 17, 30), (5, 14, 17, 0)),
    ],
)
async def test_clocks_run_in_working_time_over_a_weekend_a_holiday_and_a_make_up_day(
    database, settings, world: World, urgency, response, resolution, task
):
    filed = datetime(2026, 5, 8, 16, 0, tzinfo=BEIJING)
    async with database.sessionmaker.begin() as session:
        await _calendar_with_may_2026(session)
        await session.execute(
            update(CaseCategory)
            .where(CaseCategory.id == world.category_id)
            .values(response_hours=8, resolution_days=2)
        )
        await session.execute(
            update(Department)
            .where(Department.id == world.departments["housing"])
            .values(work_hours="08:30-11:30,13:00-17:00")
        )
        case = await file_case(
            session=session,
            actor=SYSTEM,
            settings=settings,
            data=body(world, urgency=urgency),
            source=CaseSource.coordinator,
            now=filed,
            calendar=await load_calendar(session, settings),
        )
        lead = await session.scalar(
            select(CaseTask).where(CaseTask.case_id == case.id, CaseTask.role == TaskRole.lead)
        )
        helper = await session.scalar(
            select(CaseTask).where(
                CaseTask.case_id == case.id,
                CaseTask.department_id == world.departments["urban"],
            )
        )

    def local(moment: datetime) -> tuple[int, int, int, int]:
        at = moment.astimezone(BEIJING)
        return (at.month, at.day, at.hour, at.minute)

    assert local(case.response_due_at) == response
    assert local(case.resolution_due_at) == resolution
    assert lead is not None and local(lead.due_at) == task
    # A department on the subdistrict's hours is due with the case.
    assert helper is not None and helper.due_at == case.resolution_due_at


async def test_a_category_may_set_its_own_urgency_factors(database, settings, world: World):
    filed = datetime(2026, 5, 6, 9, 0, tzinfo=BEIJING)  # a Wednesday morning
    async with database.sessionmaker.begin() as session:
        await session.execute(
            update(CaseCategory)
            .where(CaseCategory.id == world.category_id)
            .values(response_hours=4, resolution_days=2, urgency_factors={"high": 1})
        )
        case = await file_case(
            session=session,
            actor=SYSTEM,
            settings=settings,
            data=body(world, urgency="high"),
            source=CaseSource.coordinator,
            now=filed,
        )
    at = case.response_due_at.astimezone(BEIJING)
    assert (at.day, at.hour, at.minute) == (6, 14, 0)  # 09:00-12:00, 13:00-14:00
