"""Request and response shapes of signups."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, model_validator
from pydantic_core import PydanticCustomError

from coordinator.shifts.models import SignupStatus
from coordinator.shifts.schemas import Out
from coordinator.web.validation import Body, Query


class SignupIn(Body):
    person_id: uuid.UUID | None = None
    team_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _one(self) -> SignupIn:
        if (self.person_id is None) == (self.team_id is None):
            raise PydanticCustomError(
                "one_of",
                "give person_id or team_id",
                {"zh": "请提供「person_id」或「team_id」之一"},
            )
        return self


class SignupOut(Out):
    id: uuid.UUID
    shift_id: uuid.UUID
    person_id: uuid.UUID
    status: SignupStatus
    arrival: int
    waitlist_position: int | None = None
    starts_at: datetime
    ends_at: datetime
    sequence: int
    swap_offered_at: datetime | None
    swapped_from_id: uuid.UUID | None
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    cancelled_at: datetime | None
    created_at: datetime
    updated_at: datetime


class TeamSignupOut(BaseModel):
    signups: list[SignupOut]
    skipped: list[dict[str, str]]


class SignupQuery(Query):
    status: SignupStatus | None = None


class SignupList(BaseModel):
    """Every signup of the shift (one page: next_cursor is always null)."""

    items: list[SignupOut]
    next_cursor: str | None
    total: int


class SwapIn(Body):
    person_id: uuid.UUID
