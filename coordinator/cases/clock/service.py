"""The cases' clocks, swept every minute (jobs.py): a task's reminder before its due time
and its category's escalation ladder after it, and the follow-up window closing the
resolved cases nobody answered.

The sweep is a few set-based statements over open tasks only, whatever the number of
closed cases: one SELECT (through two partial indexes of open tasks: a step whose moment
has come, `next_step_at`, or a due time not planned yet, `clock_due_at` differing from
`due_at`) locking what it finds (SKIP LOCKED: two sweeps share the work), one INSERT of
the steps taken (unique per task, kind, step and plan: what a repeated sweep takes again
is dropped, and raises nothing), the events of the steps newly taken (outbox, same
transaction), and one UPDATE writing each task's plan and next moment. A task with a new
due time (reopened, sent again) gets a new plan (`clock_sequence` + 1) and starts afresh.
Killed half-way, the transaction leaves nothing: the next sweep does it all again.

Reminders and escalations re-check the case and the task when their mail is planned
(cases/notify.py): a case resolved between the sweep and the mail tells nobody."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import Boolean, bindparam, literal_column, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.cases.categories.models import CaseCategory
from coordinator.cases.clock.models import CaseStep, StepKind
from coordinator.cases.clock.steps import Step, ladder, next_step_at, plan, steps_due
from coordinator.cases.deadlines import department_calendar
from coordinator.cases.events import case_event
from coordinator.cases.followup.service import close_unanswered
from coordinator.cases.models import Case, CaseStatus, CaseTask
from coordinator.cases.states import OPEN_TASK
from coordinator.departments.models import Department
from coordinator.platform.db import utcnow
from coordinator.platform.settings import Settings
from coordinator.worktime.service import NoWorkingTime, WorkCalendar, load_calendar

log = structlog.get_logger("fumin.cases.clock")
ACTOR = "sweep"
BATCH = 500

# Written into the SQL (not a parameter), so the planner matches the partial indexes.
_open_sql = CaseTask.status.in_(sorted(s.value for s in OPEN_TASK)).compile(
    dialect=asyncpg_dialect(), compile_kwargs={"literal_binds": True}
)
TASK_OPEN = literal_column(f"({_open_sql})", Boolean)

_FOUND = (
    select(CaseTask, Case, CaseCategory.code, CaseCategory.escalation, Department.work_hours)
    .join(Case, Case.id == CaseTask.case_id)
    .join(CaseCategory, CaseCategory.id == Case.category_id)
    .join(Department, Department.id == CaseTask.department_id)
    .where(
        TASK_OPEN,
        or_(
            CaseTask.next_step_at <= bindparam("now"),
            CaseTask.clock_due_at.is_distinct_from(CaseTask.due_at),
        ),
    )
    .limit(bindparam("batch"))
    .with_for_update(of=CaseTask, skip_locked=True)
)
_STEPS = CaseStep.metadata.tables["case_steps"]
_TAKE = (
    pg_insert(_STEPS)
    .on_conflict_do_nothing(constraint="uq_case_steps_step")
    .returning(_STEPS.c.task_id, _STEPS.c.kind, _STEPS.c.step)
)
_TASKS = CaseTask.metadata.tables["case_tasks"]
# The plan is the clock's bookkeeping, not a change to the task: updated_at stays.
_PLANNED = (
    update(_TASKS)
    .where(_TASKS.c.id == bindparam("b_id"))
    .values(
        clock_due_at=bindparam("b_due"),
        clock_sequence=bindparam("b_sequence"),
        next_step_at=bindparam("b_next"),
        updated_at=_TASKS.c.updated_at,
    )
)


@dataclass
class SweepResult:
    found: int = 0  # tasks read (a full batch: there may be more)
    planned: int = 0  # due times planned afresh
    reminders: int = 0
    escalations: int = 0


@dataclass(frozen=True)
class _Hours:
    work_hours: str | None


@dataclass
class _Found:
    task: CaseTask
    case: Case
    category: str
    sequence: int
    steps: list[Step]
    next_at: datetime | None


def _plan_of(
    calendar: WorkCalendar, row: Any, remind: timedelta, now: datetime
) -> tuple[list[Step], list[Step]]:
    """All the task's steps and those due now (none when its calendar has no working time)."""
    task: CaseTask = row[0]
    cal = department_calendar(calendar, _Hours(row.work_hours))
    try:
        steps = plan(cal, task.due_at, remind, ladder(row.escalation))
    except NoWorkingTime:
        log.warning("case_clock_no_working_time", task_id=str(task.id))
        return [], []
    return steps, steps_due(steps, task.due_at, now)


