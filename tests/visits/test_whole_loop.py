"""The whole loop with real parts: propose -> email with link -> confirm in Chromium ->
liaison and lead notified -> completed with two needs -> assigned, resolved, closed."""

from __future__ import annotations

import re
from email.message import Message

from tests.visits.conftest import make_world, proposal
from tests.visits.helpers import held
from tests.workers.conftest import eventually

LINK = re.compile(r"http://fumin\.test(/v/[A-Za-z0-9_\-]+)")


def text_of(message: Message) -> str:
    parts = []
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            parts.append(payload.decode(part.get_content_charset() or "utf-8"))
    return "\n".join(parts)


async def test_propose_email_confirm_in_browser_notify_complete_needs_closed(
    committed_api, committed_database, live_server, browser, workers, mail
):
    world = await make_world(committed_database)
    workers.start()
    visit = await committed_api.ok("POST", "/api/v1/visits", 201, json=proposal(world))

    async def contact_mailed() -> bool:
        return world.contact_email in mail.by_recipient()

    await eventually(contact_mailed, timeout=60, what="the proposal email to the contact")
    [invitation] = mail.by_recipient()[world.contact_email]
    body = text_of(invitation)
    assert "福民科技有限公司" in body and "北京时间" in body
    path = LINK.search(body).group(1)  # type: ignore[union-attr]

    page = await browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    response = await page.goto(str(live_server.make_url(path)))
    assert response is not None and response.status == 200
    assert await page.locator("#status").inner_text() == "待确认"
    await page.click("#confirm")
    await page.wait_for_selector("#status[data-status=confirmed]")
    assert await page.locator("#status").inner_text() == "已确认"
    assert await page.locator("#ics").count() == 1
    # Fits a phone: nothing wider than the screen.
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390

    async def liaison_and_lead_told() -> bool:
        got = mail.by_recipient()
        return world.liaison_email in got and world.lead_email in got

    await eventually(liaison_and_lead_told, timeout=60, what="liaison and lead told")
    told = text_of(mail.by_recipient()[world.liaison_email][0])
    assert "企业已确认走访" in told

    await held(committed_database, visit["id"])
    await committed_api.ok(
        "POST",
        f"/api/v1/visits/{visit['id']}/outcome",
        json={
            "status": "completed",
            "notes": "已走访",
            "needs": [
                {"category": "hiring", "description": "招聘 20 名普工", "urgency": "high"},
                {"category": "legal_help", "description": "劳动合同咨询", "urgency": "low"},
            ],
        },
    )
    needs = (await committed_api.ok("GET", f"/api/v1/needs?company_id={world.company_id}"))["items"]
    assert len(needs) == 2
    for need in needs:
        await committed_api.ok(
            "POST", f"/api/v1/needs/{need['id']}/assign", json={"team_id": world.team_id}
        )
        await committed_api.ok(
            "POST", f"/api/v1/needs/{need['id']}/resolve", json={"resolution": "已对接人社部门"}
        )
        closed = await committed_api.ok("POST", f"/api/v1/needs/{need['id']}/close")
        assert closed["status"] == "closed"
    await page.goto(str(live_server.make_url(f"{path}/needs")))
    assert await page.locator(".need[data-status=closed]").count() == 2
    await page.close()
