"""The periodic sweep: reminders before confirmed visits and escalation of unanswered
proposals. Found in the database each time (a missed cron tick is caught up by the
next), each step recorded once per visit and sequence, so repeats do nothing and a
moved visit starts afresh."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.events.service import record_event
from coordinator.platform.db import utcnow
from coordinator.platform.settings import VisitSettings
from coordinator.visits.models import Visit, VisitReminder, VisitStatus
from coordinator.visits.service import issue_visit_link, visit_event

NUDGE = "nudge"
ALERT = "alert"


def reminder_kind(offset: timedelta) -> str:
    return f"before_{int(offset.total_seconds() // 60)}m"


@dataclass
class SweepResult:
    reminders: int = 0
    nudges: int = 0
    alerts: int = 0


def _not_yet(kind: str) -> Any:
    """The visit has not had this step at its current sequence."""
    return ~exists().where(
        VisitReminder.visit_id == Visit.id,
        VisitReminder.kind == kind,
        VisitReminder.sequence == Visit.sequence,
    )


async def _claim(
    session: AsyncSession, visits: list[Visit], kind: str, now: datetime
) -> list[Visit]:
    """Record the step for each visit at its sequence; the ones newly recorded."""
    if not visits:
        return []
    rows = [
        {
            "id": uuid.uuid4(),
            "visit_id": v.id,
            "kind": kind,
            "sequence": v.sequence,
            "created_at": now,
        }
        for v in visits
    ]
    claimed = set(
        (
            await session.scalars(
                insert(VisitReminder)
                .values(rows)
                .on_conflict_do_nothing(constraint="uq_visit_reminders_step")
                .returning(VisitReminder.visit_id)
            )
        ).all()
    )
    return [v for v in visits if v.id in claimed]


async def sweep(
    session: AsyncSession,
    *,
    config: VisitSettings,
    base_url: str,
    now: datetime | None = None,
    batch: int = 500,
) -> SweepResult:
    now = now or utcnow()
    result = SweepResult()
    # Reminders, largest offset first; a reminder whose next-smaller one is already due
    # is skipped (a visit confirmed an hour before gets one reminder, not two).
    offsets = list(config.reminders)
    for i, offset in enumerate(offsets):
        later = offsets[i + 1] if i + 1 < len(offsets) else timedelta(0)
        kind = reminder_kind(offset)
        visits = list(
            (
                await session.scalars(
                    select(Visit)
                    .where(
                        Visit.status == VisitStatus.confirmed,
                        Visit.starts_at - offset <= now,
                        Visit.starts_at - later > now,
                        _not_yet(kind),
                    )
                    .order_by(Visit.starts_at)
                    .limit(batch)
                    .with_for_update(skip_locked=True)
                )
            ).all()
        )
        for visit in await _claim(session, visits, kind, now):
            record_event(
                session,
                "visit.reminder_due",
                data=visit_event(visit, kind=kind),
                subject_type="visit",
                subject_id=visit.id,
                actor="sweep",
            )
            result.reminders += 1

    # Unanswered for nudge_after: one reminder to the contact, with a fresh link.
    stale = list(
        (
            await session.scalars(
                select(Visit)
                .where(
                    Visit.status == VisitStatus.proposed,
                    Visit.proposed_at <= now - config.nudge_after,
                    Visit.starts_at > now,
                    _not_yet(NUDGE),
                )
                .order_by(Visit.proposed_at)
                .limit(batch)
                .with_for_update(skip_locked=True)
            )
        ).all()
    )
    for visit in await _claim(session, stale, NUDGE, now):
        link = await issue_visit_link(session, visit, config, base_url)
        record_event(
            session,
            "visit.escalated",
            data=visit_event(visit, stage="contact_reminder", link=link),
            subject_type="visit",
            subject_id=visit.id,
            actor="sweep",
        )
        result.nudges += 1

    # Still unanswered alert_after the nudge: one alert per team listing such visits.
    nudged = VisitReminder.__table__.alias("nudged")
    overdue = list(
        (
            await session.scalars(
                select(Visit)
                .join(
                    nudged,
                    and_(
                        nudged.c.visit_id == Visit.id,
                        nudged.c.kind == NUDGE,
                        nudged.c.sequence == Visit.sequence,
                    ),
                )
                .where(
                    Visit.status == VisitStatus.proposed,
                    nudged.c.created_at <= now - config.alert_after,
                    _not_yet(ALERT),
                )
                .order_by(Visit.starts_at)
                .limit(batch)
                .with_for_update(of=Visit, skip_locked=True)
            )
        ).all()
    )
    by_team: dict[uuid.UUID | None, list[Visit]] = defaultdict(list)
    for visit in await _claim(session, overdue, ALERT, now):
        by_team[visit.team_id].append(visit)
    for team_id, visits in by_team.items():
        listing: list[dict[str, Any]] = [
            {
                "visit_id": str(v.id),
                "company_id": str(v.company_id),
                "liaison_id": str(v.liaison_id),
                "starts_at": v.starts_at.isoformat(),
                "proposed_at": v.proposed_at.isoformat(),
            }
            for v in visits
        ]
        record_event(
            session,
            "visit.escalated",
            data={
                "stage": "alert",
                "team_id": str(team_id) if team_id else None,
                "visits": listing,
            },
            subject_type="team" if team_id else None,
            subject_id=team_id,
            actor="sweep",
        )
        result.alerts += len(visits)
    return result
