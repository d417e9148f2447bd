"""The block leader's two phone pages join up: home (/b/{token}, the rounds) links the walk
list while a survey campaign is under way in one of the person's areas, and the walk list
links back home, in the page's language."""

from __future__ import annotations

from tests.housing.surveys.conftest import make_estate, start_campaign


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
