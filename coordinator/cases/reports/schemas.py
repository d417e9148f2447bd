"""Request and response shapes of the case reports."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from coordinator.departments.models import DepartmentKind
from coordinator.web.validation import Query

# Years 1970 to 2999: a month whose bounds every zone can hold.
Month = Annotated[
    str,
    Field(
        pattern=r"^(19[7-9]\d|2\d{3})-(0[1-9]|1[0-2])$",
        description="YYYY-MM in the subdistrict's zone; this month when left out",
    ),
]


class MonthQuery(Query):
    month: Month | None = None


class DepartmentFigures(BaseModel):
    """A department's month (or the subdistrict's, summed over its departments)."""

    received: int = Field(description="tasks given to the department in the month")
    closed: int = Field(description="its tasks done in the month")
    on_time: int = Field(description="of those, done by their due time")
    late: int = Field(description="of those, done after their due time")
    overdue_open: int = Field(
        description="tasks still open past their due time at the month's end (or now)"
    )
    overdue: int = Field(description="late + overdue_open")
    on_time_rate: float | None = Field(description="on_time / closed, none when nothing closed")
    median_accept_hours: float | None = Field(
        description="median hours from a task given to it accepted, of tasks accepted in the month"
    )
    median_close_hours: float | None = Field(
        description="median hours from a task given to it done, of tasks done in the month"
    )
    reopened: int = Field(description="cases it leads reopened in the month")


class DepartmentRow(DepartmentFigures):
    department_id: uuid.UUID
    name: str
    kind: DepartmentKind
    active: bool


class DepartmentReport(BaseModel):
    month: str
    zone: str
    starts_at: datetime
    ends_at: datetime
    as_of: datetime = Field(description="when open tasks were counted: the month's end or now")
    departments: list[DepartmentRow]
    total: DepartmentFigures


class StatusCounts(BaseModel):
    new: int = 0
    accepted: int = 0
    in_progress: int = 0
    reopened: int = 0


class CategoryCount(BaseModel):
    category_id: uuid.UUID
    code: str
    name: str
    name_en: str | None
    open: int
    overdue: int


class PlaceFigures(BaseModel):
    open: int = Field(description="open cases (new, accepted, in progress, reopened)")
    overdue: int = Field(description="of those, past their resolution due time")
    by_status: StatusCounts
    by_category: list[CategoryCount]


class BuildingRow(PlaceFigures):
    building_id: uuid.UUID | None = Field(description="none: cases at no building")
    name: str | None
    area_id: uuid.UUID | None
    area_name: str | None


class AreaRow(PlaceFigures):
    area_id: uuid.UUID | None = Field(description="none: cases in no area")
    name: str | None


class PlacesReport(BaseModel):
    as_of: datetime
    total: PlaceFigures
    buildings: list[BuildingRow]
    areas: list[AreaRow]


class ReportLinkOut(BaseModel):
    url: str = Field(description="the page of charts, for a browser; shown once")
    expires_at: datetime
