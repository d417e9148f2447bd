"""Recording writes in the audit log, inside the writer's transaction."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

from coordinator.audit.models import AuditEntry
from coordinator.auth.service import Principal


def snapshot(row: DeclarativeBase) -> dict[str, Any]:
    """Column values of a row as JSON-friendly values."""
    mapper = inspect(type(row))
    values: dict[str, Any] = {}
    for column in mapper.columns:
        value = getattr(row, column.key)
        if isinstance(value, uuid.UUID):
            value = str(value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        elif isinstance(value, bytes):
            continue
        elif hasattr(value, "value") and not isinstance(value, int | float | str):
            value = value.value
        values[column.key] = value
    return values


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
