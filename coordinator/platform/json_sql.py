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
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect

_DIALECT = asyncpg_dialect()


class JsonBody(bytes):
    """A JSON document already encoded (UTF-8), sent as it is."""


def _plain(text: str) -> bool:
    """Whether a string stands in JSON as it is, between quotes."""
    return text.isprintable() and '"' not in text and "\\" not in text


def _sql(column: ColumnElement[Any]) -> str:
    return str(column.compile(dialect=_DIALECT, compile_kwargs={"literal_binds": True}))


def value_json(column: ColumnElement[Any], *, compact: bool = False) -> str:
    """SQL rendering one column's value as `json.dumps` renders pydantic's JSON mode of it:
    times as UTC with Z and six fraction digits unless they are zero, dates as YYYY-MM-DD,
    numbers as Python floats, arrays with ", " between items (with `compact`, as pydantic's
    model_dump_json renders it: nothing between items, jsonb without spaces)."""
    sql, kind = _sql(column), column.type
    if isinstance(kind, DateTime):
        if not kind.timezone:
            raise TypeError(f"{column}: only timestamps with a time zone render like pydantic")
        stamp = f"to_char(({sql}) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"
        return f"COALESCE('\"' || replace({stamp}, '.000000', '') || 'Z\"', 'null')"
    if isinstance(kind, Date):
        return f"COALESCE('\"' || to_char(({sql}), 'YYYY-MM-DD') || '\"', 'null')"
    if isinstance(kind, ARRAY):
        between = "','" if compact else "', '"
        items = (
            f"SELECT string_agg(to_json(e)::text, {between} ORDER BY o)"
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
    if isinstance(kind, JSONB):
        return jsonb_json(sql, compact=compact)
    raise TypeError(f"{column}: no JSON rendering for {kind!r}")


def object_json(
    out: type[BaseModel],
    column_of: Callable[[str], ColumnElement[Any] | None],
    given: Mapping[str, str],
    *,
    compact: bool = False,
) -> str:
    """SQL rendering a row as `json.dumps(out.model_validate(row).model_dump(mode="json"),
    ensure_ascii=False)` would: each field from its column (`column_of(name)`), or from
    the SQL in `given` (already JSON), in the model's field order. With `compact`, as
    `out.model_validate(row).model_dump_json()` would (no spaces).

    One precompiled SQL fragment: a statement using it costs no more to build than one
    selecting a column.
    """
    sql = ""
    for name in out.model_fields:
        if name in given:
            value = given[name]
        elif (column := column_of(name)) is not None:
            value = value_json(column.expression, compact=compact)
        else:
            raise TypeError(f"{out.__name__}.{name}: no column and no SQL given")
        key = json.dumps(name, ensure_ascii=False).replace("'", "''")
        comma, colon = (",", ":") if compact else (", ", ": ")
        # Literals between values merged: fewer concatenations per row.
        sql += f"'{comma if sql else '{'}{key}{colon}' || {value} || "
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


# In jsonb's text: a string, or what stands between two (where a number with a fraction
# is the only place a full stop can be); in the latter, such a number, or anything else.
_STRINGS = r"""'"(?:[^"\\]|\\.)*"|[^"]+'"""
_NUMBERS = r"""'-?[0-9]+[.][0-9]+|-?[0-9]+|[^0-9-]+'"""


def _float_json(text: str, *, compact: bool) -> str:
    """SQL turning float8's shortest text (an exponent below -4 or from 15 on) into the
    float as json.dumps writes it (an exponent below -4 or from 16 on, 1.0 for one), or
    with `compact` as pydantic does (an exponent below -5 or from 16 on, e-7 for e-07)."""
    digits = f"replace(ltrim(split_part({text}, 'e', 1), '-'), '.', '')"
    sign = f"CASE WHEN {text} ~ '^-' THEN '-' ELSE '' END"
    e15 = f"rpad({digits}, 16, '0') || '.' || COALESCE(NULLIF(substr({digits}, 17), ''), '0')"
    small = (
        f" WHEN {text} ~ 'e-05$' THEN {sign} || '0.0000' || {digits}"
        f" WHEN {text} ~ 'e-' THEN regexp_replace({text}, 'e-0*', 'e-')"
        if compact
        else ""
    )
    return (
        f"CASE WHEN {text} !~ 'e' THEN {text} || CASE WHEN {text} ~ '[.]' THEN '' ELSE '.0' END"
        f" WHEN {text} ~ 'e[+]15$' THEN {sign} || {e15}{small} ELSE {text} END"
    )


def _jsonb_text_json(sql: str, *, compact: bool) -> str:
    """jsonb_json of any jsonb value, read from its text: the strings as they are, what
    stands between them without spaces (compact) and with its floats rewritten."""
    between = "replace(replace(m.p[1], ', ', ','), ': ', ':')" if compact else "m.p[1]"
    number = _float_json("(n.p[1]::float8)::text", compact=compact)
    numbers = (
        f"SELECT string_agg(CASE WHEN n.p[1] ~ '^-?[0-9]+[.]' THEN {number} ELSE n.p[1] END,"
        f" '' ORDER BY n.o) FROM regexp_matches({between}, {_NUMBERS}, 'g')"
        " WITH ORDINALITY AS n(p, o)"
    )
    part = (
        f"CASE WHEN m.p[1] ~ '^\"' THEN m.p[1] WHEN m.p[1] !~ '[.]' THEN {between}"
        f" ELSE ({numbers}) END"
    )
    parts = (
        f"SELECT string_agg({part}, '' ORDER BY m.o)"
        f" FROM regexp_matches(({sql})::text, {_STRINGS}, 'g') WITH ORDINALITY AS m(p, o)"
    )
    if not compact:
        # Nothing to change without a number with a fraction.
        parts = f"CASE WHEN ({sql})::text !~ '[0-9][.]' THEN ({sql})::text ELSE ({parts}) END"
    return f"COALESCE(({parts}), 'null')"


def jsonb_json(sql: str, *, compact: bool = False) -> str:
    """SQL rendering a jsonb value as json.dumps(ensure_ascii=False) writes the value
    asyncpg reads of it: jsonb's own text but for numbers with a fraction, which Python
    reads as floats (jsonb's 0.000010 is 1e-05 to Python); with `compact`, as pydantic's
    model_dump_json writes it (no space after , and :, floats as pydantic writes them).
    An object field by field (most values are strings, numbers or null: their text is
    theirs already), what is nested in it from its text."""
    comma, colon = (",", ":") if compact else (", ", ": ")
    number = _float_json("(e.value::float8)::text", compact=compact)
    nested = _jsonb_text_json("e.value", compact=compact)
    value = (
        f"CASE jsonb_typeof(e.value) WHEN 'number' THEN CASE WHEN e.value::text ~ '[.]'"
        f" THEN {number} ELSE e.value::text END WHEN 'object' THEN {nested}"
        f" WHEN 'array' THEN {nested} ELSE e.value::text END"
    )
    fields = (
        f"SELECT string_agg(to_json(e.key)::text || '{colon}' || {value}, '{comma}' ORDER BY e.o)"
        f" FROM jsonb_each({sql}) WITH ORDINALITY AS e(key, value, o)"
    )
    return (
        f"CASE WHEN jsonb_typeof({sql}) = 'object' THEN '{{' || COALESCE(({fields}), '') || '}}'"
        f" ELSE {_jsonb_text_json(sql, compact=compact)} END"
    )
