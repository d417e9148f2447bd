"""Request and response shapes of the colour board and its legend."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from coordinator.housing.models import CompoundKind, DwellingState, DwellingUse
from coordinator.web.validation import Body, Query

Colour = Annotated[
    str,
    Field(pattern=r"^#[0-9a-fA-F]{6}$", description="#rrggbb", examples=["#4caf50"]),
]


class BoardQuery(Query):
    state: DwellingState | None = Field(default=None, description="only dwellings in this state")
    block_id: uuid.UUID | None = Field(default=None, description="only dwellings of this block")
    not_surveyed_days: int | None = Field(
        default=None, ge=1, le=3650, description="only dwellings not surveyed for this many days"
    )


class ColourOut(BaseModel):
    state: DwellingState
    label: str = Field(description="the state in Chinese")
    label_en: str
    colour: Colour
    ink: str = Field(description="the text colour that reads on it")
    position: int


class ColoursOut(BaseModel):
    """The whole legend, shaped as every list is (one page: it is never long)."""

    items: list[ColourOut]
    next_cursor: str | None = Field(description="always null: the legend is one page")
    total: int

    @classmethod
    def of(cls, items: list[Any]) -> ColoursOut:
        return cls(items=items, next_cursor=None, total=len(items))


class ColourIn(Body):
    state: DwellingState
    colour: Colour


class ColoursIn(Body):
    items: list[ColourIn] = Field(
        description="every state once, in the order the legend shows them", max_length=50
    )


class LegendEntry(BaseModel):
    state: DwellingState
    label: str
    label_en: str
    colour: Colour
    ink: str
    total: int = Field(description="dwellings of the area in this state")
    shown: int = Field(description="of those, the ones the filters pick")


class Cell(BaseModel):
    id: uuid.UUID
    unit: str
    floor: int
    room: str
    use: DwellingUse
    state: DwellingState
    colour: Colour
    occupants: int | None
    surveyed_at: datetime | None = Field(description="when someone last saw it")
    block_id: uuid.UUID
    stale: bool = Field(description="not seen for the area's stale days")
    match: bool = Field(description="picked by the filters (every cell when none is asked)")


class FloorRow(BaseModel):
    floor: int
    cells: list[Cell | None] = Field(description="one per column (units' doors), null: no room")


class UnitColumns(BaseModel):
    unit: str = Field(description="'' where the building has no units")
    doors: list[str]


class BoardBuilding(BaseModel):
    id: uuid.UUID
    name: str
    total: int
    shown: int
    units: list[UnitColumns]
    rows: list[FloorRow] = Field(description="the top floor first")


class BoardCompound(BaseModel):
    id: uuid.UUID
    name: str
    kind: CompoundKind
    buildings: list[BoardBuilding]


class BoardArea(BaseModel):
    id: uuid.UUID
    name: str


class BoardBlock(BaseModel):
    id: uuid.UUID
    name: str


class BoardFilters(BaseModel):
    state: DwellingState | None
    block_id: uuid.UUID | None
    not_surveyed_days: int | None


class BoardOut(BaseModel):
    """An area's colour board: buildings where no dwelling matches the filters are left
    out; in the others every cell is given, `match` telling the picked ones."""

    area: BoardArea
    as_of: datetime
    stale_days: int
    filters: BoardFilters
    legend: list[LegendEntry]
    blocks: list[BoardBlock]
    total: int
    shown: int
    stale: int
    compounds: list[BoardCompound]


class BoardLinkOut(BaseModel):
    url: str
    expires_at: datetime
