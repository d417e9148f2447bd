"""Lists in one order of their own (coordinator.platform.listing for lists sorted by a
field, then id): an integer id newest first (the audit log), or commit order (the event
feed). The key's columns give the order, and the cursor is the key's own text; a feed,
read onwards, counts no total and hands back where the reader stands, the cursor given
when nothing came after it.

A page is one statement, built and compiled once per shape, its JSON written by
PostgreSQL, as a Listing's is.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Integer, bindparam, func, literal_column, select, tuple_
from sqlalchemy import type_coerce as coerce
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.platform.db import Database
from coordinator.platform.json_sql import JsonBody, json_column, object_json
from coordinator.platform.listing import _DIALECT, Listing, _Compiled, _plain, fetch_row


@dataclass(frozen=True)
class Key:
    """The order of a list: its columns (all ascending, or all descending), the cursor of
    the last row's values, and the values of a cursor (raising the list's own 422 when it
    is not one)."""

    columns: tuple[Any, ...]
    encode: Callable[[Sequence[Any]], str]
    decode: Callable[[str], Sequence[Any]]
    descending: bool = False


@dataclass(eq=False)
class KeyedListing(Listing):
    """A Listing in the order of its `key` (no sorts, no text search), its rows those
    meeting `where` as well as the filters given; the query's cursor is its field
    `cursor_field`. `feed`: no total, and the next cursor is the last row's, or the one
    given. `compact`: the JSON pydantic's model_dump_json writes (no spaces), for answers
    that were a model."""

    sorts: Any = field(default_factory=dict)
    key: Key = field(kw_only=True)
    where: Any = field(default=None, kw_only=True)
    cursor_field: str = field(default="cursor", kw_only=True)
    feed: bool = field(default=False, kw_only=True)
    compact: bool = field(default=False, kw_only=True)

    def item(self) -> ColumnElement[str]:
        if self._item is None:
            self._item = json_column(
                object_json(
                    self.out,
                    lambda name: self.columns.get(name, getattr(self.model, name, None)),
                    self.json,
                    compact=self.compact,
                )
            )
        return self._item

    def _keyed(self, filters: frozenset[str], after: bool) -> _Compiled:
        if (found := self._statements.get((filters, after))) is not None:
            return found
        columns = self.key.columns
        base = select(*columns).select_from(self._from())
        if self.where is not None:
            base = base.where(self.where)
        for name in sorted(filters):
            base = base.where(self._condition(name))
        order = [column.desc() if self.key.descending else column.asc() for column in columns]
        rows = base.with_only_columns(
            self.item().label("j"),
            *(column.label(f"k{i}") for i, column in enumerate(columns)),
            func.row_number().over(order_by=order).label("n"),
        )
        if after:
            values = [
                bindparam(f"page_after_{i}", type_=column.type) for i, column in enumerate(columns)
            ]
            left, right = (
                (columns[0], values[0])
                if len(columns) == 1
                else (tuple_(*columns), tuple_(*values))
            )
            rows = rows.where(left < right if self.key.descending else left > right)
        page = rows.order_by(*order).limit(bindparam("page_fetch", type_=Integer())).subquery()
        shown = page.c.n <= bindparam("page_limit", type_=Integer())
        between = "','" if self.compact else "', '"
        last = [
            coerce(
                func.array_agg(aggregate_order_by(page.c[f"k{i}"], page.c.n.desc())).filter(shown),
                ARRAY(column.type),
            )[1]
            for i, column in enumerate(columns)
        ]
        total = [] if self.feed else [select(func.count()).select_from(base.subquery())]
        stmt = select(
            func.convert_to(
                func.string_agg(
                    page.c.j, aggregate_order_by(literal_column(between), page.c.n)
                ).filter(shown),
                literal_column("'UTF8'"),
            ),
            func.count(),
            *last,
            *(count.scalar_subquery() for count in total),
        ).select_from(page)
        compiled = stmt.compile(dialect=_DIALECT)
        found = _Compiled(str(compiled), tuple(compiled.positiontup or ()), dict(compiled.params))
        self._statements[(filters, after)] = found
        return found

    async def page(self, reader: Database | AsyncSession, query: Any, **fixed: Any) -> JsonBody:
        """One page as `{"items", "next_cursor", "total"}` JSON (a feed: no total), the
        rows after the query's cursor, filtered by the query's filter fields and `fixed`."""
        values: dict[str, Any] = {
            name: value
            for name in self.filters
            if (value := fixed[name] if name in fixed else getattr(query, name, None)) is not None
        }
        given = getattr(query, self.cursor_field)
        if given:
            for i, value in enumerate(self.key.decode(given)):
                values[f"page_after_{i}"] = value
        compiled = self._keyed(frozenset(values.keys() & self.filters.keys()), bool(given))
        values["page_limit"] = query.limit
        values["page_fetch"] = query.limit + 1
        args = [_plain(values.get(name, compiled.defaults.get(name))) for name in compiled.names]
        items, fetched, *rest = await fetch_row(reader, compiled.sql, args)
        last = rest[: len(self.key.columns)]
        comma, colon = (",", ":") if self.compact else (", ", ": ")
        if self.feed:
            cursor = self.key.encode(last) if fetched else given
            tail = ""
        else:
            cursor = self.key.encode(last) if fetched > query.limit else None
            tail = f'{comma}"total"{colon}{rest[-1]}'
        head = f'{{"items"{colon}['.encode()
        after = f']{comma}"next_cursor"{colon}{json.dumps(cursor)}{tail}}}'
        return JsonBody(head + (items or b"") + after.encode())
