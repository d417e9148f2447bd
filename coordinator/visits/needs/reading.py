"""How a need reads: a case filed from a visit, in the words needs have always spoken
(NeedOut). One SQL rendering, PostgreSQL writing the JSON, for the list, one need, a
company's needs and the CSV export alike.

A need's status is its case's: new or reopened → open; accepted or in progress →
assigned; resolved → resolved; closed, rejected or merged → closed. Its assignee is the
case's lead department: a team's department names the team (assignee_team_id), a "1+4"
department its kind (assignee_department). Its due time is the case's resolution deadline
(in working time), overdue while open or assigned and past it; its resolution shows once
it is resolved or closed (a reopened need shows none)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    String,
    Uuid,
    bindparam,
    literal_column,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import BindParameter

from coordinator.cases.models import OPEN_STATES, Case, CaseSource
from coordinator.platform.db import Database
from coordinator.platform.i18n import Text
from coordinator.platform.json_sql import JsonBody, value_json
from coordinator.platform.listing import Listing, fetch_row
from coordinator.platform.problems import not_found
from coordinator.visits.models import Department, NeedCategory
from coordinator.visits.needs.schemas import NeedOut, NeedQuery

NEED = Text("诉求", "need")

# The "1+4" kinds of departments as needs name them (visits.models.Department).
NEED_DEPARTMENT_KINDS = {
    Department.urban_management: "urban_management",
    Department.city_appearance: "city_appearance",
    Department.housing_office: "housing_office",
    Department.residential_area: "residential_committee",
}


def _listed(values: Any) -> str:
    return ", ".join(f"'{value}'" for value in values)


STATUS_SQL = (
    "CASE WHEN cases.status IN ('new', 'reopened') THEN 'open'"
    " WHEN cases.status IN ('accepted', 'in_progress') THEN 'assigned'"
    " WHEN cases.status = 'resolved' THEN 'resolved' ELSE 'closed' END"
)
# A visit's case of a category needs do not know (filed through /cases) reads as "other".
CATEGORY_SQL = (
    f"(SELECT CASE WHEN c.code IN ({_listed(NeedCategory)}) THEN c.code ELSE 'other' END"
    " FROM case_categories AS c WHERE c.id = cases.category_id)"
)
COMPANY_SQL = (
    "COALESCE(cases.company_id, (SELECT v.company_id FROM visits AS v WHERE v.id = cases.visit_id))"
)
TEAM_SQL = "(SELECT d.team_id FROM departments AS d WHERE d.id = cases.lead_department_id)"
_KIND_TO_NEED = " ".join(
    f"WHEN '{kind}' THEN '{need.value}'" for need, kind in NEED_DEPARTMENT_KINDS.items()
)
DEPARTMENT_SQL = (
    f"(SELECT CASE d.kind {_KIND_TO_NEED} END FROM departments AS d"
    " WHERE d.id = cases.lead_department_id)"
)
RESOLUTION_SQL = (
    "CASE WHEN cases.status IN ('resolved', 'closed') THEN cases.resolution"
    " WHEN cases.status = 'rejected' THEN cases.rejected_reason END"
)
OVERDUE_SQL = f"(cases.status IN ({_listed(OPEN_STATES)}) AND cases.resolution_due_at < now())"


def _sql(text: str, kind: Any) -> ColumnElement[Any]:
    return literal_column(f"({text})", kind)


STATUS = _sql(STATUS_SQL, String())
CATEGORY = _sql(CATEGORY_SQL, String())
COMPANY = _sql(COMPANY_SQL, Uuid())
TEAM = _sql(TEAM_SQL, Uuid())
DEPARTMENT = _sql(DEPARTMENT_SQL, String())
OVERDUE = _sql(OVERDUE_SQL, Boolean())

# The filters of NeedQuery (and the CSV export's): overdue=false filters nothing, as it
# never has.
FILTERS: dict[str, Any] = {
    "source": Case.source,
    "status": lambda status: STATUS == status,
    "category": lambda code: CATEGORY == code,
    "urgency": Case.urgency,
    "assignee_team_id": lambda team_id: TEAM == team_id,
    "department": lambda department: DEPARTMENT == department,
    "company_id": lambda company_id: COMPANY == company_id,
    "overdue": lambda wanted: or_(wanted.is_(False), OVERDUE),
}

NEEDS = Listing(
    Case,
    NeedOut,
    sorts={
        "due_at": Case.resolution_due_at,
        "created_at": Case.created_at,
        "updated_at": Case.updated_at,
    },
    default_sort="due_at",
    filters=FILTERS,
    search=(Case.description,),
    columns={"due_at": Case.resolution_due_at},
    json={
        "company_id": value_json(COMPANY),
        "category": value_json(CATEGORY),
        "status": value_json(STATUS),
        "assignee_team_id": value_json(TEAM),
        "assignee_department": value_json(DEPARTMENT),
        "resolution": value_json(_sql(RESOLUTION_SQL, String())),
        "overdue": value_json(OVERDUE),
    },
)
_VISIT = Case.source == CaseSource.visit
_ONE = str(
    select(NEEDS.item())
    .select_from(Case.__table__)
    .where(Case.id == bindparam("need_id", type_=Uuid()), Case.source == literal_column("'visit'"))
    .compile(dialect=asyncpg_dialect())
)


async def list_needs(*, database: Database, query: NeedQuery) -> JsonBody:
    """Filtered by status, category, urgency, assignee (team or department), company,
    overdue; q searches the description; by due time unless sorted otherwise."""
    return await NEEDS.page(database, query, source=CaseSource.visit)


async def need_json(reader: Database | AsyncSession, need_id: uuid.UUID) -> JsonBody:
    """One need as NeedOut's JSON (one statement); 404 unless a visit's case has that id."""
    row = await fetch_row(reader, _ONE, [need_id])
    if row is None:
        raise not_found(NEED)
    return JsonBody(row[0].encode())


async def read_need(session: AsyncSession, need_id: uuid.UUID) -> NeedOut:
    return NeedOut.model_validate_json(await need_json(session, need_id))


def _conditions(query: Any) -> list[ColumnElement[bool]]:
    found = []
    for name, declared in FILTERS.items():
        value = getattr(query, name, None)
        if value is None:
            continue
        given: BindParameter[Any] = bindparam(name, getattr(value, "value", value))
        found.append(declared(given) if callable(declared) else declared == given)
    return found


async def _needs(
    session: AsyncSession,
    where: list[ColumnElement[bool]],
    order_by: tuple[Any, ...],
    limit: int,
) -> list[NeedOut]:
    stmt = (
        select(NEEDS.item())
        .select_from(Case.__table__)
        .where(_VISIT, *where)
        .order_by(*order_by)
        .limit(limit)
    )
    return [NeedOut.model_validate_json(row) for row in (await session.scalars(stmt)).all()]


async def needs_to_export(session: AsyncSession, query: Any) -> list[NeedOut]:
    """The needs the export's filters (status, category, overdue …) select, by due time."""
    return await _needs(session, _conditions(query), (Case.resolution_due_at, Case.id), 100_000)


async def needs_of_company(session: AsyncSession, company_id: uuid.UUID) -> list[NeedOut]:
    """A company's latest needs (a hundred at most), newest first: what its contact sees."""
    mine = COMPANY == bindparam("company_id", company_id, type_=Uuid())
    return await _needs(session, [mine], (Case.created_at.desc(), Case.id), 100)
