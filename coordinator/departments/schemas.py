"""Request and response shapes of departments (部门/力量) and their members."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, time
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from coordinator.departments.models import DepartmentKind
from coordinator.people.schemas import Email, Name, Phone
from coordinator.web.listing import ListQuery
from coordinator.web.validation import Body

MAX_PERIODS = 4
_PERIOD = re.compile(r"(\d{2}):(\d{2})-(\d{2}):(\d{2})")


def _moment(hours: str, minutes: str, *, end: bool) -> time | None:
    """A clock time from HH and MM (24:00 only as an end), or None if there is none."""
    h, m = int(hours), int(minutes)
    if m > 59 or h > 24 or (h == 24 and (m or not end)):
        return None
    return time.max if h == 24 else time(h, m)


def parse_work_hours(text: str) -> list[tuple[time, time]]:
    """The working periods of "08:30-11:30,13:00-17:00": ascending, none overlapping
    (ValueError otherwise). 24:00 as an end reads as time.max."""
    periods: list[tuple[time, time]] = []
    for part in text.split(","):
        found = _PERIOD.fullmatch(part.strip())
        if found is None:
            raise ValueError("format")
        start = _moment(found[1], found[2], end=False)
        end = _moment(found[3], found[4], end=True)
        if start is None or end is None:
            raise ValueError("format")
        if end <= start:
            raise ValueError("order")
        if periods and start < periods[-1][1]:
            raise ValueError("overlap")
        periods.append((start, end))
    if len(periods) > MAX_PERIODS:
        raise ValueError("count")
    return periods


_PROBLEMS = {
    "format": (
        "must read HH:MM-HH:MM, several periods separated by commas",
        "格式应为「HH:MM-HH:MM」，多个时段以逗号分隔",
    ),
    "order": ("each period must end after it starts", "每个时段的结束时间须晚于开始时间"),
    "overlap": (
        "periods must be in ascending order and must not overlap",
        "时段须按时间先后排列且互不重叠",
    ),
    "count": (f"at most {MAX_PERIODS} periods", f"最多 {MAX_PERIODS} 个时段"),
}


def _work_hours(value: str) -> str:
    try:
        periods = parse_work_hours(value)
    except ValueError as exc:
        english, chinese = _PROBLEMS[str(exc)]
        raise PydanticCustomError("work_hours", english, {"zh": chinese}) from None
    return ",".join(
        f"{start:%H:%M}-{'24:00' if end == time.max else f'{end:%H:%M}'}" for start, end in periods
    )


WorkHours = Annotated[
    str,
    Field(
        min_length=11,
        max_length=100,
        description="working periods of its days, e.g. 08:30-11:30,13:00-17:00 "
        "(ascending, not overlapping); none: the subdistrict's working hours",
        examples=["08:30-11:30,13:00-17:00"],
    ),
    AfterValidator(_work_hours),
]
DepartmentPhone = Annotated[Phone, Field(max_length=20)]


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class DepartmentIn(Body):
    name: Name
    kind: DepartmentKind
    team_id: uuid.UUID | None = Field(
        default=None,
        description="the Fumin team that is this department: its members are the team's",
    )
    area_id: uuid.UUID | None = Field(
        default=None, description="the area a residential committee or property manager serves"
    )
    phone: DepartmentPhone | None = None
    email: Email | None = None
    work_hours: WorkHours | None = None
    active: bool = True


class DepartmentPatch(Body):
    name: Name | None = None
    kind: DepartmentKind | None = None
    team_id: uuid.UUID | None = None
    area_id: uuid.UUID | None = None
    phone: DepartmentPhone | None = None
    email: Email | None = None
    work_hours: WorkHours | None = None
    active: bool | None = None


class DepartmentOut(Out):
    id: uuid.UUID
    name: str
    kind: DepartmentKind
    team_id: uuid.UUID | None
    area_id: uuid.UUID | None
    phone: str | None
    email: str | None
    work_hours: str | None
    active: bool
    lead_id: uuid.UUID | None = Field(
        description="the department's lead (its team's lead when it is a team)"
    )
    created_at: datetime
    updated_at: datetime


class DepartmentQuery(ListQuery):
    kind: DepartmentKind | None = None
    active: bool | None = None
    team_id: uuid.UUID | None = None
    area_id: uuid.UUID | None = None


class DepartmentMemberIn(Body):
    person_id: uuid.UUID
    is_lead: bool = Field(
        default=False, description="make them the lead (the former lead stays a member)"
    )


class DepartmentMemberPatch(Body):
    is_lead: bool


class DepartmentMemberOut(Out):
    department_id: uuid.UUID
    person_id: uuid.UUID
    name: str
    is_lead: bool
    created_at: datetime
    updated_at: datetime


class DepartmentMemberQuery(ListQuery):
    is_lead: bool | None = None
