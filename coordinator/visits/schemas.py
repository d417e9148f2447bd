"""Request and response shapes of visits (needs raised at a visit included)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from coordinator.cases.models import Urgency
from coordinator.visits.models import NeedCategory, Visit, VisitStatus
from coordinator.web.listing import ListQuery
from coordinator.web.validation import Body

Place = Annotated[str, Field(min_length=1, max_length=300)]
Purpose = Annotated[str, Field(min_length=1, max_length=500)]
Reason = Annotated[str, Field(min_length=1, max_length=500)]


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# Visits


class VisitIn(Body):
    company_id: uuid.UUID
    contact_id: uuid.UUID
    liaison_id: uuid.UUID | None = Field(default=None, description="default: the designated one")
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    place: Place | None = Field(default=None, description="default: building and floor")
    purpose: Purpose


class MoveIn(Body):
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    place: Place | None = None


class CancelIn(Body):
    reason: Reason | None = None


class NeedIn(Body):
    category: NeedCategory
    description: Annotated[str, Field(min_length=1, max_length=2000)]
    urgency: Urgency = Urgency.normal


class OutcomeIn(Body):
    status: Literal["completed", "no_show"]
    notes: Annotated[str, Field(max_length=5000)] | None = None
    needs: list[NeedIn] = Field(default_factory=list, max_length=50)


class VisitOut(Out):
    id: uuid.UUID
    company_id: uuid.UUID
    contact_id: uuid.UUID
    liaison_id: uuid.UUID
    team_id: uuid.UUID | None
    starts_at: datetime
    ends_at: datetime
    place: str
    purpose: str
    status: VisitStatus
    sequence: int
    decline_reason: str | None
    reschedule_windows: list[dict[str, str]] | None
    reschedule_note: str | None
    cancel_reason: str | None
    outcome_notes: str | None
    proposed_at: datetime
    answered_at: datetime | None
    created_at: datetime
    updated_at: datetime


class VisitQuery(ListQuery):
    day: date | None = Field(default=None, description="day in the subdistrict's zone")
    team_id: uuid.UUID | None = None
    liaison_id: uuid.UUID | None = None
    building_id: uuid.UUID | None = None
    company_id: uuid.UUID | None = None
    status: VisitStatus | None = None


def _in_utc(text: str) -> str:
    return datetime.fromisoformat(text).astimezone(UTC).isoformat().replace("+00:00", "Z")


def visit_out(visit: Visit) -> VisitOut:
    """A visit as the API shows it: times in UTC (Z), the windows asked for too, like
    every other answer."""
    out = VisitOut.model_validate(visit)
    if out.reschedule_windows:
        out.reschedule_windows = [
            {k: _in_utc(v) if k in ("starts_at", "ends_at") else v for k, v in w.items()}
            for w in out.reschedule_windows
        ]
    return out
