"""What every rule on a case shares: the case locked, its category, its audit rows and
events; how a case reads (one statement rendering CaseOut, its tasks and photos with it,
for the list and for one case alike); and the first decision on a new case, accept or
reject (受理/不予受理)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, and_, bindparam, exists, func, literal_column, or_, select
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

from coordinator.audit.service import record_row, snapshot
from coordinator.auth.service import Principal
from coordinator.cases.categories.models import CaseCategory
from coordinator.cases.events import case_event
from coordinator.cases.models import (
    CASE,
    OPEN_STATES,
    TASK,
    Case,
    CasePhoto,
    CaseStatus,
    CaseTask,
    TaskRole,
    TaskStatus,
)
from coordinator.cases.schemas import CaseOut, CaseQuery, NearbyQuery, TaskOut
from coordinator.cases.states import OPEN_TASK, UNFINISHED, ensure_case
from coordinator.platform.db import Database, utcnow
from coordinator.platform.json_sql import JsonBody, list_json, object_json, value_json
from coordinator.platform.listing import Listing, fetch_row
from coordinator.platform.problems import not_found

# Listing


# A list's statement is compiled once with its parameters positional: an IN over a list
# would be expanded per run, so the open states are written into the SQL.
_open_sql = Case.status.in_(OPEN_STATES).compile(
    dialect=asyncpg_dialect(), compile_kwargs={"literal_binds": True}
)
CASE_OPEN = literal_column(f"({_open_sql})", Boolean)
CASE_OVERDUE = and_(
    CASE_OPEN,
    or_(
        Case.resolution_due_at < func.now(),
        and_(Case.status == CaseStatus.new, Case.response_due_at < func.now()),
    ),
)
_task = CaseTask.__table__.alias("t")
_task_photo = CasePhoto.__table__.alias("tp")
_case_photo = CasePhoto.__table__.alias("cp")
_TASK_JSON = object_json(
    TaskOut,
    _task.c.get,
    {
        "overdue": value_json(
            and_(_task.c.status.in_([s.value for s in OPEN_TASK]), _task.c.due_at < func.now())
        ),
        "photo_ids": list_json(
            value_json(_task_photo.c.photo_id),
            rows="case_photos AS tp WHERE tp.task_id = t.id AND tp.note_id IS NULL",
            order_by=[_task_photo.c.created_at, _task_photo.c.id],
        ),
    },
)
CASES = Listing(
    Case,
    CaseOut,
    sorts={
        "created_at": Case.created_at,
        "updated_at": Case.updated_at,
        "number": Case.number,
        "resolution_due_at": Case.resolution_due_at,
    },
    default_sort="-created_at",
    filters={
        "status": Case.status,
        "category": lambda code: (
            Case.category_id
            == select(CaseCategory.id).where(CaseCategory.code == code).scalar_subquery()
        ),
        "urgency": Case.urgency,
        "department_id": lambda department_id: exists().where(
            CaseTask.case_id == Case.id,
            CaseTask.department_id == department_id,
            CaseTask.status != TaskStatus.dropped,
        ),
        "building_id": Case.building_id,
        "area_id": Case.area_id,
        "company_id": Case.company_id,
        "source": Case.source,
        "open": lambda wanted: CASE_OPEN == wanted,
        "overdue": lambda wanted: CASE_OVERDUE == wanted,
    },
    search=(Case.title, Case.description, Case.address, Case.hotline_number),
    json={
        "category": "(SELECT to_json(c.code)::text FROM case_categories AS c"
        " WHERE c.id = cases.category_id)",
        "overdue": value_json(CASE_OVERDUE),
        "photo_ids": list_json(
            value_json(_case_photo.c.photo_id),
            rows="case_photos AS cp WHERE cp.case_id = cases.id"
            " AND cp.task_id IS NULL AND cp.note_id IS NULL",
            order_by=[_case_photo.c.created_at, _case_photo.c.id],
        ),
        # The lead's task first, then in the order the departments were given theirs.
        "tasks": list_json(
            _TASK_JSON,
            rows="case_tasks AS t WHERE t.case_id = cases.id",
            order_by=[_task.c.role != TaskRole.lead.value, _task.c.created_at, _task.c.id],
        ),
    },
)
_ONE = (
    select(CASES.item())
    .select_from(Case.__table__)
    .where(Case.__table__.c.id == bindparam("case_id"))
    .compile(dialect=asyncpg_dialect())
)

_ONE_TASK = "SELECT " + _TASK_JSON + " FROM case_tasks AS t WHERE t.id = $1 AND t.case_id = $2"


async def list_cases(*, database: Database, query: CaseQuery) -> JsonBody:
    """Filtered by status, category, urgency, a department's live task, place, source,
    open or overdue; q searches title, description, address and hotline number."""
    return await CASES.page(database, query)


async def open_nearby(*, database: Database, query: NearbyQuery) -> JsonBody:
    """The open cases of a place (a building, an area or a company; none given: every
    open case), for spotting one being filed again."""
    return await CASES.page(database, query, open=True)


async def case_json(reader: Database | AsyncSession, case_id: uuid.UUID) -> JsonBody:
    """One case as CaseOut's JSON, in the list's own words (one statement)."""
    row = await fetch_row(reader, str(_ONE), [case_id])
    if row is None:
        raise not_found(CASE)
    return JsonBody(row[0].encode())


async def task_json(
    reader: Database | AsyncSession, case_id: uuid.UUID, task_id: uuid.UUID
) -> JsonBody:
    """One task of a case as TaskOut's JSON, as the case shows it."""
    row = await fetch_row(reader, _ONE_TASK, [task_id, case_id])
    if row is None:
        raise not_found(TASK)
    return JsonBody(row[0].encode())


