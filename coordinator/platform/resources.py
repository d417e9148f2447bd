"""The steps every resource shares on its rows: load or 404, check a reference, patch."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import ColumnElement, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

from coordinator.platform.i18n import Text
from coordinator.platform.problems import FieldError, ValidationFailed, missing_reference, not_found

R = TypeVar("R", bound=DeclarativeBase)


def id_of(row: DeclarativeBase) -> uuid.UUID:
    value: uuid.UUID = getattr(row, "id")  # noqa: B009 (every registry model has an id)
    return value


async def get_or_404(
    session: AsyncSession,
    model: type[R],
    row_id: uuid.UUID,
    what: Text,
    *,
    lock: bool = False,
    where: ColumnElement[bool] | None = None,
) -> R:
    """The row of that id (locked for update with `lock`), 404 if there is none or it does
    not meet `where` (a contact of another company is simply not found)."""
    stmt = select(model).where(inspect(model).primary_key[0] == row_id)
    if where is not None:
        stmt = stmt.where(where)
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


def patch_values(patch: BaseModel, *, required: set[str] = frozenset()) -> dict[str, Any]:  # type: ignore[assignment]
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
