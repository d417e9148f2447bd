"""change notifications for caches

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 02:20:00

Every write to a table that cached answers (calendar feeds, link pages, lists) are made
of sends NOTIFY fumin_changes with the table's name: one per statement, delivered at
commit, repeats within a transaction folded by PostgreSQL (see coordinator/platform/changes.py).
Bookkeeping tables written on every delivery or use (outbox, deliveries, audit_log,
link_uses, reminders) are left out: no cached answer shows them.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WATCHED = (
    "api_tokens",
    "areas",
    "buildings",
    "campaign_liaisons",
    "campaign_plan_items",
    "campaigns",
    "capability_links",
    "checklist_ticks",
    "companies",
    "contacts",
    "feed_tokens",
    "hours_entries",
    "needs",
    "party_branch_buildings",
    "party_branches",
    "people",
    "posts",
    "shift_series",
    "shifts",
    "signups",
    "team_members",
    "teams",
    "visits",
    "webhook_subscriptions",
)


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION fumin_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('fumin_changes', TG_TABLE_NAME);
            RETURN NULL;
        END $$
        """
    )
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
    for table in WATCHED:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_truncated ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_changed ON {table}")
    op.execute("DROP FUNCTION IF EXISTS fumin_changed()")
