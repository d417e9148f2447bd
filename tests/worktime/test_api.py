"""The work calendar over HTTP: days set, read and removed with their audit entries and
events, a year's schedule at once, the deadline it gives, and the problems it answers."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from coordinator.audit.models import AuditEntry
from coordinator.auth.models import Role
from coordinator.events.models import OutboxEvent
from coordinator.worktime.models import day_entity_id
from tests.registry.conftest import fields, problem

DAY = "/api/v1/work-calendar/days"
NATIONAL_DAY = {"working": False, "name": "国庆节"}


async def _audit(database, day: str) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    async with database.session() as session:
        stmt = (
            select(AuditEntry)
            .where(AuditEntry.entity_type == "work_calendar_day")
            .where(AuditEntry.entity_id == day_entity_id(date.fromisoformat(day)))
            .order_by(AuditEntry.id)
        )
        return list((await session.scalars(stmt)).all())


async def _events(database) -> list[OutboxEvent]:  # type: ignore[no-untyped-def]
    async with database.session() as session:
        stmt = select(OutboxEvent).where(OutboxEvent.type == "work_calendar.changed")
        return list((await session.scalars(stmt.order_by(OutboxEvent.seq))).all())


async def test_a_day_is_created_replaced_read_and_removed_each_write_audited(api, database):
    response = await api.request("PUT", f"{DAY}/2030-10-01", json=NATIONAL_DAY)
    assert response.status == 201, await response.text()
    assert response.headers["Location"] == f"{DAY}/2030-10-01"
    created = await response.json()
    assert created["day"] == "2030-10-01" and created["working"] is False
    assert created["updated_at"].endswith("Z")
    assert await api.ok("GET", f"{DAY}/2030-10-01", role=Role.viewer) == created

    again = await api.ok("PUT", f"{DAY}/2030-10-01", json=NATIONAL_DAY)  # says that already
    assert again == created
    changed = await api.ok("PUT", f"{DAY}/2030-10-01", json={"working": True, "name": "调休上班"})
    assert changed["working"] is True and changed["name"] == "调休上班"

    await api.ok("DELETE", f"{DAY}/2030-10-01", 204)
    await problem(await api.get(f"{DAY}/2030-10-01"), 404)
    await problem(await api.delete(f"{DAY}/2030-10-01"), 404)

    entries = await _audit(database, "2030-10-01")
    assert [e.action for e in entries] == ["create", "update", "delete"]
    assert entries[0].after is not None and entries[0].after["name"] == "国庆节"
    assert entries[1].before is not None and entries[1].before["working"] is False
    assert entries[1].after is not None and entries[1].after["working"] is True
    assert entries[2].after is None and entries[2].before is not None
    assert all(e.actor_name == "test admin" for e in entries)
    assert [e.data for e in await _events(database)] == [{"days": ["2030-10-01"]}] * 3


async def test_the_calendar_shows_the_range_and_the_configured_week(api, settings):
    for day, body in (
        ("2030-09-30", {"working": True, "name": "国庆节调休上班"}),
        ("2030-10-01", NATIONAL_DAY),
        ("2031-01-01", {"working": False, "name": "元旦"}),
    ):
        await api.ok("PUT", f"{DAY}/{day}", 201, json=body)
    calendar = await api.ok(
        "GET", "/api/v1/work-calendar?from=2030-09-01&to=2030-12-31", role=Role.viewer
    )
    assert calendar["from"] == "2030-09-01" and calendar["to"] == "2030-12-31"
    assert calendar["zone"] == settings.timezone == "Asia/Shanghai"
    assert calendar["work_hours"] == [
        {"starts": "09:00", "ends": "12:00"},
        {"starts": "13:00", "ends": "17:30"},
    ]
    assert calendar["weekend"] == ["sat", "sun"]
    assert [(d["day"], d["working"]) for d in calendar["days"]] == [
        ("2030-09-30", True),
        ("2030-10-01", False),
    ]
    year = await api.ok("GET", "/api/v1/work-calendar?from=2031-01-01")
    assert year["to"] == "2031-12-31" and [d["day"] for d in year["days"]] == ["2031-01-01"]


async def test_a_year_is_replaced_by_its_published_schedule(api, database):
    await api.ok("PUT", f"{DAY}/2030-05-06", 201, json={"working": False, "name": "旧安排"})
    await api.ok("PUT", f"{DAY}/2030-10-01", 201, json=NATIONAL_DAY)
    schedule = {
        "days": [
            {"day": "2030-10-01", "working": False, "name": "国庆节"},  # unchanged
            {"day": "2030-10-02", "working": False, "name": "国庆节"},
            {"day": "2030-10-12", "working": True, "name": "国庆节调休上班"},
        ]
    }
    year = await api.ok("PUT", "/api/v1/work-calendar/years/2030", json=schedule)
    assert year["year"] == 2030
    assert [d["day"] for d in year["days"]] == ["2030-10-01", "2030-10-02", "2030-10-12"]
    assert [e.action for e in await _audit(database, "2030-05-06")] == ["create", "delete"]
    assert [e.action for e in await _audit(database, "2030-10-01")] == ["create"]
    assert [e.action for e in await _audit(database, "2030-10-12")] == ["create"]
    events = await _events(database)
    assert events[-1].data == {"days": ["2030-05-06", "2030-10-02", "2030-10-12"]}
    emptied = await api.ok("PUT", "/api/v1/work-calendar/years/2030", json={"days": []})
    assert emptied["days"] == []


async def test_a_deadline_is_answered_in_utc_counted_in_working_time(api):
    await api.ok("PUT", f"{DAY}/2030-10-01", 201, json=NATIONAL_DAY)  # a Tuesday
    start = "2030-09-30T16%3A00%3A00%2B08%3A00"  # Monday 16:00 in Shanghai
    hours = await api.ok("GET", f"/api/v1/work-calendar/deadline?start={start}&hours=3")
    assert hours["start"] == "2030-09-30T08:00:00Z"
    assert hours["deadline"] == "2030-10-02T02:30:00Z"  # Wednesday 10:30
    days = await api.ok("GET", f"/api/v1/work-calendar/deadline?start={start}&days=1")
    assert days["deadline"] == "2030-10-02T09:30:00Z"  # Wednesday 17:30
    own = await api.ok(
        "GET", f"/api/v1/work-calendar/deadline?start={start}&hours=3&work_hours=08:00-16:00"
    )
    assert own["deadline"] == "2030-10-02T03:00:00Z"  # closed at 16:00: Wednesday 08:00 + 3 h
    assert own["work_hours"] == [{"starts": "08:00", "ends": "16:00"}]


async def test_only_coordinators_write_and_only_tokens_read(api):
    await problem(
        await api.request("PUT", f"{DAY}/2030-10-01", role=Role.viewer, json=NATIONAL_DAY), 403
    )
    await problem(await api.delete(f"{DAY}/2030-10-01", role=Role.viewer), 403)
    await problem(await api.get("/api/v1/work-calendar", role=None), 401)
    await api.ok("PUT", f"{DAY}/2030-10-01", 201, role=Role.coordinator, json=NATIONAL_DAY)


async def test_bad_input_is_a_problem_naming_the_field(api):
    bad = await problem(await api.request("PUT", f"{DAY}/2030-10-01", json={"working": "no"}), 422)
    assert sorted(fields(bad)) == ["name", "working"]
    for path in (f"{DAY}/2030-02-30", f"{DAY}/20301001", f"{DAY}/tomorrow"):
        await problem(await api.request("PUT", path, json=NATIONAL_DAY), 404)
    ranges = {
        "from=2030-10-02&to=2030-10-01": ["to"],
        "from=2030-01-01&to=2032-12-31": ["to"],
        "from=2030-13-01": ["from"],
    }
    for query, named in ranges.items():
        assert fields(await problem(await api.get(f"/api/v1/work-calendar?{query}"), 422)) == named
    deadline = "/api/v1/work-calendar/deadline"
    for query, named in {
        "hours=1&days=1": ["hours", "days"],
        "": ["hours", "days"],
        "hours=-1": ["hours"],
        "hours=nan": ["hours"],
        "days=1.5": ["days"],
        "hours=1&start=2030-10-01T09:00:00": ["start"],
        "hours=1&work_hours=17:00-09:00": ["work_hours"],
    }.items():
        assert fields(await problem(await api.get(f"{deadline}?{query}"), 422)) == named, query
    year = "/api/v1/work-calendar/years/2030"
    twice = {"days": [{"day": "2030-10-01", **NATIONAL_DAY}, {"day": "2030-10-01", **NATIONAL_DAY}]}
    assert fields(await problem(await api.request("PUT", year, json=twice), 422)) == ["days.1.day"]
    elsewhere = {"days": [{"day": "2031-10-01", **NATIONAL_DAY}]}
    assert fields(await problem(await api.request("PUT", year, json=elsewhere), 422)) == [
        "days.0.day"
    ]
    await problem(await api.request("PUT", "/api/v1/work-calendar/years/0", json={"days": []}), 404)


async def test_a_calendar_without_working_time_in_reach_is_a_conflict(api):
    late = "9999-12-31T18%3A00%3A00%2B08%3A00"
    await problem(await api.get(f"/api/v1/work-calendar/deadline?start={late}&hours=1"), 409)
