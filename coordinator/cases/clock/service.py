"""The cases' clocks, swept every minute (jobs.py): a task's reminder before its due time
and its category's escalation ladder after it, and the follow-up window closing the
resolved cases nobody answered.

A round of the sweep is a few set-based statements over open tasks only, whatever the
number of closed cases: the tasks with something to do, read through the partial index of
`clock_at` (computed by PostgreSQL: at once for a due time not planned yet, else the
next step's moment; null once the task is no longer open) and locked (SKIP LOCKED: two
sweeps share the work); their cases and departments by id; one INSERT of the steps taken
(unique per task, kind, step and plan: what a repeated sweep takes again conflicts and
raises nothing); the events of the steps newly taken (the outbox, same transaction); one
UPDATE writing each task's plan and next moment. A task given a new due time (reopened,
sent again) gets a new plan (`clock_sequence` + 1) and starts afresh. Killed half-way,
the transaction leaves nothing: the next sweep does it all again.

Reminders and escalations re-check the case and the task when their mail is planned
(cases/notify.py): a case resolved between the sweep and the mail tells nobody."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy import Integer, Uuid, any_, bindparam, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.cases.categories.models import CaseCategory
from coordinator.cases.clock.models import StepKind
from coordinator.cases.clock.steps import Rung, Step, ladder, next_step_at, plan, steps_due
from coordinator.cases.deadlines import department_calendar
from coordinator.cases.events import case_event
from coordinator.cases.followup.service import close_unanswered
from coordinator.cases.models import Case, CaseStatus, CaseTask
from coordinator.departments.models import Department
from coordinator.platform.db import utcnow
from coordinator.platform.settings import Settings
from coordinator.worktime.service import NoWorkingTime, WorkCalendar, load_calendar

log = structlog.get_logger("fumin.cases.clock")
ACTOR = "sweep"
BATCH = 500

# The tasks with something to do, locked (SKIP LOCKED: two sweeps share the work).
FOUND = (
    select(CaseTask)
    .where(CaseTask.clock_at <= bindparam("now"))
    .limit(bindparam("batch", type_=Integer()))
    .with_for_update(skip_locked=True)
    .execution_options(populate_existing=True)
)
_IDS = bindparam("ids", type_=ARRAY(Uuid()))
# Their cases (what an event says of its case) and categories (the ladder), by id.
_CASES = (
    select(Case, CaseCategory.code, CaseCategory.escalation)
    .join(CaseCategory, CaseCategory.id == Case.category_id)
    .where(Case.id == any_(_IDS))
)
_HOURS = select(Department.id, Department.work_hours).where(Department.id == any_(_IDS))
# The steps taken, one statement whatever their number: what a repeated sweep takes
# again conflicts and is not returned.
_TAKE = text("""
    INSERT INTO case_steps (id, task_id, kind, step, sequence, due_at, planned_at, created_at)
    SELECT gen_random_uuid(), s.task_id, s.kind, s.step, s.sequence, s.due_at, s.planned_at, :now
    FROM unnest(CAST(:tasks AS uuid[]), CAST(:kinds AS text[]), CAST(:steps AS int[]),
                CAST(:sequences AS int[]), CAST(:dues AS timestamptz[]),
                CAST(:planned AS timestamptz[]))
         AS s(task_id, kind, step, sequence, due_at, planned_at)
    ON CONFLICT ON CONSTRAINT uq_case_steps_step DO NOTHING
    RETURNING task_id, kind, step
""")
# Each task's plan, one statement. The plan is the clock's bookkeeping, not a change to
# the task: updated_at stays.
_PLANNED = text("""
    UPDATE case_tasks AS t
    SET clock_due_at = p.due_at, clock_sequence = p.sequence, next_step_at = p.next_at
    FROM unnest(CAST(:tasks AS uuid[]), CAST(:dues AS timestamptz[]),
                CAST(:sequences AS int[]), CAST(:nexts AS timestamptz[]))
         AS p(id, due_at, sequence, next_at)
    WHERE t.id = p.id
""")


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
    sequence: int
    steps: list[Step]  # due now
    next_at: datetime | None


def _plan_of(
    calendar: WorkCalendar,
    task: CaseTask,
    hours: str | None,
    rungs: list[Rung],
    remind: timedelta,
    now: datetime,
) -> tuple[list[Step], datetime | None]:
    """The task's steps due now, and when its next one falls (none at all when its
    calendar has no working time)."""
    try:
        steps = plan(department_calendar(calendar, _Hours(hours)), task.due_at, remind, rungs)
    except NoWorkingTime:
        log.warning("case_clock_no_working_time", task_id=str(task.id))
        return [], None
    return steps_due(steps, task.due_at, now), next_step_at(steps, now)


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
    tasks = list((await session.scalars(FOUND, {"now": now, "batch": batch})).all())
    result = SweepResult(found=len(tasks))
    if not tasks:
        return result
    cases = {
        row[0].id: row
        for row in await session.execute(_CASES, {"ids": list({t.case_id for t in tasks})})
    }
    hours = dict(
        (await session.execute(_HOURS, {"ids": list({t.department_id for t in tasks})})).all()
    )
    ladders = {code: ladder(escalation) for _, code, escalation in cases.values()}
    found = []
    for task in tasks:
        fresh = task.clock_due_at != task.due_at
        result.planned += fresh
        sequence = task.clock_sequence + 1 if fresh else task.clock_sequence
        rungs = ladders[cases[task.case_id][1]]
        due, next_at = _plan_of(calendar, task, hours.get(task.department_id), rungs, remind, now)
        found.append(_Found(task, sequence, due, next_at))
    taking = [(item, step) for item in found for step in item.steps]
    taken = set()
    if taking:
        rows = await session.execute(
            _TAKE,
            {
                "now": now,
                "tasks": [item.task.id for item, _ in taking],
                "kinds": [step.kind.value for _, step in taking],
                "steps": [step.step for _, step in taking],
                "sequences": [item.sequence for item, _ in taking],
                "dues": [item.task.due_at for item, _ in taking],
                "planned": [step.at for _, step in taking],
            },
        )
        taken = {(r.task_id, r.kind, r.step) for r in rows}
    for item, step in taking:
        if (item.task.id, step.kind.value, step.step) in taken:
            case, code, _ = cases[item.task.case_id]
            _announce(session, case, code, item, step, settings)
            if step.kind == StepKind.remind:
                result.reminders += 1
            else:
                result.escalations += 1
    await session.execute(
        _PLANNED,
        {
            "tasks": [item.task.id for item in found],
            "dues": [item.task.due_at for item in found],
            "sequences": [item.sequence for item in found],
            "nexts": [item.next_at for item in found],
        },
    )
    return result


def _announce(
    session: AsyncSession, case: Case, category: str, item: _Found, step: Step, settings: Settings
) -> None:
    """The step's event, through the outbox (who hears of it: cases/notify.py)."""
    common = {"sequence": item.sequence, "step": step.step, "step_at": step.at.isoformat()}
    if step.kind == StepKind.remind:
        case_event(
            session,
            "case.reminder_due",
            case,
            category=category,
            actor=ACTOR,
            task=item.task,
            remind_hours=settings.case_remind_hours,
            **common,
        )
    else:
        case_event(
            session,
            "case.escalated",
            case,
            category=category,
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
