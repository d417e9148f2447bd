"""The overdue list: open tasks (pending or accepted) by due time, the most overdue first,
with the case's number, department, the task's due time and how long past it in working
time on the department's calendar, and for a 12345 ticket the city's own deadline and
whether it has passed too. A page is one statement through platform.listing (read from
the partial index of open tasks, so closed cases cost nothing), the working time added
to its at most 200 items here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Boolean, literal_column
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect

from coordinator.cases.categories.models import CaseCategory
from coordinator.cases.clock.schemas import DueTaskQuery, DueTaskRow
from coordinator.cases.deadlines import department_calendar
from coordinator.cases.models import Case, CaseSource, CaseTask
from coordinator.cases.states import OPEN_TASK
from coordinator.departments.models import Department
from coordinator.platform.changes import ChangeWatch
from coordinator.platform.db import Database, utcnow
from coordinator.platform.json_sql import JsonBody
from coordinator.platform.listing import Listing
from coordinator.platform.settings import Settings
from coordinator.worktime.service import WorkCalendar, load_calendar, working_time_between

# Written into the SQL (not a parameter), so the planner matches the partial index of
# open tasks by due time (ix_case_tasks_open_due).
_open_sql = CaseTask.status.in_(sorted(s.value for s in OPEN_TASK)).compile(
    dialect=asyncpg_dialect(), compile_kwargs={"literal_binds": True}
)
TASK_OPEN = literal_column(f"({_open_sql})", Boolean)
_TASKS, _CASES = CaseTask.__table__, Case.__table__
_CATEGORIES, _DEPARTMENTS = CaseCategory.__table__, Department.__table__

DUE_TASKS = Listing(
    CaseTask,
    DueTaskRow,
    sorts={"due_at": CaseTask.due_at, "number": Case.number},
    default_sort="due_at",
    filters={
        "open": lambda _: TASK_OPEN,
        "due_before": lambda moment: CaseTask.due_at < moment,
        "due_from": lambda moment: CaseTask.due_at >= moment,
        "department_id": CaseTask.department_id,
        "category": CaseCategory.code,
        "hotline": lambda wanted: (Case.source == CaseSource.hotline) == wanted,
    },
    search=(Case.title, Case.hotline_number, Department.name),
    source=_TASKS.join(_CASES, _CASES.c.id == _TASKS.c.case_id)
    .join(_CATEGORIES, _CATEGORIES.c.id == _CASES.c.category_id)
    .join(_DEPARTMENTS, _DEPARTMENTS.c.id == _TASKS.c.department_id),
    columns={
        "number": Case.number,
        "title": Case.title,
        "category": CaseCategory.code,
        "urgency": Case.urgency,
        "case_status": Case.status,
        "source": Case.source,
        "department": Department.name,
        "work_hours": Department.work_hours,
        "resolution_due_at": Case.resolution_due_at,
        "hotline_number": Case.hotline_number,
        "hotline_due_at": Case.hotline_due_at,
    },
)


@dataclass(frozen=True)
class _Hours:
    work_hours: str | None


def _hours(seconds: float) -> float:
    return round(seconds / 3600, 2)


def with_clocks(item: dict[str, object], calendar: WorkCalendar, now: datetime) -> None:
    """Add to an item what depends on the moment: overdue, the working hours past due on
    its department's calendar, and whether the city's deadline has passed."""
    work_hours = item.pop("work_hours")
    due = datetime.fromisoformat(str(item["due_at"]))
    cal = department_calendar(calendar, _Hours(work_hours if isinstance(work_hours, str) else None))
    item["overdue"] = due < now
    item["overdue_hours"] = (
        _hours(working_time_between(cal, due, now).total_seconds()) if due < now else 0.0
    )
    city = item["hotline_due_at"]
    item["hotline_overdue"] = None if city is None else datetime.fromisoformat(str(city)) < now


async def due_tasks(
    *,
    database: Database,
    settings: Settings,
    query: DueTaskQuery,
    watch: ChangeWatch | None = None,
    now: datetime | None = None,
) -> JsonBody:
    """A page of open tasks filtered by overdue (against `now`), department, category
    (code), hotline; q searches the case's title, the ticket's number and the
    department's name; by due time (or `number`), then id."""
    now = now or utcnow()
    async with database.session() as session:
        calendar = await load_calendar(session, settings, watch=watch)
    page = json.loads(
        await DUE_TASKS.page(
            database,
            query,
            open=True,
            due_before=now if query.overdue is True else None,
            due_from=now if query.overdue is False else None,
        )
    )
    for item in page["items"]:
        with_clocks(item, calendar, now)
    return JsonBody(json.dumps(page, ensure_ascii=False).encode())
