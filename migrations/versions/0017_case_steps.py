"""the clock of case tasks: their plan, and the steps taken (case_steps)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08 09:00:00

A task's reminder before its due time and its category's escalation ladder after it
(coordinator/cases/clock): on case_tasks the due time the plan was made for, which plan it
is and when the next step falls, and `clock_at`, computed by PostgreSQL from them and the
task's state: when the sweep is to look at the task (at once while its due time has no
plan, else at its next step, never once the task is done, handed back or dropped). Its
partial index holds open tasks only, so the sweep reads no closed case, and its
statistics are those of the sweep's own question. case_steps keeps each step taken, once
per task, kind, step and plan. case_steps is bookkeeping, read by nothing kept in memory:
no change trigger (platform.changes.UNWATCHED). Tasks open when this runs are planned by
the first sweep.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# When the sweep is to look at a task: at once while its due time has no plan, else at
# its next step; never once it is no longer open (pending or accepted).
CLOCK_AT = (
    "CASE WHEN status IN ('pending', 'accepted') THEN"
    " CASE WHEN clock_due_at IS DISTINCT FROM due_at THEN '-infinity'::timestamptz"
    " ELSE next_step_at END END"
)


def upgrade() -> None:
    op.add_column("case_tasks", sa.Column("clock_due_at", sa.DateTime(timezone=True)))
    op.add_column(
        "case_tasks",
        sa.Column("clock_sequence", sa.Integer(), server_default=sa.text("0"), nullable=False),
    )
    op.add_column("case_tasks", sa.Column("next_step_at", sa.DateTime(timezone=True)))
    op.add_column(
        "case_tasks",
        sa.Column(
            "clock_at",
            sa.DateTime(timezone=True),
            sa.Computed(CLOCK_AT, persisted=True),
            nullable=True,
        ),
    )
    op.create_index(
        "ix_case_tasks_clock",
        "case_tasks",
        ["clock_at"],
        unique=False,
        postgresql_where=sa.text("clock_at IS NOT NULL"),
    )
    op.create_table(
        "case_steps",
        sa.Column("task_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("planned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["case_tasks.id"],
            name=op.f("fk_case_steps_task_id_case_tasks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_steps")),
        sa.UniqueConstraint("task_id", "kind", "step", "sequence", name="uq_case_steps_step"),
    )


def downgrade() -> None:
    op.drop_table("case_steps")
    op.drop_index("ix_case_tasks_clock", table_name="case_tasks")
    op.drop_column("case_tasks", "clock_at")
    op.drop_column("case_tasks", "next_step_at")
    op.drop_column("case_tasks", "clock_sequence")
    op.drop_column("case_tasks", "clock_due_at")
