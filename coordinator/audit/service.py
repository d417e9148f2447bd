"""Recording writes in the audit log, inside the writer's transaction, and reading it."""

from __future__ import annotations

import base64
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

from coordinator.audit.models import AuditEntry
from coordinator.audit.schemas import AuditOut, AuditQuery
from coordinator.auth.models import Principal
from coordinator.platform.i18n import Text
from coordinator.platform.problems import FieldError, ValidationFailed

# Columns never copied into the log: secrets shown once (a webhook's signing secret).
# Token hashes are bytes, and bytes are left out anyway.
SECRET_COLUMNS = frozenset({"secret"})


def snapshot(row: DeclarativeBase) -> dict[str, Any]:
    """Column values of a row as JSON-friendly values. Columns not loaded (a server
    default not fetched back) are left out rather than read: reading one would be a
    statement of its own."""
    state = inspect(row)
    unloaded = state.unloaded
    values: dict[str, Any] = {}
    for column in state.mapper.columns:
        if column.key in unloaded or column.key in SECRET_COLUMNS:
            continue
        value = getattr(row, column.key)
        if isinstance(value, bytes):
            continue
        values[column.key] = _plain(value)
    return values


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Decimal):  # Numeric columns (hours with hundredths): JSON numbers
        return float(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "value") and not isinstance(value, int | float | str):
        return value.value
    if isinstance(value, list | tuple):  # ARRAY columns: dates, UUIDs, enums
        return [_plain(item) for item in value]
    return value


def record(
    *,
    session: AsyncSession,
    actor: Principal,
    action: str,
    entity_type: str,
    entity_id: uuid.UUID,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEntry(
            actor_token_id=actor.token_id,
            actor_name=actor.name,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            before=before,
            after=after,
        )
    )


def record_row(
    *,
    session: AsyncSession,
    actor: Principal | None,
    action: str,
    entity_type: str,
    row: DeclarativeBase,
    before: dict[str, Any] | None = None,
) -> None:
    """Record a write of one row (flushed): its id, and its columns now as `after`.
    No actor (a write made through a link page, kept in link_uses instead): nothing."""
    if actor is None:
        return
    entity_id: uuid.UUID = getattr(row, "id")  # noqa: B009 (every audited row has an id)
    record(
        session=session,
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        before=before,
        after=snapshot(row),
    )


async def list_entries(*, session: AsyncSession, query: AuditQuery) -> dict[str, Any]:
    """A page of entries, newest first; the cursor continues to older entries."""
    stmt = select(AuditEntry)
    for column, value in (
        (AuditEntry.entity_type, query.entity_type),
        (AuditEntry.entity_id, query.entity_id),
        (AuditEntry.action, query.action),
        (AuditEntry.actor_token_id, query.actor_token_id),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    if query.cursor:
        stmt = stmt.where(AuditEntry.id < _decode(query.cursor))
    rows = list(
        (await session.scalars(stmt.order_by(AuditEntry.id.desc()).limit(query.limit + 1))).all()
    )
    next_cursor = None
    if len(rows) > query.limit:
        rows = rows[: query.limit]
        next_cursor = base64.urlsafe_b64encode(str(rows[-1].id).encode()).decode()
    return {
        "items": [AuditOut.model_validate(r).model_dump(mode="json") for r in rows],
        "next_cursor": next_cursor,
        "total": total or 0,
    }


def _decode(cursor: str) -> int:
    try:
        return int(base64.urlsafe_b64decode(cursor.encode()).decode())
    except (ValueError, UnicodeDecodeError):
        message = Text("分页游标无效", "the cursor is not valid for this list")
        raise ValidationFailed(message, errors=[FieldError("cursor", message)]) from None
