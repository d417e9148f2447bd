"""Rows for the report tests, written straight into the tables (no engine needed): a few
departments, categories and places, cases and their tasks at chosen times."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.cases.categories.models import CaseCategory
from coordinator.cases.models import Case, CaseSource, CaseStatus, CaseTask, TaskRole, TaskStatus
from coordinator.departments.models import Department, DepartmentKind
from coordinator.events.models import OutboxEvent
from coordinator.registry.models import (
    Area,
    AreaKind,
    Building,
    BuildingKind,
    Company,
    CompanyStatus,
)
from tests.registry.conftest import credit_code

SHANGHAI = ZoneInfo("Asia/Shanghai")
_numbers = itertools.count(1)


def at(text: str) -> datetime:
    """A time on the subdistrict's clock, e.g. at("2026-03-31 23:30")."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@dataclass
class Rows:
    session: AsyncSession
    made: list[object] = field(default_factory=list)

    async def _add(self, row):  # type: ignore[no-untyped-def]
        self.session.add(row)
        await self.session.flush()
        return row

    async def department(
        self, name: str, kind: DepartmentKind = DepartmentKind.housing_office, active: bool = True
    ) -> Department:
        return await self._add(Department(name=name, kind=kind, active=active))

    async def category(self, code: str, name: str, name_en: str | None = None) -> CaseCategory:
        return await self._add(
            CaseCategory(code=code, name=name, name_en=name_en, response_hours=4, resolution_days=5)
        )

    async def area(self, name: str) -> Area:
        return await self._add(Area(name=name, kind=AreaKind.residential))

    async def building(self, name: str, area: Area | None = None) -> Building:
        return await self._add(
            Building(
                name=name,
                address="华山路1号",
                kind=BuildingKind.residential,
                area_id=area.id if area else None,
            )
        )

    async def company(self, name: str, building: Building) -> Company:
        return await self._add(
            Company(
                name=name,
                credit_code=credit_code(next(_numbers)),
                building_id=building.id,
                status=CompanyStatus.operating,
            )
        )

    async def case(
        self,
        category: CaseCategory,
        *,
        status: CaseStatus = CaseStatus.in_progress,
        building: Building | None = None,
        area: Area | None = None,
        company: Company | None = None,
        lead: Department | None = None,
        created_at: datetime | None = None,
        resolution_due_at: datetime | None = None,
    ) -> Case:
        created_at = created_at or at("2026-03-02 09:00")
        return await self._add(
            Case(
                title="疑似群租",
                description="居民反映楼内有群租",
                category_id=category.id,
                status=status,
                source=CaseSource.coordinator,
                building_id=building.id if building else None,
                area_id=area.id if area else None,
                company_id=company.id if company else None,
                lead_department_id=lead.id if lead else None,
                response_due_at=created_at + timedelta(hours=4),
                resolution_due_at=resolution_due_at or created_at + timedelta(days=7),
                created_by="测试",
                created_at=created_at,
            )
        )

    async def task(
        self,
        case: Case,
        department: Department,
        *,
        created_at: datetime,
        due_at: datetime | None = None,
        accepted_at: datetime | None = None,
        done_at: datetime | None = None,
        status: TaskStatus | None = None,
        role: TaskRole = TaskRole.lead,
    ) -> CaseTask:
        if status is None:
            status = (
                TaskStatus.done
                if done_at
                else TaskStatus.accepted
                if accepted_at
                else TaskStatus.pending
            )
        return await self._add(
            CaseTask(
                case_id=case.id,
                department_id=department.id,
                role=role,
                status=status,
                created_at=created_at,
                due_at=due_at or created_at + timedelta(days=3),
                accepted_at=accepted_at,
                done_at=done_at,
            )
        )

    async def reopened(self, case: Case, when: datetime, lead: Department | None) -> None:
        """The event a reopening writes (the case's data as events carry it)."""
        await self._add(
            OutboxEvent(
                id=uuid.uuid4(),
                type="case.reopened",
                occurred_at=when,
                subject_type="case",
                subject_id=case.id,
                actor="测试",
                data={
                    "case_id": str(case.id),
                    "number": case.number,
                    "status": "reopened",
                    "lead_department_id": str(lead.id) if lead else None,
                },
            )
        )
