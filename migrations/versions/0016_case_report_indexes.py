"""indexes the case reports read by

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 10:00:00

A month's figures per department read only the tasks created, accepted or done in the
month (three indexes on those times), the tasks open at its end and past due (those still
open by the partial index of 0011; those done late since by the span they were overdue,
in a GiST index of late tasks only), and the month's reopenings from the outbox (a partial
index holding only `case.reopened`, so the outbox is no dearer to write). No new table.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_case_tasks_created", "case_tasks", ["created_at"], unique=False)
    op.create_index(
        "ix_case_tasks_accepted",
        "case_tasks",
        ["accepted_at"],
        unique=False,
        postgresql_where=sa.text("accepted_at IS NOT NULL"),
    )
    op.create_index(
        "ix_case_tasks_done",
        "case_tasks",
        ["done_at"],
        unique=False,
        postgresql_where=sa.text("done_at IS NOT NULL"),
    )
    op.create_index(
        "ix_case_tasks_late_span",
        "case_tasks",
        [sa.text("tstzrange(due_at, greatest(due_at, done_at), '(]')")],
        unique=False,
        postgresql_using="gist",
        postgresql_where=sa.text("done_at > due_at"),
    )
    op.create_index(
        "ix_outbox_case_reopened",
        "outbox",
        ["occurred_at"],
        unique=False,
        postgresql_where=sa.text("type = 'case.reopened'"),
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_case_reopened", table_name="outbox")
    op.drop_index("ix_case_tasks_late_span", table_name="case_tasks")
    op.drop_index("ix_case_tasks_done", table_name="case_tasks")
    op.drop_index("ix_case_tasks_accepted", table_name="case_tasks")
    op.drop_index("ix_case_tasks_created", table_name="case_tasks")
