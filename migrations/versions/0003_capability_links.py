"""capability links

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 23:51:49.899070
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "capability_links",
        sa.Column("token_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("subject_type", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("holder_type", sa.String(length=40), nullable=True),
        sa.Column("holder_id", sa.Uuid(), nullable=True),
        sa.Column("actions", postgresql.ARRAY(sa.String(length=40)), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_capability_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_capability_links_token_hash")),
    )
    op.create_index(
        "ix_capability_links_subject",
        "capability_links",
        ["subject_type", "subject_id"],
        unique=False,
    )
    op.create_table(
        "link_uses",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("link_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("old_state", sa.String(length=40), nullable=True),
        sa.Column("new_state", sa.String(length=40), nullable=True),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["capability_links.id"],
            name=op.f("fk_link_uses_link_id_capability_links"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_uses")),
    )
    op.create_index(op.f("ix_link_uses_link_id"), "link_uses", ["link_id"], unique=False)

    # Notification preferences of people and contacts.
    op.add_column(
        "people",
        sa.Column("preferred_language", sa.String(length=2), server_default="zh", nullable=False),
    )
    op.add_column(
        "people",
        sa.Column(
            "channels",
            postgresql.ARRAY(sa.String(length=10)),
            server_default="{email}",
            nullable=False,
        ),
    )
    op.add_column("people", sa.Column("quiet_hours", sa.String(length=11), nullable=True))
    op.add_column(
        "contacts",
        sa.Column(
            "channels",
            postgresql.ARRAY(sa.String(length=10)),
            server_default="{email,sms}",
            nullable=False,
        ),
    )
    op.add_column("contacts", sa.Column("quiet_hours", sa.String(length=11), nullable=True))


def downgrade() -> None:
    for table, column in (
        ("contacts", "quiet_hours"),
        ("contacts", "channels"),
        ("people", "quiet_hours"),
        ("people", "channels"),
        ("people", "preferred_language"),
    ):
        op.drop_column(table, column)
    op.drop_index(op.f("ix_link_uses_link_id"), table_name="link_uses")
    op.drop_table("link_uses")
    op.drop_index("ix_capability_links_subject", table_name="capability_links")
    op.drop_table("capability_links")
