"""The volunteer's page says which happened after signing up: a place, or a waitlist
position."""

from __future__ import annotations

import re

from .conftest import hours_from_now
from .test_me_pages import personal_link

CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


async def sign_up_on_page(world, person_id: str, shift_id: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """Sign up through the personal page; the redirect and the page it leads to."""
    path = await personal_link(world, person_id)
    client = world.api.client
    csrf = CSRF.search(await (await client.get(path)).text())
    assert csrf
    posted = await client.post(
        f"{path}/signup",
        data={"csrf": csrf.group(1), "shift_id": shift_id},
        allow_redirects=False,
    )
    assert posted.status == 303
    location = posted.headers["Location"]
    return location, await (await client.get(location)).text()


async def test_the_page_says_signed_up_or_the_waitlist_position(world):
    post = await world.post()
    shift = await world.shift(post["id"], hours_from_now(30), hours_from_now(32), max_people=1)
    # Another open shift, so the page has a form (and its CSRF token) for everyone.
    await world.shift(post["id"], hours_from_now(60), hours_from_now(62), max_people=5)
    first, second, third = [await world.person(name) for name in ("甲", "乙", "丙")]

    location, html = await sign_up_on_page(world, first["id"], shift["id"])
    assert location.endswith("?done=signup")
    assert "报名成功" in html and "候补" not in html.split('class="notice"')[1][:200]

    await world.sign_up(shift["id"], second["id"])  # first on the waitlist
    location, html = await sign_up_on_page(world, third["id"], shift["id"])
    assert location.endswith("?done=waitlisted&position=2")
    notice = html.split('class="notice"')[1][:200]
    assert "该班次已满，您已进入候补名单，排在第 2 位" in notice
    assert "报名成功" not in notice
    rows = await world.signups(shift["id"])
    assert [(r["person_id"], r["status"]) for r in rows][-1] == (third["id"], "waitlisted")
    english = await (await world.api.client.get(location + "&lang=en")).text()
    assert "you are on the waitlist, number 2" in english
