"""survey campaigns, their results and revisits

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 01:09:33

Survey campaigns (排摸行动) over chosen residential areas and a period; the results block
leaders send from their walk lists, keyed by the id made on the phone (sent twice, stored
once), each tied to the dwelling's history row it wrote; the revisit list (nobody home,
attempts counted, the area lead told once). Every table notifies its changes, as in 0009.

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


TABLES = ["survey_campaigns", "survey_campaign_areas", "survey_revisits", "survey_results"]


def upgrade() -> None:
    op.create_table(
        "survey_campaigns",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
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
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_survey_campaigns_period_ordered")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_campaigns")),
    )
    op.create_table(
        "survey_campaign_areas",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("area_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["areas.id"],
            name=op.f("fk_survey_campaign_areas_area_id_areas"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["survey_campaigns.id"],
            name=op.f("fk_survey_campaign_areas_campaign_id_survey_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("campaign_id", "area_id", name=op.f("pk_survey_campaign_areas")),
    )
    op.create_index(
        op.f("ix_survey_campaign_areas_area_id"), "survey_campaign_areas", ["area_id"], unique=False
    )
    op.create_table(
        "survey_revisits",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("dwelling_id", sa.Uuid(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lead_told_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("attempts >= 1", name=op.f("ck_survey_revisits_attempts_positive")),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["survey_campaigns.id"],
            name=op.f("fk_survey_revisits_campaign_id_survey_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["dwelling_id"],
            ["dwellings.id"],
            name=op.f("fk_survey_revisits_dwelling_id_dwellings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("campaign_id", "dwelling_id", name=op.f("pk_survey_revisits")),
    )
    op.create_index(
        op.f("ix_survey_revisits_dwelling_id"), "survey_revisits", ["dwelling_id"], unique=False
    )
    op.create_index(
        "ix_survey_revisits_open",
        "survey_revisits",
        ["campaign_id"],
        unique=False,
        postgresql_where=sa.text("cleared_at IS NULL"),
    )
    op.create_table(
        "survey_results",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("dwelling_id", sa.Uuid(), nullable=False),
        sa.Column("block_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column(
            "code",
            sa.Enum(
                "confirmed",
                "changed",
                "nobody_home",
                "refused",
                "moved_out",
                name="survey_result_code",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "unsurveyed",
                "owner_occupied",
                "rented_whole",
                "rented_shared",
                "suspected_group_rental",
                "suspected_day_rental",
                "vacant",
                "renovating",
                name="dwelling_state",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=True,
        ),
        sa.Column("occupants", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "received_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("change_id", sa.BigInteger(), nullable=True),
        sa.Column("applied", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("conflict", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("version_after", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.CheckConstraint(
            "occupants IS NULL OR occupants >= 0",
            name=op.f("ck_survey_results_occupants_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["block_id"],
            ["blocks.id"],
            name=op.f("fk_survey_results_block_id_blocks"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["survey_campaigns.id"],
            name=op.f("fk_survey_results_campaign_id_survey_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["change_id"],
            ["dwelling_states.id"],
            name=op.f("fk_survey_results_change_id_dwelling_states"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["dwelling_id"],
            ["dwellings.id"],
            name=op.f("fk_survey_results_dwelling_id_dwellings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_survey_results_person_id_people"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_results")),
    )
    op.create_index(
        op.f("ix_survey_results_block_id"), "survey_results", ["block_id"], unique=False
    )
    op.create_index(
        "ix_survey_results_campaign_dwelling",
        "survey_results",
        ["campaign_id", "dwelling_id", "received_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_survey_results_dwelling_id"), "survey_results", ["dwelling_id"], unique=False
    )
    op.create_index(
        op.f("ix_survey_results_person_id"), "survey_results", ["person_id"], unique=False
    )
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_changed AFTER INSERT OR UPDATE OR DELETE ON {table}"
            " FOR EACH STATEMENT EXECUTE FUNCTION fumin_changed()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_truncated AFTER TRUNCATE ON {table}"
            " FOR EACH STATEMENT EXECUTE FUNCTION fumin_changed()"
        )


def downgrade() -> None:
    op.drop_index(op.f("ix_survey_results_person_id"), table_name="survey_results")
    op.drop_index(op.f("ix_survey_results_dwelling_id"), table_name="survey_results")
    op.drop_index("ix_survey_results_campaign_dwelling", table_name="survey_results")
    op.drop_index(op.f("ix_survey_results_block_id"), table_name="survey_results")
    op.drop_table("survey_results")
    op.drop_index(
        "ix_survey_revisits_open",
        table_name="survey_revisits",
        postgresql_where=sa.text("cleared_at IS NULL"),
    )
    op.drop_index(op.f("ix_survey_revisits_dwelling_id"), table_name="survey_revisits")
    op.drop_table("survey_revisits")
    op.drop_index(op.f("ix_survey_campaign_areas_area_id"), table_name="survey_campaign_areas")
    op.drop_table("survey_campaign_areas")
    op.drop_table("survey_campaigns")
