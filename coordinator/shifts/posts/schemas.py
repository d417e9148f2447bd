"""Request and response shapes of posts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field

from coordinator.people.schemas import Skills
from coordinator.shifts.models import GATE_STEPS
from coordinator.shifts.schemas import Name, Out
from coordinator.web.listing import ListQuery
from coordinator.web.validation import Body

Step = Annotated[str, Field(min_length=1, max_length=100)]


class PostIn(Body):
    name: Name
    area_id: uuid.UUID | None = None
    building_id: uuid.UUID | None = None
    address: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    description: Annotated[str, Field(max_length=2000)] | None = None
    checklist: Annotated[list[Step], Field(max_length=30)] = Field(
        default_factory=lambda: list(GATE_STEPS)
    )
    required_skills: Skills = Field(default_factory=list)
    team_id: uuid.UUID | None = None


class PostPatch(Body):
    name: Name | None = None
    area_id: uuid.UUID | None = None
    building_id: uuid.UUID | None = None
    address: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    description: Annotated[str, Field(max_length=2000)] | None = None
    checklist: Annotated[list[Step], Field(max_length=30)] | None = None
    required_skills: Skills | None = None
    team_id: uuid.UUID | None = None


class PostOut(Out):
    id: uuid.UUID
    name: str
    area_id: uuid.UUID | None
    building_id: uuid.UUID | None
    address: str | None
    description: str | None
    checklist: list[str]
    required_skills: list[str]
    team_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime


class PostQuery(ListQuery):
    team_id: uuid.UUID | None = None
