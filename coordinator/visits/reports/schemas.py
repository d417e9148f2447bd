"""Request and response shapes of the coordinator's reports and exports."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import Field

from coordinator.visits.models import NeedCategory
from coordinator.visits.schemas import Out
from coordinator.web.validation import Query


class CoverageQuery(Query):
    days: int = Field(default=30, ge=1, le=3650)
    building_id: uuid.UUID | None = None
    limit: int = Field(default=200, ge=1, le=5000)


class UncoveredCompany(Out):
    company_id: uuid.UUID
    name: str
    building_id: uuid.UUID | None
    floor: str | None
    liaison_id: uuid.UUID | None
    last_visit_at: datetime | None


class BuildingCoverage(Out):
    building_id: uuid.UUID | None
    building_name: str | None
    companies: int
    visited: int
    coverage: float


class CoverageOut(Out):
    days: int
    companies: int
    visited: int
    buildings: list[BuildingCoverage]
    not_visited: list[UncoveredCompany]


class ExportQuery(Query):
    day: date | None = None
    team_id: uuid.UUID | None = None
    liaison_id: uuid.UUID | None = None
    building_id: uuid.UUID | None = None
    status: str | None = Field(default=None, max_length=30)
    category: NeedCategory | None = None
    overdue: bool | None = None
    days: int = Field(default=30, ge=1, le=3650)
