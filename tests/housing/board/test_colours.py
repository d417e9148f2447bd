"""The legend is data: read by anyone, replaced whole by a coordinator (every state once,
in the order shown; two states may share a colour), audited, and the board follows."""

from __future__ import annotations

from sqlalchemy import select

from coordinator.audit.models import AuditEntry
from coordinator.auth.models import Role
from coordinator.housing.board.colours import LEGEND_ID
from coordinator.housing.models import DwellingState

SUSPECT_RED = "#D32F2F"


def legend_body(**colours: str) -> dict[str, object]:
    order = sorted(DwellingState, key=lambda s: (s.value not in colours, s.value))
    return {"items": [{"state": s.value, "colour": colours.get(s.value, "#9e9e9e")} for s in order]}


async def test_the_seeded_legend_names_every_state(api, legend):
    body = await api.ok("GET", "/api/v1/dwelling-colours", role=Role.viewer)
    states = [item["state"] for item in body["items"]]
    assert sorted(states) == sorted(s.value for s in DwellingState)
    assert [item["position"] for item in body["items"]] == list(range(len(states)))
    owner = next(item for item in body["items"] if item["state"] == "owner_occupied")
    assert owner["label"] == "自住" and owner["label_en"] == "owner-occupied"
    assert owner["colour"] == legend["owner_occupied"] and owner["ink"] == "#1f2328"


async def test_a_coordinator_sets_the_legend_and_the_board_follows(api, database, scene):
    body = legend_body(suspected_group_rental=SUSPECT_RED, suspected_day_rental=SUSPECT_RED)
    answer = await api.ok("PUT", "/api/v1/dwelling-colours", json=body, role=Role.coordinator)
    first = answer["items"][:2]
    assert [(i["state"], i["colour"], i["position"]) for i in first] == [
        ("suspected_day_rental", "#d32f2f", 0),
        ("suspected_group_rental", "#d32f2f", 1),
    ]
    assert first[0]["ink"] == "#ffffff"
    assert (await api.ok("GET", "/api/v1/dwelling-colours"))["items"] == answer["items"]

    board = await api.ok("GET", f"/api/v1/areas/{scene.area.id}/board")
    assert [e["state"] for e in board["legend"][:2]] == [
        "suspected_day_rental",
        "suspected_group_rental",
    ]
    cells = [
        c
        for comp in board["compounds"]
        for b in comp["buildings"]
        for r in b["rows"]
        for c in r["cells"]
        if c
    ]
    rental = next(c for c in cells if c["state"] == "suspected_group_rental")
    assert rental["colour"] == "#d32f2f"

    async with database.session() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.entity_id == LEGEND_ID))
    assert entry is not None and entry.action == "update" and entry.actor_name == "test coordinator"
    assert entry.after is not None and entry.after["suspected_group_rental"] == "#d32f2f"
    assert entry.before is not None and entry.before["suspected_group_rental"] != "#d32f2f"


async def test_a_legend_must_name_every_state_once_with_a_colour(api, legend):
    body = legend_body()
    items = body["items"]
    assert isinstance(items, list)
    twice = {"items": [*items, items[0]]}
    answer = await api.request("PUT", "/api/v1/dwelling-colours", json=twice)
    assert answer.status == 422
    assert (await answer.json())["errors"][0]["field"] == f"items.{len(items)}.state"

    answer = await api.request("PUT", "/api/v1/dwelling-colours", json={"items": items[1:]})
    problem = await answer.json()
    assert answer.status == 422 and problem["errors"][0]["field"] == "items"
    assert items[0]["state"] not in problem["detail"]  # named in words, not by code

    bad = {"items": [{**items[0], "colour": "red"}, *items[1:]]}
    answer = await api.request("PUT", "/api/v1/dwelling-colours", json=bad)
    assert answer.status == 422
    assert (await answer.json())["errors"][0]["field"] == "items.0.colour"

    answer = await api.request("PUT", "/api/v1/dwelling-colours", json=body, role=Role.viewer)
    assert answer.status == 403
