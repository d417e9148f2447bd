"""A field handler's link /h/{token}: every action goes through the cases engine (audited
as the link, with its event), every refusal is a page in Chinese, never a 500."""

from __future__ import annotations

import io
import re
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import aiohttp
from PIL import Image
from sqlalchemy import select, update

from coordinator.cases.models import CaseNote, CasePhoto, CaseTask
from coordinator.events.models import OutboxEvent
from coordinator.features import rule_book
from coordinator.links.models import CapabilityLink, LinkUse
from coordinator.notifications.rules import plan
from coordinator.people.models import Person
from coordinator.platform.db import utcnow
from tests.cases.conftest import World, audits_of, events_of


def jpeg(color: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(out, "JPEG")
    return out.getvalue()


async def handler_link(api, person_id: uuid.UUID) -> str:  # type: ignore[no-untyped-def]
    body = await api.ok("POST", f"/api/v1/people/{person_id}/handler-link", 201)
    assert body["person_id"] == str(person_id)
    return urlsplit(body["url"]).path


async def accepted_case(api, world: World) -> dict:  # type: ignore[no-untyped-def, type-arg]
    case = await api.ok("POST", "/api/v1/cases", 201, json=world.case())
    await api.ok("POST", f"/api/v1/cases/{case['id']}/accept")
    return await api.ok("GET", f"/api/v1/cases/{case['id']}")


def task_of(case: dict, world: World, key: str) -> dict:  # type: ignore[type-arg]
    [task] = [t for t in case["tasks"] if t["department_id"] == str(world.departments[key])]
    return task


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found, html
    return found.group(1)


async def post(api, path: str, action: str, **fields: object):  # type: ignore[no-untyped-def]
    form = aiohttp.FormData()
    photos = fields.pop("photos", [])
    for name, value in fields.items():
        form.add_field(name, str(value))
    for data in photos:  # type: ignore[attr-defined]
        form.add_field("photo", data, filename="scene.jpg", content_type="image/jpeg")
    return await api.client.post(f"{path}/{action}", data=form, allow_redirects=False)


async def test_a_handler_accepts_notes_with_photos_and_finishes_a_task(api, database, world):
    case = await accepted_case(api, world)
    task = task_of(case, world, "housing")
    person = world.leads["housing"]
    path = await handler_link(api, person)
    page = await api.client.get(path)
    html = await page.text()
    assert page.status == 200 and page.headers["Cache-Control"] == "no-store"
    assert f'data-task="{task["id"]}"' in html and case["title"] in html
    assert "接单" in html and "待接单" in html
    csrf = csrf_of(html)

    accepted = await post(api, path, "accept", csrf=csrf, task_id=task["id"])
    assert accepted.status == 303 and accepted.headers["Location"].endswith("?done=accept")
    assert "已接单" in await (await api.client.get(path + "?done=accept")).text()

    noted = await post(
        api, path, "note", csrf=csrf, task_id=task["id"], text="已上门核查", photos=[jpeg()]
    )
    assert noted.status == 303, await noted.text()
    done = await post(
        api, path, "done", csrf=csrf, task_id=task["id"], text="已清退", photos=[jpeg("blue")]
    )
    assert done.status == 303, await done.text()

    async with database.session() as session:
        row = await session.get(CaseTask, uuid.UUID(task["id"]))
        assert row is not None and row.status.value == "done" and row.assignee_id == person
        assert row.note == "已清退"
        [note] = (await session.scalars(select(CaseNote).where(CaseNote.task_id == row.id))).all()
        assert note.body == "已上门核查" and note.author == "房办负责人"
        photos = (await session.scalars(select(CasePhoto).where(CasePhoto.task_id == row.id))).all()
        assert len(photos) == 2 and sum(p.note_id == note.id for p in photos) == 1
        link = await session.scalar(
            select(CapabilityLink).where(CapabilityLink.subject_id == person)
        )
        assert link is not None
        uses = (await session.scalars(select(LinkUse).where(LinkUse.link_id == link.id))).all()
        assert [(u.action, u.old_state, u.new_state) for u in uses] == [
            ("accept", "pending", "accepted"),
            ("note", "accepted", "accepted"),
            ("done", "accepted", "done"),
        ]
    actor = f"link:{link.id}"
    types = [e.type for e in await events_of(database, case["id"]) if e.actor == actor]
    assert types == ["task.accepted", "task.noted", "task.done"]
    audits = [(a.action, a.actor_name) for a in await audits_of(database, task["id"])]
    assert ("accept", actor) in audits and ("done", actor) in audits
    # The done task leaves the page; the case's photos are served through the link alone.
    assert f'data-task="{task["id"]}"' not in await (await api.client.get(path)).text()


async def test_photos_are_served_through_the_link_for_open_tasks_only(api, database, world):
    case = await accepted_case(api, world)
    task = task_of(case, world, "urban")
    path = await handler_link(api, world.leads["urban"])
    csrf = csrf_of(await (await api.client.get(path)).text())
    await post(api, path, "accept", csrf=csrf, task_id=task["id"])
    await post(api, path, "note", csrf=csrf, task_id=task["id"], text="拍照", photos=[jpeg()])
    html = await (await api.client.get(path)).text()
    [photo_id] = set(re.findall(r"/photos/([0-9a-f-]{36})", html))
    image = await api.client.get(f"{path}/photos/{photo_id}?thumb=1")
    assert image.status == 200 and image.content_type == "image/jpeg"
    outsider = Person(id=uuid.uuid4(), name="局外人")  # of no department
    async with database.sessionmaker.begin() as session:
        session.add(outsider)
    other = await handler_link(api, outsider.id)
    assert "暂无待办任务" in await (await api.client.get(other)).text()
    assert (await api.client.get(f"{other}/photos/{photo_id}")).status == 404
    assert (await api.client.get(f"{path}/photos/{uuid.uuid4()}")).status == 404


async def test_refusals_are_pages_in_chinese(api, database, world):
    case = await accepted_case(api, world)
    lead_task, co_task = task_of(case, world, "housing"), task_of(case, world, "urban")
    path = await handler_link(api, world.leads["housing"])
    csrf = csrf_of(await (await api.client.get(path)).text())

    stale = await post(api, path, "accept", csrf="0" * 64, task_id=lead_task["id"])
    assert stale.status == 403 and "页面已过期" in await stale.text()
    theirs = await post(api, path, "accept", csrf=csrf, task_id=co_task["id"])
    assert theirs.status == 404 and "不属于您的部门" in await theirs.text()
    bare = await post(api, path, "hand_back", csrf=csrf, task_id=lead_task["id"])
    assert bare.status == 422 and "请填写退回原因" in await bare.text()
    lead_back = await post(api, path, "hand_back", csrf=csrf, task_id=lead_task["id"], text="x")
    text = await lead_back.text()
    assert lead_back.status == 409 and "牵头部门的任务不能" in text
    not_yet = await post(api, path, "done", csrf=csrf, task_id=lead_task["id"], text="好了")
    assert not_yet.status == 409, await not_yet.text()
    bad_photo = await post(
        api, path, "note", csrf=csrf, task_id=lead_task["id"], text="a", photos=[b"not a photo"]
    )
    assert bad_photo.status == 422 and 'role="alert"' in await bad_photo.text()
    async with database.session() as session:
        row = await session.get(CaseTask, uuid.UUID(lead_task["id"]))
        assert row is not None and row.status.value == "pending"

    co_path = await handler_link(api, world.leads["urban"])
    co_csrf = csrf_of(await (await api.client.get(co_path)).text())
    back = await post(
        api, co_path, "hand_back", csrf=co_csrf, task_id=co_task["id"], text="非本部门职责"
    )
    assert back.status == 303
    again = await post(api, co_path, "accept", csrf=co_csrf, task_id=co_task["id"])
    alert = re.search(r'role="alert">([^<]*)<', await again.text())
    assert again.status == 409 and alert and "已退回" in alert.group(1), alert  # a state conflict
    assert f'data-task="{co_task["id"]}"' not in await (await api.client.get(co_path)).text()
    events = [e.type for e in await events_of(database, case["id"])]
    assert events.count("task.returned") == 1


async def test_revoked_and_expired_links_look_alike(api, database, world):
    case = await accepted_case(api, world)
    task = task_of(case, world, "housing")
    path = await handler_link(api, world.leads["housing"])
    csrf = csrf_of(await (await api.client.get(path)).text())
    body = await api.ok("DELETE", f"/api/v1/people/{world.leads['housing']}/handler-link")
    assert body["revoked"] == 1
    revoked = await api.client.get(path)
    garbage = await api.client.get("/h/not-a-token")
    assert revoked.status == garbage.status == 404
    assert await revoked.text() == await garbage.text()
    refused = await post(api, path, "accept", csrf=csrf, task_id=task["id"])
    assert refused.status == 404

    fresh = await handler_link(api, world.leads["housing"])
    async with database.sessionmaker.begin() as session:
        await session.execute(
            update(CapabilityLink)
            .where(CapabilityLink.subject_id == world.leads["housing"])
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
    assert (await api.client.get(fresh)).status == 404
    audits = [a.action for a in await audits_of(database, str(world.leads["housing"]))]
    assert audits == ["issue_link", "revoke_link", "issue_link"]


async def test_the_english_page_and_the_link_api_refusals(api, world):
    await accepted_case(api, world)
    path = await handler_link(api, world.leads["housing"])
    english = await (await api.client.get(path + "?lang=en")).text()
    assert "Accept" in english and "接单" not in english
    missing = await api.post(f"/api/v1/people/{uuid.uuid4()}/handler-link")
    assert missing.status == 404
    viewer = await api.post(f"/api/v1/people/{world.leads['housing']}/handler-link", role=None)
    assert viewer.status == 401


async def test_the_link_is_mailed_to_a_person_with_an_email(api, database, settings, world):
    person = world.leads["urban"]
    body = await api.ok("POST", f"/api/v1/people/{person}/handler-link", 201)
    async with database.session() as session:
        [event] = (
            await session.scalars(
                select(OutboxEvent).where(
                    OutboxEvent.type == "handler_link.issued", OutboxEvent.subject_id == person
                )
            )
        ).all()
        assert event.data["link"] == body["url"]
        planned = await plan(session, event, rule_book(), settings)
    [told] = [p for p in planned if p.recipient == world.lead_emails["urban"]]
    assert told.language == "zh"
    assert any(body["url"] in line for line in told.context["lines"])
    nobody = Person(id=uuid.uuid4(), name="无邮箱")
    async with database.sessionmaker.begin() as session:
        session.add(nobody)
    await api.ok("POST", f"/api/v1/people/{nobody.id}/handler-link", 201)
    async with database.session() as session:
        none = await session.scalar(select(OutboxEvent).where(OutboxEvent.subject_id == nobody.id))
    assert none is None
