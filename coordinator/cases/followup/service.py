"""Closing the loop: the lead signs a case off (办结) once every department is done, the
reporter is asked (回访) and confirms (closed) or not (reopened, the lead's task back to
pending on a fresh clock); a reply window that passes closes the case by itself; a
coordinator may close a resolved case or reopen a resolved or closed one."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from coordinator import labels
from coordinator.audit.service import snapshot
from coordinator.auth.models import Role
from coordinator.auth.service import SYSTEM, Principal
from coordinator.cases.categories.models import CaseCategory
from coordinator.cases.deadlines import case_clocks, task_due
from coordinator.cases.events import case_event
from coordinator.cases.followup.links import issue_reply_link
from coordinator.cases.models import (
    Case,
    CaseOutcome,
    CaseStatus,
    CaseTask,
    TaskRole,
    TaskStatus,
)
from coordinator.cases.photos import attach_photos, ensure_photos, photos_of_tasks
from coordinator.cases.service import audit, category_of, lock_case, tasks_of
from coordinator.cases.states import (
    CASE_TRANSITIONS,
    UNFINISHED,
    CaseStateConflict,
    ensure_case,
)
from coordinator.departments.models import Department
from coordinator.platform.db import utcnow
from coordinator.platform.i18n import Text
from coordinator.platform.problems import invalid_field
from coordinator.platform.settings import Settings
from coordinator.worktime.service import WorkCalendar, load_calendar

# Who answers through the follow-up link (audited as such; no token behind it).
REPORTER = Principal(token_id=None, name="reporter", role=Role.viewer)


def _unfinished_refusal(case: Case, unfinished: list[CaseTask]) -> CaseStateConflict:
    moves = {
        k: v for k, v in CASE_TRANSITIONS[case.status].items() if k not in ("resolve", "start")
    }
    return CaseStateConflict(
        Text(
            "尚有{n}个部门的任务未完成，案件当前状态为{s}，不能办结",
            "{n} department(s) have not finished; the case is {s} and cannot be resolved",
        ).format(n=len(unfinished), s=labels.label(case.status)),
        current=case.status.value,
        allowed={v.value for v in moves.values()},
        extra={
            "allowed_actions": sorted(moves),
            "unfinished_tasks": [
                {
                    "task_id": str(t.id),
                    "department_id": str(t.department_id),
                    "status": t.status.value,
                }
                for t in unfinished
            ],
        },
    )


async def resolve_case(
    *,
    session: AsyncSession,
    actor: Principal,
    case_id: uuid.UUID,
    resolution: str,
    outcome: CaseOutcome | None = None,
    photo_ids: Sequence[uuid.UUID] = (),
    now: datetime | None = None,
    settings: Settings | None = None,
) -> Case:
    """The lead's sign-off (办结): only when every live task is done, with what was done,
    and a photo where the category asks for one (given here, or on a task or a note).
    The reporter then has the category's reply days to answer: with `settings`, through a
    follow-up link, carried by the event's private field `link` (mail and SMS only)."""
    now = now or utcnow()
    case = await lock_case(session, case_id)
    before = snapshot(case)
    target = ensure_case(case, "resolve")
    tasks = await tasks_of(session, case)
    unfinished = [t for t in tasks if t.status in UNFINISHED]
    if unfinished:
        raise _unfinished_refusal(case, unfinished)
    category = await category_of(session, case)
    photos = await ensure_photos(session, photo_ids)
    if category.photo_required and not photos and not await photos_of_tasks(session, case.id):
        raise invalid_field(
            "photo_ids",
            Text(
                "此类事项办结须附现场照片", "this category needs a photo of the result to resolve"
            ),
        )
    lead = next((t for t in tasks if t.role == TaskRole.lead), None)
    await attach_photos(
        session, photos, case_id=case.id, task_id=lead.id if lead is not None else None
    )
    case.status = target
    case.resolution = resolution
    case.outcome = outcome
    case.resolved_at = now
    case.reply_due_at = now + timedelta(days=category.reply_days)
    await session.flush()
    audit(session, actor, "resolve", case, before)
    link = (
        await issue_reply_link(session, case, settings.base_url, case.reply_due_at)
        if settings is not None
        else None
    )
    private: dict[str, Any] = {"link": link} if link else {}
    case_event(
        session,
        "case.resolved",
        case,
        category=category.code,
        actor=actor.name,
        resolution=resolution,
        outcome=outcome.value if outcome else None,
        dwelling_id=str(case.dwelling_id) if case.dwelling_id else None,
        reply_due_at=case.reply_due_at.isoformat(),
        **private,
    )
    return case


