"""photos attached to cases, their tasks and their notes

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 10:12:40

A link table: a stored photo (0012) attached to a case as filed, to a task (evidence of the
work done) or to a progress note. Notifies its changes, as in 0009.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_photos",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("task_id", sa.Uuid(), nullable=True),
        sa.Column("note_id", sa.Uuid(), nullable=True),
        sa.Column("photo_id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_photos_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["note_id"],
            ["case_notes.id"],
            name=op.f("fk_case_photos_note_id_case_notes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["photo_id"],
            ["photos.id"],
            name=op.f("fk_case_photos_photo_id_photos"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["case_tasks.id"],
            name=op.f("fk_case_photos_task_id_case_tasks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_photos")),
        sa.UniqueConstraint(
            "case_id",
            "task_id",
            "note_id",
            "photo_id",
            name="uq_case_photos_attached",
            postgresql_nulls_not_distinct=True,
        ),
    )
    for column in ("case_id", "task_id", "note_id", "photo_id"):
        op.create_index(op.f(f"ix_case_photos_{column}"), "case_photos", [column], unique=False)
    op.execute(
        "CREATE TRIGGER case_photos_changed AFTER INSERT OR UPDATE OR DELETE ON case_photos"
        " FOR EACH STATEMENT EXECUTE FUNCTION fumin_changed()"
    )
    op.execute(
        "CREATE TRIGGER case_photos_truncated AFTER TRUNCATE ON case_photos"
        " FOR EACH STATEMENT EXECUTE FUNCTION fumin_changed()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS case_photos_truncated ON case_photos")
    op.execute("DROP TRIGGER IF EXISTS case_photos_changed ON case_photos")
    for column in ("photo_id", "note_id", "task_id", "case_id"):
        op.drop_index(op.f(f"ix_case_photos_{column}"), table_name="case_photos")
    op.drop_table("case_photos")
