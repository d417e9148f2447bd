"""Request and response shapes of cases (案件) and their tasks: filing (CaseIn), what a
case shows (CaseOut, with its tasks), the bodies of its actions, its list's query."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from coordinator.cases.models import (
    CaseOutcome,
    CaseSource,
    CaseStatus,
    TaskRole,
    TaskStatus,
    Urgency,
)
from coordinator.people.schemas import Email, Name, OneLine, Phone
from coordinator.registry.schemas import Latitude, Longitude
from coordinator.web.listing import ListQuery
from coordinator.web.validation import Body

MAX_PHOTOS = 20
Title = Annotated[str, Field(min_length=1, max_length=200), OneLine]
Description = Annotated[str, Field(min_length=1, max_length=4000)]
Note = Annotated[str, Field(min_length=1, max_length=2000)]
Reason = Annotated[str, Field(min_length=1, max_length=500)]
Feedback = Annotated[str, Field(min_length=1, max_length=1000)]
Code = Annotated[str, Field(min_length=1, max_length=50)]
PhotoIds = Annotated[
    list[uuid.UUID],
    Field(max_length=MAX_PHOTOS, description="photos stored with POST /api/v1/photos"),
]


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class CaseIn(Body):
    """A case as it is filed: what, where, where from, who reported it."""

    title: Title
    description: Description
    category: Code = Field(description="the category's code (Open311 service_code)")
    urgency: Urgency = Urgency.normal
    area_id: uuid.UUID | None = Field(default=None, description="default: the building's area")
    building_id: uuid.UUID | None = Field(
        default=None, description="default: the company's building"
    )
    company_id: uuid.UUID | None = None
    dwelling_id: uuid.UUID | None = None
    address: Annotated[str, Field(min_length=1, max_length=300)] | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    visit_id: uuid.UUID | None = Field(default=None, description="the visit it was raised at")
    hotline_number: Annotated[str, Field(min_length=1, max_length=40), OneLine] | None = Field(
        default=None, description="the 12345 ticket's number (unique)"
    )
    hotline_due_at: AwareDatetime | None = Field(
        default=None, description="the city's own deadline for the 12345 ticket"
    )
    reporter_person_id: uuid.UUID | None = None
    reporter_contact_id: uuid.UUID | None = None
    reporter_name: Name | None = None
    reporter_phone: Phone | None = None
    reporter_email: Email | None = None
    photo_ids: PhotoIds = Field(default_factory=list)


class TaskOut(Out):
    id: uuid.UUID
    case_id: uuid.UUID
    department_id: uuid.UUID
    role: TaskRole
    assignee_id: uuid.UUID | None
    status: TaskStatus
    due_at: datetime
    overdue: bool = Field(description="pending or accepted, and past its due time")
    accepted_at: datetime | None
    done_at: datetime | None
    note: str | None
    return_reason: str | None
    photo_ids: list[uuid.UUID]
    created_at: datetime
    updated_at: datetime


class CaseOut(Out):
    id: uuid.UUID
    number: int = Field(description="the number people quote (Open311 service_request_id)")
    title: str
    description: str
    category: str = Field(description="the category's code")
    category_id: uuid.UUID
    urgency: Urgency
    status: CaseStatus
    source: CaseSource
    area_id: uuid.UUID | None
    building_id: uuid.UUID | None
    company_id: uuid.UUID | None
    dwelling_id: uuid.UUID | None
    address: str | None
    latitude: float | None
    longitude: float | None
    visit_id: uuid.UUID | None
    hotline_number: str | None
    hotline_due_at: datetime | None
    reporter_person_id: uuid.UUID | None
    reporter_contact_id: uuid.UUID | None
    reporter_name: str | None
    reporter_phone: str | None
    reporter_email: str | None
    lead_department_id: uuid.UUID | None
    response_due_at: datetime = Field(description="to be accepted (受理) by, in working time")
    resolution_due_at: datetime = Field(description="to be resolved (办结) by, in working time")
    overdue: bool = Field(
        description="open and past its resolution deadline, or new and past its response one"
    )
    accepted_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    resolution: str | None
    outcome: CaseOutcome | None = Field(description="what the resolution found (rectified …)")
    rejected_reason: str | None
    reply_due_at: datetime | None = Field(description="the reporter's follow-up answer by")
    satisfied: bool | None
    feedback: str | None
    closed_by: str | None = Field(description="confirmed, unanswered or coordinator")
    merged_into_id: uuid.UUID | None
    reopened_count: int
    created_by: str
    created_at: datetime
    updated_at: datetime
    photo_ids: list[uuid.UUID] = Field(description="photos of the case itself, as filed")
    tasks: list[TaskOut] = Field(description="one per department: the lead's first")


class NoteOut(Out):
    id: uuid.UUID
    case_id: uuid.UUID
    task_id: uuid.UUID | None
    author: str
    body: str
    photo_ids: list[uuid.UUID]
    created_at: datetime


# Actions on a case


class RejectIn(Body):
    reason: Reason


class ResolveIn(Body):
    resolution: Note = Field(description="what was done (办结意见), the lead's sign-off")
    outcome: CaseOutcome | None = Field(
        default=None,
        description="rectified: the place was put right (a dwelling's state follows)",
    )
    photo_ids: PhotoIds = Field(default_factory=list)


class ReopenIn(Body):
    reason: Reason


class MergeIn(Body):
    master_id: uuid.UUID = Field(description="the open case this one duplicates")


class ReplyIn(Body):
    """The reporter's answer to the follow-up (回访), taken down by a coordinator."""

    satisfied: bool
    feedback: Feedback | None = Field(default=None, description="needed when not satisfied")


# Actions on a task


class TaskIn(Body):
    department_id: uuid.UUID
    role: TaskRole = Field(
        default=TaskRole.co, description="lead only for a case that has no lead yet"
    )


class AcceptTaskIn(Body):
    assignee_id: uuid.UUID | None = Field(
        default=None, description="the member of the department who handles it"
    )


class DoneIn(Body):
    note: Note
    photo_ids: PhotoIds = Field(default_factory=list)


class HandBackIn(Body):
    reason: Reason


class NoteIn(Body):
    body: Note
    task_id: uuid.UUID | None = Field(default=None, description="the task it is about, if one")
    photo_ids: PhotoIds = Field(default_factory=list)


# Lists


class CaseQuery(ListQuery):
    status: CaseStatus | None = None
    category: Code | None = Field(default=None, description="a category's code")
    urgency: Urgency | None = None
    department_id: uuid.UUID | None = Field(
        default=None, description="cases where the department has a live task"
    )
    building_id: uuid.UUID | None = None
    area_id: uuid.UUID | None = None
    company_id: uuid.UUID | None = None
    source: CaseSource | None = None
    open: bool | None = Field(default=None, description="new, accepted, in progress or reopened")
    overdue: bool | None = Field(
        default=None, description="open and past its deadline (see CaseOut.overdue)"
    )


class NearbyQuery(ListQuery):
    building_id: uuid.UUID | None = None
    area_id: uuid.UUID | None = None
    company_id: uuid.UUID | None = None
    category: Code | None = Field(default=None, description="a category's code")


class NoteQuery(ListQuery):
    task_id: uuid.UUID | None = None
