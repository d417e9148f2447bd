"""one head after visits, shifts and feeds

Revision ID: 0007
Revises: 0004, 0005, 0006
Create Date: 2026-11-27 00:13:37.781394
"""

from collections.abc import Sequence

revision: str = "0007"
down_revision: str | tuple[str, ...] | None = ("0004", "0005", "0006")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing to change: this joins the three lines of migrations into one."""


def downgrade() -> None:
    """Nothing to undo."""
