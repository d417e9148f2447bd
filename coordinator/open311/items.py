"""GeoReport's request, rendered by PostgreSQL once per change instead of once per read.

`open311_items` (migration 0023) holds every case's request as the JSON text clients
receive, in Chinese and in English, with and without Fumin's extended attributes; the
triggers of 0023 call `open311_render(ids)` for the cases a statement wrote (and for the
cases of a category, department, building or Open311 request that changed), so a page of
requests is an index scan and a string_agg of stored text (reading.py).

What a request says is written here, in Python, with the words of `coordinator.labels`:
`render_function()` is the SQL of `open311_render`, and `ensure_render` (run by the
migrations' environment after every upgrade) replaces the function in the database, and
renders every case again, whenever this code renders differently from the function there
(its digest is the function's comment)."""

from __future__ import annotations

import enum
import hashlib
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    case,
    cast,
    func,
    literal,
    literal_column,
    text,
    type_coerce,
)
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased

from coordinator.cases.categories.models import CaseCategory
from coordinator.cases.models import OPEN_STATES, Case, CaseStatus
from coordinator.departments.models import Department
from coordinator.labels import label
from coordinator.open311.models import Open311Request
from coordinator.open311.schemas import (
    AttributeAnswer,
    ExtendedAttributes,
    ServiceRequestCore,
)
from coordinator.platform.i18n import Lang, Text
from coordinator.platform.json_sql import list_json, object_json
from coordinator.registry.models import Building

_DIALECT = asyncpg_dialect()
MASTER = aliased(Case, name="master")
MERGED = Text("已并入案件 ", "Merged into request ")
NOTICE = Text(
    "{h}个工作小时内受理，{d}个工作日内办结",
    "Accepted within {h} working hours, resolved within {d} working days",
)

# What a request is made of: the case, its category, lead department, building, the case
# it was merged into, and what its Open311 client sent; the cases and the rows of other
# cases each looked up by key (a LATERAL that cannot be turned into a join), so a call's
# cost is that of its own cases, however large the tables or stale their statistics.
SOURCE = """(SELECT DISTINCT unnest(ids) AS id) AS given
CROSS JOIN LATERAL (SELECT * FROM cases WHERE cases.id = given.id OFFSET 0) AS cases
JOIN case_categories ON case_categories.id = cases.category_id
LEFT JOIN departments ON departments.id = cases.lead_department_id
LEFT JOIN buildings ON buildings.id = cases.building_id
LEFT JOIN LATERAL (SELECT number FROM cases AS master WHERE master.id = cases.merged_into_id
                   OFFSET 0) AS master ON true
LEFT JOIN LATERAL (SELECT * FROM open311_requests WHERE open311_requests.case_id = cases.id
                   OFFSET 0) AS open311_requests ON true"""


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


def item(lang: Lang) -> str:
    """SQL rendering one case as GeoReport's request, in `lang`."""
    columns = fields(lang)
    given = {name: stamp(column) for name, column in _TIMES.items()}
    # What needs no escaping is written without to_json.
    given["service_request_id"] = f"'\"' || {_sql(Case.number)}::text || '\"'"
    given["status"] = _sql(case((Case.status.in_(OPEN_STATES), '"open"'), else_='"closed"'))
    given["lat"] = number(columns["lat"])
    given["long"] = number(columns["long"])
    return object_json(ServiceRequestCore, columns.get, given)


def extended(lang: Lang) -> str:
    """SQL rendering Fumin's extended attributes of one case, in `lang`."""
    return object_json(ExtendedAttributes, fields(lang).get, {"attributes": _attributes()})


def render_function() -> str:
    """The SQL of `open311_render(ids uuid[])`: the cases `ids` rendered into
    open311_items, each row replaced."""
    is_open = _sql(Case.status.in_(OPEN_STATES))
    # What the residential survey finds is about people's homes (its evidence the
    # surveyor's words): kept off the public feed whatever its category.
    public = "case_categories.public AND cases.source <> 'survey'"
    # A trigger calls it for every statement that writes cases, most of them one case:
    # PL/pgSQL keeps the statement's plan for the session, and one plan for any ids is
    # kept rather than made again for each call (which costs more than rendering a case).
    return f"""CREATE OR REPLACE FUNCTION open311_render(ids uuid[]) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $render$ BEGIN
INSERT INTO open311_items (case_id, number, created_at, public, open, code, zh, en, ext_zh, ext_en)
SELECT cases.id, cases.number, cases.created_at, {public}, {is_open},
       case_categories.code, {item("zh")}, {item("en")}, {extended("zh")}, {extended("en")}
FROM {SOURCE}
ON CONFLICT (case_id) DO UPDATE SET
    number = EXCLUDED.number, created_at = EXCLUDED.created_at, public = EXCLUDED.public,
    open = EXCLUDED.open, code = EXCLUDED.code, zh = EXCLUDED.zh, en = EXCLUDED.en,
    ext_zh = EXCLUDED.ext_zh, ext_en = EXCLUDED.ext_en;
END $render$"""


def ensure_render(connection: Connection) -> bool:
    """Bring `open311_render` up to this code, rendering every case again if it changed;
    nothing before migration 0023 (or after its downgrade). Whether it rendered."""
    if connection.scalar(text("SELECT to_regclass('open311_items')")) is None:
        return False
    sql = render_function()
    digest = hashlib.sha256(sql.encode()).hexdigest()
    current = connection.scalar(
        text("SELECT obj_description(to_regprocedure('open311_render(uuid[])'), 'pg_proc')")
    )
    if current == digest:
        return False
    connection.execute(text(sql))
    connection.execute(text(f"COMMENT ON FUNCTION open311_render(uuid[]) IS '{digest}'"))
    connection.execute(text("SELECT open311_render(ARRAY(SELECT id FROM cases))"))
    return True
