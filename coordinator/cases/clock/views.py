"""HTTP for the cases' clocks: the overdue list (open tasks by due time, both clocks of a
12345 ticket side by side)."""

from __future__ import annotations

from aiohttp import web

from coordinator.cases.clock import overdue
from coordinator.cases.clock.schemas import DueTaskOut, DueTaskQuery
from coordinator.platform import keys
from coordinator.platform.changes import CHANGES
from coordinator.web.api import ApiRoutes, json_response
from coordinator.web.listing import Page

routes = ApiRoutes()
TAGS = ("cases",)


@routes.route(
    "GET",
    "/api/v1/case-tasks",
    summary="List open case tasks by due time (the overdue list)",
    tags=TAGS,
    query=DueTaskQuery,
    response=Page[DueTaskOut],
)
async def list_case_tasks(request: web.Request, *, query: DueTaskQuery) -> web.Response:
    """Open tasks (pending or accepted), the most overdue first: `overdue=true` lists those
    past their due time, with how many working hours past it on their department's
    calendar. For a 12345 ticket (`hotline=true`) the city's own deadline stands beside
    the department's, with whether it has passed too. Filter by department_id and
    category (code); q searches the case's title, the ticket's number and the
    department's name; sort by due_at (default) or number."""
    out = await overdue.due_tasks(
        database=request.app[keys.DATABASE],
        settings=request.app[keys.SETTINGS],
        query=query,
        watch=request.app[CHANGES],
    )
    return json_response(out)
