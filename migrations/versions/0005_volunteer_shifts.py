"""volunteer shifts: posts, series, shifts, signups, checklist ticks, hours, reminders

Revision ID: 0005
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def _stamps() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("created_at", _TS, server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", _TS, server_default=sa.text("now()"), nullable=False),
    ]


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    # Volunteers are office workers: the company they work for, for monthly statements.
    op.add_column("people", sa.Column("company_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        op.f("fk_people_company_id_companies"),
        "people",
        "companies",
        ["company_id"],
        ["id"],
        ondelete="RESTRICT",
    )
    op.create_index(op.f("ix_people_company_id"), "people", ["company_id"])
    op.create_table(
        "posts",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("area_id", sa.Uuid(), nullable=True),
        sa.Column("building_id", sa.Uuid(), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("checklist", postgresql.ARRAY(sa.String(length=100)), nullable=False),
        sa.Column("required_skills", postgresql.ARRAY(sa.String(length=50)), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        *_stamps(),
        sa.CheckConstraint(
            "num_nonnulls(area_id, building_id, address) >= 1", name=op.f("ck_posts_has_place")
        ),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_posts_area_id_areas"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["building_id"],
            ["buildings.id"],
            name=op.f("fk_posts_building_id_buildings"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_posts_team_id_teams"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posts")),
    )
    op.create_index(op.f("ix_posts_area_id"), "posts", ["area_id"])
    op.create_index(op.f("ix_posts_building_id"), "posts", ["building_id"])
    op.create_index(op.f("ix_posts_team_id"), "posts", ["team_id"])

    op.create_table(
        "shift_series",
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("rrule", sa.String(length=500), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("windows", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("exdates", postgresql.ARRAY(sa.Date()), nullable=False),
        sa.Column("min_people", sa.Integer(), nullable=False),
        sa.Column("max_people", sa.Integer(), nullable=False),
        sa.Column("required_skills", postgresql.ARRAY(sa.String(length=50)), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("materialized_until", sa.Date(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
            name=op.f("fk_shift_series_post_id_posts"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shift_series")),
    )
    op.create_index(op.f("ix_shift_series_post_id"), "shift_series", ["post_id"])

    op.create_table(
        "shifts",
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("series_id", sa.Uuid(), nullable=True),
        sa.Column("recurrence_at", _TS, nullable=True),
        sa.Column("starts_at", _TS, nullable=False),
        sa.Column("ends_at", _TS, nullable=False),
        sa.Column("min_people", sa.Integer(), nullable=False),
        sa.Column("max_people", sa.Integer(), nullable=False),
        sa.Column("filled", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("required_skills", postgresql.ARRAY(sa.String(length=50)), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("scheduled", "cancelled", name="shift_status", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column("sequence", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("understaffed_at", _TS, nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        *_stamps(),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_shifts_ends_after_start")),
        sa.CheckConstraint(
            "min_people >= 0 AND min_people <= max_people", name=op.f("ck_shifts_min_within_max")
        ),
        sa.CheckConstraint("max_people >= 1", name=op.f("ck_shifts_max_positive")),
        sa.CheckConstraint(
            "filled >= 0 AND filled <= max_people", name=op.f("ck_shifts_filled_within_max")
        ),
        sa.CheckConstraint(
            "status IN ('scheduled', 'cancelled')", name=op.f("ck_shifts_shift_status")
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_shifts_post_id_posts"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["shift_series.id"],
            name=op.f("fk_shifts_series_id_shift_series"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shifts")),
        sa.UniqueConstraint("series_id", "recurrence_at", name="uq_shifts_occurrence"),
    )
    op.create_index("ix_shifts_starts_at", "shifts", ["starts_at"])
    op.create_index(op.f("ix_shifts_post_id"), "shifts", ["post_id"])
    op.create_index(op.f("ix_shifts_series_id"), "shifts", ["series_id"])

    op.create_table(
        "signups",
        sa.Column("shift_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "signed_up",
                "waitlisted",
                "checked_in",
                "completed",
                "no_show",
                "cancelled",
                name="signup_status",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("arrival", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("starts_at", _TS, nullable=False),
        sa.Column("ends_at", _TS, nullable=False),
        sa.Column("sequence", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("swap_offered_at", _TS, nullable=True),
        sa.Column("swapped_from_id", sa.Uuid(), nullable=True),
        sa.Column("checked_in_at", _TS, nullable=True),
        sa.Column("checked_out_at", _TS, nullable=True),
        sa.Column("cancelled_at", _TS, nullable=True),
        sa.Column("cancel_reason", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        *_stamps(),
        sa.CheckConstraint(
            "status IN ('signed_up', 'waitlisted', 'checked_in', 'completed', 'no_show', "
            "'cancelled')",
            name=op.f("ck_signups_signup_status"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_signups_person_id_people"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["shifts.id"], name=op.f("fk_signups_shift_id_shifts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["swapped_from_id"],
            ["signups.id"],
            name=op.f("fk_signups_swapped_from_id_signups"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signups")),
        postgresql.ExcludeConstraint(
            (sa.column("person_id"), "="),
            (sa.text("tstzrange(starts_at, ends_at)"), "&&"),
            using="gist",
            where=sa.text("status IN ('signed_up', 'checked_in', 'completed')"),
            name="ex_signups_person_overlap",
        ),
    )
    op.create_index(
        "uq_signups_shift_person_live",
        "signups",
        ["shift_id", "person_id"],
        unique=True,
        postgresql_where=sa.text("status <> 'cancelled'"),
    )
    op.create_index("ix_signups_shift_arrival", "signups", ["shift_id", "arrival"])
    op.create_index("ix_signups_person_starts", "signups", ["person_id", "starts_at"])

    op.create_table(
        "checklist_ticks",
        sa.Column("signup_id", sa.Uuid(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("ticked_at", _TS, server_default=sa.text("now()"), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["signup_id"],
            ["signups.id"],
            name=op.f("fk_checklist_ticks_signup_id_signups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_ticks")),
        sa.UniqueConstraint("signup_id", "step", name="uq_checklist_ticks_step"),
    )

    op.create_table(
        "hours_entries",
        sa.Column("signup_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("shift_id", sa.Uuid(), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=True),
        sa.Column("company_id", sa.Uuid(), nullable=True),
        sa.Column("served_on", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending", "approved", "rejected", name="hours_status", native_enum=False, length=30
            ),
            nullable=False,
        ),
        sa.Column("approved_by_id", sa.Uuid(), nullable=True),
        sa.Column("approved_at", _TS, nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        *_stamps(),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected')",
            name=op.f("ck_hours_entries_hours_status"),
        ),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["people.id"],
            name=op.f("fk_hours_entries_approved_by_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_hours_entries_company_id_companies"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_hours_entries_person_id_people"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"],
            ["shifts.id"],
            name=op.f("fk_hours_entries_shift_id_shifts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["signup_id"],
            ["signups.id"],
            name=op.f("fk_hours_entries_signup_id_signups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_hours_entries_team_id_teams"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hours_entries")),
        sa.UniqueConstraint("signup_id", name=op.f("uq_hours_entries_signup_id")),
    )
    op.create_index(op.f("ix_hours_entries_person_id"), "hours_entries", ["person_id"])
    op.create_index(op.f("ix_hours_entries_served_on"), "hours_entries", ["served_on"])
    op.create_index(op.f("ix_hours_entries_company_id"), "hours_entries", ["company_id"])

    op.create_table(
        "shift_reminders",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("signup_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("created_at", _TS, server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["signup_id"],
            ["signups.id"],
            name=op.f("fk_shift_reminders_signup_id_signups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shift_reminders")),
        sa.UniqueConstraint("signup_id", "kind", "sequence", name="uq_shift_reminders_once"),
    )


def downgrade() -> None:
    for table in (
        "shift_reminders",
        "hours_entries",
        "checklist_ticks",
        "signups",
        "shifts",
        "shift_series",
        "posts",
    ):
        op.drop_table(table)
    op.drop_index(op.f("ix_people_company_id"), table_name="people")
    op.drop_constraint(op.f("fk_people_company_id_companies"), "people", type_="foreignkey")
    op.drop_column("people", "company_id")
