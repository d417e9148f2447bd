"""Conflicts to review: results about a dwelling made against an older version than the
one stored (someone else changed it meanwhile), kept in its history flagged, never lost.
A coordinator applies one (the state it carried becomes the dwelling's, through
`set_state`) or dismisses it; either way it is reviewed, once."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.auth.models import Principal
from coordinator.housing.dwellings.history import audit_change, outcome_out, page_of_changes
from coordinator.housing.dwellings.schemas import ConflictQuery, HistoryPage, StateOutcomeOut
from coordinator.housing.dwellings.service import audit_state
from coordinator.housing.dwellings.states import Outcome, lock_dwelling, set_state
from coordinator.housing.models import Dwelling, DwellingStateChange
from coordinator.platform.db import utcnow
from coordinator.platform.i18n import Text
from coordinator.platform.problems import StateConflict, not_found

CONFLICT = Text("待核对的冲突", "conflict to review")


async def list_conflicts(*, session: AsyncSession, query: ConflictQuery) -> HistoryPage:
    """Conflicts, not yet reviewed unless asked; by area or dwelling; newest first."""
    stmt = select(DwellingStateChange).where(DwellingStateChange.conflict)
    if query.reviewed:
        stmt = stmt.where(DwellingStateChange.reviewed_at.is_not(None))
    else:
        stmt = stmt.where(DwellingStateChange.reviewed_at.is_(None))
    if query.dwelling_id is not None:
        stmt = stmt.where(DwellingStateChange.dwelling_id == query.dwelling_id)
    if query.area_id is not None:
        stmt = stmt.where(
            DwellingStateChange.dwelling_id.in_(
                select(Dwelling.id).where(Dwelling.area_id == query.area_id)
            )
        )
    return await page_of_changes(session, stmt, query)


async def _locked(session: AsyncSession, change_id: int) -> tuple[Dwelling, DwellingStateChange]:
    """The conflict's dwelling and the conflict, both locked (the dwelling first: the order
    every change to a dwelling locks in); 404 if there is none, 409 once reviewed."""
    dwelling_id = await session.scalar(
        select(DwellingStateChange.dwelling_id).where(
            DwellingStateChange.id == change_id, DwellingStateChange.conflict
        )
    )
    if dwelling_id is None:
        raise not_found(CONFLICT)
    dwelling = await lock_dwelling(session, dwelling_id)
    change = await session.scalar(
        select(DwellingStateChange)
        .where(DwellingStateChange.id == change_id, DwellingStateChange.conflict)
        .with_for_update()
    )
    if change is None:
        raise not_found(CONFLICT)
    if change.reviewed_at is not None:
        raise StateConflict(
            Text("该冲突已核对过", "this conflict has been reviewed already"),
            current="reviewed",
        )
    return dwelling, change


async def apply_conflict(
    *, session: AsyncSession, actor: Principal, change_id: int, note: str | None
) -> StateOutcomeOut:
    """Make the state the conflict carried the dwelling's (a new history row)."""
    dwelling, conflict = await _locked(session, change_id)
    before = audit_state(dwelling)
    outcome = await set_state(
        session,
        dwelling,
        conflict.state,
        source=conflict.source,
        actor=actor.name,
        evidence=conflict.evidence,
        case_id=conflict.case_id,
        result_id=conflict.result_id,
    )
    conflict.reviewed_at = utcnow()
    await session.flush()
    await session.refresh(dwelling)
    audit_change(
        session, actor, "apply_conflict", before, outcome, conflict_id=conflict.id, note=note
    )
    return await outcome_out(session, outcome)


async def dismiss_conflict(
    *, session: AsyncSession, actor: Principal, change_id: int, note: str | None
) -> StateOutcomeOut:
    """Keep the dwelling as it is; the conflict stays in its history, reviewed."""
    dwelling, conflict = await _locked(session, change_id)
    before = audit_state(dwelling)
    conflict.reviewed_at = utcnow()
    await session.flush()
    audit_change(
        session,
        actor,
        "dismiss_conflict",
        before,
        Outcome(dwelling, conflict),
        conflict_id=conflict.id,
        note=note,
    )
    return await outcome_out(session, Outcome(dwelling, conflict))
