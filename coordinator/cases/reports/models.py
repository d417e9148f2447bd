"""The indexes the case reports read by (migration 0016). A month's figures read only the
tasks created, accepted or done since the month began, the open ones past due (the
partial index ix_case_tasks_open_due of the cases) and that month's reopenings."""

from __future__ import annotations

from sqlalchemy import Index, text

from coordinator.cases.models import CaseTask
from coordinator.events.models import OutboxEvent

TASKS_CREATED = Index("ix_case_tasks_created", CaseTask.created_at)
TASKS_ACCEPTED = Index(
    "ix_case_tasks_accepted",
    CaseTask.accepted_at,
    postgresql_where=text("accepted_at IS NOT NULL"),
)
TASKS_DONE = Index(
    "ix_case_tasks_done", CaseTask.done_at, postgresql_where=text("done_at IS NOT NULL")
)
# Only the reopenings: the outbox holds every event, and this keeps it cheap to write.
CASES_REOPENED = Index(
    "ix_outbox_case_reopened",
    OutboxEvent.occurred_at,
    postgresql_where=text("type = 'case.reopened'"),
)
