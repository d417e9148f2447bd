"""a shift's waitlist length, kept on the shift row

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 09:00:00

`shifts.waiting` counts the shift's waitlisted signups, like `filled` counts the places
held, and is changed under the same row lock. A sign-up that joins the waitlist reads its
position from the locked row (waiting + 1) in the statement that claims it: counting the
signups there would use the statement's snapshot, taken before it waited for the lock.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "shifts", sa.Column("waiting", sa.Integer(), server_default=sa.text("0"), nullable=False)
    )
    op.execute(
        """
        UPDATE shifts SET waiting = w.n
        FROM (
            SELECT shift_id, count(*) AS n FROM signups
            WHERE status = 'waitlisted' GROUP BY shift_id
        ) AS w
        WHERE shifts.id = w.shift_id
        """
    )
    op.create_check_constraint("waiting_not_negative", "shifts", "waiting >= 0")


def downgrade() -> None:
    op.drop_constraint("waiting_not_negative", "shifts", type_="check")
    op.drop_column("shifts", "waiting")
