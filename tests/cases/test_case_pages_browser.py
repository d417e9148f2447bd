"""A phone-sized browser on the case pages: a field handler accepts a task, adds a note
with a photo from the file input and marks the task done; the reporter answers the
follow-up: not satisfied with a reason, then, after a second resolution, satisfied."""

from __future__ import annotations

import io
import uuid
from urllib.parse import urlsplit

from PIL import Image
from sqlalchemy import select

from coordinator.cases.models import CaseNote, CasePhoto, CaseTask
from tests.cases.conftest import events_of, make_world

PHONE = {"viewport": {"width": 390, "height": 844}, "locale": "zh-CN", "is_mobile": True}


def jpeg_file(tmp_path, name: str = "scene.jpg") -> str:  # type: ignore[no-untyped-def]
    path = tmp_path / name
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (40, 120, 200)).save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return str(path)


async def finish_others(api, case_id: str, skip: str | None = None) -> None:  # type: ignore[no-untyped-def]
    case = await api.ok("GET", f"/api/v1/cases/{case_id}")
    for task in case["tasks"]:
        if task["id"] == skip:
            continue
        path = f"/api/v1/cases/{case_id}/tasks/{task['id']}"
        if task["status"] == "pending":
            await api.ok("POST", f"{path}/accept", json={})
        if task["status"] in ("pending", "accepted"):
            await api.ok("POST", f"{path}/done", json={"note": "已处理"})


async def test_a_field_handler_works_a_task_on_a_phone(
    committed_api, committed_database, browser, live_server, tmp_path
):
    api, database = committed_api, committed_database
    world = await make_world(database)
    case = await api.ok("POST", "/api/v1/cases", 201, json=world.case())
    await api.ok("POST", f"/api/v1/cases/{case['id']}/accept")
    [task] = [t for t in case["tasks"] if t["department_id"] == str(world.departments["housing"])]
    link = await api.ok("POST", f"/api/v1/people/{world.leads['housing']}/handler-link", 201)

    context = await browser.new_context(**PHONE)
    page = await context.new_page()
    response = await page.goto(str(live_server.make_url(urlsplit(link["url"]).path)))
    assert response is not None and response.status == 200
    card = page.locator(f"[data-task='{task['id']}']")
    assert case["title"] in await card.inner_text()
    await card.get_by_role("button", name="接单", exact=True).click()
    await page.wait_for_load_state()
    assert "已接单" in await page.locator(".notice").inner_text()

    note = card.locator("form[data-form='note']")
    await note.locator("textarea").fill("已上门核查，现场拍照")
    await note.locator("input[type=file]").set_input_files(jpeg_file(tmp_path))
    await note.get_by_role("button", name="提交进展").click()
    await page.wait_for_load_state()
    assert "已记录办理进展" in await page.locator(".notice").inner_text()
    assert "已上门核查" in await card.locator("[data-note]").inner_text()
    thumbs = card.locator(".photos img")
    assert await thumbs.count() == 1
    assert await thumbs.first.evaluate("img => img.complete && img.naturalWidth > 0")

    done = card.locator("form[data-form='done']")
    await done.locator("textarea").fill("已清退超员租客")
    await done.get_by_role("button", name="办结").click()
    await page.wait_for_load_state()
    assert "已办结" in await page.locator(".notice").inner_text()
    assert await page.locator(f"[data-task='{task['id']}']").count() == 0
    await context.close()

    async with database.session() as session:
        row = await session.get(CaseTask, uuid.UUID(task["id"]))
        assert row is not None and row.status.value == "done" and row.note == "已清退超员租客"
        [noted] = (await session.scalars(select(CaseNote).where(CaseNote.task_id == row.id))).all()
        photos = (
            await session.scalars(select(CasePhoto).where(CasePhoto.note_id == noted.id))
        ).all()
        assert len(photos) == 1
    mine = [e.type for e in await events_of(database, case["id"]) if e.actor.startswith("link:")]
    assert mine == ["task.accepted", "task.noted", "task.done"]


async def test_the_reporter_answers_on_a_phone(
    committed_api, committed_database, browser, live_server
):
    api, database = committed_api, committed_database
    world = await make_world(database)
    case = await api.ok("POST", "/api/v1/cases", 201, json=world.case())
    path = f"/api/v1/cases/{case['id']}"
    await api.ok("POST", f"{path}/accept")
    await finish_others(api, case["id"])
    await api.ok("POST", f"{path}/resolve", json={"resolution": "已清退超员租客"})

    async def link() -> str:
        [*_, event] = [
            e for e in await events_of(database, case["id"]) if e.type == "case.resolved"
        ]
        return str(live_server.make_url(urlsplit(event.data["link"]).path))

    context = await browser.new_context(**PHONE)
    page = await context.new_page()
    await page.goto(await link())
    assert "已清退超员租客" in await page.locator("[data-resolution]").inner_text()
    form = page.locator("form[data-form='unsatisfied']")
    await form.locator("textarea").fill("晚上仍有人进出")
    await form.get_by_role("button", name="不满意").click()
    await page.wait_for_load_state()
    assert "重新办理" in await page.locator(".notice").inner_text()
    assert "晚上仍有人进出" in await page.locator("[data-answered='unsatisfied']").inner_text()
    assert (await api.ok("GET", path))["status"] == "reopened"

    await finish_others(api, case["id"])
    await api.ok("POST", f"{path}/resolve", json={"resolution": "已再次核查并清退"})
    await page.goto(await link())
    await page.get_by_role("button", name="满意", exact=True).click()
    await page.wait_for_load_state()
    assert "已闭环" in await page.locator(".notice").inner_text()
    assert await page.locator("[data-answered='satisfied']").count() == 1
    await context.close()
    closed = await api.ok("GET", path)
    assert closed["status"] == "closed" and closed["closed_by"] == "confirmed"

    types = [e.type for e in await events_of(database, case["id"]) if e.actor.startswith("link:")]
    assert types == ["case.reopened", "case.closed"]
    feed = await api.ok("GET", "/api/v1/events?types=case.resolved")
    resolved = [e for e in feed["items"] if e["subject_id"] == case["id"]]
    assert len(resolved) == 2 and all("link" not in e["data"] for e in resolved)
