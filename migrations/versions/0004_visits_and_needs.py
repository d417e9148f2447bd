"""liaison visits, their reminders, company needs; companies.liaison_id

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
    ]


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.add_column("companies", sa.Column("liaison_id", sa.Uuid(), nullable=True))
    op.create_index(op.f("ix_companies_liaison_id"), "companies", ["liaison_id"], unique=False)
    op.create_foreign_key(
        op.f("fk_companies_liaison_id_people"),
        "companies",
        "people",
        ["liaison_id"],
        ["id"],
        ondelete="RESTRICT",
    )
    op.create_table(
        "visits",
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("liaison_id", sa.Uuid(), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=False),
        sa.Column("purpose", sa.String(length=500), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "proposed",
                "confirmed",
                "declined",
                "reschedule_requested",
                "cancelled",
                "completed",
                "no_show",
                name="visit_status",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column(
            "active",
            sa.Boolean(),
            sa.Computed("status IN ('proposed', 'confirmed')", persisted=True),
            nullable=False,
        ),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column(
            "proposed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decline_reason", sa.String(length=500), nullable=True),
        sa.Column("reschedule_windows", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("reschedule_note", sa.String(length=500), nullable=True),
        sa.Column("cancel_reason", sa.String(length=500), nullable=True),
        sa.Column("outcome_notes", sa.Text(), nullable=True),
        sa.Column("outcome_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_visits_ends_after_start")),
        sa.CheckConstraint("sequence >= 0", name=op.f("ck_visits_sequence_not_negative")),
        postgresql.ExcludeConstraint(
            ("liaison_id", "="),
            (sa.text("tstzrange(starts_at, ends_at)"), "&&"),
            name="ex_visits_liaison_overlap",
            using="gist",
            where=sa.text("active"),
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_visits_company_id_companies"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_visits_contact_id_contacts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["liaison_id"],
            ["people.id"],
            name=op.f("fk_visits_liaison_id_people"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_visits_team_id_teams"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visits")),
    )
    op.create_index(op.f("ix_visits_contact_id"), "visits", ["contact_id"], unique=False)
    op.create_index(op.f("ix_visits_team_id"), "visits", ["team_id"], unique=False)
    op.create_index("ix_visits_starts_at", "visits", ["starts_at"], unique=False)
    op.create_index("ix_visits_liaison_starts", "visits", ["liaison_id", "starts_at"], unique=False)
    op.create_index("ix_visits_company_starts", "visits", ["company_id", "starts_at"], unique=False)
    op.create_index("ix_visits_status_starts", "visits", ["status", "starts_at"], unique=False)

    op.create_table(
        "visit_reminders",
        sa.Column("visit_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["visits.id"],
            name=op.f("fk_visit_reminders_visit_id_visits"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_reminders")),
        sa.UniqueConstraint("visit_id", "kind", "sequence", name="uq_visit_reminders_step"),
    )

    op.create_table(
        "needs",
        sa.Column("visit_id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "epidemic_supplies",
                "policy",
                "hiring",
                "rent",
                "legal_help",
                "property_management",
                "other",
                name="need_category",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column(
            "urgency",
            sa.Enum(
                "low",
                "normal",
                "high",
                "urgent",
                name="urgency",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "assigned",
                "resolved",
                "closed",
                name="need_status",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("assignee_team_id", sa.Uuid(), nullable=True),
        sa.Column(
            "assignee_department",
            sa.Enum(
                "urban_management",
                "city_appearance",
                "housing_office",
                "residential_area",
                name="department",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=True,
        ),
        sa.Column("resolution", sa.String(length=2000), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reopened_count", sa.Integer(), nullable=False),
        *_timestamps(),
        sa.CheckConstraint(
            "NOT (assignee_team_id IS NOT NULL AND assignee_department IS NOT NULL)",
            name=op.f("ck_needs_one_assignee"),
        ),
        sa.ForeignKeyConstraint(
            ["assignee_team_id"],
            ["teams.id"],
            name=op.f("fk_needs_assignee_team_id_teams"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_needs_company_id_companies"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_needs_visit_id_visits"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_needs")),
    )
    op.create_index(op.f("ix_needs_assignee_team_id"), "needs", ["assignee_team_id"], unique=False)
    op.create_index(op.f("ix_needs_company_id"), "needs", ["company_id"], unique=False)
    op.create_index(op.f("ix_needs_visit_id"), "needs", ["visit_id"], unique=False)
    op.create_index("ix_needs_status_due", "needs", ["status", "due_at"], unique=False)


def downgrade() -> None:
    op.drop_table("needs")
    op.drop_table("visit_reminders")
    op.drop_table("visits")
    op.drop_constraint(op.f("fk_companies_liaison_id_people"), "companies", type_="foreignkey")
    op.drop_index(op.f("ix_companies_liaison_id"), table_name="companies")
    op.drop_column("companies", "liaison_id")
