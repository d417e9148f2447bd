"""The shift notification rules end to end: outbox -> relay -> arq workers -> SMTP."""

from __future__ import annotations

import re
from email.header import decode_header, make_header
from email.message import Message

from tests.workers.conftest import eventually

from .conftest import hours_from_now

DECLINE_LINK = re.compile(r"https?://\S+(/me/[A-Za-z0-9_\-]+)")


def subject(message: Message) -> str:
    return str(make_header(decode_header(str(message["Subject"]))))


def text_of(message: Message) -> str:
    parts = []
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            parts.append(payload.decode(part.get_content_charset() or "utf-8"))
    return "\n".join(parts)


async def test_cancellation_promotes_the_waiting_volunteer_who_is_mailed_once(
    committed_world, workers, mail
):
    world = committed_world
    post = await world.post()
    shift = await world.shift(post["id"], hours_from_now(30), hours_from_now(32), max_people=1)
    held_by = await world.person("王秀英", email="wang@example.test")
    waiting = await world.person("李娜", email="li@example.test")
    held = await world.sign_up(shift["id"], held_by["id"])
    assert (await world.sign_up(shift["id"], waiting["id"]))["status"] == "waitlisted"
    workers.start()

    async def both_told() -> bool:
        got = mail.by_recipient()
        return "wang@example.test" in got and "li@example.test" in got

    await eventually(both_told, timeout=60, what="sign-up and waitlist emails")
    assert [subject(m) for m in mail.by_recipient()["wang@example.test"]] == [
        "报名成功：华山路 100 弄 门岗"
    ]
    assert [subject(m) for m in mail.by_recipient()["li@example.test"]] == [
        "已进入候补：华山路 100 弄 门岗"
    ]

    await world.api.ok("POST", f"/api/v1/signups/{held['id']}/cancel")

    async def promotion_told() -> bool:
        return len(mail.by_recipient().get("li@example.test", [])) == 2

    await eventually(promotion_told, timeout=60, what="the promotion email")
    promotion = mail.by_recipient()["li@example.test"][1]
    assert subject(promotion) == "候补转正：华山路 100 弄 门岗"
    body = text_of(promotion)
    assert "您已从候补转为正式报名" in body
    link = DECLINE_LINK.search(body)
    assert link is not None
    # The link opens a page where the place can be declined.
    page = await world.api.request("GET", link.group(1), role=None)
    assert page.status == 200
    html = await page.text()
    assert "华山路 100 弄 门岗" in html and "无法参加，放弃名额" in html
    rows = {r["person_id"]: r["status"] for r in await world.signups(shift["id"])}
    assert rows == {held_by["id"]: "cancelled", waiting["id"]: "signed_up"}
    # Cancelling 30 hours ahead is not late: nobody else is mailed, nothing twice.
    assert sorted(mail.by_recipient()) == ["li@example.test", "wang@example.test"]
    assert len(mail.handler.messages) == 3
