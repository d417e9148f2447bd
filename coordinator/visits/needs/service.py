"""Rules of needs (诉求): raised at a visit, assigned, resolved, closed or reopened."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator import labels
from coordinator.audit.service import record_row, snapshot
from coordinator.auth.service import Principal
from coordinator.events.service import record_event
from coordinator.people.models import Team
from coordinator.platform.db import utcnow
from coordinator.platform.i18n import Text
from coordinator.platform.problems import StateConflict, invalid_field
from coordinator.platform.resources import ensure_exists, get_or_404
from coordinator.visits.models import Need, NeedStatus, Urgency, Visit
from coordinator.visits.needs.schemas import AssignIn, NeedIn, NeedOut, NeedQuery
from coordinator.web.listing import paginate, search

NEED = Text("诉求", "need")
# How long each urgency may take, from the need being raised (or reopened).
DUE_IN = {
    Urgency.urgent: timedelta(days=1),
    Urgency.high: timedelta(days=3),
    Urgency.normal: timedelta(days=7),
    Urgency.low: timedelta(days=14),
}
N = NeedStatus
NEED_TRANSITIONS: dict[NeedStatus, dict[str, NeedStatus]] = {
    N.open: {"assign": N.assigned},
    N.assigned: {"assign": N.assigned, "resolve": N.resolved},
    N.resolved: {"close": N.closed, "reopen": N.open},
    N.closed: {"reopen": N.open},
}


class NeedStateConflict(StateConflict):
    title = Text("诉求当前状态不允许此操作", "Not allowed in the need's current state")


def _ensure(need: Need, action: str) -> NeedStatus:
    target = NEED_TRANSITIONS[need.status].get(action)
    if target is None:
        raise NeedStateConflict(
            Text("诉求当前状态为{s}，不能{a}", "The need is {s}; it cannot {a}").format(
                s=labels.label(need.status), a=labels.action(action)
            ),
            current=need.status.value,
            allowed={t.value for t in NEED_TRANSITIONS[need.status].values()},
            extra={"allowed_actions": sorted(NEED_TRANSITIONS[need.status])},
        )
    return target


def need_out(need: Need, now: datetime | None = None) -> NeedOut:
    now = now or utcnow()
    overdue = need.status in (N.open, N.assigned) and need.due_at < now
    return NeedOut.model_validate({**_columns(need), "overdue": overdue})


def _columns(need: Need) -> dict[str, Any]:
    return {c.key: getattr(need, c.key) for c in Need.__table__.columns}


def _event(session: AsyncSession, kind: str, need: Need, actor: str, **extra: Any) -> None:
    record_event(
        session,
        kind,
        data={
            "need_id": str(need.id),
            "visit_id": str(need.visit_id),
            "company_id": str(need.company_id),
            "category": need.category.value,
            "urgency": need.urgency.value,
            "status": need.status.value,
            "assignee_team_id": str(need.assignee_team_id) if need.assignee_team_id else None,
            "assignee_department": need.assignee_department.value
            if need.assignee_department
            else None,
            "due_at": need.due_at.isoformat(),
            **extra,
        },
        subject_type="need",
        subject_id=need.id,
        actor=actor,
    )


def _audit(
    session: AsyncSession, actor: Principal, action: str, need: Need, before: dict[str, Any]
) -> None:
    record_row(
        session=session, actor=actor, action=action, entity_type="need", row=need, before=before
    )


async def add_need(*, session: AsyncSession, actor: Principal, visit: Visit, data: NeedIn) -> Need:
    now = utcnow()
    need = Need(
        id=uuid.uuid4(),
        visit_id=visit.id,
        company_id=visit.company_id,
        category=data.category,
        description=data.description,
        urgency=data.urgency,
        status=N.open,
        due_at=now + DUE_IN[data.urgency],
        reopened_count=0,
    )
    session.add(need)
    await session.flush()
    record_row(session=session, actor=actor, action="create", entity_type="need", row=need)
    _event(session, "need.raised", need, actor.name)
    return need


async def get_need(*, session: AsyncSession, need_id: uuid.UUID, lock: bool = False) -> Need:
    return await get_or_404(session, Need, need_id, NEED, lock=lock)


async def assign_need(
    *, session: AsyncSession, actor: Principal, need_id: uuid.UUID, data: AssignIn
) -> Need:
    """To a team, or to a joint-operation department ("1+4")."""
    if (data.team_id is None) == (data.department is None):
        message = Text("须且只能填写「team_id」或「department」之一", "give team_id or department")
        raise invalid_field("team_id", message)
    need = await get_need(session=session, need_id=need_id, lock=True)
    before = snapshot(need)
    need.status = _ensure(need, "assign")
    await ensure_exists(session, Team, data.team_id, "team_id", Text("团队", "team"))
    need.assignee_team_id = data.team_id
    need.assignee_department = data.department
    await session.flush()
    _audit(session, actor, "assign", need, before)
    _event(session, "need.assigned", need, actor.name)
    return need


async def resolve_need(
    *, session: AsyncSession, actor: Principal, need_id: uuid.UUID, resolution: str
) -> Need:
    need = await get_need(session=session, need_id=need_id, lock=True)
    before = snapshot(need)
    need.status = _ensure(need, "resolve")
    need.resolution = resolution
    need.resolved_at = utcnow()
    await session.flush()
    _audit(session, actor, "resolve", need, before)
    _event(session, "need.resolved", need, actor.name, resolution=resolution)
    return need


async def close_need(*, session: AsyncSession, actor: Principal, need_id: uuid.UUID) -> Need:
    need = await get_need(session=session, need_id=need_id, lock=True)
    before = snapshot(need)
    need.status = _ensure(need, "close")
    need.closed_at = utcnow()
    await session.flush()
    _audit(session, actor, "close", need, before)
    _event(session, "need.closed", need, actor.name)
    return need


async def reopen_need(
    *, session: AsyncSession, actor: Principal, need_id: uuid.UUID, reason: str | None
) -> Need:
    """Back to open (assignee kept for reference), with a fresh due date. The resolution
    is cleared, so the need no longer shows one; the need.resolved event keeps it."""
    need = await get_need(session=session, need_id=need_id, lock=True)
    before = snapshot(need)
    need.status = _ensure(need, "reopen")
    need.reopened_count += 1
    need.resolution = None
    need.resolved_at = None
    need.closed_at = None
    need.due_at = utcnow() + DUE_IN[need.urgency]
    await session.flush()
    _audit(session, actor, "reopen", need, before)
    _event(session, "need.reopened", need, actor.name, reason=reason)
    return need


def filtered_needs(query: NeedQuery | Any, now: datetime | None = None) -> Select[Need]:
    stmt = select(Need)
    if getattr(query, "status", None):
        stmt = stmt.where(Need.status == query.status)
    if getattr(query, "category", None):
        stmt = stmt.where(Need.category == query.category)
    if getattr(query, "urgency", None):
        stmt = stmt.where(Need.urgency == query.urgency)
    if getattr(query, "assignee_team_id", None):
        stmt = stmt.where(Need.assignee_team_id == query.assignee_team_id)
    if getattr(query, "department", None):
        stmt = stmt.where(Need.assignee_department == query.department)
    if getattr(query, "company_id", None):
        stmt = stmt.where(Need.company_id == query.company_id)
    if getattr(query, "overdue", None):
        stmt = stmt.where(Need.status.in_([N.open, N.assigned]), Need.due_at < (now or utcnow()))
    return stmt


async def list_needs(*, session: AsyncSession, query: NeedQuery) -> dict[str, Any]:
    stmt = filtered_needs(query)
    if (match := search([Need.description], query.q)) is not None:
        stmt = stmt.where(match)
    now = utcnow()
    return await paginate(
        session,
        stmt,
        query=query,
        id_column=Need.id,
        sortable={
            "due_at": Need.due_at,
            "created_at": Need.created_at,
            "updated_at": Need.updated_at,
        },
        default_sort="due_at",
        serialize=lambda need: need_out(need, now),
    )


async def needs_of_company(session: AsyncSession, company_id: uuid.UUID) -> list[Need]:
    return list(
        (
            await session.scalars(
                select(Need)
                .where(Need.company_id == company_id)
                .order_by(Need.created_at.desc(), Need.id)
                .limit(100)
            )
        ).all()
    )
