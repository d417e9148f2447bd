"""The calendar kept in memory: read once while its table is unchanged, read again after
an edit made here or committed anywhere else (a deadline moves when a holiday is added)."""

from __future__ import annotations

from datetime import date

from coordinator.platform import keys
from coordinator.platform.changes import CHANGES, ChangeWatch
from coordinator.worktime.service import add_working_hours, load_calendar
from tests.test_changes import elsewhere, settled
from tests.workers.conftest import eventually
from tests.worktime.helpers import SHANGHAI, at, local

DEADLINE = "/api/v1/work-calendar/deadline?start=2030-12-04T10%3A00%3A00%2B08%3A00&hours=8"


async def test_a_kept_calendar_is_read_once_and_again_after_an_edit_here(
    committed_database, committed_api, settings
):
    watch = ChangeWatch()
    watch.listening(True)  # no listener: only this process's own commits move it
    async with committed_database.session() as session:
        first = await load_calendar(session, settings, watch=watch)
        assert await load_calendar(session, settings, watch=watch) is first  # kept
        assert await load_calendar(session, settings) is not first  # no watch: read afresh
    start = at(SHANGHAI, 2030, 12, 4, 10)  # a Wednesday
    assert local(add_working_hours(first, start, 8)).date() == date(2030, 12, 5)

    await committed_api.ok(
        "PUT", "/api/v1/work-calendar/days/2030-12-05", 201, json={"working": False, "name": "假日"}
    )
    async with committed_database.session() as session:
        edited = await load_calendar(session, settings, watch=watch)
    assert edited is not first and edited.exceptions == {date(2030, 12, 5): False}
    assert local(add_working_hours(edited, start, 8)).date() == date(2030, 12, 6)


async def test_the_deadline_route_sees_a_holiday_added_by_another_process(committed_api, settings):
    watch = committed_api.client.app[CHANGES]
    database = committed_api.client.app[keys.DATABASE]
    await eventually(lambda: _true(watch.live), timeout=10, what="listening")
    before = await committed_api.ok("GET", DEADLINE)
    assert before["deadline"] == "2030-12-05T02:30:00Z"  # Thursday 10:30
    async with database.session() as session:
        kept = await load_calendar(session, settings, watch=watch)
        assert await load_calendar(session, settings, watch=watch) is kept

    await settled(watch, database)
    await elsewhere(
        database,
        "INSERT INTO work_calendar_days (day, working, name) VALUES ('2030-12-05', false, '假日')",
    )

    async def moved() -> bool:
        answer = await committed_api.ok("GET", DEADLINE)
        return bool(answer["deadline"] == "2030-12-06T02:30:00Z")  # Friday 10:30

    await eventually(moved, timeout=10, what="the deadline to move")


async def _true(value: bool) -> bool:
    return value
