"""GET requests in one statement: the cases of public categories, newest requested first,
each rendered by PostgreSQL as GeoReport's request (platform.json_sql), the page joined
into the JSON list the client receives, sent as the bytes PostgreSQL wrote.

The statement is compiled once per shape (ids or filters, one status or both, language,
extensions) and run on a pooled connection like every list (platform.listing.fetch_row).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    DateTime,
    Integer,
    String,
    any_,
    bindparam,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
    text,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.orm import aliased

from coordinator.cases.categories.models import CaseCategory
from coordinator.cases.models import OPEN_STATES, Case, CaseStatus
from coordinator.departments.models import Department
from coordinator.labels import label
from coordinator.open311.models import Open311Request
from coordinator.open311.params import RequestsQuery
from coordinator.open311.schemas import (
    AttributeAnswer,
    ExtendedAttributes,
    ServiceRequest,
    ServiceRequestCore,
)
from coordinator.platform.db import Database
from coordinator.platform.i18n import Lang, Text
from coordinator.platform.json_sql import JsonBody, json_column, list_json, object_json
from coordinator.platform.listing import fetch_row
from coordinator.registry.models import Building

_DIALECT = asyncpg_dialect()
MASTER = aliased(Case, name="master")
MERGED = Text("已并入案件 ", "Merged into request ")
NOTICE = Text(
    "{h}个工作小时内受理，{d}个工作日内办结",
    "Accepted within {h} working hours, resolved within {d} working days",
)

# What every page reads: the case, its category, lead department, building, the case it
# was merged into, and what its Open311 client sent.
SOURCE = (
    Case.__table__.join(CaseCategory.__table__, CaseCategory.id == Case.category_id)
    .outerjoin(Department.__table__, Department.id == Case.lead_department_id)
    .outerjoin(Building.__table__, Building.id == Case.building_id)
    .outerjoin(MASTER, MASTER.id == Case.merged_into_id)
    .outerjoin(Open311Request.__table__, Open311Request.case_id == Case.id)
)


def _sql(column: Any) -> str:
    return str(column.compile(dialect=_DIALECT, compile_kwargs={"literal_binds": True}))


def stamp(column: Any) -> str:
    """A time as GeoReport writes it: W3C date-time in UTC, whole seconds, with Z (JSON
    writes a timestamp as ISO 8601 with T; cheaper than to_char)."""
    text = f"to_json(date_trunc('second', ({_sql(column)}) AT TIME ZONE 'UTC'))::text"
    return f"COALESCE(left({text}, -1) || 'Z\"', 'null')"


def number(column: Any) -> str:
    """A NUMERIC(9, 6) as a JSON number, its trailing zeros trimmed."""
    return f"COALESCE(trim_scale({_sql(column)})::text, 'null')"


def words(kind: type[enum.StrEnum], column: ColumnElement[Any], lang: Lang) -> ColumnElement[str]:
    """An enum column's code as its words in `lang` (coordinator.labels)."""
    return case({m.value: label(m).render(lang) for m in kind}, value=column, else_=column)


def _text(expr: ColumnElement[Any]) -> ColumnElement[str]:
    return type_coerce(expr, String())


def fields(lang: Lang) -> dict[str, Any]:
    """The column of every field of a request, in `lang`."""
    merged = MERGED.render(lang)
    notice = NOTICE.render(lang).format(h="%s", d="%s")
    return {
        "service_request_id": cast(Case.number, String),
        "status": case((Case.status.in_(OPEN_STATES), "open"), else_="closed"),
        "status_notes": case(
            (Case.status == CaseStatus.rejected, Case.rejected_reason),
            (Case.status == CaseStatus.merged, merged + cast(MASTER.number, String)),
            (Case.status.in_(("resolved", "closed")), Case.resolution),
            (Case.status == CaseStatus.reopened, Case.feedback),
            else_=None,
        ),
        "service_name": CaseCategory.name
        if lang == "zh"
        else func.coalesce(CaseCategory.name_en, CaseCategory.name),
        "service_code": CaseCategory.code,
        "description": Case.description,
        "agency_responsible": Department.name,
        "service_notice": _text(
            func.format(
                literal(notice),
                func.trim_scale(CaseCategory.response_hours),
                CaseCategory.resolution_days,
            )
        ),
        "address": func.coalesce(Case.address, Building.address),
        "address_id": cast(Case.building_id, String),
        "lat": func.coalesce(Case.latitude, Building.latitude),
        "long": func.coalesce(Case.longitude, Building.longitude),
        "media_url": Open311Request.media_url,
        "detailed_status": cast(Case.status, String),
        "detailed_status_name": words(CaseStatus, cast(Case.status, String), lang),
        "urgency": cast(Case.urgency, String),
        "source": cast(Case.source, String),
        "token": cast(Case.open311_token, String),
        "merged_into": cast(MASTER.number, String),
    }


