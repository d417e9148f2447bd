"""Shapes of the event feed."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator

from coordinator.events.catalogue import EVENT_TYPES
from coordinator.web.validation import Query


class EventOut(BaseModel):
    id: uuid.UUID
    type: str
    occurred_at: datetime
    subject_type: str | None
    subject_id: uuid.UUID | None
    data: dict[str, Any]
    cursor: str = Field(description="pass as `after` to continue after this event")


class EventPage(BaseModel):
    items: list[EventOut]
    next_cursor: str | None = Field(description="the position to continue from (always set)")


class EventQuery(Query):
    after: str | None = Field(default=None, max_length=100)
    types: str | None = Field(default=None, max_length=2000, description="comma-separated")
    limit: int = Field(default=100, ge=1, le=1000)

    @field_validator("types")
    @classmethod
    def _known(cls, value: str | None) -> str | None:
        if value:
            unknown = [t for t in value.split(",") if t.strip() not in EVENT_TYPES]
            if unknown:
                raise ValueError("unknown event types: " + ", ".join(unknown))
        return value
