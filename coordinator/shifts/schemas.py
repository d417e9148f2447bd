"""Request and response shapes of posts, shifts, series, signups and hours."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from coordinator.people.schemas import Skills
from coordinator.shifts.models import GATE_STEPS, HoursStatus, ShiftStatus, SignupStatus
from coordinator.web.listing import ListQuery
from coordinator.web.validation import Body, Query

Name = Annotated[str, Field(min_length=1, max_length=100)]
Step = Annotated[str, Field(min_length=1, max_length=100)]
Note = Annotated[str, Field(max_length=1000)]
People = Annotated[int, Field(ge=0, le=1000)]
# YYYY-MM, years 0001 to 9999 (a date has no year 0).
Month = Annotated[
    str, Field(pattern=r"^(000[1-9]|00[1-9]\d|0[1-9]\d\d|[1-9]\d{3})-(0[1-9]|1[0-2])$")
]


def _clock(value: str) -> str:
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        raise PydanticCustomError("clock", "must be HH:MM", {"zh": "应为 HH:MM 格式的时间"})
    return value


Clock = Annotated[str, AfterValidator(_clock)]


def _rrule(value: str) -> str:
    from coordinator.shifts.recurrence import check_rrule

    if not check_rrule(value):
        raise PydanticCustomError(
            "rrule",
            "must be an RRULE such as FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
            {"zh": "应为重复规则（「RRULE」），如「FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR」"},
        )
    return value


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# Posts


class PostIn(Body):
    name: Name
    area_id: uuid.UUID | None = None
    building_id: uuid.UUID | None = None
    address: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    description: Annotated[str, Field(max_length=2000)] | None = None
    checklist: Annotated[list[Step], Field(max_length=30)] = Field(
        default_factory=lambda: list(GATE_STEPS)
    )
    required_skills: Skills = Field(default_factory=list)
    team_id: uuid.UUID | None = None


class PostPatch(Body):
    name: Name | None = None
    area_id: uuid.UUID | None = None
    building_id: uuid.UUID | None = None
    address: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    description: Annotated[str, Field(max_length=2000)] | None = None
    checklist: Annotated[list[Step], Field(max_length=30)] | None = None
    required_skills: Skills | None = None
    team_id: uuid.UUID | None = None


class PostOut(Out):
    id: uuid.UUID
    name: str
    area_id: uuid.UUID | None
    building_id: uuid.UUID | None
    address: str | None
    description: str | None
    checklist: list[str]
    required_skills: list[str]
    team_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime


class PostQuery(ListQuery):
    team_id: uuid.UUID | None = None


# Shifts


class ShiftIn(Body):
    post_id: uuid.UUID
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    min_people: People = 1
    max_people: Annotated[int, Field(ge=1, le=1000)]
    required_skills: Skills | None = None
    notes: Note | None = None

    @model_validator(mode="after")
    def _bounds(self) -> ShiftIn:
        _check_bounds(self.starts_at, self.ends_at, self.min_people, self.max_people)
        return self


def _check_bounds(
    starts_at: datetime | None, ends_at: datetime | None, low: int | None, high: int | None
) -> None:
    if starts_at and ends_at and ends_at <= starts_at:
        raise PydanticCustomError(
            "order", "ends_at must be after starts_at", {"zh": "结束时间应晚于开始时间"}
        )
    if low is not None and high is not None and low > high:
        raise PydanticCustomError(
            "order", "min_people must not exceed max_people", {"zh": "最少人数不能超过最多人数"}
        )


class ShiftPatch(Body):
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    min_people: People | None = None
    max_people: Annotated[int, Field(ge=1, le=1000)] | None = None
    required_skills: Skills | None = None
    notes: Note | None = None
    scope: Literal["this", "following"] = "this"


class CancelShiftIn(Body):
    scope: Literal["this", "following"] = "this"
    reason: Annotated[str, Field(max_length=200)] | None = None


class ShiftOut(Out):
    id: uuid.UUID
    post_id: uuid.UUID
    series_id: uuid.UUID | None
    starts_at: datetime
    ends_at: datetime
    min_people: int
    max_people: int
    filled: int
    required_skills: list[str]
    notes: str | None
    status: ShiftStatus
    sequence: int
    created_at: datetime
    updated_at: datetime


class ShiftQuery(ListQuery):
    post_id: uuid.UUID | None = None
    series_id: uuid.UUID | None = None
    status: ShiftStatus | None = None
    starts_after: AwareDatetime | None = None
    starts_before: AwareDatetime | None = None


class Window(Body):
    start: Clock
    end: Clock


class SeriesIn(Body):
    post_id: uuid.UUID
    rrule: Annotated[str, Field(min_length=1, max_length=500), AfterValidator(_rrule)]
    starts_on: date
    until: date | None = None
    windows: Annotated[list[Window], Field(min_length=1, max_length=6)]
    exdates: Annotated[list[date], Field(max_length=400)] = Field(default_factory=list)
    min_people: People = 1
    max_people: Annotated[int, Field(ge=1, le=1000)]
    required_skills: Skills | None = None
    notes: Note | None = None
    weeks_ahead: Annotated[int, Field(ge=0, le=26)] = 8

    @model_validator(mode="after")
    def _bounds(self) -> SeriesIn:
        _check_bounds(None, None, self.min_people, self.max_people)
        return self


class ExdatesIn(Body):
    exdates: Annotated[list[date], Field(min_length=1, max_length=400)]


class SeriesOut(Out):
    id: uuid.UUID
    post_id: uuid.UUID
    rrule: str
    starts_on: date
    until: date | None
    windows: list[dict[str, str]]
    exdates: list[date]
    min_people: int
    max_people: int
    required_skills: list[str]
    notes: str | None
    materialized_until: date | None
    created_at: datetime
    updated_at: datetime


# Signups


class SignupIn(Body):
    person_id: uuid.UUID | None = None
    team_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _one(self) -> SignupIn:
        if (self.person_id is None) == (self.team_id is None):
            raise PydanticCustomError(
                "one_of",
                "give person_id or team_id",
                {"zh": "请提供「person_id」或「team_id」之一"},
            )
        return self


class SignupOut(Out):
    id: uuid.UUID
    shift_id: uuid.UUID
    person_id: uuid.UUID
    status: SignupStatus
    arrival: int
    waitlist_position: int | None = None
    starts_at: datetime
    ends_at: datetime
    sequence: int
    swap_offered_at: datetime | None
    swapped_from_id: uuid.UUID | None
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    cancelled_at: datetime | None
    created_at: datetime
    updated_at: datetime


class TeamSignupOut(BaseModel):
    signups: list[SignupOut]
    skipped: list[dict[str, str]]


class SignupQuery(Query):
    status: SignupStatus | None = None


class SignupList(BaseModel):
    """Every signup of the shift (one page: next_cursor is always null)."""

    items: list[SignupOut]
    next_cursor: str | None
    total: int


class SwapIn(Body):
    person_id: uuid.UUID


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


class PersonLinkOut(BaseModel):
    person_id: uuid.UUID
    url: str
    expires_at: datetime
