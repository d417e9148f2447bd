"""Filing a case: the one way a case comes to be, whoever files it (coordinators through
the API, visits, the hotline, the Open311 front). It checks what the case names, routes
it, sets its clocks in working time, gives each department its task, and writes the audit
rows and events, all in the caller's transaction."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Uuid, bindparam, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import snapshot
from coordinator.auth.service import Principal
from coordinator.cases.categories.models import CaseCategory
from coordinator.cases.deadlines import case_clocks, task_due
from coordinator.cases.events import case_event_row
from coordinator.cases.filing.routing import Routing, route_case
from coordinator.cases.filing.rows import created_audit_rows, insert_filed
from coordinator.cases.models import Case, CaseSource, CaseStatus, TaskRole, TaskStatus
from coordinator.cases.photos import attach_photos, ensure_photos
from coordinator.cases.schemas import CaseIn
from coordinator.housing.models import DWELLING, Dwelling
from coordinator.people.models import Person
from coordinator.platform.db import utcnow
from coordinator.platform.i18n import Text
from coordinator.platform.problems import FieldError, ValidationFailed, invalid_field
from coordinator.platform.settings import Settings
from coordinator.registry.models import (
    AREA,
    BUILDING,
    COMPANY,
    CONTACT,
    Area,
    Building,
    Company,
    Contact,
)
from coordinator.visits.models import Visit
from coordinator.worktime.service import WorkCalendar, load_calendar

PERSON = Text("人员", "person")
VISIT = Text("走访", "visit")
_PLACE_FIELDS = ("building_id", "area_id", "company_id", "dwelling_id", "address", "latitude")


async def file_case(
    *,
    session: AsyncSession,
    actor: Principal,
    settings: Settings,
    data: CaseIn,
    source: CaseSource,
    now: datetime | None = None,
    calendar: WorkCalendar | None = None,
) -> Case:
    """File a case (status new) with its tasks: the lead department's and each
    co-handler's, from the most specific routing rule (none: no tasks yet). `calendar`:
    the working calendar if the caller holds one (else it is loaded)."""
    now = now or utcnow()
    _check_shape(data, source)
    category, place = await _checked(session, data)
    calendar = calendar or await load_calendar(session, settings)
    clocks = case_clocks(calendar, category, data.urgency, now)
    routing = await route_case(
        session,
        category_id=category.id,
        building_id=place["building_id"],
        building_area_id=place["building_area_id"],
        area_id=data.area_id,
    )
    values = data.model_dump(exclude={"category", "photo_ids"})
    values.update(building_id=place["building_id"], area_id=place["area_id"])
    case = Case(
        id=uuid.uuid4(),
        **values,
        category_id=category.id,
        status=CaseStatus.new,
        source=source,
        lead_department_id=routing.lead.id if routing else None,
        response_due_at=clocks.response_due_at,
        resolution_due_at=clocks.resolution_due_at,
        reopened_count=0,
        created_by=actor.name,
        created_at=now,
        updated_at=now,
    )
    session.add(case)
    await session.flush()
    tasks = _tasks(case, routing, calendar, category, now)
    await attach_photos(session, place["photo_ids"], case_id=case.id)
    events = [
        case_event_row(
            "case.created",
            case,
            category=category.code,
            actor=actor.name,
            source=source.value,
            building_id=_text(case.building_id),
            area_id=_text(case.area_id),
            response_due_at=case.response_due_at.isoformat(),
            resolution_due_at=case.resolution_due_at.isoformat(),
        )
    ]
    events += [
        case_event_row("case.assigned", case, category=category.code, actor=actor.name, task=task)
        for task in tasks
    ]
    audits = created_audit_rows(
        actor, [("case", snapshot(case)), *(("case_task", task) for task in tasks)]
    )
    await insert_filed(session, tasks=tasks, audits=audits, events=events)
    return case


def _text(value: Any) -> str | None:
    return str(value) if value is not None else None


def _tasks(
    case: Case,
    routing: Routing | None,
    calendar: WorkCalendar,
    category: CaseCategory,
    now: datetime,
) -> list[dict[str, Any]]:
    """The rows of the case's tasks: the lead's, then each co-handler's."""
    if routing is None:
        return []
    given = [(routing.lead, TaskRole.lead)] + [(d, TaskRole.co) for d in routing.helpers]
    rows = []
    for n, (department, role) in enumerate(given):
        # A microsecond apart, so they list in the order given: the lead's first, then
        # the co-handlers by name.
        at = now + timedelta(microseconds=n)
        rows.append(
            {
                "id": uuid.uuid4(),
                "case_id": case.id,
                "department_id": department.id,
                "role": role,
                "assignee_id": None,
                "status": TaskStatus.pending,
                "due_at": task_due(calendar, department, category, case.urgency, now),
                "accepted_at": None,
                "done_at": None,
                "note": None,
                "return_reason": None,
                "created_at": at,
                "updated_at": at,
            }
        )
    return rows


