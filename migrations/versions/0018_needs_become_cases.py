"""needs become cases: every need moves into cases, keeping its id

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 09:00:00

A need raised at a visit is a case (source visit) of the case category of its code. This
migration makes those categories if missing (their clocks the needs' old due times in
working time: 5 working days to resolve, urgency factors urgent 0.2, high 0.4, normal 1,
low 2, i.e. 1, 2, 5 and 10 working days; 8 working hours to accept, scaled the same), the
departments the needs were assigned to (a team's department, linked to the team; a "1+4"
department of the kind when the subdistrict has none), moves every need into `cases`
with the same id, its assignee's lead task with it, and drops `needs`.

Mapping: status open -> new (reopened when reopened_count > 0), assigned -> accepted,
resolved -> resolved, closed -> closed (closed_by coordinator); due_at ->
resolution_due_at (and response_due_at: a need had one clock); the company's building and
its area as the place; the visit's contact as the reporter; title "category：company";
accepted_at the first need.assigned event's time (else the need's last change); the lead
task pending, or done (done_at resolved_at, note the resolution) once resolved or closed.
No reply window is set on moved resolved needs, so none closes by itself.

Ids are kept: the audit log's "need" entries and the outbox's need events (subject_type
need) still name the same row. Each moved need, and each department and task made for
one, gets an audit entry by "migration 0018"; the categories are reference data the
migration brings (as a fresh database gets them), not entries of the log.

Downgrade recreates `needs` from the cases filed from visits (status back in the needs'
words: new or reopened -> open, accepted or in progress -> assigned, resolved, closed,
rejected or merged -> closed), and deletes those cases. Categories and departments made
stay.
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTOR = "migration 0018"
LADDER = [{"after_hours": 0, "to": "department_lead"}, {"after_hours": 8, "to": "coordinators"}]
FACTORS = {"urgent": 0.2, "high": 0.4, "normal": 1.0, "low": 2.0}
# code, name, name_en, description, keywords
CATEGORIES = (
    ("epidemic_supplies", "防疫物资", "epidemic supplies", "口罩、消毒用品等防疫物资的采购与调配", "防疫,口罩,消毒"),
    ("policy", "政策咨询", "policy", "扶持政策、减免政策的咨询与申报", "政策,补贴,申报"),
    ("hiring", "招工用工", "hiring", "招聘、用工、社保方面的困难", "招聘,用工,社保"),
    ("rent", "房租", "rent", "租金减免、租约纠纷的协调", "房租,减免,租约"),
    ("legal_help", "法律援助", "legal help", "合同、劳动等法律问题的援助", "法律,合同,劳动"),
    ("property_management", "物业管理", "property management", "物业服务、设施维修方面的问题", "物业,维修,设施"),
    ("other", "其他", "other", "其他需要街道协调的事项", None),
)  # fmt: skip
# A need's "1+4" department -> the department kind, and the name of one made for it.
KINDS = {
    "urban_management": ("urban_management", "城管"),
    "city_appearance": ("city_appearance", "市容"),
    "housing_office": ("housing_office", "房办"),
    "residential_area": ("residential_committee", "居民区"),
}
KIND_OF_NEED = (
    "CASE n.assignee_department"
    + "".join(f" WHEN '{need}' THEN '{kind}'" for need, (kind, _) in KINDS.items())
    + " END"
)
NEED_OF_KIND = (
    "CASE d.kind"
    + "".join(f" WHEN '{kind}' THEN '{need}'" for need, (kind, _) in KINDS.items())
    + " END"
)
NEED_CODES = ", ".join(f"'{code}'" for code, *_ in CATEGORIES)


def _audit(action: str, entity: str, rows: str, before: str = "NULL", after: str = "NULL") -> None:
    """One audit entry per row of `rows` (SQL naming `id`, and the `before`/`after` SQL)."""
    op.execute(
        sa.text(
            "INSERT INTO audit_log (at, actor_name, action, entity_type, entity_id, before, after)"
            f" SELECT now(), :actor, '{action}', '{entity}', r.id, {before}, {after}"
            f" FROM ({rows}) AS r"
        ).bindparams(actor=ACTOR)
    )


def _categories() -> None:
    made = sa.text(
        'INSERT INTO case_categories (id, code, name, name_en, description, "group",'
        " keywords, response_hours, resolution_days, urgency_factors, escalation,"
        " photo_required, reply_days, attributes, public, active, created_at, updated_at)"
        " VALUES (gen_random_uuid(), :code, :name, :name_en, :description, '企业服务',"
        " :keywords, 8, 5, CAST(:factors AS jsonb), CAST(:ladder AS jsonb), false, 5,"
        " '[]'::jsonb, false, true, now(), now())"
        " ON CONFLICT (code) DO NOTHING"
    )
    bind = op.get_bind()
    for code, name, name_en, description, keywords in CATEGORIES:
        bind.execute(
            made,
            {
                "code": code,
                "name": name,
                "name_en": name_en,
                "description": description,
                "keywords": keywords,
                "factors": json.dumps(FACTORS),
                "ladder": json.dumps(LADDER),
            },
        )


def _free_name(wanted: str, tag: str) -> str:
    bind = op.get_bind()
    taken = sa.text("SELECT 1 FROM departments WHERE name = :name")
    for name in (wanted, f"{wanted[:80]}（{tag}）", f"{wanted[:80]}（{tag}2）"):
        if bind.execute(taken, {"name": name}).first() is None:
            return name
    raise RuntimeError(f"no free department name for {wanted}")


def _department(name: str, kind: str, team_id: object) -> None:
    department_id = (
        op.get_bind()
        .execute(
            sa.text(
                "INSERT INTO departments (id, name, kind, team_id, active, created_at, updated_at)"
                " VALUES (gen_random_uuid(), :name, :kind, :team_id, true, now(), now())"
                " RETURNING id"
            ),
            {"name": name, "kind": kind, "team_id": team_id},
        )
        .scalar()
    )
    _audit(
        "create",
        "department",
        f"SELECT id FROM departments WHERE id = '{department_id}'",
        after="(SELECT to_jsonb(d) FROM departments AS d WHERE d.id = r.id)",
    )


def _departments() -> None:
    """A department for each team needs went to, and for each "1+4" kind none serves."""
    bind = op.get_bind()
    teams = bind.execute(
        sa.text(
            "SELECT t.id, t.name FROM teams AS t"
            " WHERE t.id IN (SELECT assignee_team_id FROM needs)"
            " AND NOT EXISTS (SELECT 1 FROM departments AS d WHERE d.team_id = t.id)"
            " ORDER BY t.name"
        )
    ).all()
    for team_id, name in teams:
        _department(_free_name(name, "团队"), "other", team_id)
    wanted = bind.execute(
        sa.text(
            "SELECT DISTINCT assignee_department FROM needs WHERE assignee_department IS NOT NULL"
        )
    ).scalars()
    for need_kind in sorted(wanted):
        kind, name = KINDS[need_kind]
        exists = sa.text("SELECT 1 FROM departments WHERE kind = :kind")
        if bind.execute(exists, {"kind": kind}).first() is None:
            _department(_free_name(name, "部门"), kind, None)


# The lead department of a moved need: the team's, else the kind's (its area's first).
LEAD = f"""CASE
  WHEN n.assignee_team_id IS NOT NULL
    THEN (SELECT d.id FROM departments AS d WHERE d.team_id = n.assignee_team_id)
  WHEN n.assignee_department IS NOT NULL
    THEN (SELECT d.id FROM departments AS d WHERE d.kind = ({KIND_OF_NEED})
          ORDER BY d.active DESC, d.team_id IS NOT NULL, (d.area_id = b.area_id) DESC NULLS LAST,
                   d.area_id IS NOT NULL, d.created_at, d.id
          LIMIT 1)
