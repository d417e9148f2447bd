"""Request and response shapes of shifts (and what the sub-features' shapes share)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from coordinator.people.schemas import Skills
from coordinator.shifts.models import ShiftStatus
from coordinator.web.listing import ListQuery
from coordinator.web.validation import Body

Name = Annotated[str, Field(min_length=1, max_length=100)]
Note = Annotated[str, Field(max_length=1000)]
People = Annotated[int, Field(ge=0, le=1000)]


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


def check_bounds(
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
        check_bounds(self.starts_at, self.ends_at, self.min_people, self.max_people)
        return self


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
