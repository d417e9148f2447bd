"""Each department's month of tasks: counted in the subdistrict's zone, medians computed
by PostgreSQL, done on time or late, overdue at the month's end, reopenings, the total."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from coordinator.auth.models import Role
from coordinator.cases.models import CaseStatus, TaskStatus
from coordinator.cases.reports.service import department_report, month_bounds, this_month
from coordinator.departments.models import DepartmentKind
from tests.cases.reports_rows import SHANGHAI, Rows, at

APRIL_NOW = at("2026-04-15 12:00")


async def report(session, month, now=APRIL_NOW):  # type: ignore[no-untyped-def]
    return await department_report(session=session, month=month, zone=SHANGHAI, now=now)


def row_of(result, department):  # type: ignore[no-untyped-def]
    [row] = [r for r in result["departments"] if r["department_id"] == department.id]
    return row


def test_a_month_is_its_days_in_the_zone():
    start, end = month_bounds("2026-03", SHANGHAI)
    assert start.isoformat() == "2026-03-01T00:00:00+08:00"
    assert end.isoformat() == "2026-04-01T00:00:00+08:00"
    assert month_bounds("2026-12", SHANGHAI)[1].isoformat() == "2027-01-01T00:00:00+08:00"


async def test_a_task_given_at_half_past_eleven_on_march_31_counts_in_march(database):
    async with database.sessionmaker.begin() as session:
        rows = Rows(session)
        housing = await rows.department("房办")
        category = await rows.category("group_rental", "群租")
        case = await rows.case(category, lead=housing)
        # 15:30 UTC on the 31st: still March in Shanghai.
        await rows.task(case, housing, created_at=at("2026-03-31 23:30"))
        # 16:10 UTC on the 31st: April in Shanghai (March in UTC).
        await rows.task(await rows.case(category), housing, created_at=at("2026-04-01 00:10"))
        # 23:59 UTC on 28 February: 1 March in Shanghai.
        await rows.task(await rows.case(category), housing, created_at=at("2026-03-01 07:59"))
        march = await report(session, "2026-03")
        april = await report(session, "2026-04")
    assert row_of(march, housing)["received"] == 2
    assert row_of(april, housing)["received"] == 1
    assert march["starts_at"].isoformat() == "2026-03-01T00:00:00+08:00"
    assert march["as_of"] == march["ends_at"]  # a month past: counted at its end
    assert april["as_of"] == APRIL_NOW  # the month under way: counted now


async def test_medians_of_hours_to_accept_and_to_close(database):
    async with database.sessionmaker.begin() as session:
        rows = Rows(session)
        housing = await rows.department("房办")
        city = await rows.department("市容所", DepartmentKind.city_appearance)
        category = await rows.category("group_rental", "群租")
        start = at("2026-03-10 09:00")
        # Accepted after 1, 2, 3 and 10 hours; done after 24, 48 and 96 hours.
        for accept, close in ((1, 24), (2, 48), (3, 96), (10, None)):
            await rows.task(
                await rows.case(category),
                housing,
                created_at=start,
                accepted_at=start + timedelta(hours=accept),
                done_at=start + timedelta(hours=close) if close else None,
                due_at=start + timedelta(days=30),
            )
        await rows.task(
            await rows.case(category),
            city,
            created_at=start,
            accepted_at=start + timedelta(hours=5),
            done_at=start + timedelta(hours=6),
        )
        # Accepted in February: not one of March's acceptances.
        await rows.task(
            await rows.case(category),
            city,
            created_at=at("2026-02-20 09:00"),
            accepted_at=at("2026-02-27 09:00"),
        )
        march = await report(session, "2026-03")
    housing_row = row_of(march, housing)
    assert housing_row["median_accept_hours"] == 2.5  # percentile_cont interpolates
    assert housing_row["median_close_hours"] == 48.0
    assert row_of(march, city)["median_accept_hours"] == 5.0
    assert row_of(march, city)["median_close_hours"] == 6.0
    # The subdistrict's median is over every task, not a median of medians.
    assert march["total"]["median_accept_hours"] == 3.0  # of 1, 2, 3, 5, 10
    assert march["total"]["median_close_hours"] == 36.0  # of 6, 24, 48, 96


async def test_done_on_time_late_and_overdue_at_the_months_end(database):
    async with database.sessionmaker.begin() as session:
        rows = Rows(session)
        housing = await rows.department("房办")
        category = await rows.category("group_rental", "群租")
        made = at("2026-03-05 09:00")
        due = at("2026-03-20 17:00")

        async def task(**times):  # type: ignore[no-untyped-def]
            return await rows.task(await rows.case(category), housing, created_at=made, **times)

        await task(due_at=due, done_at=at("2026-03-20 16:59"))  # on time
        await task(due_at=due, done_at=due)  # on time, to the minute
        await task(due_at=due, done_at=at("2026-03-25 10:00"))  # late
        await task(due_at=due, done_at=at("2026-04-02 10:00"))  # open at March's end; late in April
        await task(due_at=due)  # open still, past due
        await task(due_at=at("2026-04-20 17:00"))  # open, not yet due
        await task(due_at=due, status=TaskStatus.dropped)  # no longer the department's
        await task(due_at=due, accepted_at=at("2026-03-06 09:00"))  # accepted, past due
        march = await report(session, "2026-03")
        april = await report(session, "2026-04")
    m = row_of(march, housing)
    assert (m["received"], m["closed"], m["on_time"], m["late"]) == (8, 3, 2, 1)
    assert m["overdue_open"] == 3  # done in April, never done, accepted and never done
    assert m["overdue"] == 4
    assert m["on_time_rate"] == round(2 / 3, 4)
    a = row_of(april, housing)
    assert (a["received"], a["closed"], a["on_time"], a["late"]) == (0, 1, 0, 1)
    assert a["overdue_open"] == 2  # counted now (15 April): the two never done
    assert a["on_time_rate"] == 0.0


async def test_reopened_counts_the_cases_a_department_led_when_they_were_reopened(database):
    async with database.sessionmaker.begin() as session:
        rows = Rows(session)
        housing = await rows.department("房办")
        city = await rows.department("市容所", DepartmentKind.city_appearance)
        category = await rows.category("group_rental", "群租")
        twice = await rows.case(category, lead=housing, status=CaseStatus.reopened)
        await rows.reopened(twice, at("2026-03-03 10:00"), housing)
        await rows.reopened(twice, at("2026-03-30 10:00"), housing)
        once = await rows.case(category, lead=city, status=CaseStatus.reopened)
        await rows.reopened(once, at("2026-03-31 23:30"), city)
        await rows.reopened(once, at("2026-04-01 00:30"), city)  # April in Shanghai
        leaderless = await rows.case(category, status=CaseStatus.reopened)
        await rows.reopened(leaderless, at("2026-03-15 10:00"), None)
        march = await report(session, "2026-03")
    assert row_of(march, housing)["reopened"] == 1  # one case, reopened twice
    assert row_of(march, city)["reopened"] == 1
    assert march["total"]["reopened"] == 3  # every case reopened, led or not


async def test_every_active_department_has_a_row_and_the_total_sums_them(database):
    async with database.sessionmaker.begin() as session:
        rows = Rows(session)
        housing = await rows.department("房办")
        urban = await rows.department("城管中队", DepartmentKind.urban_management)
        idle = await rows.department("居委会", DepartmentKind.residential_committee)
        await rows.department("旧部门", DepartmentKind.other, active=False)
        category = await rows.category("group_rental", "群租")
        case = await rows.case(category, lead=housing)
        made = at("2026-03-05 09:00")
        await rows.task(case, housing, created_at=made, done_at=made + timedelta(hours=5))
        await rows.task(case, urban, created_at=made, done_at=made + timedelta(days=9))
        march = await report(session, "2026-03")
    names = [r["name"] for r in march["departments"]]
    assert names == ["城管中队", "房办", "居委会"]  # by kind, the inactive idle one left out
    assert row_of(march, idle)["received"] == 0
    assert row_of(march, idle)["median_close_hours"] is None
    assert row_of(march, idle)["on_time_rate"] is None
    total = march["total"]
    assert (total["received"], total["closed"], total["on_time"], total["late"]) == (2, 2, 1, 1)


async def test_a_month_to_come_has_nothing_overdue(database):
    async with database.sessionmaker.begin() as session:
        rows = Rows(session)
        housing = await rows.department("房办")
        category = await rows.category("group_rental", "群租")
        await rows.task(
            await rows.case(category),
            housing,
            created_at=at("2026-03-01 09:00"),
            due_at=at("2026-03-02 09:00"),
        )
        may = await report(session, "2026-05")
        april = await report(session, "2026-04")
    assert row_of(may, housing)["overdue_open"] == 0
    assert row_of(april, housing)["overdue_open"] == 1


async def test_the_api_answers_the_month_and_refuses_a_malformed_one(api, database):
    async with database.sessionmaker.begin() as session:
        rows = Rows(session)
        housing = await rows.department("房办")
        category = await rows.category("group_rental", "群租")
        await rows.task(await rows.case(category), housing, created_at=at("2026-03-31 23:30"))
    body = await api.ok("GET", "/api/v1/case-reports/departments?month=2026-03")
    assert body["month"] == "2026-03" and body["zone"] == "Asia/Shanghai"
    assert [(r["name"], r["received"]) for r in body["departments"]] == [("房办", 1)]
    assert body["total"]["received"] == 1
    assert body["starts_at"] == "2026-03-01T00:00:00+08:00"
    answer = await api.get("/api/v1/case-reports/departments?month=2026-13")
    assert answer.status == 422
    assert [e["field"] for e in (await answer.json())["errors"]] == ["month"]
    current = await api.ok("GET", "/api/v1/case-reports/departments", role=Role.viewer)
    assert current["month"] == this_month(SHANGHAI)  # this month by default


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_the_csv_has_a_bom_heads_in_the_readers_language_and_the_total_last(
    api, database, lang
):
    async with database.sessionmaker.begin() as session:
        rows = Rows(session)
        housing = await rows.department("房办")
        category = await rows.category("group_rental", "群租")
        made = at("2026-03-05 09:00")
        await rows.task(
            await rows.case(category),
            housing,
            created_at=made,
            accepted_at=made + timedelta(hours=2),
            done_at=made + timedelta(hours=30),
        )
    response = await api.get(f"/api/v1/case-reports/departments.csv?month=2026-03&lang={lang}")
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "case-departments-2026-03.csv" in response.headers["Content-Disposition"]
    body = await response.read()
    assert body.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    if lang == "zh":
        assert table[0][:5] == ["月份", "部门", "部门类型", "接收任务", "办结任务"]
        assert table[0][-3:] == ["受理用时中位数（小时）", "办结用时中位数（小时）", "重新办理案件"]
        assert table[1][:3] == ["2026-03", "房办", "房办"]
        assert table[-1][:3] == ["2026-03", "全街道合计", ""]
    else:
        assert table[0][:4] == ["Month", "Department", "Kind", "Tasks received"]
        assert table[1][:3] == ["2026-03", "房办", "housing office"]
        assert table[-1][1] == "Subdistrict total"
    assert table[1][3] == "1"
    assert table[1][9] == "100.0"  # on time, in per cent
    assert table[1][-3:] == ["2.0", "30.0", "0"]
    assert len(table) == 3
