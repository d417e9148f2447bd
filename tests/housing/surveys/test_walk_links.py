"""The block leader's two phone pages join up: home (/b/{token}, the rounds) links the walk
list while a survey campaign is under way in one of the person's areas, and the walk list
links back home, in the page's language."""

from __future__ import annotations

import re
from html import unescape

from tests.housing.surveys.conftest import make_estate, start_campaign
from tests.housing.surveys.helpers import csrf_of, result, send
from tests.test_chinese import english_words


async def test_home_links_the_walk_list_only_while_a_campaign_is_under_way(api, database):
    estate = await make_estate(database)
    home = f"/b/{estate.token}"
    page = await api.client.get(home)
    html = await page.text()
    assert page.status == 200 and "data-walk-link" not in html and estate.walk not in html

    campaign = await start_campaign(api, estate)
    html = await (await api.client.get(home)).text()
    assert f'<a class="primary" href="{estate.walk}">排摸走访清单</a>' in html
    assert campaign["name"] in html

    walk = await api.client.get(estate.walk)
    assert walk.status == 200
    assert f'<a href="{home}" data-home>← 返回我的巡查</a>' in await walk.text()

    english = await (await api.client.get(f"{home}?lang=en")).text()
    assert f'href="{estate.walk}?lang=en">My walk list</a>' in english
    walk_en = await (await api.client.get(f"{estate.walk}?lang=en")).text()
    assert f'<a href="{home}?lang=en" data-home>← My rounds</a>' in walk_en

    await api.ok("DELETE", f"/api/v1/survey-campaigns/{campaign['id']}", 204)
    assert "data-walk-link" not in await (await api.client.get(home)).text()


def _visible(html: str) -> str:
    """The words a person reads: no scripts, styles, tags or attributes."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


async def test_the_block_leaders_pages_read_in_chinese_without_an_english_word(api, database):
    estate = await make_estate(database)
    campaign = await start_campaign(api, estate)
    csrf = await csrf_of(api.client, estate)
    await send(api.client, estate, csrf, result(campaign, estate.dwellings[1], "nobody_home"))
    for path in (f"/b/{estate.token}", estate.walk):
        api.client.session.cookie_jar.clear()  # no language chosen before
        response = await api.client.get(path, headers={"Accept-Language": "en-US,en;q=0.9"})
        assert response.status == 200
        html = await response.text()
        assert 'lang="en"' in html  # the phone asks for English …
        chinese = await (await api.client.get(f"{path}?lang=zh")).text()
        # The switch to English names the language in its own words; the area's made-up
        # name ends in hex.
        switch = '<a href="?lang=en">English</a>'
        text = _visible(chinese.replace(switch, "", 1)).replace(estate.suffix, "")
        assert "李秀兰，您好" in text  # … the page in Chinese has no English word left
        assert english_words(text) == [], path
        # The texts the walk list's script shows are Chinese too.
        for said in re.findall(r'data-text-\w+="([^"]*)"', chinese):
            assert not english_words(unescape(said)), said
