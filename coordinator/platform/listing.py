"""Lists, declared once: what is listed, its filters, text search and sorts; one page of it,
with the total, read in one statement and encoded as JSON by PostgreSQL.

A `Listing` builds and compiles its SQL once per shape (which filters are given, whether
text is searched, the sort, whether a cursor is given) and runs it on a pooled asyncpg
connection (see fetch_row), so a page costs one round trip and no ORM work: PostgreSQL
renders each item as the JSON its pydantic model would give (coordinator.platform.json_sql),
joins the page, counts the total and hands back the last row's sort key for the next
cursor; the page goes out as the bytes PostgreSQL sent.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import asyncpg
from pydantic import BaseModel
from sqlalchemy import (
    ColumnElement,
    FromClause,
    Integer,
    String,
    and_,
    bindparam,
    func,
    literal_column,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.util import greenlet_spawn

from coordinator.platform.cursor import decode, encode
from coordinator.platform.db import Database
from coordinator.platform.held import fetch_in_transaction, fetch_planned
from coordinator.platform.i18n import Text
from coordinator.platform.json_sql import JsonBody, json_column, object_json
from coordinator.platform.problems import FieldError, ValidationFailed

__all__ = ["JsonBody", "ListParams", "Listing", "like_pattern"]

_DIALECT = asyncpg_dialect()
# A filter: a column the value must equal, or the condition a value (as a bind
# parameter) must meet.
Filter = (
    ColumnElement[Any]
    | QueryableAttribute[Any]
    | Callable[[BindParameter[Any]], ColumnElement[bool]]
)


Sorted = TypeVar("Sorted")


class ListParams(Protocol):
    """What every list query carries (coordinator.web.listing.ListQuery)."""

    limit: int
    cursor: str | None
    sort: str | None
    q: str | None


def like_pattern(text: str) -> str:
    """A LIKE pattern matching text anywhere, with wildcards in it taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def sort_column(sorts: Mapping[str, Sorted], sort: str) -> tuple[Sorted, bool]:
    """The column of a sort ("name", "-name": descending), checked against the sorts a list
    declares (422 naming them), and whether it is descending."""
    name = sort.removeprefix("-")
    if name not in sorts:
        message = Text("可排序字段：{zh}", "sortable fields: {en}").format(
            zh="、".join(f"「{n}」" for n in sorted(sorts)), en=", ".join(sorted(sorts))
        )
        raise ValidationFailed(message, errors=[FieldError("sort", message)])
    return sorts[name], sort.startswith("-")


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]
    defaults: Mapping[str, Any]


