"""JSON built by PostgreSQL: SQL rendering a row as its pydantic model's JSON would."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel
from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    Enum,
    Integer,
    Numeric,
    String,
    Uuid,
    literal_column,
)
from sqlalchemy import types as sqltypes
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect

_DIALECT = asyncpg_dialect()


class JsonBody(bytes):
    """A JSON document already encoded (UTF-8), sent as it is."""


def _plain(text: str) -> bool:
    """Whether a string stands in JSON as it is, between quotes."""
    return text.isprintable() and '"' not in text and "\\" not in text


def _sql(column: ColumnElement[Any]) -> str:
    return str(column.compile(dialect=_DIALECT, compile_kwargs={"literal_binds": True}))


def value_json(column: ColumnElement[Any]) -> str:
    """SQL rendering one column's value as `json.dumps` renders pydantic's JSON mode of it:
    times as UTC with Z and six fraction digits unless they are zero, dates as YYYY-MM-DD,
    numbers as Python floats, arrays with ", " between items."""
    sql, kind = _sql(column), column.type
    if isinstance(kind, DateTime):
        if not kind.timezone:
            raise TypeError(f"{column}: only timestamps with a time zone render like pydantic")
        stamp = f"to_char(({sql}) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"
        return f"COALESCE('\"' || replace({stamp}, '.000000', '') || 'Z\"', 'null')"
    if isinstance(kind, Date):
        return f"COALESCE('\"' || to_char(({sql}), 'YYYY-MM-DD') || '\"', 'null')"
    if isinstance(kind, ARRAY):
        items = (
            f"SELECT string_agg(to_json(e)::text, ', ' ORDER BY o)"
            f" FROM unnest({sql}) WITH ORDINALITY AS u(e, o)"
        )
        return (
            f"CASE WHEN ({sql}) IS NULL THEN 'null' ELSE '[' || COALESCE(({items}), '') || ']' END"
        )
    if isinstance(kind, Numeric) and not isinstance(kind, Integer):
        number = f"to_json(({sql})::float8)::text"
        return (
            f"COALESCE(CASE WHEN {number} ~ '^-?[0-9]+$' THEN {number} || '.0'"
            f" ELSE {number} END, 'null')"
        )
    if isinstance(kind, Uuid) or (isinstance(kind, Enum) and all(map(_plain, kind.enums))):
        # Nothing to escape: cheaper than to_json.
        return f"COALESCE('\"' || ({sql})::text || '\"', 'null')"
    if isinstance(kind, Integer | Boolean):
        return f"COALESCE(({sql})::text, 'null')"
    if isinstance(kind, String):
        return f"COALESCE(to_json({sql})::text, 'null')"
    raise TypeError(f"{column}: no JSON rendering for {kind!r}")


def object_json(
    out: type[BaseModel],
    column_of: Callable[[str], ColumnElement[Any] | None],
    given: Mapping[str, str],
) -> str:
    """SQL rendering a row as `json.dumps(out.model_validate(row).model_dump(mode="json"),
    ensure_ascii=False)` would: each field from its column (`column_of(name)`), or from
    the SQL in `given` (already JSON), in the model's field order.

    One precompiled SQL fragment: a statement using it costs no more to build than one
    selecting a column.
    """
    sql = ""
    for name in out.model_fields:
        if name in given:
            value = given[name]
        elif (column := column_of(name)) is not None:
            value = value_json(column.expression)
        else:
            raise TypeError(f"{out.__name__}.{name}: no column and no SQL given")
        key = json.dumps(name, ensure_ascii=False).replace("'", "''")
        # Literals between values merged: fewer concatenations per row.
        sql += f"'{', ' if sql else '{'}{key}: ' || {value} || "
    return sql + "'}'"


def json_column(sql: str) -> ColumnElement[str]:
    """SQL text rendering JSON, as a column of a statement."""
    return literal_column(sql, sqltypes.Text())


def list_json(item: str, *, rows: str, order_by: Sequence[ColumnElement[Any]]) -> str:
    """SQL rendering the JSON list of `item` (SQL already JSON, from value_json or
    object_json) over `rows` (the FROM and WHERE of a correlated subquery), in order."""
    order = ", ".join(_sql(column) for column in order_by)
    items = f"SELECT string_agg({item}, ', ' ORDER BY {order}) FROM {rows}"
    return f"'[' || COALESCE(({items}), '') || ']'"
