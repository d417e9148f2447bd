"""Request and response shapes of compounds, housing buildings and area survey settings."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, time
from typing import Annotated

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from coordinator.housing.models import CompoundKind
from coordinator.people.schemas import OneLine
from coordinator.web.listing import ListQuery
from coordinator.web.validation import Body

PlaceName = Annotated[str, Field(min_length=1, max_length=100), OneLine]
ShortName = Annotated[str, Field(min_length=1, max_length=50), OneLine]
Address = Annotated[str, Field(min_length=1, max_length=200), OneLine]
Position = Annotated[int, Field(ge=0, le=100_000, description="walking order among siblings")]
Floors = Annotated[int, Field(ge=1, le=200)]


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class CompoundIn(Body):
    area_id: uuid.UUID = Field(description="a residential area (居民区) of the registry")
    name: PlaceName
    kind: CompoundKind = CompoundKind.compound
    address: Address | None = None
    position: Position = 0


class CompoundPatch(Body):
    name: PlaceName | None = None
    kind: CompoundKind | None = None
    address: Address | None = None
    position: Position | None = None


class CompoundOut(Out):
    id: uuid.UUID
    area_id: uuid.UUID
    name: str
    kind: CompoundKind
    address: str | None
    position: int
    created_at: datetime
    updated_at: datetime


class CompoundQuery(ListQuery):
    area_id: uuid.UUID | None = None
    kind: CompoundKind | None = None


class HousingBuildingIn(Body):
    compound_id: uuid.UUID
    name: ShortName = Field(description="幢/号, e.g. 12号")
    position: Position = 0
    floors: Floors | None = None
    building_id: uuid.UUID | None = Field(
        default=None, description="the registry's building, where there is one (cases route by it)"
    )


class HousingBuildingPatch(Body):
    name: ShortName | None = None
    position: Position | None = None
    floors: Floors | None = None
    building_id: uuid.UUID | None = None


class HousingBuildingOut(Out):
    id: uuid.UUID
    compound_id: uuid.UUID
    area_id: uuid.UUID = Field(description="the compound's area")
    name: str
    position: int
    floors: int | None
    building_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime


class HousingBuildingQuery(ListQuery):
    compound_id: uuid.UUID | None = None
    area_id: uuid.UUID | None = None


def _local_time(value: object) -> object:
    """A time of day in the subdistrict's zone, "HH:MM" (no offset: the zone is set)."""
    if isinstance(value, time) and value.tzinfo is None:
        return value
    if isinstance(value, str) and re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        return time(int(value[:2]), int(value[3:]))
    raise PydanticCustomError("clock", "must be HH:MM", {"zh": "应为 HH:MM 格式的时间"})


LocalTime = Annotated[
    time,
    BeforeValidator(_local_time),
    PlainSerializer(lambda t: f"{t:%H:%M}", return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"}),
]


class AreaSurveyIn(Body):
    lead_id: uuid.UUID | None = Field(default=None, description="the person leading the survey")
    rounds_per_day: int = Field(default=3, ge=0, le=24)
    rounds_from: LocalTime = Field(
        default="07:00",
        validate_default=True,
        description="rounds are walked from (local time, HH:MM)",
    )
    rounds_until: LocalTime = Field(
        default="21:00", validate_default=True, description="… until (local time, HH:MM)"
    )
    max_gap_minutes: int = Field(default=300, ge=1, le=1440)
    stale_days: int = Field(default=30, ge=1, le=3650)
    coordinator_token_ids: list[uuid.UUID] | None = Field(
        default=None,
        max_length=100,
        description="API tokens of the area's coordinators, who read residents' contacts "
        "whole (admins only may change it; omitted: kept as it is)",
    )


class AreaSurveyOut(Out):
    area_id: uuid.UUID
    lead_id: uuid.UUID | None
    rounds_per_day: int
    rounds_from: LocalTime
    rounds_until: LocalTime
    max_gap_minutes: int
    stale_days: int
    coordinator_token_ids: list[uuid.UUID]
    created_at: datetime | None = Field(description="null: never set (the defaults apply)")
    updated_at: datetime | None
