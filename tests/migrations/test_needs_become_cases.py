"""Migration 0018 on a database from before the cases (0010): every need, in every state,
moves into cases keeping its id, reads through /api/v1/needs' reader as it did, and comes
back as it was on a downgrade."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from coordinator.platform.migrate import alembic_config
from coordinator.visits.needs.reading import read_need

SCRATCH = "fumin_needs_migration"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def _scratch(settings: Any) -> str:
    admin = create_async_engine(settings.async_database_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f"DROP DATABASE IF EXISTS {SCRATCH}"))
        await connection.execute(text(f"CREATE DATABASE {SCRATCH}"))
    await admin.dispose()
    return (
        make_url(settings.async_database_url)
        .set(database=SCRATCH)
        .render_as_string(hide_password=False)
    )


def _ids(*names: str) -> dict[str, uuid.UUID]:
    return {name: uuid.uuid4() for name in names}


WORLD = """
INSERT INTO areas (id, name, kind) VALUES (:area, '梧桐里居民区', 'residential');
INSERT INTO buildings (id, name, address, kind, area_id)
  VALUES (:building, '恒晟广场', '南京西路 1266 号', 'office', :area);
INSERT INTO companies (id, name, credit_code, building_id, floor, status)
  VALUES (:company, '福民科技有限公司', '91310000123456789X', :building, '12', 'operating');
INSERT INTO contacts (id, company_id, name, mobile, email, preferred_language)
  VALUES (:contact, :company, '张经理', '13912345678', 'zhang@example.test', 'zh');
INSERT INTO people (id, name, email, skills, party_member)
  VALUES (:lead, '王组长', 'wang@example.test', '{}', false);
INSERT INTO people (id, name, email, skills, party_member)
  VALUES (:liaison, '李联络', 'li@example.test', '{}', false);
INSERT INTO teams (id, name, kind, lead_id) VALUES (:team, '企业服务组', 'liaison', :lead);
INSERT INTO visits (id, company_id, contact_id, liaison_id, team_id, starts_at, ends_at, place,
  purpose, status, sequence)
  VALUES (:visit, :company, :contact, :liaison, :team, :starts, :ends, '恒晟广场 12 楼', '复工走访',
  'completed', 1);
"""

# name: (category, urgency, status, team?, department, resolution, reopened_count)
NEEDS: dict[str, tuple[str, str, str, bool, str | None, str | None, int]] = {
    "open": ("epidemic_supplies", "urgent", "open", False, None, None, 0),
    "reopened": ("rent", "normal", "open", True, None, None, 1),
    "assigned": ("hiring", "high", "assigned", True, None, None, 0),
    "committee": ("property_management", "low", "assigned", False, "residential_area", None, 0),
    "resolved": ("policy", "normal", "resolved", True, None, "已讲解减免政策", 0),
    "closed": ("legal_help", "normal", "closed", False, "housing_office", "已调解租约纠纷", 0),
}
INSERT_NEED = """
INSERT INTO needs (id, visit_id, company_id, category, description, urgency, status,
  assignee_team_id, assignee_department, resolution, due_at, resolved_at, closed_at,
  reopened_count, created_at, updated_at)
VALUES (:id, :visit, :company, :category, :description, :urgency, :status, :team,
  :department, :resolution, :due, :resolved_at, :closed_at, :reopened, :created, :updated)
