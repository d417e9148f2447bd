"""The indexes the case reports read by (migration 0016). A month's figures read only the
tasks created, accepted or done in the month, those open at its end and past due (still
open: the partial index ix_case_tasks_open_due of the cases; done since: LATE_SPAN) and
the month's reopenings."""

from __future__ import annotations

from sqlalchemy import Index, func, literal_column, text

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
# When a task done late was overdue: (due_at, done_at]. A task open at an instant and past
# due then, but done since, is one whose span holds the instant; an on-time task's span
# is empty (GREATEST), so the expression never fails on any row.
LATE_SPAN = func.tstzrange(
    CaseTask.due_at, func.greatest(CaseTask.due_at, CaseTask.done_at), literal_column("'(]'")
)
TASKS_LATE = Index(
    "ix_case_tasks_late_span",
    LATE_SPAN,
    postgresql_using="gist",
    postgresql_where=text("done_at > due_at"),
)
# Only the reopenings: the outbox holds every event, and this keeps it cheap to write.
CASES_REOPENED = Index(
    "ix_outbox_case_reopened",
    OutboxEvent.occurred_at,
    postgresql_where=text("type = 'case.reopened'"),
)
