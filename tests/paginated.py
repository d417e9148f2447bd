"""A page of an ORM statement through pydantic, the way lists were read before each was
declared once (coordinator.platform.listing): kept here as the reference the tests pin
every declared list's pages to, byte for byte."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from coordinator.platform.cursor import decode, encode
from coordinator.platform.listing import like_pattern, sort_column
from coordinator.web.listing import ListQuery

Row = TypeVar("Row")


def search(
    columns: Sequence[InstrumentedAttribute[Any]], text: str | None
) -> ColumnElement[bool] | None:
    if not text:
        return None
    pattern = like_pattern(text)
    return or_(*(column.ilike(pattern, escape="\\") for column in columns))


def _order(
    query: ListQuery, *, sortable: Mapping[str, InstrumentedAttribute[Any]], default_sort: str
) -> tuple[str, InstrumentedAttribute[Any], bool]:
    sort = query.sort or default_sort
    column, descending = sort_column(sortable, sort)
    return sort, column, descending


def _page_of(
    stmt: Select[Any],
    *,
    query: ListQuery,
    sort: str,
    column: InstrumentedAttribute[Any],
    descending: bool,
    id_column: InstrumentedAttribute[uuid.UUID],
) -> tuple[Select[Any], Select[Any]]:
    """The statement of one page (limit + 1 rows, the total in the last column) and the
    statement counting every row."""
    count = select(func.count()).select_from(stmt.order_by(None).subquery())
    page_stmt = stmt
    if query.cursor:
        value, last_id = decode(query.cursor, sort)
        if descending:
            after = or_(column < value, and_(column == value, id_column < last_id))
        else:
            after = or_(column > value, and_(column == value, id_column > last_id))
        page_stmt = page_stmt.where(after)
    order = (column.desc(), id_column.desc()) if descending else (column.asc(), id_column.asc())
    # The total rides along as an uncorrelated scalar subquery (run once, as an InitPlan):
    # one round trip for the page and its count instead of two.
    with_total = page_stmt.add_columns(count.scalar_subquery())
    return with_total.order_by(*order).limit(query.limit + 1), count


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
    sort, column, descending = _order(query, sortable=sortable, default_sort=default_sort)
    page_stmt, count = _page_of(
        stmt, query=query, sort=sort, column=column, descending=descending, id_column=id_column
    )
    result = await session.execute(page_stmt)
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
        next_cursor = encode(sort, getattr(last, column.key), getattr(last, id_column.key))
    return {
        "items": [serialize(row).model_dump(mode="json") for row in rows],
        "next_cursor": next_cursor,
        "total": total or 0,
    }
