"""The volunteer's page /me/{token}: a phone-sized browser signs up and cancels."""

from __future__ import annotations

from urllib.parse import urlsplit

import aiohttp

from .conftest import hours_from_now


async def personal_link(world, person_id: str) -> str:
    body = await world.api.ok("POST", f"/api/v1/people/{person_id}/link", 201)
    return urlsplit(body["url"]).path


async def test_volunteer_signs_up_and_cancels_through_the_personal_link(
    committed_world, browser, live_server
):
    world = committed_world
    post = await world.post(name="华山路门岗", required_skills=["测温"])
    shift = await world.shift(post["id"], hours_from_now(30), hours_from_now(32), max_people=3)
    other = await world.shift(post["id"], hours_from_now(50), hours_from_now(52))
    person = await world.person("王小明", skills=["测温"])
    path = await personal_link(world, person["id"])

    context = await browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = await context.new_page()
    response = await page.goto(str(live_server.make_url(path)))
    assert response is not None and response.status == 200
    assert response.headers["cache-control"] == "no-store"
    assert await page.locator("h1").inner_text() == "王小明，您好"
    card = page.locator(f"[data-shift='{shift['id']}']")
    assert "华山路门岗" in await card.inner_text()
    await card.get_by_role("button", name="报名").click()
    await page.wait_for_load_state()
    assert "报名成功" in await page.locator(".notice").inner_text()
    mine = page.locator("[data-signup]")
    assert await mine.count() == 1
    assert "已报名" in await mine.inner_text()

    rows = await world.signups(shift["id"])
    assert [(r["person_id"], r["status"]) for r in rows] == [(person["id"], "signed_up")]
    assert await page.locator(f"[data-shift='{other['id']}']").count() == 1

    await mine.get_by_role("button", name="取消报名").click()
    await page.wait_for_load_state()
    assert "已取消" in await page.locator(".notice").inner_text()
    rows = await world.signups(shift["id"])
    assert [r["status"] for r in rows] == ["cancelled"]
    await context.close()


async def test_rotated_link_stops_working_and_bad_tokens_look_alike(committed_world, live_server):
    world = committed_world
    person = await world.person("甲")
    old = await personal_link(world, person["id"])
    new = await personal_link(world, person["id"])
    async with aiohttp.ClientSession() as session:
        fresh = await session.get(str(live_server.make_url(new)))
        assert fresh.status == 200
        stale = await session.get(str(live_server.make_url(old)))
        garbage = await session.get(str(live_server.make_url("/me/not-a-token")))
        assert stale.status == garbage.status == 404
        assert await stale.text() == await garbage.text()
        # A POST without the CSRF token changes nothing.
        refused = await session.post(
            str(live_server.make_url(new + "/signup")),
            data={"shift_id": "x"},
            allow_redirects=False,
        )
        assert refused.status == 303
        assert refused.headers["Location"].endswith("?error=csrf")
