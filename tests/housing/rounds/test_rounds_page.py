"""The block leader's link /b/{token}: issued by the API, the leader's blocks and today's
rounds, a round started and ended (audited as the link, with its events), proven by
scanning the block's code; every refusal a page in Chinese, never a 500."""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlsplit

from sqlalchemy import select

from coordinator.audit.models import AuditEntry
from coordinator.events.catalogue import PRIVATE_FIELDS
from coordinator.events.models import OutboxEvent
from coordinator.housing.models import Block
from coordinator.housing.rounds import qr
from coordinator.housing.rounds.models import Round
from coordinator.links.models import LinkUse
from tests.housing.rounds.conftest import Blocks


async def leader_link(api, person_id: uuid.UUID) -> str:  # type: ignore[no-untyped-def]
    body = await api.ok("POST", f"/api/v1/people/{person_id}/block-leader-link", 201)
    assert body["person_id"] == str(person_id) and "/b/" in body["url"]
    return urlsplit(body["url"]).path


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found, html
    return found.group(1)


async def post(api, path: str, action: str, **fields: object):  # type: ignore[no-untyped-def]
    data = {name: str(value) for name, value in fields.items()}
    return await api.client.post(f"{path}/{action}", data=data, allow_redirects=False)


async def rounds_of(database, block_id: uuid.UUID) -> list[Round]:  # type: ignore[no-untyped-def]
    async with database.session() as session:
        found = await session.scalars(
            select(Round).where(Round.block_id == block_id).order_by(Round.started_at)
        )
        return list(found.all())


async def events(database, type_: str) -> list[OutboxEvent]:  # type: ignore[no-untyped-def]
    async with database.session() as session:
        return list(
            (await session.scalars(select(OutboxEvent).where(OutboxEvent.type == type_))).all()
        )


async def test_a_leader_starts_and_ends_a_round_from_the_phone(api, database, blocks: Blocks):
    path = await leader_link(api, blocks.leader_id)
    page = await api.client.get(path)
    html = await page.text()
    assert page.status == 200 and page.headers["Cache-Control"] == "no-store"
    assert f'data-block="{blocks.block_id}"' in html and "第一块" in html
    assert f'data-block="{blocks.other_block_id}"' not in html  # the deputy's, not theirs
    assert "开始巡查" in html and "已完成 0 / 应完成 3 次" in html
    csrf = csrf_of(html)

    started = await post(api, path, "start", csrf=csrf, block_id=blocks.block_id)
    assert started.status == 303 and started.headers["Location"].endswith("?done=start")
    again = await post(api, path, "start", csrf=csrf, block_id=blocks.block_id)
    assert again.status == 409 and "进行中的巡查" in await again.text()
    html = await (await api.client.get(path + "?done=start")).text()
    assert "巡查已开始" in html and "结束巡查" in html and "进行中" in html

    ended = await post(api, path, "end", csrf=csrf, block_id=blocks.block_id)
    assert ended.status == 303 and ended.headers["Location"].endswith("?done=end")
    nothing_open = await post(api, path, "end", csrf=csrf, block_id=blocks.block_id)
    assert nothing_open.status == 409 and "没有您进行中的巡查" in await nothing_open.text()
    html = await (await api.client.get(path)).text()
    assert "已完成 1 / 应完成 3 次" in html

    [round_] = await rounds_of(database, blocks.block_id)
    assert round_.person_id == blocks.leader_id and round_.ended_at is not None
    assert round_.proven is False
    [start] = await events(database, "round.started")
    [done] = await events(database, "round.completed")
    assert start.data["round_id"] == done.data["round_id"] == str(round_.id)
    assert done.data["block_id"] == str(blocks.block_id) and done.data["minutes"] >= 0
    async with database.session() as session:
        audits = (
            await session.scalars(select(AuditEntry).where(AuditEntry.entity_id == round_.id))
        ).all()
        uses = (await session.scalars(select(LinkUse).order_by(LinkUse.id))).all()
    assert [a.action for a in audits] == ["create", "update"]
    assert all(a.actor_name.startswith("link:") for a in audits)
    assert [(u.action, u.new_state) for u in uses][-2:] == [("start", "open"), ("end", "ended")]


