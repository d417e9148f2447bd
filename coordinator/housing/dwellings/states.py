"""The one way a dwelling's state changes, whoever changes it: a coordinator, a block
leader's survey result (sent from a phone, perhaps long after it was made), a case resolved
as rectified. Each change is a row of `dwelling_states` with its evidence and who set it,
the dwelling's `version` one higher, and a `dwelling.state_changed` event.

A result made against an older version of the dwelling than the one stored (someone else
changed it meanwhile) is not applied: it is kept in the history flagged as a conflict
(`dwelling.conflict_flagged`), for a coordinator to apply or dismiss."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.housing.events import dwelling_event
from coordinator.housing.models import (
    DWELLING,
    Dwelling,
    DwellingState,
    DwellingStateChange,
    StateSource,
)
from coordinator.platform.db import utcnow
from coordinator.platform.problems import not_found


@dataclass(frozen=True)
class Outcome:
    dwelling: Dwelling
    # The history row written: None when the state stayed as it was (a confirmation).
    change: DwellingStateChange | None

    @property
    def conflict(self) -> bool:
        return self.change is not None and self.change.conflict


async def lock_dwelling(session: AsyncSession, dwelling_id: uuid.UUID) -> Dwelling:
    """The dwelling, its row locked until the transaction ends: every change to a dwelling
    takes this lock first, so two changes happen one after the other."""
    dwelling = await session.scalar(
        select(Dwelling)
        .where(Dwelling.id == dwelling_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if dwelling is None:
        raise not_found(DWELLING)
    return dwelling


async def set_state(
    session: AsyncSession,
    dwelling: Dwelling,
    state: DwellingState,
    *,
    source: StateSource,
    actor: str,
    evidence: str | None = None,
    case_id: uuid.UUID | None = None,
    result_id: uuid.UUID | None = None,
    base_version: int | None = None,
    seen: bool = False,
    now: datetime | None = None,
) -> Outcome:
    """Move a locked dwelling (`lock_dwelling`) to `state`. `base_version` is the version
    the change was made against (a phone's copy); an older one keeps the change as a
    conflict instead. `seen` marks the dwelling surveyed now (someone stood at its door).
    The caller writes the audit row of its own write."""
    now = now or utcnow()
    if seen:
        dwelling.surveyed_at = now
    if base_version is not None and base_version != dwelling.version:
        change = DwellingStateChange(
            dwelling_id=dwelling.id,
            state=state,
            previous_state=dwelling.state,
            source=source,
            evidence=evidence,
            set_by=actor,
            set_at=now,
            case_id=case_id,
            result_id=result_id,
            applied=False,
            conflict=True,
        )
        session.add(change)
        await session.flush()
        dwelling_event(session, "dwelling.conflict_flagged", dwelling, actor=actor, change=change)
        return Outcome(dwelling, change)
    if state == dwelling.state:
        return Outcome(dwelling, None)
    change = DwellingStateChange(
        dwelling_id=dwelling.id,
        state=state,
        previous_state=dwelling.state,
        source=source,
        evidence=evidence,
        set_by=actor,
        set_at=now,
        case_id=case_id,
        result_id=result_id,
    )
    dwelling.state = state
    dwelling.state_evidence = evidence
    dwelling.state_set_by = actor
    dwelling.state_set_at = now
    dwelling.version += 1
    session.add(change)
    await session.flush()
    dwelling_event(session, "dwelling.state_changed", dwelling, actor=actor, change=change)
    return Outcome(dwelling, change)
