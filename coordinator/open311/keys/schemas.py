"""Shapes for Open311 API keys."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from coordinator.web.listing import ListQuery
from coordinator.web.validation import Body


class KeyIn(Body):
    name: str = Field(min_length=1, max_length=100, description="who holds it (an app, a kiosk)")


class KeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    created_by: str
    created_at: datetime
    revoked_at: datetime | None


class KeyCreated(KeyOut):
    key: str = Field(description="the api_key, shown once; only its hash is stored")


class KeyQuery(ListQuery):
    revoked: bool | None = None
