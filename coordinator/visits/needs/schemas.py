"""Request and response shapes of needs (诉求); a need raised at a visit is NeedIn. A need
is a case filed from a visit (coordinator.cases): NeedOut is that case in the needs' words."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field

from coordinator.cases.models import Urgency
from coordinator.visits.models import Department, NeedCategory, NeedStatus
from coordinator.visits.schemas import NeedIn, Out, Reason
from coordinator.web.listing import ListQuery
from coordinator.web.validation import Body

__all__ = ["AssignIn", "NeedIn", "NeedOut", "NeedQuery", "ReopenIn", "ResolveIn"]


class AssignIn(Body):
    team_id: uuid.UUID | None = None
    department: Department | None = None


class ResolveIn(Body):
    resolution: Annotated[str, Field(min_length=1, max_length=2000)]


class ReopenIn(Body):
    reason: Reason | None = None


class NeedOut(Out):
    """A need is a case (案件) filed from a visit, with the same id: GET /api/v1/cases/{id}
    shows it with its departments' tasks, GET /api/v1/cases?source=visit lists them all.
    Its status is the case's (new or reopened: open; accepted or in progress: assigned;
    resolved; closed, rejected or merged: closed), its assignee the case's lead department
    (a team's, or a "1+4" department by kind), its due time the resolution deadline in
    working time."""

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