# What the rules share


async def lock_case(session: AsyncSession, case_id: uuid.UUID) -> Case:
    """The case, its row locked until the transaction ends: every change to a case or its
    tasks takes this lock first, so they happen one after another."""
    case = await session.scalar(
        select(Case)
        .where(Case.id == case_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if case is None:
        raise not_found(CASE)
    return case


async def category_of(session: AsyncSession, case: Case) -> CaseCategory:
    category = await session.get(CaseCategory, case.category_id)
    assert category is not None  # RESTRICT: a category with cases is never deleted
    return category


async def tasks_of(session: AsyncSession, case: Case, *, lock: bool = False) -> list[CaseTask]:
    """The case's tasks, the lead's first (then in the order they were given)."""
    stmt = (
        select(CaseTask)
        .where(CaseTask.case_id == case.id)
        .order_by(CaseTask.role != TaskRole.lead, CaseTask.created_at, CaseTask.id)
        .execution_options(populate_existing=True)
    )
    if lock:
        stmt = stmt.with_for_update()
    return list((await session.scalars(stmt)).all())


def audit(
    session: AsyncSession,
    actor: Principal,
    action: str,
    row: DeclarativeBase,
    before: dict[str, Any] | None = None,
) -> None:
    """The audit row of a write to a case ("case") or one of its tasks ("case_task")."""
    kind = "case_task" if isinstance(row, CaseTask) else "case"
    record_row(
        session=session, actor=actor, action=action, entity_type=kind, row=row, before=before
    )


async def drop_live_tasks(
    session: AsyncSession, actor: Principal, case: Case, category: str
) -> list[CaseTask]:
    """Drop every task not done (a case rejected or merged away)."""
    dropped = []
    for task in await tasks_of(session, case):
        if task.status in UNFINISHED:
            before = snapshot(task)
            task.status = TaskStatus.dropped
            dropped.append((task, before))
    await session.flush()
    for task, before in dropped:
        audit(session, actor, "drop", task, before)
        case_event(session, "task.dropped", case, category=category, actor=actor.name, task=task)
    return [task for task, _ in dropped]


# Accept or reject


async def accept_case(
    *, session: AsyncSession, actor: Principal, case_id: uuid.UUID, now: datetime | None = None
) -> Case:
    """受理: the subdistrict takes the case on; its departments may start."""
    case = await lock_case(session, case_id)
    before = snapshot(case)
    case.status = ensure_case(case, "accept")
    case.accepted_at = now or utcnow()
    await session.flush()
    audit(session, actor, "accept", case, before)
    category = await category_of(session, case)
    case_event(session, "case.accepted", case, category=category.code, actor=actor.name)
    return case


async def reject_case(
    *,
    session: AsyncSession,
    actor: Principal,
    case_id: uuid.UUID,
    reason: str,
    now: datetime | None = None,
) -> Case:
    """不予受理, with the reason the reporter is told; its tasks are dropped."""
    case = await lock_case(session, case_id)
    before = snapshot(case)
    case.status = ensure_case(case, "reject")
    case.rejected_reason = reason
    case.closed_at = now or utcnow()
    await session.flush()
    audit(session, actor, "reject", case, before)
    category = await category_of(session, case)
    await drop_live_tasks(session, actor, case, category.code)
    case_event(
        session, "case.rejected", case, category=category.code, actor=actor.name, reason=reason
    )
    return case
