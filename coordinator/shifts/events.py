"""What shift and signup events say, built here and nowhere else (the claim statement
takes its payloads from these functions too)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.events.service import record_event
from coordinator.shifts.models import Shift, Signup


def shift_data(shift: Shift) -> dict[str, Any]:
    """What events say about a shift."""
    return {
        "shift_id": str(shift.id),
        "post_id": str(shift.post_id),
        "series_id": str(shift.series_id) if shift.series_id else None,
        "starts_at": shift.starts_at.isoformat(),
        "ends_at": shift.ends_at.isoformat(),
        "min_people": shift.min_people,
        "max_people": shift.max_people,
        "filled": shift.filled,
        "status": shift.status.value,
        "sequence": shift.sequence,
    }


def signup_fields(
    *,
    signup_id: uuid.UUID,
    shift_id: uuid.UUID,
    person_id: uuid.UUID,
    status: str,
    sequence: int,
    starts_at: datetime,
    ends_at: datetime,
    **extra: Any,
) -> dict[str, Any]:
    """What events say about a signup, from its fields (a signup not yet a row)."""
    return {
        "signup_id": str(signup_id),
        "shift_id": str(shift_id),
        "person_id": str(person_id),
        "status": status,
        "sequence": sequence,
        "starts_at": starts_at.isoformat(),
        "ends_at": ends_at.isoformat(),
        **extra,
    }


def signup_data(signup: Signup, **extra: Any) -> dict[str, Any]:
    """What events say about a signup."""
    return signup_fields(
        signup_id=signup.id,
        shift_id=signup.shift_id,
        person_id=signup.person_id,
        status=signup.status.value,
        sequence=signup.sequence,
        starts_at=signup.starts_at,
        ends_at=signup.ends_at,
        **extra,
    )


def shift_event(
    session: AsyncSession, kind: str, shift: Shift, actor: str | None, **extra: Any
) -> None:
    """A shift.* event in the session's transaction."""
    record_event(
        session,
        kind,
        data=shift_data(shift) | extra,
        subject_type="shift",
        subject_id=shift.id,
        actor=actor,
    )


def signup_event(
    session: AsyncSession, kind: str, signup: Signup, actor: str | None, **extra: Any
) -> None:
    """A signup.* event in the session's transaction."""
    record_event(
        session,
        kind,
        data=signup_data(signup, **extra),
        subject_type="signup",
        subject_id=signup.id,
        actor=actor,
    )


def reminder_data(signup_id: uuid.UUID, kind: str, sequence: int) -> dict[str, Any]:
    """What shift.reminder_due says."""
    return {"signup_id": str(signup_id), "kind": kind, "sequence": sequence}
