"""Blocks: every dwelling in exactly one block, under concurrency (two blocks claiming the
same unit at once: one wins, one 409 naming it), moving a unit explicitly, a unit with
dwellings never left in no block, and leaders reassigned with their history kept."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from coordinator.housing.models import BlockUnit
from tests.housing.places.conftest import dwelling_body, make_place


async def test_two_blocks_claiming_one_unit_at_once_one_wins_one_409(
    committed_api, committed_database
):
    api = committed_api
    place = await make_place(api, units=("1",))
    others = [
        await api.ok("POST", "/api/v1/blocks", 201, json={"area_id": place.area_id, "name": name})
        for name in ("二块", "三块")
    ]
    body = {"units": [{"building_id": place.building_id, "unit": "2"}]}

    async def claim(block_id: str):  # type: ignore[no-untyped-def]
        response = await api.request("PUT", f"/api/v1/blocks/{block_id}/units", json=body)
        return response.status, await response.json()

    answers = await asyncio.gather(*(claim(b["id"]) for b in others))
    assert sorted(status for status, _ in answers) == [200, 409], answers
    winner = next(body for status, body in answers if status == 200)
    loser = next(body for status, body in answers if status == 409)
    assert loser["errors"][0]["field"] == "units"
    [taken] = loser["taken"]
    assert taken["block_id"] == winner["block_id"]
    async with committed_database.session() as session:
        holders = await session.scalar(
            select(func.count())
            .select_from(BlockUnit)
            .where(
                BlockUnit.unit == "2", BlockUnit.building_id == winner["units"][0]["building_id"]
            )
        )
    assert holders == 1


async def test_many_concurrent_claims_of_one_unit_leave_it_in_one_block(committed_api):
    api = committed_api
    place = await make_place(api, units=("1",))
    blocks = [
        await api.ok(
            "POST", "/api/v1/blocks", 201, json={"area_id": place.area_id, "name": f"{n}块"}
        )
        for n in range(6)
    ]
    body = {"units": [{"building_id": place.building_id, "unit": "9"}]}
    statuses = await asyncio.gather(
        *(api.request("PUT", f"/api/v1/blocks/{b['id']}/units", json=body) for b in blocks)
    )
    assert sorted(r.status for r in statuses) == [200] + [409] * 5
    await api.ok("POST", "/api/v1/dwellings", 201, json=dwelling_body(place, "101", unit="9"))
    owners = [(await api.ok("GET", f"/api/v1/blocks/{b['id']}"))["dwellings"] for b in blocks]
    assert sorted(owners) == [0] * 5 + [1]


async def test_moving_a_unit_takes_its_dwellings_and_leaving_one_empty_is_refused(api):
    place = await make_place(api, units=("1", "2"))
    dwelling = await api.ok("POST", "/api/v1/dwellings", 201, json=dwelling_body(place))
    path = f"/api/v1/blocks/{place.block_id}/units"
    dropped = await api.request(
        "PUT", path, json={"units": [{"building_id": place.building_id, "unit": "2"}]}
    )
    assert dropped.status == 409
    assert (await dropped.json())["units"][0]["dwellings"] == 1
    other = await api.ok(
        "POST", "/api/v1/blocks", 201, json={"area_id": place.area_id, "name": "二块"}
    )
    unit_one = {"units": [{"building_id": place.building_id, "unit": "1"}]}
    refused = await api.request("PUT", f"/api/v1/blocks/{other['id']}/units", json=unit_one)
    assert refused.status == 409 and "一块" in (await refused.json())["detail"]
    moved = await api.ok(
        "PUT", f"/api/v1/blocks/{other['id']}/units", json=unit_one | {"move": True}
    )
    assert moved["moved"] == [{"building_id": place.building_id, "unit": "1"}]
    after = await api.ok("GET", f"/api/v1/dwellings/{dwelling['id']}")
    assert after["block_id"] == other["id"]
    assert (await api.ok("GET", path))["units"] == [{"building_id": place.building_id, "unit": "2"}]
    # A building of another area is not this block's to cover.
    elsewhere = await make_place(api)
    wrong = await api.request(
        "PUT", path, json={"units": [{"building_id": elsewhere.building_id, "unit": "5"}]}
    )
    assert wrong.status == 422 and (await wrong.json())["errors"][0]["field"] == "units"
    assert (await api.delete(f"/api/v1/blocks/{place.block_id}")).status == 409


async def test_a_new_leader_ends_the_former_ones_term_and_history_stays(api):
    place = await make_place(api)
    people = [
        await api.ok("POST", "/api/v1/people", 201, json={"name": name})
        for name in ("李建国", "张桂英", "赵伟")
    ]
    path = f"/api/v1/blocks/{place.block_id}"
    await api.ok("PUT", f"{path}/leader", json={"person_id": people[0]["id"]})
    await api.ok("POST", f"{path}/deputies", 201, json={"person_id": people[1]["id"]})
    twice = await api.post(f"{path}/deputies", json={"person_id": people[1]["id"]})
    assert twice.status == 409
    # The deputy becomes the leader: the former leader's term ends, the deputy's too.
    await api.ok("PUT", f"{path}/leader", json={"person_id": people[1]["id"]})
    await api.ok("POST", f"{path}/deputies", 201, json={"person_id": people[2]["id"]})
    block = await api.ok("GET", path)
    assert block["leader_id"] == people[1]["id"] and block["deputy_ids"] == [people[2]["id"]]
    history = await api.ok("GET", f"{path}/people")
    rows = [(h["name"], h["role"], h["until"] is None) for h in history["items"]]
    assert sorted(rows) == sorted(
        [
            ("李建国", "leader", False),
            ("张桂英", "deputy", False),
            ("张桂英", "leader", True),
            ("赵伟", "deputy", True),
        ]
    )
    current = await api.ok("GET", f"{path}/people?current=true")
    assert current["total"] == 2
    led = await api.ok("GET", f"/api/v1/blocks?person_id={people[0]['id']}")
    assert led["total"] == 0
    await api.ok("DELETE", f"{path}/leader", 204)
    assert (await api.ok("GET", path))["leader_id"] is None
    problem = await api.ok("DELETE", f"{path}/leader", 409)
    assert problem["detail"] == "该块目前没有块长"
