"""The steps every registry resource shares: load, check references, patch, audit, delete."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar, cast

from sqlalchemy import Table, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

from coordinator.audit.service import record, snapshot
from coordinator.auth.service import Principal
from coordinator.events.catalogue import EVENT_TYPES
from coordinator.events.service import record_event
from coordinator.platform.i18n import Text
from coordinator.platform.problems import FieldError, ValidationFailed, missing_reference, not_found
from coordinator.platform.references import ensure_unreferenced
from coordinator.web.validation import Body

R = TypeVar("R", bound=DeclarativeBase)


def _row_id(row: DeclarativeBase) -> uuid.UUID:
    value: uuid.UUID = getattr(row, "id")  # noqa: B009 (every registry model has an id)
    return value


async def get_or_404(
    session: AsyncSession, model: type[R], row_id: uuid.UUID, what: Text, *, lock: bool = False
) -> R:
    stmt = select(model).where(inspect(model).primary_key[0] == row_id)
    if lock:
        stmt = stmt.with_for_update()
    row = await session.scalar(stmt)
    if row is None:
        raise not_found(what)
    return row


async def ensure_exists(
    session: AsyncSession,
    model: type[DeclarativeBase],
    row_id: uuid.UUID | None,
    field: str,
    what: Text,
) -> None:
    """A row named in the body must exist (422 naming the field if not)."""
    if row_id is None:
        return
    found = await session.scalar(
        select(inspect(model).primary_key[0]).where(inspect(model).primary_key[0] == row_id)
    )
    if found is None:
        raise missing_reference(field, what)


def patch_values(patch: Body, *, required: set[str] = frozenset()) -> dict[str, Any]:  # type: ignore[assignment]
    """The fields a PATCH body set; null is refused for required fields."""
    values = patch.model_dump(exclude_unset=True)
    nulls = sorted(name for name in required if name in values and values[name] is None)
    if nulls:
        raise ValidationFailed(
            errors=[FieldError(name, Text("不能为空", "cannot be null")) for name in nulls]
        )
    return values


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The fields an update changed (its own timestamp aside)."""
    return sorted(k for k in after if before.get(k) != after.get(k) and k != "updated_at")


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
    session: AsyncSession, actor: Principal, row: DeclarativeBase, entity_type: str
) -> None:
    await session.flush()
    record(
        session=session,
        actor=actor,
        action="create",
        entity_type=entity_type,
        entity_id=_row_id(row),
        after=snapshot(row),
    )
    raise_change(session, actor, entity_type, "created", _row_id(row), snapshot(row))


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
        entity_id=_row_id(row),
        before=before,
        after=after,
    )
    changed = changed_fields(before, after)
    raise_change(
        session, actor, entity_type, "updated", _row_id(row), {**after, "changed": changed}
    )


async def delete_row(
    session: AsyncSession, actor: Principal, row: DeclarativeBase, entity_type: str, what: Text
) -> None:
    """Delete a row unless something still refers to it (409 naming what does)."""
    row_id = _row_id(row)
    await ensure_unreferenced(session, cast(Table, row.__table__), row_id, what)
    before = snapshot(row)
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
