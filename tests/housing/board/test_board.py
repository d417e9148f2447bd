"""The board of an area as the API gives it: laid out like the paper table, coloured by
the legend, stale dwellings marked, filters that pick cells and leave the grid whole, one
statement, and a kept answer that follows a change."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event

from coordinator.auth.models import Role
from coordinator.housing.board import service
from coordinator.housing.board.schemas import BoardOut
from coordinator.housing.models import DwellingState
from coordinator.platform.changes import CHANGES
from tests.housing.board.scene import small_area
from tests.test_changes import _true, elsewhere, settled
from tests.workers.conftest import eventually


def building(board, name):  # type: ignore[no-untyped-def]
    for compound in board["compounds"]:
        for found in compound["buildings"]:
            if found["name"] == name:
                return found
    raise AssertionError(name)


def rooms(grid):  # type: ignore[no-untyped-def]
    return [[c and c["room"] for c in row["cells"]] for row in grid["rows"]]


async def test_the_board_reads_like_the_paper_table(api, scene):
    board = await api.ok("GET", f"/api/v1/areas/{scene.area.id}/board", role=Role.viewer)
    BoardOut.model_validate(board)  # the documented shape
    assert board["area"] == {"id": str(scene.area.id), "name": "梧桐里居民区"}
    assert [c["name"] for c in board["compounds"]] == ["梧桐小区", "南京西路沿街"]
    assert [b["name"] for b in board["compounds"][0]["buildings"]] == ["1号楼", "2号楼"]
    one = building(board, "1号楼")
    assert one["units"] == [
        {"unit": "1", "doors": ["01", "02"]},
        {"unit": "2", "doors": ["01", "02"]},
    ]
    assert [row["floor"] for row in one["rows"]] == [3, 2, 1]  # the top floor first
    assert rooms(one) == [
        ["301", "302", "301", "302"],
        ["201", "202", "201", "202"],
        ["101", "102", "101", "102"],
    ]
    assert building(board, "沿街商铺")["units"] == [{"unit": "", "doors": ["1号", "3号"]}]
    assert (board["total"], board["shown"], board["stale"]) == (18, 18, 2)
    assert [b["name"] for b in board["blocks"]] == ["第一块", "第三块", "第二块"]


async def test_cells_carry_the_legends_colour_and_stale_ones_are_marked(api, scene):
    board = await api.ok("GET", f"/api/v1/areas/{scene.area.id}/board")
    legend = {entry["state"]: entry for entry in board["legend"]}
    assert set(legend) == {s.value for s in DwellingState}
    assert legend["rented_whole"]["label"] == "整租"
    assert (legend["rented_whole"]["total"], legend["unsurveyed"]["total"]) == (2, 13)
    cells = {
        f"{c['unit']}/{c['room']}": c
        for row in building(board, "1号楼")["rows"]
        for c in row["cells"]
    }
    rental = cells["1/301"]
    assert rental["state"] == "suspected_group_rental"
    assert rental["colour"] == legend["suspected_group_rental"]["colour"]
    assert rental["occupants"] == 9 and rental["stale"] is False
    assert cells["1/201"]["stale"] is True  # seen 40 days ago, the area allows 30
    assert cells["2/302"]["stale"] is False
    assert cells["2/101"]["stale"] is False  # never surveyed: its own colour, not stale
    vacant = building(board, "2号楼")["rows"][-1]["cells"][0]
    assert (vacant["state"], vacant["stale"]) == ("vacant", True)  # a state nobody has seen
    assert "contact_phone" not in rental and "contact_name" not in rental


async def test_filters_pick_cells_and_leave_out_buildings_with_none(api, scene):
    path = f"/api/v1/areas/{scene.area.id}/board"
    rented = await api.ok("GET", path + "?state=rented_whole")
    assert [b["name"] for c in rented["compounds"] for b in c["buildings"]] == ["1号楼", "沿街商铺"]
    one = building(rented, "1号楼")
    picked = [c["room"] for row in one["rows"] for c in row["cells"] if c["match"]]
    assert picked == ["201"] and one["total"] == 12 and one["shown"] == 1
    assert rented["shown"] == 2 and rented["filters"]["state"] == "rented_whole"

    block = scene.blocks["第二块"].id
    second = await api.ok("GET", f"{path}?block_id={block}")
    assert [b["name"] for c in second["compounds"] for b in c["buildings"]] == ["1号楼", "2号楼"]
    assert second["shown"] == 10
    unit_of = {
        c["unit"] for row in building(second, "1号楼")["rows"] for c in row["cells"] if c["match"]
    }
    assert unit_of == {"2"}

    old = await api.ok("GET", f"{path}?not_surveyed_days=7")
    assert old["shown"] == 18 - 2  # all but the two seen in the last week
    both = await api.ok("GET", f"{path}?not_surveyed_days=7&block_id={block}&state=owner_occupied")
    assert both["shown"] == 1

    none = await api.ok("GET", f"{path}?state=renovating")
    assert (none["shown"], none["compounds"]) == (0, [])


async def test_bad_filters_and_unknown_areas_are_problems(api, scene):
    answer = await api.get(f"/api/v1/areas/{scene.area.id}/board?not_surveyed_days=0")
    assert answer.status == 422
    assert (await answer.json())["errors"][0]["field"] == "not_surveyed_days"
    answer = await api.get(f"/api/v1/areas/{scene.area.id}/board?state=haunted")
    assert answer.status == 422 and (await answer.json())["errors"][0]["field"] == "state"
    answer = await api.get("/api/v1/areas/5d1f5b4e-8d0a-4a43-9d7c-1f0e6a2b9c11/board")
    assert answer.status == 404
    assert answer.content_type == "application/problem+json"


async def test_the_board_is_one_statement(database):
    async with database.sessionmaker.begin() as session:
        scene = await small_area(session)
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if "SAVEPOINT" not in statement:  # the test's own transaction
            statements.append(statement)

    event.listen(database.engine.sync_engine, "before_cursor_execute", count)
    try:
        async with database.session() as session:
            board = await service.board(
                session, scene.area.id, service.Filters(state=DwellingState.vacant)
            )
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", count)
    assert board is not None and board["shown"] == 1
    assert len(statements) == 1


async def test_a_kept_board_follows_a_change_made_elsewhere(committed_api, committed_database):
    api = committed_api
    watch = api.client.app[CHANGES]
    await eventually(lambda: _true(watch.live), timeout=10, what="listening")
    async with committed_database.sessionmaker.begin() as session:
        scene = await small_area(session)
    await settled(watch, committed_database)
    path = f"/api/v1/areas/{scene.area.id}/board"
    first = await api.ok("GET", path)
    assert await api.ok("GET", path) == first
    room = scene.dwellings["1号楼/1/101"].id
    await elsewhere(
        committed_database,
        f"UPDATE dwellings SET state = 'renovating', surveyed_at = now() WHERE id = '{room}'",
    )

    async def renovating() -> bool:
        legend = {e["state"]: e["total"] for e in (await api.ok("GET", path))["legend"]}
        return legend["renovating"] == 1

    await eventually(renovating, timeout=10, what="the board to show the change")


async def test_dwellings_turn_stale_as_days_pass(database, scene):
    async with database.session() as session:
        later = await service.board(session, scene.area.id, now=scene.now + timedelta(days=27))
    # 302 and the shop (seen 10 and 5 days before) join; 301 (seen 2 days before) not yet.
    assert later is not None and later["stale"] == 4
