"""work calendar: public holidays and make-up working days

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 09:00:00

The exceptions to the weekly rule (FUMIN_WORK_WEEKEND) that working time is counted with
(coordinator/worktime): a date that is not a working day though a weekday (a public
holiday), or is one though a weekend day (调休上班). With the change trigger of 0009, so
the calendars kept in memory learn of every edit.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "work_calendar_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("working", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_work_calendar_days")),
    )
    op.execute(
        "CREATE TRIGGER work_calendar_days_changed AFTER INSERT OR UPDATE OR DELETE"
        " ON work_calendar_days FOR EACH STATEMENT EXECUTE FUNCTION fumin_changed()"
    )
    op.execute(
        "CREATE TRIGGER work_calendar_days_truncated AFTER TRUNCATE ON work_calendar_days"
        " FOR EACH STATEMENT EXECUTE FUNCTION fumin_changed()"
    )


def downgrade() -> None:
    op.drop_table("work_calendar_days")  # its triggers go with it
