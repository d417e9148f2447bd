"""Recording writes in the audit log, inside the writer's transaction, and reading it."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

from coordinator.audit.models import AuditEntry
from coordinator.audit.schemas import AuditOut, AuditQuery
from coordinator.auth.models import Principal
from coordinator.platform.db import Database
from coordinator.platform.i18n import Text
from coordinator.platform.keyed import Key, KeyedListing
from coordinator.platform.listing import JsonBody
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


def _encode(key: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(str(key[0]).encode()).decode()


def _decode(cursor: str) -> tuple[int]:
    try:
        return (int(base64.urlsafe_b64decode(cursor.encode()).decode()),)
    except (ValueError, UnicodeDecodeError):
        message = Text("分页游标无效", "the cursor is not valid for this list")
        raise ValidationFailed(message, errors=[FieldError("cursor", message)]) from None


ENTRIES = KeyedListing(
    AuditEntry,
    AuditOut,
    key=Key((AuditEntry.id,), _encode, _decode, descending=True),
    filters={
        "entity_type": AuditEntry.entity_type,
        "entity_id": AuditEntry.entity_id,
        "action": AuditEntry.action,
        "actor_token_id": AuditEntry.actor_token_id,
    },
)


async def list_entries(*, database: Database, query: AuditQuery) -> JsonBody:
    """A page of entries, newest first; the cursor continues to older entries."""
    return await ENTRIES.page(database, query)
