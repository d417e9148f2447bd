"""Request and response shapes of dwellings, their states and history."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from coordinator.housing.models import DwellingState, DwellingUse, StateSource
from coordinator.people.schemas import Name, OneLine, Phone
from coordinator.web.listing import ListQuery
from coordinator.web.validation import Body, Query

Unit = Annotated[
    str, Field(max_length=20, description="the unit (单元); empty where there is none"), OneLine
]
Room = Annotated[str, Field(min_length=1, max_length=20, description="室/门牌"), OneLine]
Floor = Annotated[int, Field(ge=-10, le=200)]
Occupants = Annotated[int, Field(ge=0, le=500, description="people living there (a count)")]
Evidence = Annotated[str, Field(min_length=1, max_length=500, description="what was seen")]
ContactPhone = Annotated[Phone, Field(max_length=20)]
ContactName = Annotated[Name, Field(max_length=50)]


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class DwellingIn(Body):
    building_id: uuid.UUID = Field(description="the housing building (幢/号)")
    unit: Unit = ""
    floor: Floor
    room: Room
    use: DwellingUse = DwellingUse.residential
    state: DwellingState = Field(
        default=DwellingState.unsurveyed, description="its state as first known (with evidence)"
    )
    evidence: Evidence | None = None
    occupants: Occupants | None = None
    contact_name: ContactName | None = None
    contact_phone: ContactPhone | None = None
    company_id: uuid.UUID | None = Field(default=None, description="a street shop's company")


class DwellingPatch(Body):
    building_id: uuid.UUID | None = None
    unit: Unit | None = None
    floor: Floor | None = None
    room: Room | None = None
    use: DwellingUse | None = None
    occupants: Occupants | None = None
    contact_name: ContactName | None = None
    contact_phone: ContactPhone | None = None
    company_id: uuid.UUID | None = None


class DwellingOut(Out):
    id: uuid.UUID
    area_id: uuid.UUID
    compound_id: uuid.UUID
    building_id: uuid.UUID
    block_id: uuid.UUID = Field(description="the one block its (building, unit) belongs to")
    unit: str
    floor: int
    room: str
    use: DwellingUse
    state: DwellingState
    state_evidence: str | None
    state_set_by: str | None
    state_set_at: datetime | None
    surveyed_at: datetime | None = Field(description="when someone last stood at its door")
    occupants: int | None
    contact_name: str | None = Field(description="masked (王**); whole through /contact")
    contact_phone: str | None = Field(description="masked (138****5678); whole through /contact")
    company_id: uuid.UUID | None
    version: int = Field(description="rises with each state change (a phone's copy sends it)")
    created_at: datetime
    updated_at: datetime


class DwellingQuery(ListQuery):
    area_id: uuid.UUID | None = None
    compound_id: uuid.UUID | None = None
    building_id: uuid.UUID | None = None
    block_id: uuid.UUID | None = None
    state: DwellingState | None = None
    use: DwellingUse | None = None
    unseen_days: int | None = Field(
        default=None, ge=0, le=3650, description="not surveyed for at least this many days"
    )


class ContactOut(Out):
    dwelling_id: uuid.UUID
    area_id: uuid.UUID
    occupants: int | None
    contact_name: str | None
    contact_phone: str | None


class StateIn(Body):
    state: DwellingState
    evidence: Evidence
    base_version: int | None = Field(
        default=None,
        ge=1,
        description="the version the change was made against; an older one is kept in the"
        " history flagged as a conflict for review, not applied",
    )
    seen: bool = Field(default=True, description="someone stood at its door: surveyed now")


class StateChangeOut(Out):
    id: int
    dwelling_id: uuid.UUID
    state: DwellingState
    previous_state: DwellingState | None
    source: StateSource
    evidence: str | None
    set_by: str
    set_at: datetime
    case_id: uuid.UUID | None
    result_id: uuid.UUID | None
    applied: bool
    conflict: bool
    reviewed_at: datetime | None


class StateOutcomeOut(BaseModel):
    dwelling: DwellingOut
    change: StateChangeOut | None = Field(description="null: the state was already that")
    conflict: bool


class HistoryPage(BaseModel):
    items: list[StateChangeOut]
    next_cursor: str | None
    total: int


class HistoryQuery(Query):
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=30, pattern=r"^\d+$")


class ConflictQuery(HistoryQuery):
    area_id: uuid.UUID | None = None
    dwelling_id: uuid.UUID | None = None
    reviewed: bool = Field(default=False, description="true: those already applied or dismissed")


class ReviewIn(Body):
    note: Evidence | None = Field(default=None, description="why (kept in the audit log)")
