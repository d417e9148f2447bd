"""Lists: keyset pagination in a stable order, sorting, total counts, text search."""

from __future__ import annotations

import base64
import json
import uuid
import weakref
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import (
    Boolean,
    ColumnElement,
    DateTime,
    Enum,
    Integer,
    Select,
    String,
    Uuid,
    and_,
    bindparam,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy import types as sqltypes
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from coordinator.platform.i18n import Text
from coordinator.platform.problems import FieldError, ValidationFailed
from coordinator.web.validation import Query

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
    elif isinstance(value, date):
        value = {"d": value.isoformat()}
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
            value = (
                date.fromisoformat(value["d"])
                if "d" in value
                else datetime.fromisoformat(value["t"])
            )
        parsed_id = uuid.UUID(row_id)
    except (ValueError, TypeError, KeyError):
        raise _bad_cursor() from None
    if cursor_sort != sort:
        raise _bad_cursor()
    return value, parsed_id


def _order(
    query: ListQuery,
    *,
    id_column: InstrumentedAttribute[uuid.UUID],
    sortable: dict[str, InstrumentedAttribute[Any]],
    default_sort: str,
) -> tuple[str, InstrumentedAttribute[Any], bool]:
    """The sort asked for (checked against sortable), its column, and whether descending."""
    sort = query.sort or default_sort
    name = sort.removeprefix("-")
    if name not in sortable:
        message = Text("可排序字段：{zh}", "sortable fields: {en}").format(
            zh="、".join(f"「{name}」" for name in sorted(sortable)), en=", ".join(sorted(sortable))
        )
        raise ValidationFailed(message, errors=[FieldError("sort", message)])
    return sort, sortable[name], sort.startswith("-")


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
    sort, column, descending = _order(
        query, id_column=id_column, sortable=sortable, default_sort=default_sort
    )
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
        next_cursor = _encode(sort, getattr(last, column.key), getattr(last, id_column.key))
    return {
        "items": [serialize(row).model_dump(mode="json") for row in rows],
        "next_cursor": next_cursor,
        "total": total or 0,
    }


# Pages encoded by PostgreSQL


class JsonText(str):
    """A JSON document already encoded, sent as it is."""


def _json_value(column: ColumnElement[Any], annotation: Any) -> str:
    """SQL rendering one column as pydantic's JSON mode (json.dumps) renders its value."""
    kind = column.type
    if isinstance(kind, DateTime):
        if not kind.timezone:
            raise TypeError(f"{column}: only timestamps with a time zone render like pydantic")
        # pydantic: YYYY-MM-DDTHH:MM:SS, then .ffffff unless the microseconds are zero,
        # then Z (asyncpg hands timestamps with time zone back in UTC).
        utc = f"({column} AT TIME ZONE 'UTC')"
        return (
            f"'\"' || to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS')"
            f" || CASE to_char({utc}, 'US') WHEN '000000' THEN '' ELSE to_char({utc}, '.US') END"
            " || 'Z\"'"
        )
    if isinstance(kind, Uuid | String | Enum | Integer | Boolean):
        return f"to_json({column})::text"
    raise TypeError(f"{column}: no JSON rendering for {kind!r} ({annotation})")


def row_json(out: type[BaseModel], entity: Any) -> ColumnElement[str]:
    """A SQL expression rendering one row of entity exactly as `json.dumps(
    out.model_validate(row).model_dump(mode="json"), ensure_ascii=False)` would.

    Built once per model; precompiled into a single SQL fragment so a statement using it
    costs no more to cache-key than one selecting a column.
    """
    parts = []
    for name, info in out.model_fields.items():
        column = getattr(entity, name).expression
        key = json.dumps(name, ensure_ascii=False).replace("'", "''")
        value = _json_value(column, info.annotation)
        parts.append(f"'{key}: ' || COALESCE({value}, 'null')")
    return literal_column("'{' || " + " || ', ' || ".join(parts) + " || '}'", type_=sqltypes.Text())


# Page statements by the statement they page, its sort and whether a cursor is given:
# a statement built once (with bindparams for its filters) is keyed, compiled and cached
# once too, instead of rebuilt and re-keyed on every request.
_PAGES: weakref.WeakKeyDictionary[
    Select[Any], dict[tuple[str, bool], tuple[Select[Any], Select[Any]]]
] = weakref.WeakKeyDictionary()


def _json_page_of(
    stmt: Select[Any],
    item: ColumnElement[str],
    *,
    sort: str,
    cursor: bool,
    column: InstrumentedAttribute[Any],
    descending: bool,
    id_column: InstrumentedAttribute[uuid.UUID],
) -> tuple[Select[Any], Select[Any]]:
    """The page and count statements of paginate_json, values left to bindparams."""
    pages = _PAGES.setdefault(stmt, {})
    if (found := pages.get((sort, cursor))) is not None:
        return found
    count = select(func.count()).select_from(stmt.order_by(None).subquery())
    page = stmt.with_only_columns(item, column, id_column)
    if cursor:
        value = bindparam("page_after_value", type_=column.type)
        last_id = bindparam("page_after_id", type_=id_column.type)
        if descending:
            after = or_(column < value, and_(column == value, id_column < last_id))
        else:
            after = or_(column > value, and_(column == value, id_column > last_id))
        page = page.where(after)
    order = (column.desc(), id_column.desc()) if descending else (column.asc(), id_column.asc())
    page = (
        page.add_columns(count.scalar_subquery())
        .order_by(*order)
        .limit(bindparam("page_limit", type_=Integer()))
    )
    pages[(sort, cursor)] = (page, count)
    return page, count


async def paginate_json(
    session: AsyncSession,
    stmt: Select[Any],
    *,
    query: ListQuery,
    id_column: InstrumentedAttribute[uuid.UUID],
    sortable: dict[str, InstrumentedAttribute[Any]],
    default_sort: str,
    item: ColumnElement[str],
    params: Mapping[str, Any] | None = None,
) -> JsonText:
    """paginate(), with each item rendered by PostgreSQL (`item`, from row_json): the same
    bytes as paginate's page through json.dumps, without building objects per row.

    Give a statement built once (module level or cached), its filters as bindparams and
    their values in `params`, and its page statements are built and compiled only once.
    """
    sort, column, descending = _order(
        query, id_column=id_column, sortable=sortable, default_sort=default_sort
    )
    page_stmt, count = _json_page_of(
        stmt,
        item,
        sort=sort,
        cursor=bool(query.cursor),
        column=column,
        descending=descending,
        id_column=id_column,
    )
    values = {**(params or {}), "page_limit": query.limit + 1}
    if query.cursor:
        values["page_after_value"], values["page_after_id"] = _decode(query.cursor, sort)
    rows = (await session.execute(page_stmt, values)).all()
    total: int | None
    if rows:
        total = rows[0][-1]
    elif query.cursor:
        total = await session.scalar(count, params)
    else:
        total = 0
    next_cursor = None
    if len(rows) > query.limit:
        rows = rows[: query.limit]
        next_cursor = _encode(sort, rows[-1][1], rows[-1][2])
    items = ", ".join([row[0] for row in rows])
    return JsonText(
        f'{{"items": [{items}], "next_cursor": {json.dumps(next_cursor)}, "total": {total or 0}}}'
    )
