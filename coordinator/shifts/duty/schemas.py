"""Request and response shapes of checklist ticks and the hours ledger."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from coordinator.shifts.models import HoursStatus
from coordinator.shifts.schemas import Note, Out
from coordinator.web.listing import ListQuery
from coordinator.web.validation import Body, Query

# YYYY-MM, years 0001 to 9999 (a date has no year 0).
Month = Annotated[
    str, Field(pattern=r"^(000[1-9]|00[1-9]\d|0[1-9]\d\d|[1-9]\d{3})-(0[1-9]|1[0-2])$")
]


class TickIn(Body):
    step: Annotated[int, Field(ge=0, le=29)]
    note: Note | None = None


class TickOut(Out):
    id: uuid.UUID
    signup_id: uuid.UUID
    step: int
    label: str
    note: str | None
    ticked_at: datetime


class HoursOut(Out):
    id: uuid.UUID
    signup_id: uuid.UUID
    person_id: uuid.UUID
    shift_id: uuid.UUID
    team_id: uuid.UUID | None
    company_id: uuid.UUID | None
    served_on: date
    minutes: int
    status: HoursStatus
    approved_by_id: uuid.UUID | None
    approved_at: datetime | None


class ApproveIn(Body):
    approved_by_id: uuid.UUID | None = None
    approve: bool = True


class HoursQuery(ListQuery):
    person_id: uuid.UUID | None = None
    team_id: uuid.UUID | None = None
    company_id: uuid.UUID | None = None
    status: HoursStatus | None = None
    month: Month | None = None


class HoursList(BaseModel):
    items: list[HoursOut]
    next_cursor: str | None
    total: int


class StatementQuery(Query):
    month: Month
    by: Literal["person", "team", "branch", "company"] = "person"
    status: HoursStatus | None = HoursStatus.approved
    company_id: uuid.UUID | None = Field(
        default=None, description="only hours served for this company (its own statement)"
    )
