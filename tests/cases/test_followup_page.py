"""The reporter's follow-up link /r/{token}: issued when a case is resolved (in the
event's private field, so the reporter's mail carries it and the feed does not), one
answer per link through the cases engine, refusals in Chinese, and a window that passes."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import select, update

from coordinator.cases.followup.service import close_unanswered
from coordinator.cases.models import Case
from coordinator.events.catalogue import PRIVATE_FIELDS
from coordinator.features import rule_book
from coordinator.links.models import CapabilityLink, LinkUse
from coordinator.notifications.rules import plan
from coordinator.platform.db import utcnow
from tests.cases.conftest import World, audits_of, events_of
from tests.test_chinese import english_words


async def resolve(api, case_id: str, resolution: str = "已清退超员租客") -> None:  # type: ignore[no-untyped-def]
    case = await api.ok("GET", f"/api/v1/cases/{case_id}")
    path = f"/api/v1/cases/{case_id}"
    for task in case["tasks"]:
        if task["status"] == "pending":
            await api.ok("POST", f"{path}/tasks/{task['id']}/accept", json={})
        if task["status"] in ("pending", "accepted"):
            await api.ok("POST", f"{path}/tasks/{task['id']}/done", json={"note": "已处理"})
    await api.ok("POST", f"{path}/resolve", json={"resolution": resolution})


async def resolved_case(api, world: World) -> str:  # type: ignore[no-untyped-def]
    case = await api.ok("POST", "/api/v1/cases", 201, json=world.case())
    await api.ok("POST", f"/api/v1/cases/{case['id']}/accept")
    await resolve(api, case["id"])
    return str(case["id"])


async def reply_link(database, case_id: str) -> str:  # type: ignore[no-untyped-def]
    """The link of the case's last resolution, as its event carries it."""
    [*_, event] = [e for e in await events_of(database, case_id) if e.type == "case.resolved"]
    return str(event.data["link"])


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found, html
    return found.group(1)


async def test_the_link_rides_on_the_event_into_the_reporters_mail(api, database, settings, world):
    case_id = await resolved_case(api, world)
    url = await reply_link(database, case_id)
    assert url.startswith(f"{settings.base_url}/r/")
    [event] = [e for e in await events_of(database, case_id) if e.type == "case.resolved"]
    async with database.session() as session:
        planned = await plan(session, event, rule_book(), settings)
    [told] = [p for p in planned if p.recipient == world.contact_email]
    assert any(url in line for line in told.context["lines"])
    # The feed (events.service.feed) leaves private fields out: the browser test reads it.
    assert "link" in PRIVATE_FIELDS


async def test_satisfied_closes_the_case_once(api, database, world):
    case_id = await resolved_case(api, world)
    path = urlsplit(await reply_link(database, case_id)).path
    page = await api.client.get(path)
    html = await page.text()
    assert page.status == 200 and "已清退超员租客" in html and "满意" in html
    csrf = csrf_of(html)
    answered = await api.client.post(
        f"{path}/satisfied", data={"csrf": csrf}, allow_redirects=False
    )
    assert answered.status == 303 and answered.headers["Location"].endswith("?done=satisfied")
    case = await api.ok("GET", f"/api/v1/cases/{case_id}")
    assert case["status"] == "closed" and case["closed_by"] == "confirmed"
    assert case["satisfied"] is True
    again = await api.client.post(f"{path}/unsatisfied", data={"csrf": csrf, "reason": "再说"})
    text = await again.text()
    assert again.status == 409 and "您已答复过" in text and 'data-answered="satisfied"' in text
    assert (await api.ok("GET", f"/api/v1/cases/{case_id}"))["status"] == "closed"
    async with database.session() as session:
        link = await session.scalar(
            select(CapabilityLink).where(CapabilityLink.subject_id == uuid.UUID(case_id))
        )
        assert link is not None
        uses = (await session.scalars(select(LinkUse).where(LinkUse.link_id == link.id))).all()
        assert [(u.action, u.old_state, u.new_state) for u in uses] == [
            ("satisfied", "resolved", "closed")
        ]
    actor = f"link:{link.id}"
    assert [e.type for e in await events_of(database, case_id) if e.actor == actor] == [
        "case.closed"
    ]
    assert ("satisfied", actor) in [
        (a.action, a.actor_name) for a in await audits_of(database, case_id)
    ]