END"""
MOVE_NEEDS = f"""
INSERT INTO cases (
  id, title, description, category_id, urgency, status, source, area_id, building_id,
  company_id, visit_id, reporter_contact_id, lead_department_id, response_due_at,
  resolution_due_at, accepted_at, resolved_at, closed_at, resolution, closed_by,
  reopened_count, created_by, created_at, updated_at)
SELECT
  n.id, left(cat.name || '：' || co.name, 200), n.description, cat.id, n.urgency,
  CASE n.status
    WHEN 'open' THEN CASE WHEN n.reopened_count > 0 THEN 'reopened' ELSE 'new' END
    WHEN 'assigned' THEN 'accepted' WHEN 'resolved' THEN 'resolved' ELSE 'closed' END,
  'visit', b.area_id, co.building_id, n.company_id, n.visit_id, v.contact_id, {LEAD},
  n.due_at, n.due_at,
  CASE WHEN n.status <> 'open' OR n.reopened_count > 0 THEN COALESCE(
    (SELECT min(o.occurred_at) FROM outbox AS o
      WHERE o.subject_type = 'need' AND o.subject_id = n.id AND o.type = 'need.assigned'),
    n.updated_at) END,
  n.resolved_at, n.closed_at, n.resolution,
  CASE WHEN n.status = 'closed' THEN 'coordinator' END,
  n.reopened_count,
  COALESCE((SELECT a.actor_name FROM audit_log AS a
    WHERE a.entity_type = 'need' AND a.entity_id = n.id AND a.action = 'create'
    ORDER BY a.id LIMIT 1), :actor),
  n.created_at, n.updated_at
