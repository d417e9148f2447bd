"""photos

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 09:00:00

Photos attached to cases, tasks and notes: what the photo store keeps (the cleaned image
and its thumbnail), described. Rows never change; the change trigger (migration 0009)
is there so a cached answer that shows photos hears of new ones.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "photos",
        sa.Column("content_type", sa.String(length=20), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("thumb_key", sa.String(length=200), nullable=False),
        sa.Column("thumb_width", sa.Integer(), nullable=False),
        sa.Column("thumb_height", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=100), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "content_type IN ('image/jpeg', 'image/png', 'image/webp')",
            name=op.f("ck_photos_content_type_known"),
        ),
        sa.CheckConstraint(
            "width > 0 AND height > 0 AND thumb_width > 0 AND thumb_height > 0 AND size > 0",
            name=op.f("ck_photos_sizes_positive"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photos")),
    )
    for event in ("INSERT OR UPDATE OR DELETE", "TRUNCATE"):
        name = "photos_changed" if event != "TRUNCATE" else "photos_truncated"
        op.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON photos"
            " FOR EACH STATEMENT EXECUTE FUNCTION fumin_changed()"
        )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS photos_truncated ON photos")
    op.execute("DROP TRIGGER IF EXISTS photos_changed ON photos")
    op.drop_table("photos")
