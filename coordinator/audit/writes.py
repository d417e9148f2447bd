"""Audited writes: a row created, updated or deleted together with its audit entry and,
where the catalogue has one, its event, in the writer's transaction."""

from __future__ import annotations

import uuid
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

from coordinator.audit.service import record, snapshot
from coordinator.auth.service import Principal
from coordinator.events.catalogue import EVENT_TYPES
from coordinator.events.service import record_event
from coordinator.platform.i18n import Text
from coordinator.platform.references import ensure_unreferenced
from coordinator.platform.resources import changed_fields, id_of


def raise_change(
    session: AsyncSession,
    actor: Principal,
    entity_type: str,
    verb: str,
    entity_id: uuid.UUID,
    data: dict[str, Any],
) -> None:
    """Every registry write is also an event, so other systems hear of it."""
    event_type = f"{entity_type}.{verb}"
    if event_type in EVENT_TYPES:
        record_event(
            session,
            event_type,
            data=data,
            subject_type=entity_type,
            subject_id=entity_id,
            actor=actor.name,
        )


async def audit_created(
    session: AsyncSession,
    actor: Principal,
    row: DeclarativeBase,
    entity_type: str,
    *,
    extra_after: dict[str, Any] | None = None,
) -> None:
    await session.flush()
    after = snapshot(row) | (extra_after or {})
    record(
        session=session,
        actor=actor,
        action="create",
        entity_type=entity_type,
        entity_id=id_of(row),
        after=after,
    )
    raise_change(session, actor, entity_type, "created", id_of(row), after)


async def apply_update(
    session: AsyncSession,
    actor: Principal,
    row: DeclarativeBase,
    values: dict[str, Any],
    entity_type: str,
    *,
    extra_before: dict[str, Any] | None = None,
    extra_after: dict[str, Any] | None = None,
) -> None:
    before = snapshot(row) | (extra_before or {})
    for name, value in values.items():
        setattr(row, name, value)
    await session.flush()
    after = snapshot(row) | (extra_after or {})
    record(
        session=session,
        actor=actor,
        action="update",
        entity_type=entity_type,
        entity_id=id_of(row),
        before=before,
        after=after,
    )
    changed = changed_fields(before, after)
    raise_change(session, actor, entity_type, "updated", id_of(row), {**after, "changed": changed})


async def delete_row(
    session: AsyncSession,
    actor: Principal,
    row: DeclarativeBase,
    entity_type: str,
    what: Text,
    *,
    before: dict[str, Any] | None = None,
) -> None:
    """Delete a row unless something still refers to it (409 naming what does); the log
    and the event keep `before`, by default the row's columns."""
    row_id = id_of(row)
    await ensure_unreferenced(session, cast(Table, row.__table__), row_id, what)
    before = snapshot(row) if before is None else before
    await session.delete(row)
    await session.flush()
    record(
        session=session,
        actor=actor,
        action="delete",
        entity_type=entity_type,
        entity_id=row_id,
        before=before,
    )
    raise_change(session, actor, entity_type, "deleted", row_id, before)