async def sweep(
    session: AsyncSession,
    *,
    settings: Settings,
    now: datetime | None = None,
    calendar: WorkCalendar | None = None,
    batch: int = BATCH,
) -> SweepResult:
    """One round over at most `batch` open tasks with something to do; run again while
    it finds a full batch (jobs.py). Safe to run twice or at once."""
    now = now or utcnow()
    calendar = calendar or await load_calendar(session, settings)
    remind = timedelta(hours=settings.case_remind_hours)
    rows = (await session.execute(_FOUND, {"now": now, "batch": batch})).all()
    result = SweepResult(found=len(rows))
    if not rows:
        return result
    found: list[_Found] = []
    taking: list[dict[str, Any]] = []
    for row in rows:
        task: CaseTask = row[0]
        fresh = task.clock_due_at != task.due_at
        result.planned += fresh
        sequence = task.clock_sequence + 1 if fresh else task.clock_sequence
        steps, due = _plan_of(calendar, row, remind, now)
        found.append(_Found(task, row[1], row.code, sequence, due, next_step_at(steps, now)))
        taking += [
            {
                "id": uuid.uuid4(),
                "task_id": task.id,
                "kind": step.kind.value,
                "step": step.step,
                "sequence": sequence,
                "due_at": task.due_at,
                "planned_at": step.at,
                "created_at": now,
            }
            for step in due
        ]
    taken = set()
    if taking:
        taken = {(r.task_id, r.kind, r.step) for r in await session.execute(_TAKE, taking)}
    for item in found:
        for step in item.steps:
            if (item.task.id, step.kind.value, step.step) in taken:
                _announce(session, item, step, settings)
                if step.kind == StepKind.remind:
                    result.reminders += 1
                else:
                    result.escalations += 1
    await session.execute(
        _PLANNED,
        [
            {
                "b_id": item.task.id,
                "b_due": item.task.due_at,
                "b_sequence": item.sequence,
                "b_next": item.next_at,
            }
            for item in found
        ],
    )
    return result


def _announce(session: AsyncSession, item: _Found, step: Step, settings: Settings) -> None:
    """The step's event, through the outbox (who hears of it: cases/notify.py)."""
    common = {"sequence": item.sequence, "step": step.step, "step_at": step.at.isoformat()}
    if step.kind == StepKind.remind:
        case_event(
            session,
            "case.reminder_due",
            item.case,
            category=item.category,
            actor=ACTOR,
            task=item.task,
            remind_hours=settings.case_remind_hours,
            **common,
        )
    else:
        case_event(
            session,
            "case.escalated",
            item.case,
            category=item.category,
            actor=ACTOR,
            task=item.task,
            to=step.to,
            after_hours=float(step.after_hours or 0),
            **common,
        )


async def close_unanswered_cases(
    session: AsyncSession, *, now: datetime | None = None, batch: int = 200
) -> int:
    """Close the resolved cases whose reply window has passed (closed_by unanswered: the
    event says so and the reporter is told); how many were closed. Read through the index
    of cases by status, so closed cases cost nothing here either."""
    now = now or utcnow()
    due = await session.scalars(
        select(Case.id)
        .where(Case.status == CaseStatus.resolved, Case.reply_due_at <= now)
        .order_by(Case.reply_due_at)
        .limit(batch)
    )
    closed = 0
    for case_id in list(due.all()):
        if await close_unanswered(session, case_id, now) is not None:
            closed += 1
    return closed
