"""The reports over 100,000 tasks of two years: a month's figures read only that month's
tasks through indexes (no scan of the whole table). How fast they answer is a figure
for benchmarks, not a test: this one asserts the plans and the figures."""

from __future__ import annotations

import json

from sqlalchemy import text
from sqlalchemy.dialects import postgresql

from coordinator.cases.reports import places, service
from coordinator.platform.db import utcnow
from tests.cases.reports_rows import SHANGHAI

TASKS = 100_000
CASES = 40_000

# Ten departments, five categories, 200 buildings; 40,000 cases over two years with
# 2–3 tasks each. Tasks older than 60 days are done (a third of them late) or dropped;
# newer ones are still pending or accepted now and then.
WORLD = f"""
INSERT INTO departments (id, name, kind)
SELECT gen_random_uuid(), '部门' || g,
       (ARRAY['urban_management', 'city_appearance', 'housing_office',
              'residential_committee', 'police'])[1 + g % 5]
FROM generate_series(1, 10) g;
INSERT INTO case_categories (id, code, name, response_hours, resolution_days)
SELECT gen_random_uuid(), 'c' || g, '类别' || g, 4, 5 FROM generate_series(1, 5) g;
INSERT INTO buildings (id, name, address, kind)
SELECT gen_random_uuid(), '楼宇' || g, '华山路' || g || '号', 'office'
FROM generate_series(1, 200) g;
CREATE TEMPORARY TABLE speed_refs ON COMMIT DROP AS
SELECT (SELECT array_agg(id ORDER BY name) FROM departments) AS departments,
       (SELECT array_agg(id ORDER BY code) FROM case_categories) AS categories,
       (SELECT array_agg(id ORDER BY name) FROM buildings) AS buildings;
INSERT INTO cases (id, title, description, category_id, urgency, status, source,
                   building_id, lead_department_id, response_due_at, resolution_due_at,
                   created_by, created_at, updated_at)
SELECT gen_random_uuid(), '案件' || g, '描述', r.categories[1 + g % 5], 'normal',
       CASE WHEN g % 10 < 8 THEN 'closed' ELSE 'in_progress' END, 'coordinator',
       r.buildings[1 + (g * 7) % 200], r.departments[1 + g % 10],
       t.made + interval '4 hours', t.made + interval '7 days', '测试', t.made, t.made
FROM generate_series(1, {CASES}) g, speed_refs r,
     LATERAL (SELECT now() - ((g * 7919) % (730 * 1440)) * interval '1 minute' AS made) t;
CREATE TEMPORARY TABLE speed_cases ON COMMIT DROP AS
SELECT id, created_at, row_number() OVER (ORDER BY id) AS n FROM cases;
INSERT INTO case_tasks (id, case_id, department_id, role, status, due_at, created_at,
                        updated_at, accepted_at, done_at)
SELECT gen_random_uuid(), c.id, r.departments[1 + (c.n + g / {CASES}) % 10],
       CASE WHEN g < {CASES} THEN 'lead' ELSE 'co' END, s.status,
       c.created_at + interval '72 hours', c.created_at, c.created_at,
       CASE WHEN s.status IN ('accepted', 'done')
            THEN c.created_at + ((g * 17) % 24 + 1) * interval '1 hour' END,
       CASE WHEN s.status = 'done'
            THEN c.created_at + ((g * 13) % 108 + 2) * interval '1 hour' END
FROM generate_series(0, {TASKS - 1}) g
JOIN speed_cases c ON c.n = 1 + g % {CASES}
CROSS JOIN speed_refs r
CROSS JOIN LATERAL (
    SELECT CASE
        WHEN (g * 31) % 100 >= 97 THEN 'dropped'
        WHEN c.created_at < now() - interval '60 days' THEN 'done'
        WHEN (g * 31) % 100 < 40 THEN 'pending'
        WHEN (g * 31) % 100 < 70 THEN 'accepted'
        ELSE 'done' END AS status
) s;
INSERT INTO outbox (id, type, occurred_at, subject_type, subject_id, data)
SELECT gen_random_uuid(), 'case.reopened', c.created_at + interval '3 days', 'case', c.id,
       jsonb_build_object('case_id', c.id, 'lead_department_id', k.lead_department_id)
FROM speed_cases c JOIN cases k ON k.id = c.id WHERE c.n % 50 = 0;
ANALYZE departments, case_categories, buildings, cases, case_tasks, outbox;
"""


def _scans(plan: dict) -> list[tuple[str, str | None]]:  # type: ignore[type-arg]
    """Each node of a plan, with the index it reads if any."""
    found = [(plan["Node Type"], plan.get("Index Name"))]
    for child in plan.get("Plans", []):
        found += _scans(child)
    return found


async def _plan(session, span: service.Month) -> list[tuple[str, str | None]]:  # type: ignore[no-untyped-def]
    sql = service.task_figures(span).compile(
        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
    )
    explained = await session.scalar(text(f"EXPLAIN (FORMAT JSON) {sql}"))
    document = explained if isinstance(explained, list) else json.loads(explained)
    return _scans(document[0]["Plan"])


async def test_a_months_figures_over_100_000_tasks_read_through_indexes(database):
    now = utcnow()
    last_month = service.shift_month(service.this_month(SHANGHAI, now), -1)
    async with database.sessionmaker.begin() as session:
        for statement in WORLD.split(";\n"):
            if statement.strip():
                await session.execute(text(statement))
        assert await session.scalar(text("SELECT count(*) FROM case_tasks")) == TASKS

        for month in (last_month, service.shift_month(last_month, -11)):
            scans = await _plan(session, service.Month.of(month, SHANGHAI, now))
            assert not [s for s in scans if s[0] == "Seq Scan"], scans
            assert {index for _, index in scans} >= {
                "ix_case_tasks_created",
                "ix_case_tasks_accepted",
                "ix_case_tasks_done",
                "ix_case_tasks_open_due",
                "ix_case_tasks_late_span",
            }, scans

        figures = await service.department_report(
            session=session, month=last_month, zone=SHANGHAI, now=now
        )
        assert 3000 < figures["total"]["received"] < 5000  # about a 24th of them
        assert figures["total"]["median_close_hours"] is not None
        assert figures["total"]["reopened"] > 0

        open_cases = await places.places_report(session=session, now=now)
    assert open_cases["total"]["open"] == CASES // 5
