"""departments, case categories and routes, cases and their tasks

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 21:45:32

The "1+4" joint cases: departments and their members, case categories with their clocks
and routing rules, cases numbered from a sequence, one task per department on a case, and
progress notes. Every new table notifies its changes, as in 0009.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


WATCHED = (
    "departments",
    "department_members",
    "case_categories",
    "case_routes",
    "case_route_helpers",
    "cases",
    "case_tasks",
    "case_notes",
)


def upgrade() -> None:
    op.execute("CREATE SEQUENCE case_numbers START WITH 1")
    op.create_table(
        "case_categories",
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=True),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column("group", sa.String(length=100), nullable=True),
        sa.Column("keywords", sa.String(length=300), nullable=True),
        sa.Column("response_hours", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("resolution_days", sa.Integer(), nullable=False),
        sa.Column("urgency_factors", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "escalation",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("photo_required", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("reply_days", sa.Integer(), server_default=sa.text("3"), nullable=False),
        sa.Column(
            "attributes",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("public", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
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
        sa.CheckConstraint("reply_days > 0", name=op.f("ck_case_categories_reply_positive")),
        sa.CheckConstraint(
            "resolution_days > 0", name=op.f("ck_case_categories_resolution_positive")
        ),
        sa.CheckConstraint("response_hours > 0", name=op.f("ck_case_categories_response_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_categories")),
        sa.UniqueConstraint("code", name=op.f("uq_case_categories_code")),
    )
    op.create_table(
        "departments",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "urban_management",
                "city_appearance",
                "housing_office",
                "residential_committee",
                "police",
                "market_supervision",
                "property_manager",
                "other",
                name="department_kind",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("team_id", sa.Uuid(), nullable=True),
        sa.Column("area_id", sa.Uuid(), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("work_hours", sa.String(length=100), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
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
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["areas.id"],
            name=op.f("fk_departments_area_id_areas"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_departments_team_id_teams"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_departments")),
        sa.UniqueConstraint("name", name=op.f("uq_departments_name")),
        sa.UniqueConstraint("team_id", name=op.f("uq_departments_team_id")),
    )
    op.create_index(op.f("ix_departments_area_id"), "departments", ["area_id"], unique=False)
    op.create_table(
        "case_routes",
        sa.Column("category_id", sa.Uuid(), nullable=False),
        sa.Column("area_id", sa.Uuid(), nullable=True),
        sa.Column("building_id", sa.Uuid(), nullable=True),
        sa.Column("lead_department_id", sa.Uuid(), nullable=False),
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
        sa.CheckConstraint(
            "area_id IS NULL OR building_id IS NULL", name=op.f("ck_case_routes_one_place")
        ),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_case_routes_area_id_areas"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["building_id"],
            ["buildings.id"],
            name=op.f("fk_case_routes_building_id_buildings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["case_categories.id"],
            name=op.f("fk_case_routes_category_id_case_categories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lead_department_id"],
            ["departments.id"],
            name=op.f("fk_case_routes_lead_department_id_departments"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_routes")),
        sa.UniqueConstraint(
            "category_id",
            "area_id",
            "building_id",
            name="uq_case_routes_place",
            postgresql_nulls_not_distinct=True,
        ),
    )
    op.create_index(op.f("ix_case_routes_area_id"), "case_routes", ["area_id"], unique=False)
    op.create_index(
        op.f("ix_case_routes_building_id"), "case_routes", ["building_id"], unique=False
    )
    op.create_index(
        op.f("ix_case_routes_category_id"), "case_routes", ["category_id"], unique=False
    )
    op.create_index(
        op.f("ix_case_routes_lead_department_id"),
        "case_routes",
        ["lead_department_id"],
        unique=False,
    )
    op.create_table(
        "department_members",
        sa.Column("department_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("is_lead", sa.Boolean(), server_default=sa.text("false"), nullable=False),
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
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_department_members_department_id_departments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_department_members_person_id_people"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_department_members")),
        sa.UniqueConstraint(
            "department_id", "person_id", name=op.f("uq_department_members_department_id")
        ),
    )
    op.create_index(
        op.f("ix_department_members_person_id"), "department_members", ["person_id"], unique=False
    )
    op.create_index(
        "uq_department_members_one_lead",
        "department_members",
        ["department_id"],
        unique=True,
        postgresql_where=sa.text("is_lead"),
    )
    op.create_table(
        "case_route_helpers",
        sa.Column("route_id", sa.Uuid(), nullable=False),
        sa.Column("department_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_case_route_helpers_department_id_departments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["route_id"],
            ["case_routes.id"],
            name=op.f("fk_case_route_helpers_route_id_case_routes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_route_helpers")),
        sa.UniqueConstraint(
            "route_id", "department_id", name=op.f("uq_case_route_helpers_route_id")
        ),
    )
    op.create_index(
        op.f("ix_case_route_helpers_department_id"),
        "case_route_helpers",
        ["department_id"],
        unique=False,
    )
    op.create_table(
        "cases",
        sa.Column(
            "number",
            sa.BigInteger(),
            server_default=sa.text("nextval('case_numbers')"),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=4000), nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=False),
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
                "new",
                "accepted",
                "in_progress",
                "resolved",
                "closed",
                "reopened",
                "rejected",
                "merged",
                name="case_status",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column(
            "source",
            sa.Enum(
                "visit",
                "survey",
                "post_report",
                "hotline",
                "coordinator",
                "open311",
                name="case_source",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("area_id", sa.Uuid(), nullable=True),
        sa.Column("building_id", sa.Uuid(), nullable=True),
        sa.Column("company_id", sa.Uuid(), nullable=True),
        sa.Column("dwelling_id", sa.Uuid(), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("latitude", sa.Numeric(precision=9, scale=6, asdecimal=False), nullable=True),
        sa.Column("longitude", sa.Numeric(precision=9, scale=6, asdecimal=False), nullable=True),
        sa.Column("visit_id", sa.Uuid(), nullable=True),
        sa.Column("hotline_number", sa.String(length=40), nullable=True),
        sa.Column("hotline_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reporter_person_id", sa.Uuid(), nullable=True),
        sa.Column("reporter_contact_id", sa.Uuid(), nullable=True),
        sa.Column("reporter_name", sa.String(length=100), nullable=True),
        sa.Column("reporter_phone", sa.String(length=20), nullable=True),
        sa.Column("reporter_email", sa.String(length=254), nullable=True),
        sa.Column("lead_department_id", sa.Uuid(), nullable=True),
        sa.Column("response_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolution_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.String(length=2000), nullable=True),
        sa.Column("rejected_reason", sa.String(length=500), nullable=True),
        sa.Column("reply_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("satisfied", sa.Boolean(), nullable=True),
        sa.Column("feedback", sa.String(length=1000), nullable=True),
        sa.Column("closed_by", sa.String(length=20), nullable=True),
        sa.Column("merged_into_id", sa.Uuid(), nullable=True),
        sa.Column("reopened_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("open311_token", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
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
        sa.CheckConstraint(
            "(status = 'merged') = (merged_into_id IS NOT NULL)", name=op.f("ck_cases_merged_into")
        ),
        sa.CheckConstraint(
            "(latitude IS NULL) = (longitude IS NULL)",
            name=op.f("ck_cases_coordinates_both_or_neither"),
        ),
        sa.CheckConstraint("merged_into_id <> id", name=op.f("ck_cases_not_merged_into_itself")),
        sa.CheckConstraint("reopened_count >= 0", name=op.f("ck_cases_reopened_not_negative")),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_cases_area_id_areas"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["building_id"],
            ["buildings.id"],
            name=op.f("fk_cases_building_id_buildings"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["case_categories.id"],
            name=op.f("fk_cases_category_id_case_categories"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_cases_company_id_companies"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["lead_department_id"],
            ["departments.id"],
            name=op.f("fk_cases_lead_department_id_departments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["cases.id"],
            name=op.f("fk_cases_merged_into_id_cases"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["reporter_contact_id"],
            ["contacts.id"],
            name=op.f("fk_cases_reporter_contact_id_contacts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["reporter_person_id"],
            ["people.id"],
            name=op.f("fk_cases_reporter_person_id_people"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_cases_visit_id_visits"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("hotline_number", name=op.f("uq_cases_hotline_number")),
        sa.UniqueConstraint("number", name=op.f("uq_cases_number")),
        sa.UniqueConstraint("open311_token", name=op.f("uq_cases_open311_token")),
    )
    op.create_index(op.f("ix_cases_area_id"), "cases", ["area_id"], unique=False)
    op.create_index(op.f("ix_cases_building_id"), "cases", ["building_id"], unique=False)
    op.create_index(
        "ix_cases_category_created", "cases", ["category_id", "created_at"], unique=False
    )
    op.create_index(op.f("ix_cases_company_id"), "cases", ["company_id"], unique=False)
    op.create_index(op.f("ix_cases_dwelling_id"), "cases", ["dwelling_id"], unique=False)
    op.create_index(
        op.f("ix_cases_lead_department_id"), "cases", ["lead_department_id"], unique=False
    )
    op.create_index(op.f("ix_cases_merged_into_id"), "cases", ["merged_into_id"], unique=False)
    op.create_index(
        "ix_cases_open_due",
        "cases",
        ["resolution_due_at"],
        unique=False,
        postgresql_where=sa.text("status IN ('new', 'accepted', 'in_progress', 'reopened')"),
    )
    op.create_index(
        op.f("ix_cases_reporter_contact_id"), "cases", ["reporter_contact_id"], unique=False
    )
    op.create_index(
        op.f("ix_cases_reporter_person_id"), "cases", ["reporter_person_id"], unique=False
    )
    op.create_index("ix_cases_status_created", "cases", ["status", "created_at"], unique=False)
    op.create_index("ix_cases_updated", "cases", ["updated_at", "id"], unique=False)
    op.create_index(op.f("ix_cases_visit_id"), "cases", ["visit_id"], unique=False)
    op.create_table(
        "case_tasks",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("department_id", sa.Uuid(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "lead", "co", name="task_role", native_enum=False, create_constraint=True, length=30
            ),
            nullable=False,
        ),
        sa.Column("assignee_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "accepted",
                "done",
                "returned",
                "dropped",
                name="task_status",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.Column("return_reason", sa.String(length=500), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["people.id"],
            name=op.f("fk_case_tasks_assignee_id_people"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_tasks_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_case_tasks_department_id_departments"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_tasks")),
    )
    op.create_index(op.f("ix_case_tasks_assignee_id"), "case_tasks", ["assignee_id"], unique=False)
    op.create_index(op.f("ix_case_tasks_case_id"), "case_tasks", ["case_id"], unique=False)
    op.create_index(
        op.f("ix_case_tasks_department_id"), "case_tasks", ["department_id"], unique=False
    )
    op.create_index(
        "ix_case_tasks_open_due",
        "case_tasks",
        ["due_at"],
        unique=False,
        postgresql_where=sa.text("status IN ('pending', 'accepted')"),
    )
    op.create_index(
        "uq_case_tasks_live_department",
        "case_tasks",
        ["case_id", "department_id"],
        unique=True,
        postgresql_where=sa.text("status <> 'dropped'"),
    )
    op.create_table(
        "case_notes",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("task_id", sa.Uuid(), nullable=True),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("body", sa.String(length=2000), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_notes_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["case_tasks.id"],
            name=op.f("fk_case_notes_task_id_case_tasks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_notes")),
    )
    op.create_index(
        "ix_case_notes_case_created", "case_notes", ["case_id", "created_at"], unique=False
    )
    op.create_index(op.f("ix_case_notes_task_id"), "case_notes", ["task_id"], unique=False)
    _watch()


def _watch() -> None:
    for table in WATCHED:
        op.execute(
            f"CREATE TRIGGER {table}_changed AFTER INSERT OR UPDATE OR DELETE ON {table}"
            " FOR EACH STATEMENT EXECUTE FUNCTION fumin_changed()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_truncated AFTER TRUNCATE ON {table}"
            " FOR EACH STATEMENT EXECUTE FUNCTION fumin_changed()"
        )


def downgrade() -> None:
    op.drop_index(op.f("ix_case_notes_task_id"), table_name="case_notes")
    op.drop_index("ix_case_notes_case_created", table_name="case_notes")
    op.drop_table("case_notes")
    op.drop_index(
        "uq_case_tasks_live_department",
        table_name="case_tasks",
        postgresql_where=sa.text("status <> 'dropped'"),
    )
    op.drop_index(
        "ix_case_tasks_open_due",
        table_name="case_tasks",
        postgresql_where=sa.text("status IN ('pending', 'accepted')"),
    )
    op.drop_index(op.f("ix_case_tasks_department_id"), table_name="case_tasks")
    op.drop_index(op.f("ix_case_tasks_case_id"), table_name="case_tasks")
    op.drop_index(op.f("ix_case_tasks_assignee_id"), table_name="case_tasks")
    op.drop_table("case_tasks")
    op.drop_index(op.f("ix_cases_visit_id"), table_name="cases")
    op.drop_index("ix_cases_updated", table_name="cases")
    op.drop_index("ix_cases_status_created", table_name="cases")
    op.drop_index(op.f("ix_cases_reporter_person_id"), table_name="cases")
    op.drop_index(op.f("ix_cases_reporter_contact_id"), table_name="cases")
    op.drop_index(
        "ix_cases_open_due",
        table_name="cases",
        postgresql_where=sa.text("status IN ('new', 'accepted', 'in_progress', 'reopened')"),
    )
    op.drop_index(op.f("ix_cases_merged_into_id"), table_name="cases")
    op.drop_index(op.f("ix_cases_lead_department_id"), table_name="cases")
    op.drop_index(op.f("ix_cases_dwelling_id"), table_name="cases")
    op.drop_index(op.f("ix_cases_company_id"), table_name="cases")
    op.drop_index("ix_cases_category_created", table_name="cases")
    op.drop_index(op.f("ix_cases_building_id"), table_name="cases")
    op.drop_index(op.f("ix_cases_area_id"), table_name="cases")
    op.drop_table("cases")
    op.drop_index(op.f("ix_case_route_helpers_department_id"), table_name="case_route_helpers")
    op.drop_table("case_route_helpers")
    op.drop_index(
        "uq_department_members_one_lead",
        table_name="department_members",
        postgresql_where=sa.text("is_lead"),
    )
    op.drop_index(op.f("ix_department_members_person_id"), table_name="department_members")
    op.drop_table("department_members")
    op.drop_index(op.f("ix_case_routes_lead_department_id"), table_name="case_routes")
    op.drop_index(op.f("ix_case_routes_category_id"), table_name="case_routes")
    op.drop_index(op.f("ix_case_routes_building_id"), table_name="case_routes")
    op.drop_index(op.f("ix_case_routes_area_id"), table_name="case_routes")
    op.drop_table("case_routes")
    op.drop_index(op.f("ix_departments_area_id"), table_name="departments")
    op.drop_table("departments")
    op.drop_table("case_categories")
    op.execute("DROP SEQUENCE case_numbers")
