"""Request and response shapes of recurring rosters."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from coordinator.people.schemas import Skills
from coordinator.shifts.schemas import Note, Out, People, check_bounds
from coordinator.shifts.series.recurrence import check_rrule
from coordinator.web.validation import Body


def _clock(value: str) -> str:
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        raise PydanticCustomError("clock", "must be HH:MM", {"zh": "应为 HH:MM 格式的时间"})
    return value


Clock = Annotated[str, AfterValidator(_clock)]


def _rrule(value: str) -> str:
    if not check_rrule(value):
        raise PydanticCustomError(
            "rrule",
            "must be an RRULE such as FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
            {"zh": "应为重复规则（「RRULE」），如「FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR」"},
        )
    return value


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
        check_bounds(None, None, self.min_people, self.max_people)
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
