"""Survey campaigns through the API, their progress per block and area, and the walk list
page in its walking order (Chinese first, English on request)."""

from __future__ import annotations

from coordinator.auth.models import Role
from tests.housing.surveys.conftest import make_estate, start_campaign
from tests.housing.surveys.helpers import csrf_of, result, send

PATH = "/api/v1/survey-campaigns"


async def test_a_campaign_is_made_listed_changed_and_deleted(api, database):
    estate = await make_estate(database)
    campaign = await start_campaign(api, estate)
    assert campaign["area_ids"] == [str(estate.area_id)]
    assert await api.ok("GET", f"{PATH}/{campaign['id']}") == campaign

    listed = await api.ok("GET", f"{PATH}?area_id={estate.area_id}", role=Role.viewer)
    assert [c["id"] for c in listed["items"]] == [campaign["id"]] and listed["total"] == 1
    day = campaign["ends_on"]
    assert (await api.ok("GET", f"{PATH}?on={day}"))["total"] >= 1
    assert (await api.ok("GET", f"{PATH}?on=2001-01-01&area_id={estate.area_id}"))["total"] == 0

    changed = await api.ok("PATCH", f"{PATH}/{campaign['id']}", json={"name": "秋季排摸"})
    assert changed["name"] == "秋季排摸" and changed["area_ids"] == campaign["area_ids"]
    await api.ok("DELETE", f"{PATH}/{campaign['id']}", 204)
    await api.ok("GET", f"{PATH}/{campaign['id']}", 404)


async def test_a_campaign_refuses_what_cannot_be_surveyed(api, database):
    block = await api.ok("POST", "/api/v1/areas", 201, json={"name": "商务片区", "kind": "block"})
    body = {
        "name": "排摸",
        "area_ids": [block["id"]],
        "starts_on": "2030-03-01",
        "ends_on": "2030-03-31",
    }
    problem = await api.ok("POST", PATH, 422, json=body)
    assert [e["field"] for e in problem["errors"]] == ["area_ids.0"]
    problem = await api.ok("POST", PATH, 422, json={**body, "ends_on": "2030-02-01"})
    assert [e["field"] for e in problem["errors"]] == ["ends_on"]
    await api.ok("POST", PATH, 403, json=body, role=Role.viewer)


async def test_progress_per_block_and_area(api, database):
    estate = await make_estate(database)
    campaign = await start_campaign(api, estate)
    csrf = await csrf_of(api.client, estate)
    a, b, c, _ = estate.dwellings
    await send(api.client, estate, csrf, result(campaign, a, "confirmed", state="rented_whole"))
    await send(api.client, estate, csrf, result(campaign, b, "nobody_home"))
    await send(api.client, estate, csrf, result(campaign, c, "nobody_home"))
    await send(api.client, estate, csrf, result(campaign, c, "refused"))

    progress = await api.ok("GET", f"{PATH}/{campaign['id']}/progress", role=Role.viewer)
    assert progress["overall"]["total"] == 5 and progress["overall"]["covered"] == 2
    [area] = progress["areas"]
    assert area["area_id"] == str(estate.area_id) and area["revisits"] == 1
    blocks = {p["block_id"]: p for p in progress["blocks"]}
    mine = blocks[str(estate.block_id)]
    assert (mine["total"], mine["covered"], mine["revisits"]) == (4, 2, 1)
    assert mine["by_result"] == {
        "confirmed": 1,
        "changed": 0,
        "nobody_home": 1,
        "refused": 1,
        "moved_out": 0,
    }
    assert blocks[str(estate.other_block_id)]["covered"] == 0


async def test_the_walk_list_page_in_walking_order(api, database):
    estate = await make_estate(database)
    response = await api.client.get(estate.walk)
    text = await response.text()
    assert response.status == 200 and "暂无进行中的排摸行动" in text
    assert response.headers["Cache-Control"] == "no-store"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]

    campaign = await start_campaign(api, estate)
    csrf = await csrf_of(api.client, estate)
    await send(api.client, estate, csrf, result(campaign, estate.dwellings[3], "nobody_home"))
    text = await (await api.client.get(estate.walk)).text()
    rooms = [text.index(f'data-dwelling="{d}" data-version') for d in estate.dwellings]
    assert rooms == sorted(rooms)
    assert f'data-dwelling="{estate.other_dwelling}"' not in text
    assert "回访清单" in text and "已上门 1 次" in text and "春季房屋排摸" in text
    english = await (await api.client.get(estate.walk + "?lang=en")).text()
    assert "To visit again" in english and "attempts: 1" in english

    assert (await api.client.get("/b/no-such-token/walk")).status == 404
    worker = await api.client.get("/static/housing/walk-sw.js")
    assert worker.status == 200 and worker.headers["Service-Worker-Allowed"] == "/b/"
    assert worker.content_type == "text/javascript"
