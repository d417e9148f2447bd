"""What happened at a visit: completed (with notes and the needs raised) or no-show, and
needs raised afterwards at a completed visit."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import record_row, snapshot
from coordinator.auth.service import Principal
from coordinator.events.service import record_event
from coordinator.platform.db import utcnow
from coordinator.platform.i18n import Text
from coordinator.platform.problems import invalid_field
from coordinator.platform.settings import Settings
from coordinator.visits.models import Visit, VisitStatus
from coordinator.visits.needs.schemas import NeedOut
from coordinator.visits.needs.service import add_need
from coordinator.visits.schemas import NeedIn, OutcomeIn
from coordinator.visits.service import (
    TRANSITIONS,
    VisitStateConflict,
    allowed,
    ensure_transition,
    get_visit,
    visit_event,
)
from coordinator.worktime.service import WorkCalendar, load_calendar


async def record_outcome(
    *,
    session: AsyncSession,
    actor: Principal,
    settings: Settings,
    visit_id: uuid.UUID,
    data: OutcomeIn,
    calendar: WorkCalendar | None = None,
) -> tuple[Visit, list[NeedOut]]:
    """Completed (with notes and the needs raised, each filed as a case) or no-show."""
    visit = await get_visit(session=session, visit_id=visit_id, lock=True)
    action = "complete" if data.status == "completed" else "no_show"
    target = ensure_transition(visit, action)
    if visit.starts_at > utcnow():
        # Nothing has happened yet: only what a visit to come can do is allowed.
        raise VisitStateConflict(
            Text(
                "走访尚未开始，不能登记结果",
                "The visit has not started yet; its outcome cannot be recorded",
            ),
            current=visit.status.value,
            allowed=[
                t.value
                for a, t in TRANSITIONS[visit.status].items()
                if a not in ("complete", "no_show")
            ],
        )
    before = snapshot(visit)
    visit.status = target
    if action == "no_show" and data.needs:
        raise invalid_field(
            "needs", Text("未到访的走访不能登记诉求", "a no-show visit raises no needs")
        )
    visit.outcome_notes = data.notes
    visit.outcome_at = utcnow()
    visit.sequence += 1
    await session.flush()
    record_row(
        session=session, actor=actor, action=action, entity_type="visit", row=visit, before=before
    )
    record_event(
        session,
        "visit.completed" if action == "complete" else "visit.no_show",
        data=visit_event(visit, needs=len(data.needs)),
        subject_type="visit",
        subject_id=visit.id,
        actor=actor.name,
    )
    if data.needs and calendar is None:
        calendar = await load_calendar(session, settings)
    needs = [
        await add_need(
            session=session,
            actor=actor,
            settings=settings,
            visit=visit,
            data=need,
            calendar=calendar,
        )
        for need in data.needs
    ]
    return visit, needs


async def raise_need(
    *,
    session: AsyncSession,
    actor: Principal,
    settings: Settings,
    visit_id: uuid.UUID,
    data: NeedIn,
    calendar: WorkCalendar | None = None,
) -> NeedOut:
    """A need raised at a completed visit, after its outcome was recorded."""
    visit = await get_visit(session=session, visit_id=visit_id)
    if visit.status != VisitStatus.completed:
        raise VisitStateConflict(
            Text("只有已完成的走访才能登记诉求", "Needs are recorded on completed visits only"),
            current=visit.status.value,
            allowed=allowed(visit.status),
        )
    return await add_need(
        session=session,
        actor=actor,
        settings=settings,
        visit=visit,
        data=data,
        calendar=calendar,
    )