def _answer(case: Case, answer: dict[str, Any]) -> None:
    """The reporter's answer (satisfied, feedback), set after the audit's snapshot."""
    for name, value in answer.items():
        setattr(case, name, value)


async def _close(
    session: AsyncSession,
    actor: Principal,
    case: Case,
    action: str,
    closed_by: str,
    now: datetime,
    **answer: Any,
) -> Case:
    before = snapshot(case)
    case.status = ensure_case(case, action)
    _answer(case, answer)
    case.closed_at = now
    case.closed_by = closed_by
    await session.flush()
    audit(session, actor, action, case, before)
    category = await category_of(session, case)
    case_event(
        session,
        "case.closed",
        case,
        category=category.code,
        actor=actor.name,
        closed_by=closed_by,
        satisfied=case.satisfied,
    )
    return case


async def _reopen(
    session: AsyncSession,
    actor: Principal,
    settings: Settings,
    case: Case,
    action: str,
    reason: str,
    now: datetime,
    calendar: WorkCalendar | None,
    **answer: Any,
) -> Case:
    """Back to work: a fresh resolution clock, the lead's task pending again on its own."""
    before = snapshot(case)
    case.status = ensure_case(case, action)
    _answer(case, answer)
    category: CaseCategory = await category_of(session, case)
    calendar = calendar or await load_calendar(session, settings)
    case.resolution_due_at = case_clocks(calendar, category, case.urgency, now).resolution_due_at
    case.reopened_count += 1
    case.resolved_at = case.closed_at = case.closed_by = case.reply_due_at = None
    case.outcome = None
    for task in await tasks_of(session, case):
        if task.role == TaskRole.lead and task.status == TaskStatus.done:
            task_before = snapshot(task)
            department = await session.get(Department, task.department_id)
            task.status = TaskStatus.pending
            task.due_at = task_due(calendar, department, category, case.urgency, now)
            task.accepted_at = task.done_at = None
            await session.flush()
            audit(session, actor, "reopen", task, task_before)
    await session.flush()
    audit(session, actor, action, case, before)
    case_event(
        session,
        "case.reopened",
        case,
        category=category.code,
        actor=actor.name,
        reason=reason,
        reopened_count=case.reopened_count,
    )
    return case


async def close_case(
    *, session: AsyncSession, actor: Principal, case_id: uuid.UUID, now: datetime | None = None
) -> Case:
    """A coordinator closes a resolved case (closed_by coordinator)."""
    case = await lock_case(session, case_id)
    return await _close(session, actor, case, "close", "coordinator", now or utcnow())


async def reopen_case(
    *,
    session: AsyncSession,
    actor: Principal,
    settings: Settings,
    case_id: uuid.UUID,
    reason: str,
    now: datetime | None = None,
    calendar: WorkCalendar | None = None,
) -> Case:
    """A coordinator opens a resolved or closed case again, saying why."""
    case = await lock_case(session, case_id)
    return await _reopen(
        session, actor, settings, case, "reopen", reason, now or utcnow(), calendar
    )


async def confirm_by_reporter(
    session: AsyncSession,
    case_id: uuid.UUID,
    satisfied: bool,
    feedback: str | None,
    *,
    settings: Settings,
    actor: Principal = REPORTER,
    now: datetime | None = None,
    calendar: WorkCalendar | None = None,
) -> Case:
    """The reporter's answer to the follow-up (回访): satisfied closes the case (closed_by
    confirmed); not satisfied reopens it, and needs the reason (`feedback`, 422 if none).
    A case not resolved is refused (409). `actor`: a coordinator taking the answer down
    by phone; by default the reporter through the follow-up link."""
    now = now or utcnow()
    case = await lock_case(session, case_id)
    ensure_case(case, "satisfied" if satisfied else "unsatisfied")
    if not satisfied and not feedback:
        raise invalid_field(
            "feedback", Text("请说明不满意的原因", "say why the result is not satisfactory")
        )
    answer = {"satisfied": satisfied, "feedback": feedback}
    if satisfied:
        return await _close(session, actor, case, "satisfied", "confirmed", now, **answer)
    return await _reopen(
        session, actor, settings, case, "unsatisfied", feedback or "", now, calendar, **answer
    )


async def close_unanswered(session: AsyncSession, case_id: uuid.UUID, now: datetime) -> Case | None:
    """Close a resolved case whose reply window has passed (closed_by unanswered, and the
    event says so). None when there is nothing to do: no longer resolved, or not yet due
    (a sweep may ask twice)."""
    case = await lock_case(session, case_id)
    if case.status != CaseStatus.resolved or case.reply_due_at is None or case.reply_due_at > now:
        return None
    return await _close(session, SYSTEM, case, "close_unanswered", "unanswered", now)