_TIMES = {
    "requested_datetime": Case.created_at,
    "updated_datetime": Case.updated_at,
    "expected_datetime": Case.resolution_due_at,
}


def _attributes() -> str:
    """The posted attribute answers, as a JSON list of {code, value}."""
    answer = object_json(
        AttributeAnswer,
        lambda name: None,
        {name: f"COALESCE(to_json(a.e->>'{name}')::text, 'null')" for name in ("code", "value")},
    )
    rows = "jsonb_array_elements(COALESCE(open311_requests.attributes, '[]'::jsonb))"
    rows += " WITH ORDINALITY AS a(e, o)"
    return list_json(answer, rows=rows, order_by=[literal_column("a.o")])


def item(lang: Lang, extensions: bool) -> str:
    """SQL rendering one case as GeoReport's request (with Fumin's extended attributes)."""
    columns = fields(lang)
    given = {name: stamp(column) for name, column in _TIMES.items()}
    # What needs no escaping is written without to_json.
    given["service_request_id"] = f"'\"' || {_sql(Case.number)}::text || '\"'"
    given["status"] = _sql(case((Case.status.in_(OPEN_STATES), '"open"'), else_='"closed"'))
    given["lat"] = number(columns["lat"])
    given["long"] = number(columns["long"])
    if extensions:
        given["extended_attributes"] = object_json(
            ExtendedAttributes, columns.get, {"attributes": _attributes()}
        )
    return object_json(ServiceRequest if extensions else ServiceRequestCore, columns.get, given)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]


_STATEMENTS: dict[tuple[Any, ...], _Compiled] = {}


def statement(shape: tuple[bool, bool, str | None, Lang, bool]) -> _Compiled:
    """The statement of one shape: (by ids, by codes, one status, language, extensions)."""
    if (found := _STATEMENTS.get(shape)) is not None:
        return found
    by_ids, by_codes, status, lang, extensions = shape
    order = (Case.created_at.desc(), Case.id.desc())
    rows = (
        select(
            json_column(item(lang, extensions)).label("j"),
            func.row_number().over(order_by=order).label("n"),
        )
        .select_from(SOURCE)
        .where(CaseCategory.public)
    )
    if by_ids:
        rows = rows.where(Case.number == any_(bindparam("ids", type_=ARRAY(BigInteger()))))
    else:
        stamp_type = DateTime(timezone=True)
        rows = rows.where(
            Case.created_at >= bindparam("start", type_=stamp_type),
            Case.created_at <= bindparam("end", type_=stamp_type),
        )
        if by_codes:
            rows = rows.where(CaseCategory.code == any_(bindparam("codes", type_=ARRAY(String()))))
        if status is not None:  # the states as literals: one plan per shape
            states = (
                Case.status.in_(OPEN_STATES)
                if status == "open"
                else Case.status.not_in(OPEN_STATES)
            )
            rows = rows.where(text(_sql(states)))
    page = (
        rows.order_by(*order)
        .limit(bindparam("limit", type_=Integer()))
        .offset(bindparam("offset", type_=Integer()))
        .subquery()
    )
    joined = func.string_agg(page.c.j, aggregate_order_by(literal_column("', '"), page.c.n))
    string = String()
    body = (
        literal_column("'['", string)
        + func.coalesce(joined, literal_column("''", string))
        + literal_column("']'", string)
    )
    stmt = select(func.convert_to(body, literal_column("'UTF8'"))).select_from(page)
    compiled = stmt.compile(dialect=_DIALECT)
    found = _Compiled(str(compiled), tuple(compiled.positiontup or ()))
    _STATEMENTS[shape] = found
    return found


async def read_requests(database: Database, query: RequestsQuery, lang: Lang) -> JsonBody:
    """The page of requests `query` asks for, as GeoReport's JSON list."""
    shape = (
        query.ids is not None,
        query.codes is not None,
        query.by_status,
        lang,
        query.extensions,
    )
    compiled = statement(shape)
    values: Mapping[str, Any] = {
        "ids": list(query.ids or ()),
        "codes": list(query.codes or ()),
        "start": query.start,
        "end": query.end,
        "limit": query.page_size,
        "offset": (query.page - 1) * query.page_size,
    }
    row = await fetch_row(database, compiled.sql, [values[name] for name in compiled.names])
    return JsonBody(row[0])
