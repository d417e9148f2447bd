"""registry, tokens and audit log

Revision ID: 0001
Revises:
Create Date: 2026-11-26 23:12:02.501069
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "api_tokens",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "viewer",
                "coordinator",
                "admin",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("token_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_table(
        "areas",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "residential",
                "block",
                name="area_kind",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_areas")),
        sa.UniqueConstraint("name", name=op.f("uq_areas_name")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("actor_token_id", sa.Uuid(), nullable=True),
        sa.Column("actor_name", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("entity_type", sa.String(length=50), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"], unique=False)
    op.create_index("ix_audit_log_entity", "audit_log", ["entity_type", "entity_id"], unique=False)
    op.create_table(
        "people",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("skills", postgresql.ARRAY(sa.String(length=50)), nullable=False),
        sa.Column("party_member", sa.Boolean(), nullable=False),
        sa.Column("party_branch_id", sa.Uuid(), nullable=True),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
    )
    op.create_index(op.f("ix_people_name"), "people", ["name"], unique=False)
    op.create_index(op.f("ix_people_party_branch_id"), "people", ["party_branch_id"], unique=False)
    op.create_table(
        "buildings",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("area_id", sa.Uuid(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "office",
                "residential",
                "mixed",
                name="building_kind",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("floors", sa.Integer(), nullable=True),
        sa.Column("property_manager_name", sa.String(length=100), nullable=True),
        sa.Column("property_manager_phone", sa.String(length=20), nullable=True),
        sa.Column("latitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("longitude", sa.Numeric(precision=9, scale=6), nullable=True),
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
            "(latitude IS NULL) = (longitude IS NULL)",
            name=op.f("ck_buildings_coordinates_both_or_neither"),
        ),
        sa.CheckConstraint(
            "floors IS NULL OR floors BETWEEN 1 AND 200", name=op.f("ck_buildings_floors_range")
        ),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_buildings_area_id_areas"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buildings")),
        sa.UniqueConstraint("name", name=op.f("uq_buildings_name")),
    )
    op.create_index(op.f("ix_buildings_area_id"), "buildings", ["area_id"], unique=False)
    op.create_table(
        "party_branches",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "building_joint",
                "company",
                "residential_general",
                name="branch_kind",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("secretary_id", sa.Uuid(), nullable=True),
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
            ["parent_id"],
            ["party_branches.id"],
            name=op.f("fk_party_branches_parent_id_party_branches"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["secretary_id"],
            ["people.id"],
            name=op.f("fk_party_branches_secretary_id_people"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_branches")),
        sa.UniqueConstraint("name", name=op.f("uq_party_branches_name")),
    )
    op.create_index(
        op.f("ix_party_branches_parent_id"), "party_branches", ["parent_id"], unique=False
    )
    op.create_index(
        op.f("ix_party_branches_secretary_id"), "party_branches", ["secretary_id"], unique=False
    )
    op.create_foreign_key(
        op.f("fk_people_party_branch_id_party_branches"),
        "people",
        "party_branches",
        ["party_branch_id"],
        ["id"],
        ondelete="RESTRICT",
    )
    op.create_table(
        "teams",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "liaison",
                "volunteer",
                "joint_operation",
                name="team_kind",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("lead_id", sa.Uuid(), nullable=True),
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
            ["lead_id"], ["people.id"], name=op.f("fk_teams_lead_id_people"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
        sa.UniqueConstraint("name", name=op.f("uq_teams_name")),
    )
    op.create_index(op.f("ix_teams_lead_id"), "teams", ["lead_id"], unique=False)
    op.create_table(
        "companies",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("building_id", sa.Uuid(), nullable=True),
        sa.Column("floor", sa.String(length=20), nullable=True),
        sa.Column("unit", sa.String(length=50), nullable=True),
        sa.Column("street_address", sa.String(length=200), nullable=True),
        sa.Column("industry", sa.String(length=100), nullable=True),
        sa.Column("headcount", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "operating",
                "resuming",
                "suspended",
                "closed",
                name="company_status",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("party_branch_id", sa.Uuid(), nullable=True),
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
            "building_id IS NOT NULL OR street_address IS NOT NULL",
            name=op.f("ck_companies_has_a_place"),
        ),
        sa.CheckConstraint(
            "headcount IS NULL OR headcount >= 0", name=op.f("ck_companies_headcount_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["building_id"],
            ["buildings.id"],
            name=op.f("fk_companies_building_id_buildings"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["party_branch_id"],
            ["party_branches.id"],
            name=op.f("fk_companies_party_branch_id_party_branches"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_companies")),
        sa.UniqueConstraint("credit_code", name=op.f("uq_companies_credit_code")),
    )
    op.create_index(
        "ix_companies_building_name", "companies", ["building_id", "name", "id"], unique=False
    )
    op.create_index(
        op.f("ix_companies_party_branch_id"), "companies", ["party_branch_id"], unique=False
    )
    op.create_index(op.f("ix_companies_status"), "companies", ["status"], unique=False)
    op.create_table(
        "party_branch_buildings",
        sa.Column("party_branch_id", sa.Uuid(), nullable=False),
        sa.Column("building_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["building_id"],
            ["buildings.id"],
            name=op.f("fk_party_branch_buildings_building_id_buildings"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["party_branch_id"],
            ["party_branches.id"],
            name=op.f("fk_party_branch_buildings_party_branch_id_party_branches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "party_branch_id", "building_id", name=op.f("pk_party_branch_buildings")
        ),
    )
    op.create_index(
        op.f("ix_party_branch_buildings_building_id"),
        "party_branch_buildings",
        ["building_id"],
        unique=False,
    )
    op.create_table(
        "team_members",
        sa.Column("team_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "lead",
                "deputy",
                "member",
                name="member_role",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
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
            ["person_id"],
            ["people.id"],
            name=op.f("fk_team_members_person_id_people"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_team_members_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_members")),
        sa.UniqueConstraint("team_id", "person_id", name=op.f("uq_team_members_team_id")),
    )
    op.create_index(op.f("ix_team_members_person_id"), "team_members", ["person_id"], unique=False)
    op.create_table(
        "contacts",
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("mobile", sa.String(length=11), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column(
            "preferred_language",
            sa.Enum(
                "zh", "en", name="language", native_enum=False, create_constraint=True, length=30
            ),
            nullable=False,
        ),
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
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_contacts_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
    )
    op.create_index(op.f("ix_contacts_company_id"), "contacts", ["company_id"], unique=False)


def downgrade() -> None:
    op.drop_constraint(
        op.f("fk_people_party_branch_id_party_branches"), "people", type_="foreignkey"
    )
    op.drop_index(op.f("ix_contacts_company_id"), table_name="contacts")
    op.drop_table("contacts")
    op.drop_index(op.f("ix_team_members_person_id"), table_name="team_members")
    op.drop_table("team_members")
    op.drop_index(
        op.f("ix_party_branch_buildings_building_id"), table_name="party_branch_buildings"
    )
    op.drop_table("party_branch_buildings")
    op.drop_index(op.f("ix_companies_status"), table_name="companies")
    op.drop_index(op.f("ix_companies_party_branch_id"), table_name="companies")
    op.drop_index("ix_companies_building_name", table_name="companies")
    op.drop_table("companies")
    op.drop_index(op.f("ix_teams_lead_id"), table_name="teams")
    op.drop_table("teams")
    op.drop_index(op.f("ix_party_branches_secretary_id"), table_name="party_branches")
    op.drop_index(op.f("ix_party_branches_parent_id"), table_name="party_branches")
    op.drop_table("party_branches")
    op.drop_index(op.f("ix_buildings_area_id"), table_name="buildings")
    op.drop_table("buildings")
    op.drop_index(op.f("ix_people_party_branch_id"), table_name="people")
    op.drop_index(op.f("ix_people_name"), table_name="people")
    op.drop_table("people")
    op.drop_index("ix_audit_log_entity", table_name="audit_log")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("areas")
    op.drop_table("api_tokens")
