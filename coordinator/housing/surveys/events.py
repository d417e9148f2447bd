"""The one place survey events are written: `survey.result_recorded` for every result
taken in, `survey.revisit_escalated` once per campaign and dwelling when nobody was home
too many times. No personal data: no note, no contact."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.events.models import OutboxEvent
from coordinator.events.service import record_event
from coordinator.housing.events import dwelling_data
from coordinator.housing.models import Dwelling
from coordinator.housing.surveys.models import SurveyResult


def result_recorded(
    session: AsyncSession, result: SurveyResult, dwelling: Dwelling, *, actor: str
) -> OutboxEvent:
    return record_event(
        session,
        "survey.result_recorded",
        data=dwelling_data(dwelling)
        | {
            "result_id": str(result.id),
            "campaign_id": str(result.campaign_id),
            "block_id": str(result.block_id),
            "person_id": str(result.person_id),
            "code": result.code.value,
            "result_state": result.state.value if result.state else None,
            "occupants": result.occupants,
            "base_version": result.base_version,
            "recorded_at": result.recorded_at.isoformat(),
            "applied": result.applied,
            "conflict": result.conflict,
            "change_id": result.change_id,
            "attempts": result.attempts,
        },
        subject_type="dwelling",
        subject_id=dwelling.id,
        actor=actor,
    )


def revisit_escalated(
    session: AsyncSession,
    result: SurveyResult,
    dwelling: Dwelling,
    *,
    lead_id: uuid.UUID | None,
    actor: str,
) -> OutboxEvent:
    return record_event(
        session,
        "survey.revisit_escalated",
        data=dwelling_data(dwelling)
        | {
            "campaign_id": str(result.campaign_id),
            "block_id": str(result.block_id),
            "result_id": str(result.id),
            "attempts": result.attempts,
            "lead_id": str(lead_id) if lead_id else None,
        },
        subject_type="dwelling",
        subject_id=dwelling.id,
        actor=actor,
    )
