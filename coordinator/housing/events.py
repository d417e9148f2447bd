"""The one place the residential survey's events are written: the same keys on every event
of a kind, whatever raised it. Events carry no personal data: no contact name or phone,
and no free text (a change's evidence is said to be given, never quoted)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.events.models import OutboxEvent
from coordinator.events.service import record_event
from coordinator.housing.models import Dwelling, DwellingStateChange


def _id(value: uuid.UUID | None) -> str | None:
    return str(value) if value is not None else None


def dwelling_data(dwelling: Dwelling) -> dict[str, Any]:
    """What every dwelling event says of its dwelling: where it is and its state."""
    return {
        "dwelling_id": str(dwelling.id),
        "area_id": str(dwelling.area_id),
        "building_id": str(dwelling.building_id),
        "unit": dwelling.unit,
        "floor": dwelling.floor,
        "room": dwelling.room,
        "use": dwelling.use.value,
        "state": dwelling.state.value,
        "version": dwelling.version,
    }


def dwelling_event(
    session: AsyncSession,
    type_: str,
    dwelling: Dwelling,
    *,
    actor: str,
    change: DwellingStateChange | None = None,
    **extra: Any,
) -> OutboxEvent:
    data = dwelling_data(dwelling)
    if change is not None:
        data |= {
            "state": change.state.value,
            "previous_state": change.previous_state.value if change.previous_state else None,
            "source": change.source.value,
            # Whether evidence was given, not its words: free text about a home is
            # personal data, read through the history by those who may.
            "evidence_given": change.evidence is not None,
            "case_id": _id(change.case_id),
            "result_id": _id(change.result_id),
            "applied": change.applied,
            "conflict": change.conflict,
            "change_id": change.id,
        }
    return record_event(
        session,
        type_,
        data=data | extra,
        subject_type="dwelling",
        subject_id=dwelling.id,
        actor=actor,
    )
