"""Open cases by building and by area: counts by state and by category, how many are
overdue, closed cases left out; the CSV of the same."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from coordinator.cases.models import CaseStatus
from coordinator.cases.reports.places import places_report
from coordinator.platform.db import utcnow
from tests.cases.reports_rows import Rows

# Overdue is counted now, also by the API: due times on either side of it.
NOW = utcnow()
PAST = NOW - timedelta(days=5)
LATER = NOW + timedelta(days=15)


async def place_rows(session):  # type: ignore[no-untyped-def]
    """Two buildings in one area, a third in none; cases open, closed and merged."""
    rows = Rows(session)
    area = await rows.area("华山居民区")
    tower = await rows.building("华山大楼", area)
    court = await rows.building("长乐公寓", area)
    lonely = await rows.building("独栋小楼")
    rental = await rows.category("group_rental", "群租", "group rental")
    bikes = await rows.category("bikes", "非机动车乱停", "bikes parked badly")
    company = await rows.company("华山贸易公司", court)
    for status, due in (
        (CaseStatus.new, LATER),
        (CaseStatus.in_progress, PAST),
        (CaseStatus.in_progress, LATER),
        (CaseStatus.reopened, PAST),
    ):
        await rows.case(rental, building=tower, status=status, resolution_due_at=due)
    await rows.case(bikes, building=tower, status=CaseStatus.accepted, resolution_due_at=LATER)
    await rows.case(bikes, building=tower, status=CaseStatus.closed, resolution_due_at=PAST)
    await rows.case(rental, building=tower, status=CaseStatus.resolved, resolution_due_at=PAST)
    # At the company's building; in the area by the building's.
    await rows.case(bikes, company=company, resolution_due_at=PAST)
    await rows.case(rental, building=lonely, resolution_due_at=LATER)
    # An area and no building.
    await rows.case(rental, area=area, status=CaseStatus.new, resolution_due_at=LATER)
    # Nowhere at all (an address only).
    await rows.case(bikes, status=CaseStatus.new, resolution_due_at=PAST)
    return area, tower, court, lonely


async def test_open_cases_by_building_by_state_and_category(database):
    async with database.sessionmaker.begin() as session:
        area, _tower, court, _lonely = await place_rows(session)
        report = await places_report(session=session, now=NOW)
    buildings = {b["name"]: b for b in report["buildings"]}
    assert [b["name"] for b in report["buildings"]] == ["华山大楼", "长乐公寓", "独栋小楼", None]
    t = buildings["华山大楼"]
    assert (t["open"], t["overdue"]) == (5, 2)  # the closed and resolved ones left out
    assert t["by_status"] == {"new": 1, "in_progress": 2, "reopened": 1, "accepted": 1}
    assert [(c["code"], c["open"], c["overdue"]) for c in t["by_category"]] == [
        ("group_rental", 4, 2),
        ("bikes", 1, 0),
    ]
    assert t["area_id"] == area.id and t["area_name"] == "华山居民区"
    c = buildings["长乐公寓"]
    assert (c["open"], c["overdue"], c["building_id"]) == (1, 1, court.id)
    assert buildings["独栋小楼"]["area_name"] is None
    nowhere = report["buildings"][-1]
    assert (nowhere["building_id"], nowhere["open"], nowhere["overdue"]) == (None, 2, 1)


async def test_open_cases_by_area_and_in_all(database):
    async with database.sessionmaker.begin() as session:
        area, *_ = await place_rows(session)
        report = await places_report(session=session, now=NOW)
    [in_area, no_area] = report["areas"]
    assert (in_area["area_id"], in_area["name"]) == (area.id, "华山居民区")
    assert (in_area["open"], in_area["overdue"]) == (7, 3)  # tower 5, the company's 1, area's 1
    assert in_area["by_status"]["new"] == 2
    assert (no_area["area_id"], no_area["open"], no_area["overdue"]) == (None, 2, 1)
    total = report["total"]
    assert (total["open"], total["overdue"]) == (9, 4)
    assert total["by_status"] == {"new": 3, "accepted": 1, "in_progress": 4, "reopened": 1}
    assert {c["code"]: c["open"] for c in total["by_category"]} == {"group_rental": 6, "bikes": 3}


async def test_the_api_answers_places_with_every_state_counted(api, database):
    async with database.sessionmaker.begin() as session:
        await place_rows(session)
    body = await api.ok("GET", "/api/v1/case-reports/places")
    lonely = next(b for b in body["buildings"] if b["name"] == "独栋小楼")
    assert lonely["by_status"] == {"new": 0, "accepted": 0, "in_progress": 1, "reopened": 0}
    assert body["total"]["open"] == 9


async def test_the_places_csv_has_a_row_per_building_area_and_the_total(api, database):
    async with database.sessionmaker.begin() as session:
        await place_rows(session)
    response = await api.get("/api/v1/case-reports/places.csv")
    assert response.status == 200
    body = await response.read()
    assert body.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert table[0] == [
        "统计对象",
        "名称",
        "所属区域",
        "未结案件",
        "其中逾期",
        "新建",
        "已受理",
        "办理中",
        "重新办理",
        "群租",
        "非机动车乱停",
    ]
    assert table[1] == ["楼宇", "华山大楼", "华山居民区", "5", "2", "1", "1", "2", "1", "4", "1"]
    assert table[4][:2] == ["楼宇", "未关联楼宇"]
    assert table[5][:4] == ["区域", "华山居民区", "", "7"]
    assert table[6][:2] == ["区域", "未关联区域"]
    assert table[-1][:5] == ["全街道合计", "全街道合计", "", "9", "4"]
    english = await api.get("/api/v1/case-reports/places.csv", headers={"Accept-Language": "en"})
    heads = next(csv.reader(io.StringIO((await english.read()).decode("utf-8-sig"))))
    assert heads[-2:] == ["group rental", "bikes parked badly"]
    assert heads[3] == "Open cases"
