"""What cases contribute to calendar feeds: the open tasks' due times (see
coordinator.calendars.models for what a source is). A team feed of a Fumin team that is a
department (departments.team_id) holds that department's open tasks; a personal feed, the
open tasks assigned to the person. Each task is an event at its due time, titled with the
case's number, category and title; its description says where and for whom, without a
link, a reporter's name or a phone number (a feed URL is easily shared). A task done,
handed back or dropped leaves the feed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.calendars.ical import FeedItem
from coordinator.calendars.models import Context, Source, Window, row_hash, set_fingerprint
from coordinator.cases.models import TaskRole, TaskStatus
from coordinator.labels import render

# How long an event of a due time lasts in a calendar.
LENGTH = timedelta(minutes=30)
# SEQUENCE counts seconds of changes since this moment (it only grows, as RFC 5545 asks).
SEQUENCE_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)

TASK_JOINS = """case_tasks k
    JOIN cases c ON c.id = k.case_id
    JOIN case_categories g ON g.id = c.category_id
    JOIN departments d ON d.id = k.department_id
    LEFT JOIN buildings b ON b.id = c.building_id
    LEFT JOIN areas a ON a.id = c.area_id"""

TASK_WHERE = """k.status IN ('pending', 'accepted')
      AND (CASE WHEN t.team_id IS NULL THEN k.assignee_id = t.person_id
          ELSE k.department_id = (SELECT dt.id FROM departments dt WHERE dt.team_id = t.team_id)
          END)
      AND k.due_at < :until AND k.due_at + interval '30 minutes' > :since"""

TASK_FINGERPRINT = set_fingerprint(
    row_hash(
        "k.id:uuid",
        "k.updated_at:ts",
        "c.updated_at:ts",
        "g.updated_at:ts",
        "d.updated_at:ts",
        "b.updated_at:ts",
        "a.updated_at:ts",
    ),
    TASK_JOINS,
    TASK_WHERE,
)

TASK_LOAD = text(f"""
    SELECT k.id, k.due_at, k.role::text AS role, k.status::text AS status,
           c.number, c.title, c.address, g.name AS category, d.name AS department,
           b.name AS building, b.address AS building_address, a.name AS area,
           greatest(k.updated_at, c.updated_at, g.updated_at, d.updated_at, b.updated_at,
                    a.updated_at) AS changed
    FROM feed_tokens t, {TASK_JOINS}
    WHERE t.id = :feed_id AND {TASK_WHERE}
""")


def place(row: Any) -> str:
    """Where the case is: its building (and its address), else its address, else its area."""
    if row.building:
        return " ".join(part for part in (row.building, row.building_address) if part)
    return row.address or row.area or ""


def task_item(row: Any, context: Context) -> FeedItem:
    """A task at its due time: the case's number, category and title; where, which
    department and in what role, the task's state."""
    where = place(row)
    lines = [
        f"案件编号：{row.number}",
        f"事项类型：{row.category}",
        f"标题：{row.title}",
    ]
    if where:
        lines.append(f"地点：{where}")
    lines += [
        f"部门：{row.department}（{render(row.role, 'zh', TaskRole)}）",
        f"任务状态：{render(row.status, 'zh', TaskStatus)}",
    ]
    return FeedItem(
        uid=f"case-task-{row.id}@{context.host}",
        sequence=max(0, int((row.changed - SEQUENCE_EPOCH).total_seconds())),
        starts_at=row.due_at,
        ends_at=row.due_at + LENGTH,
        status="confirmed",
        summary=f"案件{row.number} {row.category}：{row.title}",
        location=where,
        description="\n".join(lines),
        url=None,
        last_modified=row.changed,
    )


async def load_tasks(
    session: AsyncSession, feed_id: uuid.UUID, window: Window, context: Context
) -> list[FeedItem]:
    rows = await session.execute(TASK_LOAD, {"feed_id": feed_id, **window.params()})
    return [task_item(row, context) for row in rows]


CASE_TASKS = Source("case_tasks", TASK_FINGERPRINT, load_tasks)
