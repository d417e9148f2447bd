"""HTTP for the work calendar: its days (public holidays, make-up working days), a year's
schedule at once, and the deadline it gives."""

from __future__ import annotations

import re
from datetime import UTC, date

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.platform import keys
from coordinator.platform.changes import CHANGES
from coordinator.platform.db import utcnow
from coordinator.platform.i18n import Text
from coordinator.platform.problems import NotFound
from coordinator.platform.workhours import parse_work_hours, weekend_names
from coordinator.web.api import ApiRoutes, json_response
from coordinator.web.bearer import principal
from coordinator.worktime import service
from coordinator.worktime.models import TABLE_NAME
from coordinator.worktime.schemas import (
    CalendarOut,
    CalendarQuery,
    DayIn,
    DayOut,
    DeadlineOut,
    DeadlineQuery,
    YearIn,
    YearOut,
    periods_out,
)

routes = ApiRoutes()
TAGS = ("work calendar",)
DAY = {"day": {"type": "string", "format": "date"}}
YEAR = {"year": {"type": "integer", "minimum": 1, "maximum": 9999}}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_YEAR = re.compile(r"\d{1,4}")


def path_day(request: web.Request) -> date:
    """A date (YYYY-MM-DD) from the path; anything else is simply not found."""
    value = request.match_info["day"]
    try:
        if _DATE.fullmatch(value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise NotFound(Text("资源不存在", "No such resource"))


def path_year(request: web.Request) -> int:
    value = request.match_info["year"]
    if _YEAR.fullmatch(value) and int(value) >= 1:
        return int(value)
    raise NotFound(Text("资源不存在", "No such resource"))


@routes.route(
    "GET",
    "/api/v1/work-calendar",
    summary="Read the work calendar (工作日历)",
    tags=TAGS,
    query=CalendarQuery,
    response=CalendarOut,
    kept=(TABLE_NAME,),
)
async def read_work_calendar(request: web.Request, *, query: CalendarQuery) -> web.Response:
    """The working periods and weekend days as configured, and the days of the range that
    differ from them: public holidays (`working: false`) and make-up working days
    (`working: true`). The range defaults to this year and spans at most two years."""
    settings = request.app[keys.SETTINGS]
    today = utcnow().astimezone(settings.zone).date()
    first, last = service.calendar_range(query.from_, query.to, today)
    async with request.app[keys.DATABASE].session() as session:
        rows = await service.days_between(session, first, last)
        days = [DayOut.model_validate(row) for row in rows]
    out = CalendarOut(
        zone=settings.timezone,
        work_hours=periods_out(settings.work_periods),
        weekend=weekend_names(settings.weekend_days),
        from_=first,
        to=last,
        days=days,
    )
    return json_response(out)


@routes.route(
    "GET",
    "/api/v1/work-calendar/days/{day}",
    summary="Read a day of the work calendar",
    tags=TAGS,
    response=DayOut,
    path_params=DAY,
)
async def read_work_calendar_day(request: web.Request) -> web.Response:
    """A day set apart from the weekly rule; 404 for a day that follows it."""
    async with request.app[keys.DATABASE].session() as session:
        row = await service.get_day(session, path_day(request))
        return json_response(DayOut.model_validate(row))


@routes.route(
    "PUT",
    "/api/v1/work-calendar/days/{day}",
    summary="Set a day: a public holiday or a make-up working day",
    tags=TAGS,
    role=Role.coordinator,
    body=DayIn,
    response=DayOut,
    status=200,
    also=(201,),
    path_params=DAY,
)
async def put_work_calendar_day(request: web.Request, *, body: DayIn) -> web.Response:
    """Create (201) or replace (200) the day; deadlines counted from now on see it."""
    day = path_day(request)
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        row, created = await service.put_day(
            session=session, actor=principal(request), day=day, data=body
        )
        out = DayOut.model_validate(row)
    if created:
        return json_response(out, status=201, headers={"Location": request.path})
    return json_response(out)


@routes.route(
    "DELETE",
    "/api/v1/work-calendar/days/{day}",
    summary="Remove a day: it follows the weekly rule again",
    tags=TAGS,
    role=Role.coordinator,
    status=204,
    path_params=DAY,
)
async def delete_work_calendar_day(request: web.Request) -> web.Response:
    day = path_day(request)
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        await service.delete_day(session=session, actor=principal(request), day=day)
    return web.Response(status=204)


@routes.route(
    "PUT",
    "/api/v1/work-calendar/years/{year}",
    summary="Set a year's schedule of holidays and make-up working days",
    tags=TAGS,
    role=Role.coordinator,
    body=YearIn,
    response=YearOut,
    path_params=YEAR,
)
async def put_work_calendar_year(request: web.Request, *, body: YearIn) -> web.Response:
    """The year's days become exactly those given (as the State Council publishes them):
    days of the year not listed are removed. Every day changed is audited."""
    year = path_year(request)
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        rows = await service.replace_year(
            session=session, actor=principal(request), year=year, days=body.days
        )
        out = YearOut(year=year, days=[DayOut.model_validate(row) for row in rows])
    return json_response(out)


@routes.route(
    "GET",
    "/api/v1/work-calendar/deadline",
    summary="Compute a deadline in working time",
    tags=TAGS,
    query=DeadlineQuery,
    response=DeadlineOut,
    errors=(409,),
)
async def read_work_calendar_deadline(
    request: web.Request, *, query: DeadlineQuery
) -> web.Response:
    """`hours` of working time, or the close of the `days`-th working day after `start`'s
    day (0: today's close if still ahead), counted with the calendar as it is now."""
    settings = request.app[keys.SETTINGS]
    start = query.start or utcnow()
    async with request.app[keys.DATABASE].session() as session:
        calendar = await service.load_calendar(session, settings, watch=request.app[CHANGES])
    due = service.deadline(calendar, query, start)
    periods = parse_work_hours(query.work_hours) if query.work_hours else calendar.periods
    out = DeadlineOut(
        start=start.astimezone(UTC),
        hours=query.hours,
        days=query.days,
        work_hours=periods_out(periods),
        deadline=due,
    )
    return json_response(out)
