"""Request and response shapes of campaigns."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from coordinator.registry.models import CompanyStatus
from coordinator.web.listing import ListQuery
from coordinator.web.validation import Body

HHMM = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
Weekday = Annotated[int, Field(ge=1, le=7)]


class WindowIn(Body):
    start: HHMM
    end: HHMM


class FiltersIn(Body):
    statuses: list[CompanyStatus] | None = None
    building_ids: list[uuid.UUID] | None = None
    area_ids: list[uuid.UUID] | None = None
    party_branch_ids: list[uuid.UUID] | None = None
    industries: list[str] | None = None
    not_visited_since: date | None = Field(
        default=None, description="only companies without a visit since this date"
    )


class PoolIn(Body):
    """A person, or every member of a team, with when they can visit."""

    person_id: uuid.UUID | None = None
    team_id: uuid.UUID | None = None
    weekdays: list[Weekday] | None = Field(default=None, description="default: the campaign's")
    start: HHMM = "00:00"
    end: HHMM = "23:59"
    max_per_day: int = Field(default=6, ge=1, le=30)


class CompanyWindowIn(Body):
    company_id: uuid.UUID
    kind: Literal["unavailable", "preferred"]
    day: date | None = Field(default=None, description="default: every working day")
    start: HHMM
    end: HHMM


class TravelIn(Body):
    same_area_minutes: int = Field(default=10, ge=0, le=240)
    other_area_minutes: int = Field(default=25, ge=0, le=240)


class CampaignIn(Body):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    purpose: Annotated[str, Field(min_length=1, max_length=500)]
    starts_on: date
    ends_on: date
    weekdays: list[Weekday] = Field(default_factory=lambda: [1, 2, 3, 4, 5])
    windows: Annotated[list[WindowIn], Field(min_length=1, max_length=10)]
    visit_minutes: int = Field(ge=15, le=480)
    filters: FiltersIn = Field(default_factory=FiltersIn)
    liaisons: list[PoolIn] = Field(default_factory=list, max_length=1000)
    company_windows: list[CompanyWindowIn] = Field(default_factory=list, max_length=20000)
    travel: TravelIn = Field(default_factory=TravelIn)
    time_limit_seconds: int = Field(default=30, ge=1, le=600)


class CampaignOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    purpose: str
    starts_on: date
    ends_on: date
    weekdays: list[int]
    windows: list[dict[str, str]]
    visit_minutes: int
    filters: dict[str, Any]
    time_limit_seconds: int
    status: str
    liaisons: int = 0
    progress: dict[str, Any]
    metrics: dict[str, Any]
    report: dict[str, Any]
    planned_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    company_id: uuid.UUID
    liaison_id: uuid.UUID
    building_id: uuid.UUID | None
    day: date
    starts_at: datetime
    ends_at: datetime
    pinned: bool
    preferred_hit: bool
    visit_id: uuid.UUID | None


class ItemQuery(ListQuery):
    liaison_id: uuid.UUID | None = None
    building_id: uuid.UUID | None = None
    day: date | None = None
    pinned: bool | None = None


class ItemPatch(Body):
    """Pin an item where it is, or move it (which pins it); pinned=false unpins."""

    pinned: bool | None = None
    liaison_id: uuid.UUID | None = None
    starts_at: AwareDatetime | None = None


class ApproveIn(Body):
    batch_size: int = Field(default=200, ge=1, le=1000)


class ApproveOut(BaseModel):
    created: int
    already: int
    skipped: list[dict[str, str]]
