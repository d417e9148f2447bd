"""Request and response shapes of visits, liaisons and needs."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from coordinator.visits.models import Department, NeedCategory, NeedStatus, Urgency, VisitStatus
from coordinator.web.listing import ListQuery
from coordinator.web.validation import Body, Query

Place = Annotated[str, Field(min_length=1, max_length=300)]
Purpose = Annotated[str, Field(min_length=1, max_length=500)]
Reason = Annotated[str, Field(min_length=1, max_length=500)]


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# Liaisons


class LiaisonIn(Body):
    person_id: uuid.UUID


class LiaisonOut(Out):
    company_id: uuid.UUID
    liaison_id: uuid.UUID | None
    previous_liaison_id: uuid.UUID | None
    team_id: uuid.UUID | None


class BulkLiaisonIn(Body):
    """Assign one liaison to every company of a building or of a party branch."""

    person_id: uuid.UUID
    building_id: uuid.UUID | None = None
    party_branch_id: uuid.UUID | None = None


class BulkLiaisonOut(Out):
    liaison_id: uuid.UUID
    assigned: int = Field(description="companies whose liaison changed")
    unchanged: int


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


# Needs


class AssignIn(Body):
    team_id: uuid.UUID | None = None
    department: Department | None = None


class ResolveIn(Body):
    resolution: Annotated[str, Field(min_length=1, max_length=2000)]


class ReopenIn(Body):
    reason: Reason | None = None


class NeedOut(Out):
    id: uuid.UUID
    visit_id: uuid.UUID
    company_id: uuid.UUID
    category: NeedCategory
    description: str
    urgency: Urgency
    status: NeedStatus
    assignee_team_id: uuid.UUID | None
    assignee_department: Department | None
    resolution: str | None
    due_at: datetime
    overdue: bool
    resolved_at: datetime | None
    closed_at: datetime | None
    reopened_count: int
    created_at: datetime
    updated_at: datetime


class NeedQuery(ListQuery):
    status: NeedStatus | None = None
    category: NeedCategory | None = None
    urgency: Urgency | None = None
    assignee_team_id: uuid.UUID | None = None
    department: Department | None = None
    company_id: uuid.UUID | None = None
    overdue: bool | None = Field(default=None, description="only needs past due, not resolved")


# Coverage


class CoverageQuery(Query):
    days: int = Field(default=30, ge=1, le=3650)
    building_id: uuid.UUID | None = None
    limit: int = Field(default=200, ge=1, le=5000)


class UncoveredCompany(Out):
    company_id: uuid.UUID
    name: str
    building_id: uuid.UUID | None
    floor: str | None
    liaison_id: uuid.UUID | None
    last_visit_at: datetime | None


class BuildingCoverage(Out):
    building_id: uuid.UUID | None
    building_name: str | None
    companies: int
    visited: int
    coverage: float


class CoverageOut(Out):
    days: int
    companies: int
    visited: int
    buildings: list[BuildingCoverage]
    not_visited: list[UncoveredCompany]


class ExportQuery(Query):
    day: date | None = None
    team_id: uuid.UUID | None = None
    liaison_id: uuid.UUID | None = None
    building_id: uuid.UUID | None = None
    status: str | None = Field(default=None, max_length=30)
    category: NeedCategory | None = None
    overdue: bool | None = None
    days: int = Field(default=30, ge=1, le=3650)
