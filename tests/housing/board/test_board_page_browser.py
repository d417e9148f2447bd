"""The board's page in a real browser, opened through the signed link the API hands out:
the grid coloured by the legend (sampled from a screenshot), stale cells framed, the
filters, a phone's width, Chinese with no English word, and paper: the print stylesheet
keeps the colours and lays the board on A4 or A3 landscape."""

from __future__ import annotations

import io
import re
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import aiohttp
from PIL import Image

from coordinator.auth.models import Role
from coordinator.housing.board import links
from coordinator.housing.models import DwellingState
from coordinator.platform.db import utcnow
from tests.housing.board.scene import small_area
from tests.test_chinese import CJK, english_words

LEGEND_ORDER = [s.value for s in DwellingState]
LEGEND_COLOURS = [
    "#e0e0e0",
    "#4caf50",
    "#ffeb3b",
    "#ff9800",
    "#d32f2f",
    "#9c27b0",
    "#90caf9",
    "#8d6e63",
]
PAGE_TEXT = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('[lang="en"]').forEach((e) => e.remove());
  return body.textContent;
}"""
BACKGROUND = "(e) => getComputedStyle(e).backgroundColor"


async def said(locator) -> str:  # type: ignore[no-untyped-def]
    """A element's text with its spaces and line breaks made single spaces."""
    return " ".join((await locator.text_content() or "").split())


def rgb(colour: str) -> tuple[int, int, int]:
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))


def css(colour: str) -> str:
    return "rgb({}, {}, {})".format(*rgb(colour))


async def board_page(committed_api, committed_database):  # type: ignore[no-untyped-def]
    async with committed_database.sessionmaker.begin() as session:
        scene = await small_area(session)
    body = await committed_api.ok(
        "GET", f"/api/v1/areas/{scene.area.id}/board/link", role=Role.viewer
    )
    assert body["url"].startswith("http://fumin.test/dwelling-board/")
    # The legend the migration seeds does not outlive an earlier test's emptied tables.
    colours = dict(zip(LEGEND_ORDER, LEGEND_COLOURS, strict=True))
    items = [{"state": state, "colour": colour} for state, colour in colours.items()]
    await committed_api.ok("PUT", "/api/v1/dwelling-colours", json={"items": items})
    return scene, urlsplit(body["url"]).path, colours


async def test_the_board_draws_the_legends_colours_and_filters(
    committed_api, committed_database, browser, live_server
):
    scene, path, colours = await board_page(committed_api, committed_database)
    context = await browser.new_context(locale="zh-CN", viewport={"width": 1200, "height": 900})
    page = await context.new_page()
    response = await page.goto(str(live_server.make_url(path)))
    assert response is not None and response.status == 200
    assert response.headers["cache-control"] == "no-store"
    assert await page.locator("h1").inner_text() == "梧桐里居民区 · 房屋排查表"

    legend = page.locator("[data-legend] li")
    assert await legend.count() == len(colours) + 2  # the states, stale, not picked
    key = page.locator("[data-legend] li[data-state='suspected_group_rental']")
    assert await said(key) == "疑似群租 1"
    assert await key.locator(".sw").evaluate(BACKGROUND) == css(colours["suspected_group_rental"])
    stale_key = page.locator("[data-legend] li[data-state='stale']")
    assert await said(stale_key) == "超过30天未排摸 2"

    one = page.locator("section[data-building='1号楼']")
    assert await one.locator("tbody tr th").all_inner_texts() == ["3层", "2层", "1层"]
    assert await one.locator("thead tr").first.locator("th").all_inner_texts() == [
        "",
        "1单元",
        "2单元",
    ]
    rental = one.locator("td[data-room='1/301']")
    assert await rental.evaluate(BACKGROUND) == css(colours["suspected_group_rental"])
    stale = one.locator("td[data-room='1/201']")
    assert await stale.evaluate("(e) => getComputedStyle(e).outlineStyle") == "dashed"
    assert await rental.evaluate("(e) => getComputedStyle(e).outlineStyle") == "none"

    text = await page.evaluate(PAGE_TEXT)
    assert CJK.search(text) and english_words(text) == []

    # Pick one state: the others fade, buildings with none of it go.
    await page.locator("select[name='state']").select_option("rented_whole")
    await page.get_by_role("button", name="筛选").click()
    await page.wait_for_url(re.compile(r"state=rented_whole"))
    assert await page.locator("[data-filters]").inner_text() == "整租"
    assert await page.locator("section[data-building]").evaluate_all(
        "(all) => all.map((e) => e.dataset.building)"
    ) == ["1号楼", "沿街商铺"]
    picked = page.locator("td[data-room]:not(.out)")
    assert await picked.evaluate_all("(all) => all.map((e) => e.dataset.room)") == ["1/201", "/1号"]
    assert await one.locator("td[data-room='1/301']").evaluate(BACKGROUND) == "rgb(255, 255, 255)"
    assert await page.locator("[data-counts]").inner_text() == "合计 18户 · 符合筛选 2户"

    block = str(scene.blocks["第三块"].id)
    await page.goto(str(live_server.make_url(f"{path}?block_id={block}")))
    assert await page.locator("section[data-building]").count() == 1
    xlsx = await page.locator("[data-xlsx]").get_attribute("href")
    assert xlsx is not None and f"block_id={block}" in xlsx
    await context.close()


