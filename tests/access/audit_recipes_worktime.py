"""Recipes for the writes of the work calendar (see tests/access/audit_recipes.py)."""

from __future__ import annotations

from datetime import date

from coordinator.worktime.models import day_entity_id
from tests.access.audit_scene import Call, Scene, recipe

DAY = "/api/v1/work-calendar/days"
HOLIDAY = {"working": False, "name": "国庆节"}


def _id(day: str) -> str:
    return str(day_entity_id(date.fromisoformat(day)))


@recipe("PUT /api/v1/work-calendar/days/{day}")
async def put_day(s: Scene) -> Call:
    return Call(
        "PUT", f"{DAY}/2030-10-01", "create", "work_calendar_day", _id("2030-10-01"), HOLIDAY, 201
    )


@recipe("DELETE /api/v1/work-calendar/days/{day}")
async def delete_day(s: Scene) -> Call:
    await s.api.ok("PUT", f"{DAY}/2030-10-02", 201, json=HOLIDAY)
    return Call(
        "DELETE", f"{DAY}/2030-10-02", "delete", "work_calendar_day", _id("2030-10-02"), status=204
    )


@recipe("PUT /api/v1/work-calendar/years/{year}")
async def put_year(s: Scene) -> Call:
    await s.api.ok("PUT", f"{DAY}/2030-05-06", 201, json=HOLIDAY)
    body = {"days": [{"day": "2030-10-01", **HOLIDAY}]}
    return Call(
        "PUT",
        "/api/v1/work-calendar/years/2030",
        "delete",
        "work_calendar_day",
        _id("2030-05-06"),
        body,
    )
