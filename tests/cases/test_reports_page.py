"""The page of charts in a real browser, opened through the signed link the API hands out:
bars drawn on the server, Chinese with no English word (English on ?lang=en), tidy on
paper; a bad, expired or orphaned link answers like any bad link."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import aiohttp
from sqlalchemy import update

from coordinator.auth.models import ApiToken, Role
from coordinator.cases.models import CaseStatus
from coordinator.cases.reports import links
from coordinator.departments.models import DepartmentKind
from coordinator.platform.db import utcnow
from tests.cases.reports_rows import Rows, at
from tests.test_chinese import CJK, english_words

# The page's text, less what is marked as English (the switch to English).
PAGE_TEXT = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('[lang="en"]').forEach((e) => e.remove());
  return body.textContent;
}"""


async def some_cases(database) -> None:  # type: ignore[no-untyped-def]
    async with database.sessionmaker.begin() as session:
        rows = Rows(session)
        housing = await rows.department("房办")
        urban = await rows.department("城管中队", DepartmentKind.urban_management)
        area = await rows.area("华山居民区")
        tower = await rows.building("华山大楼", area)
        court = await rows.building("长乐公寓", area)
        rental = await rows.category("group_rental", "群租", "group rental")
        made = at("2026-03-05 09:00")
        for n in range(2):
            case = await rows.case(rental, building=tower, lead=housing)
            await rows.task(case, housing, created_at=made, done_at=made + timedelta(hours=5 + n))
        case = await rows.case(rental, building=court, resolution_due_at=utcnow() - timedelta(1))
        await rows.task(case, urban, created_at=made, accepted_at=made + timedelta(hours=1))
        await rows.case(rental, building=tower, status=CaseStatus.new)


async def report_path(api) -> str:  # type: ignore[no-untyped-def]
    body = await api.ok("GET", "/api/v1/case-reports/link", role=Role.viewer)
    assert body["url"].startswith("http://fumin.test/case-reports/")
    return urlsplit(body["url"]).path


async def test_the_page_draws_the_figures_in_chinese(
    committed_api, committed_database, browser, live_server
):
    await some_cases(committed_database)
    path = await report_path(committed_api)
    context = await browser.new_context(locale="zh-CN", viewport={"width": 1100, "height": 900})
    page = await context.new_page()
    response = await page.goto(str(live_server.make_url(path + "?month=2026-03")))
    assert response is not None and response.status == 200
    assert response.headers["cache-control"] == "no-store"
    assert await page.locator("h1").inner_text() == "联动案件统计 · 2026年3月"

    chart = page.locator("figure[data-chart='received-closed']")
    assert await chart.locator("figcaption").inner_text() == "各部门接收与办结任务"
    assert await chart.locator("svg").count() == 1
    housing = chart.locator("g.row[data-label='房办'] rect.bar")
    urban = chart.locator("g.row[data-label='城管中队'] rect.bar")
    assert await housing.count() == 2  # received and done
    assert await urban.count() == 1  # received, nothing done
    # Two tasks received draw a bar twice as long as one.
    assert float(await housing.first.get_attribute("width")) == 2 * float(
        await urban.first.get_attribute("width")
    )
    assert "接收任务" in await chart.locator("g.legend").first.inner_html()
    rate = page.locator("figure[data-chart='on-time-rate'] g.row[data-label='房办'] text.value")
    assert await rate.text_content() == "100%"
    buildings = page.locator("figure[data-chart='buildings'] g.row")
    assert [await b.get_attribute("data-label") for b in await buildings.all()] == [
        "华山大楼",
        "长乐公寓",
    ]
    assert "未结案件最多的楼宇" in await page.locator("figure[data-chart='buildings']").inner_text()
    total = page.locator("table[data-table='departments'] tr.total")
    assert (await total.locator("td").all_inner_texts())[:4] == ["全街道合计", "", "3", "2"]

    text = await page.evaluate(PAGE_TEXT)
    assert CJK.search(text)
    assert english_words(text) == []

    await page.emulate_media(media="print")
    assert await page.locator("nav").is_hidden()
    assert await chart.locator("svg").is_visible()
    await context.close()


async def test_the_page_in_english(committed_api, committed_database, browser, live_server):
    await some_cases(committed_database)
    path = await report_path(committed_api)
    page = await browser.new_page()
    await page.goto(str(live_server.make_url(path + "?month=2026-03&lang=en")))
    assert await page.locator("h1").inner_text() == "Joint case figures · March 2026"
    caption = page.locator("figure[data-chart='received-closed'] figcaption")
    assert await caption.inner_text() == "Tasks received and done, by department"
    heads = await page.locator("table[data-table='departments'] thead th").all_inner_texts()
    assert heads[:4] == ["Department", "Kind", "Tasks received", "Tasks done"]
    # The month links keep the language.
    await page.get_by_role("link", name="‹ Previous month").click()
    assert await page.locator("h1").inner_text() == "Joint case figures · February 2026"
    await page.close()


async def test_bad_links_look_alike_and_the_csv_comes_through_a_good_one(
    committed_api, committed_database, live_server, settings
):
    await some_cases(committed_database)
    path = await report_path(committed_api)
    token = path.rsplit("/", 1)[1]
    tampered = path[:-1] + ("A" if path[-1] != "A" else "B")
    holder = uuid.UUID(token.split(".")[0])
    expired, _ = links.issue(settings.secret_key, holder, utcnow() - timedelta(days=31))
    async with aiohttp.ClientSession() as session:
        good = await session.get(str(live_server.make_url(path + "/departments.csv?month=2026-03")))
        assert good.status == 200
        body = await good.read()
        assert body.startswith(b"\xef\xbb\xbf")
        table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        assert table[0][:3] == ["月份", "部门", "部门类型"]
        assert table[-1][:4] == ["2026-03", "全街道合计", "", "3"]
        places = await session.get(str(live_server.make_url(path + "/places.csv")))
        assert places.status == 200 and (await places.read()).startswith(b"\xef\xbb\xbf")

        answers = []
        for bad in (tampered, f"/case-reports/{expired}", "/case-reports/not-a-token"):
            answer = await session.get(str(live_server.make_url(bad)))
            answers.append((answer.status, await answer.text()))
        async with committed_database.sessionmaker.begin() as db:
            await db.execute(
                update(ApiToken).where(ApiToken.name == "test viewer").values(revoked_at=utcnow())
            )
        orphaned = await session.get(str(live_server.make_url(path)))
        answers.append((orphaned.status, await orphaned.text()))
        csv_orphaned = await session.get(str(live_server.make_url(path + "/places.csv")))
        assert csv_orphaned.status == 404
    assert {status for status, _ in answers} == {404}
    assert len({text for _, text in answers}) == 1
