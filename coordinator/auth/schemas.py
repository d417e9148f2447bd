"""Shapes for API tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from coordinator.auth.models import Role
from coordinator.web.listing import ListQuery
from coordinator.web.validation import Body


class TokenIn(Body):
    name: str = Field(min_length=1, max_length=100)
    role: Role


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="shown once; only its hash is stored")


class TokenQuery(ListQuery):
    role: Role | None = None
    revoked: bool | None = None
