"""Lists: keyset pagination in a stable order, sorting, total counts, text search."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from coordinator.i18n import Text
from coordinator.problems import FieldError, ValidationFailed
from coordinator.validation import Query

T = TypeVar("T")
Row = TypeVar("Row")


class ListQuery(Query):
    """Parameters every list takes."""

    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=500)
    sort: str | None = Field(default=None, max_length=50)
    q: str | None = Field(default=None, max_length=100, description="text search on names")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None
    total: int


def like_pattern(text: str) -> str:
    """A LIKE pattern matching text anywhere, with wildcards in it taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(
    columns: Sequence[InstrumentedAttribute[Any]], text: str | None
) -> ColumnElement[bool] | None:
    if not text:
        return None
    pattern = like_pattern(text)
    return or_(*(column.ilike(pattern, escape="\\") for column in columns))


def _encode(sort: str, value: Any, row_id: uuid.UUID) -> str:
    if isinstance(value, datetime):
        value = {"t": value.isoformat()}
    raw = json.dumps([sort, value, str(row_id)], ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _bad_cursor() -> ValidationFailed:
    message = Text("分页游标无效", "the cursor is not valid for this list")
    return ValidationFailed(message, errors=[FieldError("cursor", message)])


def _decode(cursor: str, sort: str) -> tuple[Any, uuid.UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        cursor_sort, value, row_id = json.loads(base64.urlsafe_b64decode(padded))
        if isinstance(value, dict):
            value = datetime.fromisoformat(value["t"])
        parsed_id = uuid.UUID(row_id)
    except (ValueError, TypeError, KeyError):
        raise _bad_cursor() from None
    if cursor_sort != sort:
        raise _bad_cursor()
    return value, parsed_id


async def paginate(
    session: AsyncSession,
    stmt: Select[Row],
    *,
    query: ListQuery,
    id_column: InstrumentedAttribute[uuid.UUID],
    sortable: dict[str, InstrumentedAttribute[Any]],
    default_sort: str,
    serialize: Callable[[Row], BaseModel],
) -> dict[str, Any]:
    """One page of stmt's rows, ordered by the sort field and then id."""
    sort = query.sort or default_sort
    name = sort.removeprefix("-")
    if name not in sortable:
        message = Text("可排序字段：{fields}", "sortable fields: {fields}").format(
            fields=", ".join(sorted(sortable))
        )
        raise ValidationFailed(message, errors=[FieldError("sort", message)])
    column = sortable[name]
    descending = sort.startswith("-")

    count = select(func.count()).select_from(stmt.order_by(None).subquery())

    page_stmt = stmt
    if query.cursor:
        value, last_id = _decode(query.cursor, sort)
        if descending:
            after = or_(column < value, and_(column == value, id_column < last_id))
        else:
            after = or_(column > value, and_(column == value, id_column > last_id))
        page_stmt = page_stmt.where(after)
    order = (column.desc(), id_column.desc()) if descending else (column.asc(), id_column.asc())
    # The total rides along as an uncorrelated scalar subquery (run once, as an InitPlan):
    # one round trip for the page and its count instead of two.
    with_total = page_stmt.add_columns(count.scalar_subquery())
    result = await session.execute(with_total.order_by(*order).limit(query.limit + 1))
    pairs = result.all()
    rows: list[Row] = [pair[0] for pair in pairs]
    total: int | None
    if pairs:
        total = pairs[0][-1]
    elif query.cursor:  # past the last row: nothing carried the count
        total = await session.scalar(count)
    else:
        total = 0
    next_cursor = None
    if len(rows) > query.limit:
        rows = rows[: query.limit]
        last = rows[-1]
        next_cursor = _encode(sort, getattr(last, column.key), getattr(last, id_column.key))
    return {
        "items": [serialize(row).model_dump(mode="json") for row in rows],
        "next_cursor": next_cursor,
        "total": total or 0,
    }
