"""A block leader's rounds in their personal calendar feed: each round from its start to
its end, one under way marked so; another person's rounds not in it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from coordinator.housing.rounds.models import Round
from tests.housing.rounds.conftest import make_blocks


async def test_a_leaders_rounds_are_in_their_own_feed(api, database):
    blocks = await make_blocks(database)
    now = datetime.now(UTC).replace(microsecond=0)
    async with database.sessionmaker.begin() as session:
        done = Round(
            block_id=blocks.block_id,
            person_id=blocks.leader_id,
            started_at=now - timedelta(hours=3),
            ended_at=now - timedelta(hours=2),
            proven=True,
        )
        open_ = Round(block_id=blocks.block_id, person_id=blocks.leader_id, started_at=now)
        theirs = Round(block_id=blocks.other_block_id, person_id=blocks.deputy_id, started_at=now)
        session.add_all([done, open_, theirs])
    issued = await api.ok(
        "POST", f"/api/v1/people/{blocks.leader_id}/feeds", 201, json={"label": "我的巡查"}
    )
    response = await api.client.get(urlsplit(issued["urls"]["https"]).path)
    body = await response.text()
    assert response.status == 200
    unfolded = body.replace("\r\n ", "")
    assert f"UID:round-{done.id}@" in unfolded and f"UID:round-{open_.id}@" in unfolded
    assert f"round-{theirs.id}" not in unfolded
    assert "SUMMARY:巡查 第一块" in unfolded and "SUMMARY:[进行中] 巡查 第一块" in unfolded
    assert "已扫码确认到场" in unfolded
