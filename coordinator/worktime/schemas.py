"""Request and response shapes of the work calendar."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from coordinator.platform.workhours import Periods, parse_work_hours
from coordinator.web.validation import Body, Query

Name = Annotated[str, Field(min_length=1, max_length=100)]
MAX_RANGE_DAYS = 731  # what one GET of the calendar may span: two years
MAX_HOURS = 10_000
MAX_DAYS = 3660


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class DayIn(Body):
    working: bool = Field(
        description="false: not a working day (a public holiday); "
        "true: a working day (a make-up working day on a weekend, 调休上班)"
    )
    name: Name = Field(description="what the day is, e.g. 国庆节, 国庆调休上班")


class DatedDayIn(DayIn):
    day: date


class YearIn(Body):
    days: Annotated[list[DatedDayIn], Field(max_length=366)]


class DayOut(Out):
    day: date
    working: bool
    name: str
    updated_at: datetime


class Period(BaseModel):
    starts: str = Field(description="local time of day, HH:MM")
    ends: str = Field(description="local time of day, HH:MM")


def periods_out(periods: Periods) -> list[Period]:
    return [Period(starts=f"{s:%H:%M}", ends=f"{e:%H:%M}") for s, e in periods]


class CalendarQuery(Query):
    from_: date | None = Field(
        default=None, alias="from", description="first day (default: 1 January this year)"
    )
    to: date | None = Field(
        default=None,
        description=f"last day (default: 31 December of `from`'s year); "
        f"at most {MAX_RANGE_DAYS} days after `from`",
    )


class CalendarOut(BaseModel):
    model_config = ConfigDict(serialize_by_alias=True, validate_by_name=True)

    zone: str = Field(description="the zone working periods are read in")
    work_hours: list[Period] = Field(description="the periods of a working day")
    weekend: list[str] = Field(description="days of the week that are not working days")
    from_: date = Field(alias="from")
    to: date
    days: list[DayOut] = Field(description="the exceptions to the weekly rule in the range")


class YearOut(BaseModel):
    year: int
    days: list[DayOut]


def _work_hours(value: str) -> str:
    try:
        parse_work_hours(value)
    except ValueError as exc:
        raise PydanticCustomError(
            "work_hours", str(exc), {"zh": "工作时段格式应如 09:00-12:00,13:00-17:30"}
        ) from None
    return value


class DeadlineQuery(Query):
    start: AwareDatetime | None = Field(
        default=None, description="when the clock starts (default: now)"
    )
    hours: float | None = Field(
        default=None, ge=0, le=MAX_HOURS, allow_inf_nan=False, description="working hours"
    )
    days: int | None = Field(default=None, ge=0, le=MAX_DAYS, description="working days")
    work_hours: Annotated[str, Field(max_length=200), AfterValidator(_work_hours)] | None = Field(
        default=None, description="other periods than the configured ones"
    )


class DeadlineOut(BaseModel):
    start: datetime
    hours: float | None
    days: int | None
    work_hours: list[Period]
    deadline: datetime = Field(description="the moment the working time runs out (UTC)")