FROM needs AS n
JOIN visits AS v ON v.id = n.visit_id
JOIN companies AS co ON co.id = n.company_id
LEFT JOIN buildings AS b ON b.id = co.building_id
JOIN case_categories AS cat ON cat.code = n.category
ORDER BY n.created_at, n.id
"""
LEAD_TASKS = """
INSERT INTO case_tasks (
  id, case_id, department_id, role, status, due_at, accepted_at, done_at, note,
  created_at, updated_at)
SELECT
  gen_random_uuid(), c.id, c.lead_department_id, 'lead',
  CASE WHEN c.status IN ('resolved', 'closed') THEN 'done' ELSE 'pending' END,
  c.resolution_due_at,
  CASE WHEN c.status IN ('resolved', 'closed') THEN c.accepted_at END,
  CASE WHEN c.status IN ('resolved', 'closed')
    THEN COALESCE(c.resolved_at, c.closed_at, c.updated_at) END,
  CASE WHEN c.status IN ('resolved', 'closed') THEN c.resolution END,
  COALESCE(c.accepted_at, c.created_at), c.updated_at
FROM cases AS c
WHERE c.id IN (SELECT id FROM needs) AND c.lead_department_id IS NOT NULL
"""


def upgrade() -> None:
    _categories()
    _departments()
    op.execute(sa.text(MOVE_NEEDS).bindparams(actor=ACTOR))
    op.execute(sa.text(LEAD_TASKS))
    _audit(
        "migrate",
        "case",
        "SELECT id FROM needs",
        before="(SELECT to_jsonb(n) FROM needs AS n WHERE n.id = r.id)",
        after="(SELECT to_jsonb(c) FROM cases AS c WHERE c.id = r.id)",
    )
    _audit(
        "create",
        "case_task",
        "SELECT t.id FROM case_tasks AS t WHERE t.case_id IN (SELECT id FROM needs)",
        after="(SELECT to_jsonb(t) FROM case_tasks AS t WHERE t.id = r.id)",
    )
    op.drop_table("needs")


def _create_needs() -> None:
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
    # Its change notifications, as migration 0009 gave it.
    op.execute(
        "CREATE TRIGGER needs_changed AFTER INSERT OR UPDATE OR DELETE ON needs"
        " FOR EACH STATEMENT EXECUTE FUNCTION fumin_changed()"
    )
    op.execute(
        "CREATE TRIGGER needs_truncated AFTER TRUNCATE ON needs"
        " FOR EACH STATEMENT EXECUTE FUNCTION fumin_changed()"
    )


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


BACK_TO_NEEDS = f"""
INSERT INTO needs (
  id, visit_id, company_id, category, description, urgency, status, assignee_team_id,
  assignee_department, resolution, due_at, resolved_at, closed_at, reopened_count,
  created_at, updated_at)
SELECT
  c.id, c.visit_id, COALESCE(c.company_id, v.company_id),
  CASE WHEN cat.code IN ({NEED_CODES}) THEN cat.code ELSE 'other' END,
  left(c.description, 2000), c.urgency,
  CASE WHEN c.status IN ('new', 'reopened') THEN 'open'
    WHEN c.status IN ('accepted', 'in_progress') THEN 'assigned'
    WHEN c.status = 'resolved' THEN 'resolved' ELSE 'closed' END,
  d.team_id,
  CASE WHEN d.team_id IS NULL THEN {NEED_OF_KIND} END,
  CASE WHEN c.status IN ('resolved', 'closed') THEN c.resolution
    WHEN c.status = 'rejected' THEN c.rejected_reason END,
  c.resolution_due_at, c.resolved_at, c.closed_at, c.reopened_count,
  c.created_at, c.updated_at
FROM cases AS c
JOIN visits AS v ON v.id = c.visit_id
JOIN case_categories AS cat ON cat.id = c.category_id
LEFT JOIN departments AS d ON d.id = c.lead_department_id
WHERE c.source = 'visit'
"""


def downgrade() -> None:
    _create_needs()
    op.execute(BACK_TO_NEEDS)
    # A case merged into one of them loses its master with it: closed by a coordinator.
    op.execute(
        "UPDATE cases SET status = 'closed', merged_into_id = NULL, closed_by = 'coordinator',"
        " closed_at = COALESCE(closed_at, now())"
        " WHERE merged_into_id IN (SELECT id FROM needs)"
    )
    op.execute("DELETE FROM cases WHERE id IN (SELECT id FROM needs)")
