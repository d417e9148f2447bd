"""Request and response shapes of blocks, their units and their people."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from coordinator.housing.dwellings.schemas import Unit
from coordinator.housing.models import BlockRole
from coordinator.housing.places.schemas import PlaceName
from coordinator.web.listing import ListQuery
from coordinator.web.validation import Body


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class BlockIn(Body):
    area_id: uuid.UUID = Field(description="a residential area")
    name: PlaceName


class BlockPatch(Body):
    name: PlaceName | None = None


class BlockOut(Out):
    id: uuid.UUID
    area_id: uuid.UUID
    name: str
    leader_id: uuid.UUID | None = Field(description="the block leader (块长) now")
    deputy_ids: list[uuid.UUID] = Field(description="its deputies now")
    units: int = Field(description="how many (building, unit) pairs it covers")
    dwellings: int = Field(description="how many dwellings are in it")
    created_at: datetime
    updated_at: datetime


class BlockQuery(ListQuery):
    area_id: uuid.UUID | None = None
    person_id: uuid.UUID | None = Field(default=None, description="led or deputised by them now")


class UnitRef(Body):
    building_id: uuid.UUID
    unit: Unit = ""


class UnitsIn(Body):
    units: list[UnitRef] = Field(max_length=2000, description="every (building, unit) it covers")
    move: bool = Field(
        default=False,
        description="take units that are in another block from it (otherwise 409 naming it)",
    )


class UnitOut(Out):
    building_id: uuid.UUID
    unit: str


class UnitsOut(BaseModel):
    block_id: uuid.UUID
    units: list[UnitOut]
    moved: list[UnitOut] = Field(default_factory=list, description="taken from other blocks")


class PersonIn(Body):
    person_id: uuid.UUID


class BlockPersonOut(Out):
    id: uuid.UUID
    block_id: uuid.UUID
    person_id: uuid.UUID
    name: str
    role: BlockRole
    since: datetime
    until: datetime | None = Field(description="null: still in that role")


class BlockPersonQuery(ListQuery):
    current: bool | None = Field(default=None, description="true: only those in role now")
    role: BlockRole | None = None