def _check_shape(data: CaseIn, source: CaseSource) -> None:
    """What the fields cannot say alone: coordinates in pairs, a place, a hotline
    ticket's number, a visit's case naming its visit."""
    if (data.latitude is None) != (data.longitude is None):
        message = Text("经纬度须同时填写", "give latitude and longitude together")
        raise ValidationFailed(
            message,
            errors=[FieldError("latitude", message), FieldError("longitude", message)],
        )
    if all(getattr(data, name) is None for name in _PLACE_FIELDS):
        message = Text(
            "请填写案件地点：楼宇、片区、企业、房屋、地址或经纬度",
            "give a place: building_id, area_id, company_id, dwelling_id, address or coordinates",
        )
        raise ValidationFailed(
            message, errors=[FieldError(name, message) for name in _PLACE_FIELDS]
        )
    if source == CaseSource.hotline and data.hotline_number is None:
        raise invalid_field(
            "hotline_number",
            Text("12345 热线工单须填写工单编号", "a 12345 hotline case needs its ticket number"),
        )
    if source == CaseSource.visit and data.visit_id is None:
        raise invalid_field(
            "visit_id", Text("走访发现的案件须填写走访", "a case from a visit names its visit")
        )


def _given(name: str) -> Any:
    return bindparam(name, type_=Uuid())


_REFERENCES = (
    ("area_id", Area, AREA),
    ("building_id", Building, BUILDING),
    ("company_id", Company, COMPANY),
    ("visit_id", Visit, VISIT),
    ("dwelling_id", Dwelling, DWELLING),
    ("reporter_person_id", Person, PERSON),
    ("reporter_contact_id", Contact, CONTACT),
)
_company_building = (
    select(Company.building_id).where(Company.id == _given("company_id")).scalar_subquery()
)
# The category and every row a case may name, in one statement built once: whether each
# exists (a name not given is NULL, and matches nothing), the building (the company's, if
# only a company is named) and its area.
CHECKS = select(
    CaseCategory,
    *(exists().where(model.id == _given(name)).label(name) for name, model, _ in _REFERENCES),
    _company_building.label("company_building"),
    select(Building.area_id)
    .where(Building.id == func.coalesce(_given("building_id"), _company_building))
    .scalar_subquery()
    .label("building_area"),
).where(CaseCategory.code == bindparam("code"))


async def _checked(session: AsyncSession, data: CaseIn) -> tuple[CaseCategory, dict[str, Any]]:
    """The active category named, and the place: 422 naming the field of a category or
    a row that does not exist; the building and area the case is at, its photos."""
    values = {name: getattr(data, name) for name, _, _ in _REFERENCES}
    row = (await session.execute(CHECKS, {"code": data.category, **values})).first()
    category: CaseCategory | None = row[0] if row is not None else None
    if row is None or category is None or not category.active:
        raise invalid_field(
            "category",
            Text(
                "没有代码为「{c}」的在用事项类型", "no active case category has code {c!r}"
            ).format(c=data.category),
        )
    found = row._mapping
    for name, _, what in _REFERENCES:
        if values[name] is not None and not found[name]:
            message = Text("引用的{zh}不存在", "the referenced {en} does not exist").format(
                zh=what.zh, en=what.en
            )
            raise invalid_field(name, message)
    building_area_id = found["building_area"]
    return category, {
        "building_id": data.building_id or found["company_building"],
        "building_area_id": building_area_id,
        "area_id": data.area_id or building_area_id,
        "photo_ids": await ensure_photos(session, data.photo_ids),
    }
