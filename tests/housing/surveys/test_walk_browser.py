"""The walk list on a phone-sized browser with the network cut: the page opens from the
service worker's copy, results are kept on the phone and sent once when the network comes
back; a result about a dwelling someone changed meanwhile arrives flagged, not lost."""

from __future__ import annotations

import re
import uuid

from playwright.async_api import expect
from sqlalchemy import select

from coordinator.housing.dwellings.states import lock_dwelling, set_state
from coordinator.housing.models import Dwelling, DwellingState, DwellingStateChange, StateSource
from coordinator.housing.surveys.models import SurveyResult
from tests.housing.surveys.conftest import make_estate, start_campaign

CONTROLLED = """new Promise(done => navigator.serviceWorker.controller
  ? done(true)
  : navigator.serviceWorker.addEventListener('controllerchange', () => done(true)))"""
PHONE = {"viewport": {"width": 390, "height": 844}, "locale": "zh-CN", "is_mobile": True}


async def _results(database) -> list[SurveyResult]:  # type: ignore[no-untyped-def]
    async with database.session() as session:
        return list(await session.scalars(select(SurveyResult).order_by(SurveyResult.recorded_at)))


async def _record(page, dwelling_id: uuid.UUID, code: str, state: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """Record a result on the dwelling's card and wait until the phone has kept it."""
    door = page.locator(f".door[data-dwelling='{dwelling_id}']")
    before = await door.locator("[data-local]").get_attribute("data-result")
    await door.locator("summary").click()
    form = door.locator("form[data-result]")
    await form.locator("select[name=code]").select_option(code)
    if state:
        await form.locator("select[name=state]").select_option(state)
    await form.get_by_role("button", name="保存结果").click()
    local = door.locator("[data-local]")
    if before is None:
        await expect(local).to_have_attribute("data-result", re.compile(".+"))
    else:
        await expect(local).not_to_have_attribute("data-result", before)


async def test_results_made_offline_arrive_once_when_back_online(
    committed_api, committed_database, browser, live_server
):
    api, database = committed_api, committed_database
    estate = await make_estate(database)
    await start_campaign(api, estate)
    first, second, third, _ = estate.dwellings

    context = await browser.new_context(**PHONE)
    page = await context.new_page()
    response = await page.goto(str(live_server.make_url(estate.walk)))
    assert response is not None and response.status == 200
    rooms = await page.locator(".door strong").all_inner_texts()
    assert rooms == [
        "乙小区 3号 1单元 201室",
        "乙小区 3号 1单元 202室",
        "乙小区 3号 1单元 502室",
        "甲小区 1号 101室",
    ]
    # The service worker looks after the page before the signal goes.
    await page.evaluate(CONTROLLED)

    await context.set_offline(True)
    reopened = await page.reload()  # opened again in the stairwell: the kept copy
    assert reopened is not None and reopened.from_service_worker
    cut = "fetch('/healthz', {cache: 'no-store'}).then(() => 'reached', () => 'cut')"
    assert await page.evaluate(cut) == "cut"
    assert await page.locator(".door").count() == 4
    await page.wait_for_function(
        "document.querySelector('[data-connection]').dataset.online === 'false'"
    )
    async with database.sessionmaker.begin() as session:  # meanwhile, someone else changes one
        dwelling = await lock_dwelling(session, third)
        await set_state(
            session, dwelling, DwellingState.vacant, source=StateSource.coordinator, actor="居委"
        )
    await _record(page, first, "changed", "rented_shared")
    await _record(page, second, "nobody_home")
    await _record(page, third, "changed", "suspected_group_rental")
    await _record(page, first, "confirmed", "rented_shared")  # a second look, same visit
    assert await page.locator("[data-queued]").inner_text() == "4"
    assert (
        await page.locator(f".door[data-dwelling='{first}'] [data-local]").get_attribute(
            "data-status"
        )
        == "queued"
    )
    assert await _results(database) == []  # nothing left the phone

    await context.set_offline(False)
    await expect(page.locator("[data-queued]")).to_have_text("0")
    await expect(page.locator("[data-sent]")).to_have_text("4")
    stored = await _results(database)
    assert [(r.dwelling_id, r.code.value) for r in stored] == [
        (first, "changed"),
        (second, "nobody_home"),
        (third, "changed"),
        (first, "confirmed"),
    ]
    # The second look at the first door was based on the phone's own first result, so
    # it is no conflict; the third door, changed by someone else, is flagged.
    assert [r.conflict for r in stored] == [False, False, True, False]
    status = page.locator(f".door[data-dwelling='{third}'] [data-local]")
    assert await status.get_attribute("data-status") == "conflict"

    # Sent again (a lost answer, a reload): stored once all the same.
    await page.evaluate(
        """async () => {
          const db = await new Promise(r => { const q = indexedDB.open('fumin-walk', 1); q.onsuccess = () => r(q.result); });
          const items = await new Promise(r => { const q = db.transaction('results').objectStore('results').getAll(); q.onsuccess = () => r(q.result); });
          const tx = db.transaction('results', 'readwrite');
          items.forEach(i => { i.status = 'queued'; tx.objectStore('results').put(i); });
          await new Promise(r => { tx.oncomplete = r; });
        }"""
    )
    await page.reload()
    await expect(page.locator("[data-queued]")).to_have_text("0")
    await expect(page.locator("[data-sent]")).to_have_text("4")
    assert len(await _results(database)) == 4
    await context.close()

    async with database.session() as session:
        one = await session.get(Dwelling, first)
        flagged = (
            await session.scalars(
                select(DwellingStateChange).where(
                    DwellingStateChange.dwelling_id == third, DwellingStateChange.conflict
                )
            )
        ).all()
        kept = await session.get(Dwelling, third)
    assert one is not None and one.state == DwellingState.rented_shared and one.version == 2
    assert kept is not None and kept.state == DwellingState.vacant
    assert [f.state for f in flagged] == [DwellingState.suspected_group_rental]
