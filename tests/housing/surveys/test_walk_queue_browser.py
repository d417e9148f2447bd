"""The walk list's queue on a phone, where it can go wrong: a page kept with a CSRF token
the server no longer takes, the copy the service worker opens with no signal, a result
made while another is on its way, the phone's clock set back, a link replaced while
results wait on the phone, refusals in the page's language, and a note left on the phone
once the server has it."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from playwright.async_api import Route, expect
from sqlalchemy import select, update

from coordinator.housing.models import Dwelling
from coordinator.housing.surveys.models import SurveyResult
from tests.housing.surveys.conftest import make_estate, start_campaign

PHONE = {"viewport": {"width": 390, "height": 844}, "locale": "zh-CN", "is_mobile": True}
# Without a service worker, Playwright's routes see every request of the page.
NO_WORKER = PHONE | {"service_workers": "block"}
CONTROLLED = """new Promise(done => navigator.serviceWorker.controller
  ? done(true)
  : navigator.serviceWorker.addEventListener('controllerchange', () => done(true)))"""
KEPT = """async () => {
  const db = await new Promise(r => { const q = indexedDB.open('fumin-walk', 1); q.onsuccess = () => r(q.result); });
  return await new Promise(r => { const q = db.transaction('results').objectStore('results').getAll(); q.onsuccess = () => r(q.result); });
}"""


async def _results(database) -> list[SurveyResult]:  # type: ignore[no-untyped-def]
    async with database.session() as session:
        return list(await session.scalars(select(SurveyResult).order_by(SurveyResult.received_at)))


def _door(page, dwelling_id: uuid.UUID):  # type: ignore[no-untyped-def]
    return page.locator(f".door[data-dwelling='{dwelling_id}']")


async def _record(page, dwelling_id: uuid.UUID, code: str, note: str = "") -> None:  # type: ignore[no-untyped-def]
    """Record a result on the dwelling's card and wait until the phone has kept it."""
    door = _door(page, dwelling_id)
    before = await door.locator("[data-local]").get_attribute("data-result")
    await door.locator("summary").click()
    form = door.locator("form[data-result]")
    await form.locator("select[name=code]").select_option(code)
    if note:
        await form.locator("textarea[name=note]").fill(note)
    await form.get_by_role("button", name="保存结果").click()
    local = door.locator("[data-local]")
    if before is None:
        await expect(local).to_have_attribute("data-result", re.compile(".+"))
    else:
        await expect(local).not_to_have_attribute("data-result", before)


async def test_a_result_refused_for_an_expired_page_stays_queued_and_goes_with_a_fresh_token(
    committed_api, committed_database, browser, live_server
):
    estate = await make_estate(committed_database)
    await start_campaign(committed_api, estate)
    first = estate.dwellings[0]
    context = await browser.new_context(**NO_WORKER)
    page = await context.new_page()
    stale = {"on": True}

    async def kept_long_ago(route: Route) -> None:
        # The page as it was kept before the server's key changed: a token it no longer takes.
        response = await route.fetch()
        body = await response.text()
        if stale["on"]:
            body = re.sub(r'data-csrf="[0-9a-f]+"', 'data-csrf="' + "0" * 64 + '"', body)
        await route.fulfill(response=response, body=body)

    await page.route(re.compile(r".*/walk(\?.*)?$"), kept_long_ago)
    await page.goto(str(live_server.make_url(estate.walk)))
    await _record(page, first, "nobody_home")
    local = _door(page, first).locator("[data-local]")
    await expect(page.locator("[data-connection]")).to_have_attribute("data-expired", "true")
    assert await local.get_attribute("data-status") == "queued"
    assert await page.locator("[data-queued]").inner_text() == "1"
    assert await _results(committed_database) == []

    stale["on"] = False  # the server gives the page's token again
    await page.evaluate("window.dispatchEvent(new Event('online'))")
    await expect(local).to_have_attribute("data-status", "sent")
    await expect(page.locator("[data-connection]")).to_have_attribute("data-expired", "false")
    stored = await _results(committed_database)
    assert [(r.dwelling_id, r.code.value) for r in stored] == [(first, "nobody_home")]
    await context.close()


async def test_with_no_signal_the_page_opens_as_last_seen_not_an_older_copy(
    committed_api, committed_database, browser, live_server
):
    estate = await make_estate(committed_database)
    await start_campaign(committed_api, estate)
    context = await browser.new_context(**PHONE)
    page = await context.new_page()
    walk = str(live_server.make_url(estate.walk))
    await page.goto(walk)
    await page.evaluate(CONTROLLED)
    await page.goto(f"{walk}?lang=en")  # looked at once in English
    assert await page.locator("h1").inner_text() == "Hello, 李秀兰"
    async with committed_database.sessionmaker.begin() as session:  # the door changes
        await session.execute(
            update(Dwelling).where(Dwelling.id == estate.dwellings[0]).values(version=7)
        )
    await page.goto(f"{walk}?lang=zh")  # and again in Chinese: the newest copy
    await context.set_offline(True)
    reopened = await page.reload()
    assert reopened is not None and reopened.from_service_worker
    assert await page.locator("h1").inner_text() == "李秀兰，您好"
    assert await _door(page, estate.dwellings[0]).get_attribute("data-version") == "7"
    await context.close()