async def test_unsatisfied_needs_a_reason_and_reopens_then_a_new_link_answers(api, database, world):
    case_id = await resolved_case(api, world)
    first = urlsplit(await reply_link(database, case_id)).path
    csrf = csrf_of(await (await api.client.get(first)).text())
    bare = await api.client.post(f"{first}/unsatisfied", data={"csrf": csrf})
    assert bare.status == 422 and "请说明不满意的原因" in await bare.text()
    stale = await api.client.post(f"{first}/satisfied", data={"csrf": "0" * 64})
    assert stale.status == 403 and "页面已过期" in await stale.text()
    answered = await api.client.post(
        f"{first}/unsatisfied",
        data={"csrf": csrf, "reason": "晚上仍有人进出"},
        allow_redirects=False,
    )
    assert answered.status == 303
    case = await api.ok("GET", f"/api/v1/cases/{case_id}")
    assert case["status"] == "reopened" and case["reopened_count"] == 1
    shown = await (await api.client.get(first)).text()
    assert 'data-answered="unsatisfied"' in shown and "晚上仍有人进出" in shown

    await resolve(api, case_id, "已再次核查并清退")
    second = urlsplit(await reply_link(database, case_id)).path
    assert second != first
    assert (await api.client.get(first)).status == 404  # the old link stops working
    csrf = csrf_of(await (await api.client.get(second)).text())
    ok = await api.client.post(f"{second}/satisfied", data={"csrf": csrf}, allow_redirects=False)
    assert ok.status == 303
    assert (await api.ok("GET", f"/api/v1/cases/{case_id}"))["status"] == "closed"


async def test_a_state_conflict_and_a_passed_window_are_said_in_words(api, database, world):
    case_id = await resolved_case(api, world)
    path = urlsplit(await reply_link(database, case_id)).path
    csrf = csrf_of(await (await api.client.get(path)).text())
    await api.ok("POST", f"/api/v1/cases/{case_id}/close")  # a coordinator closes it first
    late = await api.client.post(f"{path}/satisfied", data={"csrf": csrf})
    text = await late.text()
    alert = re.search(r'role="alert">([^<]*)<', text)
    assert late.status == 409 and alert, text
    assert "已闭环" in alert.group(1) and not english_words(alert.group(1)), alert.group(1)

    other = await resolved_case(api, world)
    other_path = urlsplit(await reply_link(database, other)).path
    async with database.sessionmaker.begin() as session:
        await session.execute(
            update(Case)
            .where(Case.id == uuid.UUID(other))
            .values(reply_due_at=utcnow() - timedelta(hours=1))
        )
    waiting = await (await api.client.get(other_path)).text()
    assert "回访期已过" in waiting and "/satisfied" not in waiting
    async with database.sessionmaker.begin() as session:
        assert await close_unanswered(session, uuid.UUID(other), utcnow()) is not None
    closed = await (await api.client.get(other_path)).text()
    assert 'data-closed="unanswered"' in closed and "自动闭环" in closed
    english = await (await api.client.get(other_path + "?lang=en")).text()
    assert "closed by itself" in english

    async with database.sessionmaker.begin() as session:
        await session.execute(
            update(CapabilityLink)
            .where(CapabilityLink.subject_id == uuid.UUID(other))
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
    expired = await api.client.get(other_path)
    garbage = await api.client.get("/r/not-a-token")
    assert expired.status == garbage.status == 404
    assert await expired.text() == await garbage.text()
