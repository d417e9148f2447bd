"""Shapes of the rounds' API: the block leader link, the compliance board."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from coordinator.web.validation import Query


class BlockLeaderLinkOut(BaseModel):
    person_id: uuid.UUID
    url: str
    expires_at: datetime


class BlockLeaderLinkRevokedOut(BaseModel):
    person_id: uuid.UUID
    revoked: int


class BoardQuery(Query):
    day: date | None = Field(
        default=None,
        description="the day (YYYY-MM-DD, in the subdistrict's zone); today by default",
    )


class GapOut(BaseModel):
    since: datetime
    until: datetime
    minutes: int
    ongoing: bool = Field(description="still going on now (no round since)")


class PersonRoundsOut(BaseModel):
    person_id: uuid.UUID
    name: str
    done: int = Field(description="rounds this person ended that day")


class RoundOut(BaseModel):
    id: uuid.UUID
    person_id: uuid.UUID
    person: str
    started_at: datetime
    ended_at: datetime | None
    proven: bool = Field(description="the block's code was scanned at its start or end")


class BlockDayOut(BaseModel):
    block_id: uuid.UUID
    name: str
    leader_id: uuid.UUID | None
    leader: str | None
    required: int = Field(description="rounds the area asks for a day")
    done: int = Field(description="rounds ended, started that day")
    proven: int = Field(description="of those, proven by the block's code")
    under_way: int
    gaps: list[GapOut] = Field(description="stretches of the window unwalked longer than allowed")
    compliant: bool = Field(description="enough rounds and no gap too long")
    people: list[PersonRoundsOut]
    rounds: list[RoundOut]


class BoardOut(BaseModel):
    area_id: uuid.UUID
    area: str
    day: date
    rounds_per_day: int
    window_opens: datetime
    window_closes: datetime
    max_gap_minutes: int
    items: list[BlockDayOut]