async def test_a_round_is_proven_by_scanning_the_blocks_code(api, database, blocks: Blocks):
    path = await leader_link(api, blocks.leader_id)
    await api.client.get(path)  # leaves the link for the code's page
    async with database.session() as session:
        block = await session.get(Block, blocks.block_id)
        assert block is not None
        code = qr.code_of(block)
    scanned = await api.client.get(f"/q/{blocks.block_id}/{code}", allow_redirects=False)
    assert scanned.status == 303
    scan_page = scanned.headers["Location"]
    assert scan_page == f"{path}/scan/{blocks.block_id}/{code}"
    html = await (await api.client.get(scan_page)).text()
    assert "已扫码" in html and f'name="code" value="{code}"' in html
    started = await post(
        api, path, "start", csrf=csrf_of(html), block_id=blocks.block_id, code=code
    )
    assert started.status == 303
    [round_] = await rounds_of(database, blocks.block_id)
    assert round_.proven is True and round_.ended_at is None

    wrong = await post(
        api, path, "end", csrf=csrf_of(html), block_id=blocks.block_id, code="0" * 24
    )
    assert wrong.status == 422 and "二维码无效" in await wrong.text()
    bad_scan = await api.client.get(f"{path}/scan/{blocks.block_id}/{'0' * 24}")
    assert bad_scan.status == 404 and "二维码无效" in await bad_scan.text()


async def test_a_code_scanned_without_the_link_asks_for_it_first(api, blocks: Blocks):
    response = await api.client.get(f"/q/{blocks.block_id}/abc", allow_redirects=False)
    assert response.status == 404 and "请先在本手机上打开发给您的块长链接" in await response.text()


async def test_refusals_are_pages_never_errors(api, database, blocks: Blocks):
    path = await leader_link(api, blocks.leader_id)
    csrf = csrf_of(await (await api.client.get(path)).text())
    stale = await post(api, path, "start", csrf="0" * 64, block_id=blocks.block_id)
    assert stale.status == 403 and "页面已过期" in await stale.text()
    not_mine = await post(api, path, "start", csrf=csrf, block_id=blocks.other_block_id)
    assert not_mine.status == 404 and "不由您负责" in await not_mine.text()
    garbage = await post(api, path, "start", csrf=csrf, block_id="not-a-uuid")
    assert garbage.status == 404
    english = await api.client.get(path + "?lang=en")
    assert "Start a round" in await english.text()
    assert await rounds_of(database, blocks.other_block_id) == []


async def test_a_revoked_or_unknown_link_gets_the_same_page(api, blocks: Blocks):
    path = await leader_link(api, blocks.leader_id)
    csrf = csrf_of(await (await api.client.get(path)).text())
    body = await api.ok("DELETE", f"/api/v1/people/{blocks.leader_id}/block-leader-link")
    assert body == {"person_id": str(blocks.leader_id), "revoked": 1}
    gone = await api.client.get(path)
    unknown = await api.client.get("/b/" + "x" * 43)
    assert gone.status == unknown.status == 404
    assert await gone.text() == await unknown.text()
    refused = await post(api, path, "start", csrf=csrf, block_id=blocks.block_id)
    assert refused.status == 404


async def test_a_new_link_is_mailed_through_its_event(api, database, blocks: Blocks):
    await leader_link(api, blocks.leader_id)
    [event] = await events(database, "block_leader_link.issued")
    assert event.data["person_id"] == str(blocks.leader_id) and "/b/" in event.data["link"]
    assert "link" in PRIVATE_FIELDS  # mailed and sent to webhooks, never in the event feed
