"""A dwelling's state set through the API (with its evidence, through `states.set_state`),
its history, and the whole contact read by the area's coordinators (audited `read`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import record
from coordinator.auth.models import Principal
from coordinator.housing.dwellings.privacy import PERSONAL, ensure_area_coordinator
from coordinator.housing.dwellings.schemas import (
    ContactOut,
    HistoryPage,
    HistoryQuery,
    StateChangeOut,
    StateIn,
    StateOutcomeOut,
)
from coordinator.housing.dwellings.service import audit_state, dwelling_out
from coordinator.housing.dwellings.states import Outcome, lock_dwelling, set_state
from coordinator.housing.models import DWELLING, Dwelling, DwellingStateChange, StateSource
from coordinator.platform.problems import not_found


async def outcome_out(session: AsyncSession, outcome: Outcome) -> StateOutcomeOut:
    change = outcome.change
    return StateOutcomeOut(
        dwelling=await dwelling_out(session, outcome.dwelling),
        change=StateChangeOut.model_validate(change) if change is not None else None,
        conflict=outcome.conflict,
    )


def audit_change(
    session: AsyncSession,
    actor: Principal,
    action: str,
    before: dict[str, Any],
    outcome: Outcome,
    **extra: Any,
) -> None:
    """The audit row of a state change made by the API (its history row's id in it)."""
    change = outcome.change
    record(
        session=session,
        actor=actor,
        action=action,
        entity_type="dwelling",
        entity_id=outcome.dwelling.id,
        before=before,
        after=audit_state(outcome.dwelling)
        | {"change_id": change.id if change else None, "conflict": outcome.conflict}
        | extra,
    )


async def change_state(
    *, session: AsyncSession, actor: Principal, dwelling_id: uuid.UUID, data: StateIn
) -> StateOutcomeOut:
    """Set the state with what was seen; a stale base_version is kept as a conflict."""
    dwelling = await lock_dwelling(session, dwelling_id)
    before = audit_state(dwelling)
    outcome = await set_state(
        session,
        dwelling,
        data.state,
        source=StateSource.coordinator,
        actor=actor.name,
        evidence=data.evidence,
        base_version=data.base_version,
        seen=data.seen,
    )
    await session.flush()
    await session.refresh(dwelling)
    audit_change(session, actor, "set_state", before, outcome)
    return await outcome_out(session, outcome)


async def page_of_changes(
    session: AsyncSession, stmt: Select[Any], query: HistoryQuery, *, newest_first: bool = True
) -> HistoryPage:
    """One page of history rows by id (newest first), the cursor being the last id shown."""
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    key = DwellingStateChange.id
    if query.cursor:
        after = int(query.cursor)
        stmt = stmt.where(key < after if newest_first else key > after)
    stmt = stmt.order_by(key.desc() if newest_first else key).limit(query.limit + 1)
    rows: Sequence[DwellingStateChange] = (await session.scalars(stmt)).all()
    shown = rows[: query.limit]
    cursor = str(shown[-1].id) if len(rows) > query.limit else None
    return HistoryPage(
        items=[StateChangeOut.model_validate(r) for r in shown],
        next_cursor=cursor,
        total=total or 0,
    )


async def history(
    *, session: AsyncSession, dwelling_id: uuid.UUID, query: HistoryQuery
) -> HistoryPage:
    """Every state the dwelling has had, conflicts kept for review among them."""
    if await session.get(Dwelling, dwelling_id) is None:
        raise not_found(DWELLING)
    stmt = select(DwellingStateChange).where(DwellingStateChange.dwelling_id == dwelling_id)
    return await page_of_changes(session, stmt, query)


async def read_contact(
    *, session: AsyncSession, actor: Principal, dwelling_id: uuid.UUID
) -> ContactOut:
    """The whole contact, for the area's coordinators and admins; the read is audited."""
    dwelling = await session.get(Dwelling, dwelling_id)
    if dwelling is None:
        raise not_found(DWELLING)
    await ensure_area_coordinator(session, actor, dwelling.area_id)
    record(
        session=session,
        actor=actor,
        action="read",
        entity_type="dwelling",
        entity_id=dwelling.id,
        after={"fields": list(PERSONAL), "area_id": str(dwelling.area_id)},
    )
    return ContactOut(
        dwelling_id=dwelling.id,
        area_id=dwelling.area_id,
        occupants=dwelling.occupants,
        contact_name=dwelling.contact_name,
        contact_phone=dwelling.contact_phone,
    )
