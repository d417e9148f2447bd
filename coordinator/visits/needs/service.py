"""Needs (诉求) are the cases filed from visits: raised at a visit, assigned, resolved,
closed or reopened through the cases engine, answered in the words and states needs have
always had (open → assigned → resolved → closed, reopened back to open).

Raising files a case (source visit, the company's building and area as its place, the
visit's contact as its reporter). Assigning sets its lead department (a team's department,
or the "1+4" department of a kind), accepting a new case and taking a reopened one on
again. Resolving is the lead's task done and the sign-off, in one step. Each writes the
engine's audit rows and case events, and the need's own event (events.py)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator import labels
from coordinator.auth.service import Principal
from coordinator.cases.filing.service import file_case
from coordinator.cases.followup.service import close_case, reopen_case, resolve_case
from coordinator.cases.models import Case, CaseSource, CaseStatus, TaskRole, TaskStatus
from coordinator.cases.schemas import CaseIn
from coordinator.cases.service import accept_case, tasks_of
from coordinator.cases.tasks.lead import set_lead
from coordinator.cases.tasks.service import accept_task, complete_task
from coordinator.platform.i18n import Text
from coordinator.platform.problems import StateConflict, invalid_field, not_found
from coordinator.platform.settings import Settings
from coordinator.registry.models import Company
from coordinator.visits.models import NeedStatus, Visit
from coordinator.visits.needs.categories import ensure_category
from coordinator.visits.needs.departments import department_for
from coordinator.visits.needs.events import need_event
from coordinator.visits.needs.reading import NEED, read_need
from coordinator.visits.needs.schemas import AssignIn, NeedIn, NeedOut
from coordinator.worktime.service import WorkCalendar

N = NeedStatus
NEED_TRANSITIONS: dict[NeedStatus, dict[str, NeedStatus]] = {
    N.open: {"assign": N.assigned},
    N.assigned: {"assign": N.assigned, "resolve": N.resolved},
    N.resolved: {"close": N.closed, "reopen": N.open},
    N.closed: {"reopen": N.open},
}
# A need's status is its case's, in the needs' words (reading.STATUS_SQL says the same).
C = CaseStatus
NEED_STATUS: dict[CaseStatus, NeedStatus] = {
    C.new: N.open,
    C.reopened: N.open,
    C.accepted: N.assigned,
    C.in_progress: N.assigned,
    C.resolved: N.resolved,
    C.closed: N.closed,
    C.rejected: N.closed,
    C.merged: N.closed,
}


class NeedStateConflict(StateConflict):
    title = Text("诉求当前状态不允许此操作", "Not allowed in the need's current state")


def _ensure(status: NeedStatus, action: str) -> NeedStatus:
    """The status `action` moves a need to, or a 409 naming where it is and may go."""
    target = NEED_TRANSITIONS[status].get(action)
    if target is None:
        raise NeedStateConflict(
            Text("诉求当前状态为{s}，不能{a}", "The need is {s}; it cannot {a}").format(
                s=labels.label(status), a=labels.action(action)
            ),
            current=status.value,
            allowed={t.value for t in NEED_TRANSITIONS[status].values()},
            extra={"allowed_actions": sorted(NEED_TRANSITIONS[status])},
        )
    return target


async def _case(session: AsyncSession, need_id: uuid.UUID, action: str) -> Case:
    """The need's case, locked, if `action` is allowed in its state; 404 (a need) unless
    a visit's case has that id."""
    case = await session.scalar(
        select(Case)
        .where(Case.id == need_id, Case.source == CaseSource.visit)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if case is None:
        raise not_found(NEED)
    _ensure(NEED_STATUS[case.status], action)
    return case


def title_of(need: NeedIn, company_name: str) -> str:
    """A need's case is called by its category and company: "房租：某某有限公司"."""
    return f"{labels.label(need.category).zh}：{company_name}"[:200]


async def add_need(
    *,
    session: AsyncSession,
    actor: Principal,
    settings: Settings,
    visit: Visit,
    data: NeedIn,
    calendar: WorkCalendar | None = None,
) -> NeedOut:
    """File the need as a case of the visit (routed by its category's rules, if any)."""
    await ensure_category(session, actor, data.category)
    company_name = await session.scalar(select(Company.name).where(Company.id == visit.company_id))
    case = await file_case(
        session=session,
        actor=actor,
        settings=settings,
        data=CaseIn(
            title=title_of(data, company_name or ""),
            description=data.description,
            category=data.category.value,
            urgency=data.urgency,
            company_id=visit.company_id,
            visit_id=visit.id,
            reporter_contact_id=visit.contact_id,
        ),
        source=CaseSource.visit,
        calendar=calendar,
    )
    need = await read_need(session, case.id)
    need_event(session, "need.raised", need, actor.name)
    return need


async def get_need(*, session: AsyncSession, need_id: uuid.UUID) -> NeedOut:
    return await read_need(session, need_id)


async def assign_need(
    *,
    session: AsyncSession,
    actor: Principal,
    settings: Settings,
    need_id: uuid.UUID,
    data: AssignIn,
    calendar: WorkCalendar | None = None,
) -> NeedOut:
    """To a team, or to a joint-operation department ("1+4"): the case's lead department
    becomes it; a new case is accepted (受理), a reopened one taken on again (its lead's
    task accepted)."""
    if (data.team_id is None) == (data.department is None):
        message = Text("须且只能填写「team_id」或「department」之一", "give team_id or department")
        raise invalid_field("team_id", message)
    case = await _case(session, need_id, "assign")
    department = await department_for(session, actor, data, case.area_id)
    if case.status == CaseStatus.new:
        await accept_case(session=session, actor=actor, case_id=case.id)
    task = await set_lead(
        session=session,
        actor=actor,
        settings=settings,
        case_id=case.id,
        department_id=department.id,
        calendar=calendar,
    )
    if case.status == CaseStatus.reopened and task.status == TaskStatus.pending:
        await accept_task(session=session, actor=actor, case_id=case.id, task_id=task.id)
    need = await read_need(session, case.id)
    need_event(session, "need.assigned", need, actor.name)
    return need


async def resolve_need(
    *,
    session: AsyncSession,
    actor: Principal,
    need_id: uuid.UUID,
    resolution: str,
    settings: Settings | None = None,
) -> NeedOut:
    """The lead department's task done with the resolution, and the case signed off with
    it (办结), in one step; co-handlers must have finished theirs (else the engine's 409).
    With `settings`, the company's contact (the case's reporter) gets the follow-up link."""
    case = await _case(session, need_id, "resolve")
    lead = next(
        (
            t
            for t in await tasks_of(session, case)
            if t.role == TaskRole.lead and t.status != TaskStatus.dropped
        ),
        None,
    )
    if lead is not None and lead.status == TaskStatus.pending:
        lead = await accept_task(session=session, actor=actor, case_id=case.id, task_id=lead.id)
    if lead is not None and lead.status == TaskStatus.accepted:
        await complete_task(
            session=session, actor=actor, case_id=case.id, task_id=lead.id, note=resolution
        )
    await resolve_case(
        session=session,
        actor=actor,
        case_id=case.id,
        resolution=resolution,
        settings=settings,
    )
    need = await read_need(session, case.id)
    need_event(session, "need.resolved", need, actor.name, resolution=resolution)
    return need


async def close_need(*, session: AsyncSession, actor: Principal, need_id: uuid.UUID) -> NeedOut:
    """闭环: a coordinator closes the resolved need (its case closed by a coordinator)."""
    case = await _case(session, need_id, "close")
    await close_case(session=session, actor=actor, case_id=case.id)
    need = await read_need(session, case.id)
    need_event(session, "need.closed", need, actor.name)
    return need


async def reopen_need(
    *,
    session: AsyncSession,
    actor: Principal,
    settings: Settings,
    need_id: uuid.UUID,
    reason: str | None,
    calendar: WorkCalendar | None = None,
) -> NeedOut:
    """Back to open with a fresh due time (the lead department kept, its task pending
    again). The need shows no resolution until resolved again; need.resolved keeps it."""
    case = await _case(session, need_id, "reopen")
    await reopen_case(
        session=session,
        actor=actor,
        settings=settings,
        case_id=case.id,
        reason=reason or "",
        calendar=calendar,
    )
    need = await read_need(session, case.id)
    need_event(session, "need.reopened", need, actor.name, reason=reason)
    return need
