"""Recurring rosters: RRULE, two windows a day, exception dates, this-and-following edits."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from coordinator.shifts.models import Shift
from coordinator.shifts.series.service import materialize_all

from .conftest import events

SHANGHAI = ZoneInfo("Asia/Shanghai")


def next_monday() -> date:
    today = datetime.now(SHANGHAI).date()
    return today + timedelta(days=7 - today.weekday())


def local(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(SHANGHAI)


async def shifts_of(world, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    body = await world.api.ok("GET", f"/api/v1/shifts?limit=200&{query}")
    return body["items"]


async def make_series(world, monday: date) -> dict:
    post = await world.post()
    return await world.api.ok(
        "POST",
        "/api/v1/shift-series",
        201,
        json={
            "post_id": post["id"],
            "rrule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
            "starts_on": monday.isoformat(),
            "windows": [{"start": "07:00", "end": "09:00"}, {"start": "17:00", "end": "19:00"}],
            "exdates": [(monday + timedelta(days=2)).isoformat()],
            "min_people": 1,
            "max_people": 2,
            "weeks_ahead": 2,
        },
    )


async def test_weekday_series_with_two_windows_skips_its_exception_date(world):
    monday = next_monday()
    series = await make_series(world, monday)
    items = await shifts_of(world, series_id=series["id"])
    days = sorted({local(s["starts_at"]).date() for s in items})
    # Two weeks of weekdays plus the Monday that ends the horizon, less the Wednesday.
    expected = [monday + timedelta(days=d) for d in (0, 1, 3, 4, 7, 8, 9, 10, 11, 14)]
    assert days == expected
    assert len(items) == 20
    first, second = items[0], items[1]
    assert (local(first["starts_at"]).hour, local(first["ends_at"]).hour) == (7, 9)
    assert (local(second["starts_at"]).hour, local(second["ends_at"]).hour) == (17, 19)
    assert first["starts_at"].endswith("Z") or first["starts_at"].endswith("+00:00")
    assert len(await events(world.database, "shift.created")) == 20

    # Skipping a date later cancels what was already made on it.
    thursday = monday + timedelta(days=3)
    await world.api.ok(
        "POST",
        f"/api/v1/shift-series/{series['id']}/exdates",
        json={"exdates": [thursday.isoformat()]},
    )
    items = await shifts_of(world, series_id=series["id"])
    cancelled = [s for s in items if s["status"] == "cancelled"]
    assert {local(s["starts_at"]).date() for s in cancelled} == {thursday}
    assert all(s["sequence"] == 1 for s in cancelled)


async def test_this_and_following_edit_splits_the_series(world):
    monday = next_monday()
    series = await make_series(world, monday)
    items = await shifts_of(world, series_id=series["id"])
    thursday_morning = next(
        s
        for s in items
        if local(s["starts_at"]).date() == monday + timedelta(days=3)
        and local(s["starts_at"]).hour == 7
    )
    person = await world.person("甲")
    held = await world.sign_up(thursday_morning["id"], person["id"])
    start = datetime.fromisoformat(thursday_morning["starts_at"].replace("Z", "+00:00"))
    end = datetime.fromisoformat(thursday_morning["ends_at"].replace("Z", "+00:00"))
    edited = await world.api.ok(
        "PATCH",
        f"/api/v1/shifts/{thursday_morning['id']}",
        json={
            "starts_at": (start + timedelta(minutes=30)).isoformat(),
            "ends_at": (end + timedelta(minutes=30)).isoformat(),
            "max_people": 5,
            "scope": "following",
        },
    )
    assert local(edited["starts_at"]).strftime("%H:%M") == "07:30"
    assert edited["sequence"] == 1
    new_series_id = edited["series_id"]
    assert new_series_id != series["id"]

    old = await world.api.ok("GET", f"/api/v1/shift-series/{series['id']}")
    assert old["until"] == (monday + timedelta(days=2)).isoformat()
    new = await world.api.ok("GET", f"/api/v1/shift-series/{new_series_id}")
    assert new["windows"] == [
        {"start": "07:30", "end": "09:30"},
        {"start": "17:00", "end": "19:00"},
    ]
    assert new["max_people"] == 5

    before = await shifts_of(world, series_id=series["id"])
    after = await shifts_of(world, series_id=new_series_id)
    assert len(before) + len(after) == 20
    assert all(local(s["starts_at"]).date() < thursday_morning_date(monday) for s in before)
    assert all(s["max_people"] == 2 and s["sequence"] == 0 for s in before)
    assert {local(s["starts_at"]).strftime("%H:%M") for s in after} == {"07:30", "17:00"}
    assert all(s["max_people"] == 5 for s in after)
    mornings = [s for s in after if local(s["starts_at"]).hour == 7]
    assert all(s["sequence"] == 1 for s in mornings)
    # The signup moved with its shift.
    (row,) = await world.signups(thursday_morning["id"])
    assert row["id"] == held["id"]
    assert local(row["starts_at"]).strftime("%H:%M") == "07:30"
    assert row["sequence"] == 1

    # Making the rosters further ahead adds later dates but never repeats an occurrence.
    async with world.database.sessionmaker.begin() as session:
        await materialize_all(session=session, zone=SHANGHAI, weeks=3)
        counts = (
            await session.execute(
                select(Shift.series_id, Shift.recurrence_at, func.count())
                .group_by(Shift.series_id, Shift.recurrence_at)
                .having(func.count() > 1)
            )
        ).all()
    assert counts == []
    later = await shifts_of(world, series_id=new_series_id)
    assert len(later) > len(after)
    assert await shifts_of(world, series_id=series["id"]) == before


def thursday_morning_date(monday: date) -> date:
    return monday + timedelta(days=3)


async def test_bad_rrule_is_422(world):
    post = await world.post()
    body = await world.api.ok(
        "POST",
        "/api/v1/shift-series",
        422,
        json={
            "post_id": post["id"],
            "rrule": "FREQ=SOMETIMES",
            "starts_on": "2030-01-07",
            "windows": [{"start": "07:00", "end": "09:00"}],
            "max_people": 2,
        },
    )
    assert [e["field"] for e in body["errors"]] == ["rrule"]
