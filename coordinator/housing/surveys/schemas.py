"""Request and response shapes of survey campaigns and their results."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from coordinator.housing.models import DwellingState
from coordinator.housing.surveys.models import ResultCode
from coordinator.web.listing import ListQuery
from coordinator.web.validation import Body

Name = Annotated[str, Field(min_length=1, max_length=200)]
Note = Annotated[str, Field(max_length=1000)]
AreaIds = Annotated[list[uuid.UUID], Field(min_length=1, max_length=100)]


class CampaignIn(Body):
    name: Name
    area_ids: AreaIds = Field(description="the residential areas whose every dwelling it covers")
    starts_on: date
    ends_on: date
    note: Note | None = None


class CampaignPatch(Body):
    name: Name | None = None
    area_ids: AreaIds | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    note: Note | None = None


class CampaignOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    area_ids: list[uuid.UUID]
    starts_on: date
    ends_on: date
    note: str | None
    created_at: datetime
    updated_at: datetime


class CampaignQuery(ListQuery):
    area_id: uuid.UUID | None = None
    on: date | None = Field(default=None, description="only campaigns under way that day")


class Tally(BaseModel):
    """Dwellings covered of the total, and how many by their latest result."""

    total: int
    covered: int
    revisits: int = Field(description="dwellings where nobody was home at the latest visit")
    by_result: dict[str, int] = Field(
        description="dwellings by the code of their latest result: " + ", ".join(ResultCode)
    )


class AreaProgress(Tally):
    area_id: uuid.UUID
    name: str


class BlockProgress(Tally):
    block_id: uuid.UUID
    area_id: uuid.UUID
    name: str


class ProgressOut(BaseModel):
    campaign_id: uuid.UUID
    overall: Tally
    areas: list[AreaProgress]
    blocks: list[BlockProgress]


class ResultIn(Body):
    """A result as the walk list sends it: its id made on the phone, the dwelling's
    version the phone showed, when the phone recorded it."""

    id: uuid.UUID
    campaign_id: uuid.UUID
    dwelling_id: uuid.UUID
    code: ResultCode
    state: DwellingState | None = Field(
        default=None, description="required for confirmed and changed; moved_out: vacant"
    )
    occupants: int | None = Field(default=None, ge=0, le=200)
    note: Annotated[str, Field(max_length=500)] | None = None
    base_version: int = Field(ge=1)
    recorded_at: AwareDatetime


class ResultOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    campaign_id: uuid.UUID
    dwelling_id: uuid.UUID
    block_id: uuid.UUID
    code: ResultCode
    state: DwellingState | None
    occupants: int | None
    base_version: int
    recorded_at: datetime
    received_at: datetime
    applied: bool = Field(description="the dwelling's state now says what the result said")
    conflict: bool = Field(description="someone changed the dwelling meanwhile: kept for review")
    change_id: int | None
    attempts: int = Field(description="visits with nobody home in this campaign, this one too")
    version_after: int = Field(
        description="the dwelling's version once taken in: the base of the next result about it"
    )
