"""companies keep their list item

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02 01:50:00

Each company keeps the JSON the registry list shows of it (CompanyOut, as
coordinator.platform.json_sql renders it) in `list_item`, written by a row trigger on
every insert and update, so a page of the list is an index scan joining stored text.
The item shows only the company's own columns; tests/registry/test_company_list_items.py
holds the stored text to the rendering the list would do itself.

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _stamp(column: str) -> str:
    return (
        f"""COALESCE('"' || replace(to_char((NEW.{column}) AT TIME ZONE 'UTC',"""
        """ 'YYYY-MM-DD"T"HH24:MI:SS.US'), '.000000', '') || 'Z"', 'null')"""
    )


def _text(column: str) -> str:
    return f"COALESCE(to_json(NEW.{column})::text, 'null')"


def _plain(column: str) -> str:
    return f"""COALESCE('"' || (NEW.{column})::text || '"', 'null')"""


# CompanyOut's fields in order, each as json_sql.value_json renders its column.
FIELDS = [
    ("id", _plain("id")),
    ("name", _text("name")),
    ("credit_code", _text("credit_code")),
    ("building_id", _plain("building_id")),
    ("floor", _text("floor")),
    ("unit", _text("unit")),
    ("street_address", _text("street_address")),
    ("industry", _text("industry")),
    ("headcount", "COALESCE((NEW.headcount)::text, 'null')"),
    ("status", _plain("status")),
    ("party_branch_id", _plain("party_branch_id")),
    ("created_at", _stamp("created_at")),
    ("updated_at", _stamp("updated_at")),
]
ITEM = (
    " || ".join(
        f"""'{"{" if n == 0 else ", "}"{name}": ' || {value}"""
        for n, (name, value) in enumerate(FIELDS)
    )
    + " || '}'"
)


def upgrade() -> None:
    op.add_column("companies", sa.Column("list_item", sa.Text(), nullable=True))
    op.execute(
        f"""
        CREATE FUNCTION companies_list_item() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.list_item := {ITEM};
            RETURN NEW;
        END $$;
        """
    )
    op.execute(
        "CREATE TRIGGER companies_list_item BEFORE INSERT OR UPDATE ON companies"
        " FOR EACH ROW EXECUTE FUNCTION companies_list_item()"
    )
    op.execute("UPDATE companies SET list_item = NULL")  # the trigger writes each
    op.alter_column("companies", "list_item", nullable=False)


def downgrade() -> None:
    op.execute("DROP TRIGGER companies_list_item ON companies")
    op.execute("DROP FUNCTION companies_list_item()")
    op.drop_column("companies", "list_item")