async def test_the_board_prints_in_colour_on_landscape_paper(
    committed_api, committed_database, browser, live_server
):
    _, path, colours = await board_page(committed_api, committed_database)
    context = await browser.new_context(
        locale="zh-CN", viewport={"width": 1100, "height": 800}, device_scale_factor=1
    )
    page = await context.new_page()
    await page.goto(str(live_server.make_url(path)))
    await page.emulate_media(media="print")
    assert await page.locator("form.filters").is_hidden()
    assert await page.locator("[data-legend]").is_visible()

    shot = Image.open(io.BytesIO(await page.screenshot(full_page=True))).convert("RGB")
    height = await page.evaluate("document.documentElement.scrollHeight")
    assert shot.size == (1100, height)
    for room, state in (
        ("1/301", "suspected_group_rental"),
        ("2/302", "owner_occupied"),
        ("1/101", "unsurveyed"),
    ):
        box = await page.locator(
            f"section[data-building='1号楼'] td[data-room='{room}']"
        ).bounding_box()
        assert box is not None
        sampled = shot.getpixel((int(box["x"] + 4), int(box["y"] + box["height"] / 2)))
        assert all(abs(a - b) <= 3 for a, b in zip(sampled, rgb(colours[state]), strict=True)), (
            room,
            sampled,
        )

    a4 = await page.pdf(prefer_css_page_size=True, print_background=True)
    assert _page_size(a4) == (842, 595)  # A4 landscape, in points
    await page.goto(str(live_server.make_url(path + "?paper=a3")))
    a3 = await page.pdf(prefer_css_page_size=True, print_background=True)
    assert _page_size(a3) == (1191, 842)

    phone = await browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    small = await phone.new_page()
    await small.goto(str(live_server.make_url(path)))
    # The page fits a phone's width; a wide building scrolls inside its own box.
    assert await small.evaluate("document.documentElement.scrollWidth") <= 390
    await phone.close()
    await context.close()


def _page_size(pdf: bytes) -> tuple[int, int]:
    found = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert found is not None
    return round(float(found.group(1))), round(float(found.group(2)))


async def test_the_board_in_english_and_bad_links_look_alike(
    committed_api, committed_database, browser, live_server, settings
):
    scene, path, _ = await board_page(committed_api, committed_database)
    page = await browser.new_page()
    await page.goto(str(live_server.make_url(path + "?lang=en")))
    assert await page.locator("h1").inner_text() == "梧桐里居民区 · Dwelling survey board"
    assert await said(page.locator("[data-legend] li[data-state='vacant']")) == "vacant 1"
    assert "Floor 3" in await page.locator("section[data-building='1号楼']").inner_text()
    await page.close()

    token = path.rsplit("/", 1)[1]
    tampered = path[:-1] + ("A" if path[-1] != "A" else "B")
    holder = uuid.UUID(token.split(".")[1])
    expired, _ = links.issue(
        settings.secret_key, scene.area.id, holder, utcnow() - timedelta(days=31)
    )
    other_area, _ = links.issue(settings.secret_key, uuid.uuid4(), holder)
    async with aiohttp.ClientSession() as session:
        sheet = await session.get(str(live_server.make_url(path + "/board.xlsx")))
        assert sheet.status == 200 and (await sheet.read())[:2] == b"PK"
        answers = []
        for bad in (
            tampered,
            f"/dwelling-board/{expired}",
            "/dwelling-board/nope",
            f"/dwelling-board/{other_area}",
        ):
            answer = await session.get(str(live_server.make_url(bad)))
            answers.append((answer.status, await answer.text()))
    assert {status for status, _ in answers} == {404}
    assert len({text for _, text in answers}) == 1