async def test_a_result_made_while_another_is_on_its_way_follows_at_once_and_its_note_leaves_the_phone(
    committed_api, committed_database, browser, live_server
):
    estate = await make_estate(committed_database)
    await start_campaign(committed_api, estate)
    first, second = estate.dwellings[:2]
    context = await browser.new_context(**NO_WORKER)
    page = await context.new_page()
    held, release = asyncio.Event(), asyncio.Event()

    async def slow_stairwell(route: Route) -> None:
        if not held.is_set():  # the first result's answer is slow to come
            held.set()
            await release.wait()
        await route.continue_()

    await page.route("**/walk/results", slow_stairwell)
    await page.goto(str(live_server.make_url(estate.walk)))
    await _record(page, first, "refused", note="住户王秀兰不愿开门，电话13812345678")
    await asyncio.wait_for(held.wait(), 10)
    await _record(page, second, "nobody_home")
    release.set()
    # Long before the retry timer (20 s): the second goes as soon as the first is answered.
    await expect(page.locator("[data-sent]")).to_have_text("2", timeout=8000)
    stored = await _results(committed_database)
    assert [(r.dwelling_id, r.note) for r in stored] == [
        (first, "住户王秀兰不愿开门，电话13812345678"),
        (second, None),
    ]
    kept = await page.evaluate(KEPT)
    assert [(k["status"], k["body"]["note"]) for k in kept] == [("sent", None), ("sent", None)]
    await context.close()


async def test_results_go_in_the_order_they_were_made_though_the_clock_was_set_back(
    committed_api, committed_database, browser, live_server
):
    estate = await make_estate(committed_database)
    await start_campaign(committed_api, estate)
    first, second = estate.dwellings[:2]
    context = await browser.new_context(**NO_WORKER)
    page = await context.new_page()
    await page.goto(str(live_server.make_url(estate.walk)))
    await context.set_offline(True)
    await _record(page, first, "nobody_home")
    await page.clock.set_system_time(datetime.now() - timedelta(hours=1))  # the phone's clock
    await _record(page, second, "nobody_home")
    await context.set_offline(False)
    await expect(page.locator("[data-sent]")).to_have_text("2")
    stored = await _results(committed_database)
    assert [r.dwelling_id for r in stored] == [first, second]
    await context.close()


async def test_a_refusal_reads_in_the_pages_language_not_the_phones(
    committed_api, committed_database, browser, live_server
):
    estate = await make_estate(committed_database)
    await start_campaign(committed_api, estate)
    first = estate.dwellings[0]
    context = await browser.new_context(**(NO_WORKER | {"locale": "en-US"}))
    page = await context.new_page()
    await page.goto(str(live_server.make_url(f"{estate.walk}?lang=zh")))
    async with committed_database.sessionmaker.begin() as session:  # given to the other block
        await session.execute(update(Dwelling).where(Dwelling.id == first).values(unit="2"))
    await _record(page, first, "nobody_home")
    local = _door(page, first).locator("[data-local]")
    await expect(local).to_have_attribute("data-status", "refused")
    assert await local.inner_text() == "未被接收：该房屋不在您负责的块内"
    await context.close()


async def test_results_queued_under_a_link_replaced_meanwhile_go_through_the_new_one(
    committed_api, committed_database, browser, live_server
):
    estate = await make_estate(committed_database)
    await start_campaign(committed_api, estate)
    first = estate.dwellings[0]
    context = await browser.new_context(**NO_WORKER)
    page = await context.new_page()
    await page.goto(str(live_server.make_url(estate.walk)))
    await context.set_offline(True)
    await _record(page, first, "nobody_home")
    issued = await committed_api.ok(
        "POST", f"/api/v1/people/{estate.leader_id}/block-leader-link", 201
    )
    await context.set_offline(False)  # the old link answers no more
    await expect(page.locator("[data-connection]")).to_have_attribute("data-gone", "true")
    local = _door(page, first).locator("[data-local]")
    assert await local.get_attribute("data-status") == "queued"
    assert await _results(committed_database) == []

    token = urlsplit(issued["url"]).path.split("/")[-1]
    await page.goto(str(live_server.make_url(f"/b/{token}/walk")))
    await expect(local).to_have_attribute("data-status", "sent")
    [stored] = await _results(committed_database)
    assert (stored.dwelling_id, stored.person_id) == (first, estate.leader_id)
    await context.close()