@dataclass(eq=False)
class Listing:
    """One list: the model listed, the pydantic model of an item (`out`), the sorts and
    the default sort, the filters by query field and the searched columns.

    `source` is what is read when it is more than the model's table (a join);
    `columns` names the column of an item field that is not an attribute of the model;
    `json` gives the SQL (already JSON) of a field rendered otherwise, e.g. a nested list;
    `stored` is a column in which the database keeps each row's item already rendered (a
    trigger writing `rendered()`'s JSON): a page then joins stored text.
    """

    model: Any
    out: type[BaseModel]
    sorts: Mapping[str, Any]
    default_sort: str = "name"
    filters: Mapping[str, Filter] = field(default_factory=dict)
    search: Sequence[Any] = ()
    source: Any = None
    columns: Mapping[str, Any] = field(default_factory=dict)
    json: Mapping[str, str] = field(default_factory=dict)
    stored: Any = None
    _item: ColumnElement[str] | None = field(default=None, init=False)
    _statements: dict[tuple[Any, ...], _Compiled] = field(default_factory=dict, init=False)

    @property
    def id_column(self) -> ColumnElement[uuid.UUID]:
        return self.columns.get("id", self.model.id)

    def _from(self) -> FromClause:
        return self.model.__table__ if self.source is None else self.source

    def item(self) -> ColumnElement[str]:
        """The SQL of one listed row as `out`'s JSON: the stored item, else rendered."""
        return self.rendered() if self.stored is None else self.stored.expression

    def rendered(self) -> ColumnElement[str]:
        """The SQL rendering one listed row as `out`'s JSON."""
        if self._item is None:
            self._item = json_column(
                object_json(
                    self.out,
                    lambda name: self.columns.get(name, getattr(self.model, name, None)),
                    self.json,
                )
            )
        return self._item

    def _condition(self, name: str) -> ColumnElement[bool]:
        declared = self.filters[name]
        if isinstance(declared, ColumnElement | QueryableAttribute):
            return declared == bindparam(name)
        return declared(bindparam(name))

    def _compiled(
        self, filters: frozenset[str], searched: bool, sort: str, after: bool
    ) -> _Compiled:
        key = (filters, searched, sort, after)
        if (found := self._statements.get(key)) is not None:
            return found
        column, descending = sort_column(self.sorts, sort)
        base = select(self.id_column).select_from(self._from())
        for name in sorted(filters):
            base = base.where(self._condition(name))
        if searched:
            pattern = bindparam("q", type_=String())
            base = base.where(or_(*(c.ilike(pattern, escape="\\") for c in self.search)))
        total = select(func.count()).select_from(base.subquery()).scalar_subquery()
        id_column = self.id_column
        order = (column.desc(), id_column.desc()) if descending else (column.asc(), id_column.asc())
        rows = base.with_only_columns(
            self.item().label("j"),
            column.label("s"),
            id_column.label("i"),
            func.row_number().over(order_by=order).label("n"),
        )
        if after:
            value = bindparam("page_after_value", type_=column.type)
            last_id = bindparam("page_after_id", type_=id_column.type)
            beyond = (column < value) if descending else (column > value)
            past = (id_column < last_id) if descending else (id_column > last_id)
            rows = rows.where(or_(beyond, and_(column == value, past)))
        page = rows.order_by(*order).limit(bindparam("page_fetch", type_=Integer())).subquery()
        limit = bindparam("page_limit", type_=Integer())
        last = page.c.n == limit
        # Every row fetched joined in the page's own order (the same as n's), which
        # PostgreSQL sees the rows come in already: no sort of the items (a FILTER would
        # sort them again). The one beyond the page is cut off after, by its length.
        in_order = (
            (page.c.s.desc(), page.c.i.desc()) if descending else (page.c.s.asc(), page.c.i.asc())
        )
        utf8: ColumnElement[Any] = literal_column("'UTF8'")
        stmt = select(
            # As bytes: sent as they come, neither decoded nor encoded again.
            func.convert_to(
                func.string_agg(page.c.j, aggregate_order_by(literal_column("', '"), *in_order)),
                utf8,
            ),
            func.count(),
            type_coerce(func.array_agg(page.c.s).filter(last), ARRAY(column.type))[1],
            type_coerce(func.array_agg(page.c.i).filter(last), ARRAY(id_column.type))[1],
            func.max(func.octet_length(func.convert_to(page.c.j, utf8))).filter(page.c.n > limit),
            total,
        ).select_from(page)
        compiled = stmt.compile(dialect=_DIALECT)
        found = _Compiled(str(compiled), tuple(compiled.positiontup or ()), dict(compiled.params))
        self._statements[key] = found
        return found

    async def page(
        self, reader: Database | AsyncSession, query: ListParams, **fixed: Any
    ) -> JsonBody:
        """One page of the list as `{"items", "next_cursor", "total"}` JSON: filtered by
        the query's declared filter fields (and `fixed`, e.g. the parent in the path),
        searched by `q`, sorted by `sort` then id, after `cursor`. Read in one statement
        (see fetch_row): give the Database, or the session of a transaction."""
        sort = query.sort or self.default_sort
        sort_column(self.sorts, sort)
        values: dict[str, Any] = {
            name: value
            for name in self.filters
            if (value := fixed[name] if name in fixed else getattr(query, name, None)) is not None
        }
        searched = bool(query.q and self.search)
        if searched:
            values["q"] = like_pattern(query.q or "")
        if query.cursor:
            values["page_after_value"], values["page_after_id"] = decode(query.cursor, sort)
        compiled = self._compiled(
            frozenset(values.keys() & self.filters.keys()), searched, sort, bool(query.cursor)
        )
        values["page_limit"] = query.limit
        values["page_fetch"] = query.limit + 1
        args = [_plain(values.get(name, compiled.defaults.get(name))) for name in compiled.names]
        # One row always (an aggregate): pages asked at once may be read together.
        row = await fetch_row(reader, compiled.sql, args, alike=True)
        items, fetched, last_value, last_id, beyond, total = row
        cursor = "null"
        if fetched > query.limit:
            items = items[: -(beyond + 2)]  # the row beyond the page, and ", " before it
            # A cursor is base64url: JSON as it is, between quotes.
            cursor = f'"{encode(sort, last_value, last_id)}"'
        after = f'], "next_cursor": {cursor}, "total": {total}}}'.encode()
        return JsonBody(b'{"items": [' + (items or b"") + after)


def _plain(value: Any) -> Any:
    """A value as asyncpg takes it (the string of an enum)."""
    return value.value if isinstance(value, enum.Enum) else value


async def fetch_row(
    reader: Database | AsyncSession,
    sql: str,
    args: Sequence[Any],
    *,
    alike: bool = False,
    custom_plan: bool = False,
) -> Any:
    """The one row of a statement, run on asyncpg directly.

    Reading outside a transaction (a Database, or a read session: autocommit), any
    connection sees the same, so the Database's held connections run it (platform.held),
    or (a read session) one is taken straight from the pool, with no session, ORM or
    Connection around it. Otherwise (a transaction, or tests sharing one connection) the
    session's own connection runs it. `alike`: the statement gives exactly one row, so
    it may run in one round trip with others of it (platform.held). `custom_plan`:
    planned for these values every time, never with the plan PostgreSQL keeps for any
    values (for a range whose width decides the plan): on the Database's connections
    set so for their session (`held.CUSTOM_PLANS`), else as `held.fetch_planned` does.
    """
    if isinstance(reader, Database):
        if custom_plan and reader.planned is not None:
            return await reader.planned.fetchrow(sql, args)  # its session plans so
        if reader.held is not None:
            return await reader.held.fetchrow(sql, args, alike=alike, custom_plan=custom_plan)
        async with reader.session() as session:
            return await fetch_row(session, sql, args, custom_plan=custom_plan)
    bind = reader.bind
    if (
        isinstance(bind, AsyncEngine)
        and bind.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
    ):
        return await _pooled(bind, sql, args, custom_plan)
    connection = await reader.connection()
    raw = await connection.get_raw_connection()
    return await fetch_in_transaction(raw.driver_connection, sql, args, custom_plan)


async def _pooled(
    engine: AsyncEngine, sql: str, args: Sequence[Any], custom_plan: bool = False
) -> Any:
    raw = await engine.raw_connection()
    try:
        return await fetch_planned(raw.driver_connection, sql, args, custom_plan)
    except (OSError, asyncpg.InterfaceError, asyncpg.PostgresConnectionError) as exc:
        await greenlet_spawn(raw.invalidate, exc)
        raise
    finally:
        await greenlet_spawn(raw.close)