"""


async def _before(engine: AsyncEngine, ids: dict[str, uuid.UUID]) -> dict[str, uuid.UUID]:
    """The registry, a completed visit and a need in each state, at revision 0010."""
    async with engine.begin() as connection:
        for statement in WORLD.strip().split(";\n"):
            await connection.execute(
                text(statement),
                {**ids, "starts": T0, "ends": T0 + timedelta(hours=1)},
            )
        need_ids = {}
        for n, (
            name,
            (category, urgency, status, team, department, resolution, again),
        ) in enumerate(NEEDS.items()):
            need_ids[name] = uuid.uuid4()
            created = T0 + timedelta(hours=2, minutes=n)
            resolved_at = created + timedelta(days=1) if resolution else None
            await connection.execute(
                text(INSERT_NEED),
                {
                    "id": need_ids[name],
                    "visit": ids["visit"],
                    "company": ids["company"],
                    "category": category,
                    "description": f"{name} 的诉求",
                    "urgency": urgency,
                    "status": status,
                    "team": ids["team"] if team else None,
                    "department": department,
                    "resolution": resolution,
                    "due": datetime.now(UTC) + timedelta(days=3 + n),
                    "resolved_at": resolved_at,
                    "closed_at": resolved_at + timedelta(hours=1) if status == "closed" else None,
                    "reopened": again,
                    "created": created,
                    "updated": created + timedelta(days=2),
                },
            )
        # Who raised the assigned one, as the audit log of the time says.
        await connection.execute(
            text(
                "INSERT INTO audit_log (actor_name, action, entity_type, entity_id)"
                " VALUES ('coordinator 陈', 'create', 'need', :id)"
            ),
            {"id": need_ids["assigned"]},
        )
    return need_ids


async def _rows(engine: AsyncEngine, sql: str, **params: Any) -> list[dict[str, Any]]:
    async with engine.connect() as connection:
        return [dict(row._mapping) for row in await connection.execute(text(sql), params)]


async def test_needs_move_into_cases_keeping_their_ids_and_come_back(settings):
    url = await _scratch(settings)
    config = alembic_config(url)
    engine = create_async_engine(url)
    try:
        await asyncio.to_thread(command.upgrade, config, "0010")
        ids = _ids("area", "building", "company", "contact", "lead", "liaison", "team", "visit")
        need_ids = await _before(engine, ids)
        before = await _rows(engine, "SELECT * FROM needs ORDER BY id")

        await asyncio.to_thread(command.upgrade, config, "heads")
        await _check_cases(engine, ids, need_ids, before)

        below = ScriptDirectory.from_config(config).get_revision("0018").down_revision
        assert isinstance(below, str)
        await asyncio.to_thread(command.downgrade, config, below)
        assert await _rows(engine, "SELECT * FROM needs ORDER BY id") == before
        left = await _rows(engine, "SELECT id FROM cases WHERE source = 'visit'")
        assert left == []
    finally:
        await engine.dispose()


async def _check_cases(
    engine: AsyncEngine,
    ids: dict[str, uuid.UUID],
    need_ids: dict[str, uuid.UUID],
    before: list[dict[str, Any]],
) -> None:
    assert (await _rows(engine, "SELECT to_regclass('needs') AS t"))[0]["t"] is None
    cases = {
        row["id"]: row
        for row in await _rows(
            engine,
            "SELECT c.*, cat.code, d.team_id AS lead_team, d.kind AS lead_kind, d.name AS lead"
            " FROM cases AS c JOIN case_categories AS cat ON cat.id = c.category_id"
            " LEFT JOIN departments AS d ON d.id = c.lead_department_id",
        )
    }
    assert set(cases) == set(need_ids.values())
    status = {name: cases[need_ids[name]]["status"] for name in NEEDS}
    assert status == {
        "open": "new",
        "reopened": "reopened",
        "assigned": "accepted",
        "committee": "accepted",
        "resolved": "resolved",
        "closed": "closed",
    }
    by_id = {row["id"]: row for row in before}
    for name, need_id in need_ids.items():
        case, need = cases[need_id], by_id[need_id]
        assert case["source"] == "visit" and case["visit_id"] == ids["visit"]
        assert (case["building_id"], case["area_id"]) == (ids["building"], ids["area"])
        assert case["reporter_contact_id"] == ids["contact"]
        assert case["resolution_due_at"] == need["due_at"] and case["code"] == need["category"]
        assert case["title"].endswith("：福民科技有限公司"), case["title"]
        assert case["created_by"] == ("coordinator 陈" if name == "assigned" else "migration 0018")
    assert cases[need_ids["closed"]]["closed_by"] == "coordinator"
    # The team's department is linked to the team; a "1+4" kind got a department of its own.
    assert cases[need_ids["assigned"]]["lead_team"] == ids["team"]
    assert cases[need_ids["committee"]]["lead_kind"] == "residential_committee"
    assert cases[need_ids["committee"]]["lead"] == "居民区"
    assert cases[need_ids["closed"]]["lead_kind"] == "housing_office"
    assert cases[need_ids["open"]]["lead_department_id"] is None

    tasks = {
        row["case_id"]: row
        for row in await _rows(engine, "SELECT * FROM case_tasks WHERE role = 'lead'")
    }
    assert need_ids["open"] not in tasks
    assert {name: tasks[need_ids[name]]["status"] for name in NEEDS if name != "open"} == {
        "reopened": "pending",
        "assigned": "pending",
        "committee": "pending",
        "resolved": "done",
        "closed": "done",
    }
    assert tasks[need_ids["resolved"]]["note"] == "已讲解减免政策"

    categories = {
        row["code"]: row
        for row in await _rows(engine, "SELECT * FROM case_categories ORDER BY code")
    }
    assert len(categories) == 7 and not categories["rent"]["public"]
    assert {row["resolution_days"] for row in categories.values()} == {5}
    assert categories["rent"]["urgency_factors"] == {
        "urgent": 0.2,
        "high": 0.4,
        "normal": 1.0,
        "low": 2.0,
    }
    moved = await _rows(
        engine, "SELECT before, after FROM audit_log WHERE action = 'migrate' ORDER BY id"
    )
    assert len(moved) == len(NEEDS)
    assert {row["before"]["id"] for row in moved} == {str(i) for i in need_ids.values()}

    # Each need reads as it did: the same answer /api/v1/needs gives from its case.
    async with AsyncSession(engine) as session:
        for need_id, need in by_id.items():
            out = await read_need(session, need_id)
            assert out.status.value == need["status"]
            assert out.assignee_team_id == need["assignee_team_id"]
            assert (out.assignee_department and out.assignee_department.value) == need[
                "assignee_department"
            ]
            assert (out.resolution, out.due_at, out.resolved_at, out.closed_at) == (
                need["resolution"],
                need["due_at"],
                need["resolved_at"],
                need["closed_at"],
            )
            assert out.category.value == need["category"] and out.urgency == need["urgency"]
            assert (out.created_at, out.updated_at) == (need["created_at"], need["updated_at"])
            assert out.reopened_count == need["reopened_count"] and not out.overdue
