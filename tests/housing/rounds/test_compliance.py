"""An area's compliance board of a day: rounds done against required, gaps longer than
allowed in the area's window (times in the subdistrict's zone), proven rounds, each
person's share; as JSON and as CSV. And the block's QR code, as SVG, encoding its URL."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from coordinator.housing.models import Block
from coordinator.housing.rounds import qr
from coordinator.housing.rounds.models import Round
from tests.housing.rounds.conftest import make_blocks

ZONE = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 20)


def at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(DAY, time(hour, minute), tzinfo=ZONE).astimezone(UTC)


async def test_the_board_counts_rounds_and_long_gaps_of_a_past_day(api, database):
    blocks = await make_blocks(
        database, rounds_from=time(7), rounds_until=time(21), max_gap_minutes=300
    )
    walks = [
        (blocks.leader_id, at(7, 30), at(8, 0), True),
        (blocks.deputy_id, at(12, 0), at(12, 40), False),
        (blocks.leader_id, at(19, 0), at(19, 30), True),
        (blocks.leader_id, at(6, 0), at(6, 20), False),  # before the window: counts, no gap
    ]
    async with database.sessionmaker.begin() as session:
        session.add_all(
            Round(block_id=blocks.block_id, person_id=p, started_at=s, ended_at=e, proven=v)
            for p, s, e, v in walks
        )
        session.add(
            Round(block_id=blocks.other_block_id, person_id=blocks.deputy_id, started_at=at(9))
        )
    board = await api.ok("GET", f"/api/v1/areas/{blocks.area_id}/round-compliance?day={DAY}")
    assert board["day"] == str(DAY) and board["rounds_per_day"] == 3
    assert board["window_opens"] == "2026-11-20T07:00:00+08:00"
    first, second = board["items"]
    assert first["name"] == "第一块" and first["leader"] == "王块长"
    assert (first["required"], first["done"], first["proven"]) == (3, 4, 2)
    # 12:40 → 19:00 is 380 minutes unwalked, more than the 300 allowed; 08:00 → 12:00 is not.
    assert first["gaps"] == [
        {
            "since": "2026-11-20T12:40:00+08:00",
            "until": "2026-11-20T19:00:00+08:00",
            "minutes": 380,
            "ongoing": False,
        }
    ]
    assert first["compliant"] is False
    shares = {p["name"]: p["done"] for p in first["people"]}
    assert shares == {"王块长": 3, "李副块长": 1}
    # The other block: one round begun at 09:00 and never ended covers the rest of the day.
    assert (second["done"], second["under_way"], second["compliant"]) == (0, 1, False)
    assert [g["minutes"] for g in second["gaps"]] == []

    csv = await api.client.get(
        f"/api/v1/areas/{blocks.area_id}/round-compliance.csv?day={DAY}",
        headers=api.headers(),
    )
    text = await csv.text()
    assert csv.status == 200 and csv.content_type == "text/csv"
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("块,块长,应巡查,已巡查")
    assert lines[1] == "第一块,王块长,3,4,2,0,1,380,no"


async def test_the_board_of_an_unknown_area_or_a_bad_day_is_a_problem(api, database):
    blocks = await make_blocks(database)
    missing = await api.get(f"/api/v1/areas/{blocks.block_id}/round-compliance")
    assert missing.status == 404
    bad = await api.get(f"/api/v1/areas/{blocks.area_id}/round-compliance?day=20-11")
    body = await bad.json(content_type="application/problem+json")
    assert bad.status == 422 and body["errors"][0]["field"] == "day"


async def test_the_blocks_qr_code_encodes_its_scan_url(api, database, settings):
    blocks = await make_blocks(database)
    response = await api.get(f"/api/v1/blocks/{blocks.block_id}/qr")
    assert response.status == 200 and response.content_type == "image/svg+xml"
    async with database.session() as session:
        block = await session.get(Block, blocks.block_id)
        assert block is not None
    url = qr.scan_url(settings.base_url, block)
    assert url.endswith(f"/q/{block.id}/{qr.code_of(block)}")
    assert await response.read() == qr.svg(url)
    viewer = await api.get(f"/api/v1/blocks/{blocks.block_id}/qr", role=None)
    assert viewer.status == 401
    assert (await api.get(f"/api/v1/blocks/{blocks.area_id}/qr")).status == 404
