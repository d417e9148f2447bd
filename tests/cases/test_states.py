"""Refused transitions answer 409 naming the current state and the allowed ones; tasks and
cases move only as CASES.md draws them; a photo is needed where the category asks."""

from __future__ import annotations

from sqlalchemy import select

from coordinator.auth.models import Role
from coordinator.cases.models import CasePhoto
from tests.cases.conftest import add_photo, make_world, problem


async def _filed(api, world):  # type: ignore[no-untyped-def]
    case = await api.ok("POST", "/api/v1/cases", 201, json=world.case())
    tasks = {t["department_id"]: t for t in case["tasks"]}
    return case, tasks


async def test_refusals_name_the_current_and_the_allowed_states(api, world):
    case, tasks = await _filed(api, world)
    path = f"/api/v1/cases/{case['id']}"
    lead = tasks[str(world.departments["housing"])]
    co = tasks[str(world.departments["urban"])]

    # A department cannot start before the case is accepted (受理).
    early = await problem(await api.post(f"{path}/tasks/{co['id']}/accept", json={}), 409)
    assert early["current"] == "new"
    assert early["allowed"] == ["accepted", "merged", "rejected"]
    assert "不能对其任务接单" in early["detail"]

    assert (await api.ok("POST", f"{path}/accept"))["status"] == "accepted"
    twice = await problem(await api.post(f"{path}/accept"), 409)
    assert twice["current"] == "accepted" and twice["allowed"] == ["merged", "resolved"]
    assert twice["allowed_actions"] == ["merge", "resolve"]

    # A pending task cannot be done; the lead's cannot be handed back nor dropped.
    pending = await problem(
        await api.post(f"{path}/tasks/{co['id']}/done", json={"note": "好了"}), 409
    )
    assert pending["current"] == "pending"
    assert pending["allowed"] == ["accepted", "dropped", "returned"]
    lead_back = await problem(
        await api.post(f"{path}/tasks/{lead['id']}/hand-back", json={"reason": "不归我们"}), 409
    )
    assert lead_back["current"] == "pending" and lead_back["allowed"] == ["accepted"]
    assert (await api.delete(f"{path}/tasks/{lead['id']}")).status == 409

    # The follow-up answer and closing wait for a resolved case.
    reply = await problem(await api.post(f"{path}/reply", json={"satisfied": True}), 409)
    assert reply["current"] == "accepted"
    assert (await api.post(f"{path}/close")).status == 409
    reopen = await problem(await api.post(f"{path}/reopen", json={"reason": "再看看"}), 409)
    assert reopen["current"] == "accepted"

    # Read back in English too.
    english = await problem(await api.post(f"{path}/accept?lang=en"), 409)
    assert english["detail"] == "The case is accepted; it cannot accept"


async def test_a_returned_task_blocks_resolving_until_dropped_or_sent_again(api, world):
    case, tasks = await _filed(api, world)
    path = f"/api/v1/cases/{case['id']}"
    await api.ok("POST", f"{path}/accept")
    for task in case["tasks"]:
        await api.ok("POST", f"{path}/tasks/{task['id']}/accept", json={})
    urban = tasks[str(world.departments["urban"])]["id"]
    appearance = tasks[str(world.departments["appearance"])]["id"]
    returned = await api.ok(
        "POST", f"{path}/tasks/{urban}/hand-back", json={"reason": "不属于城管职责"}
    )
    assert returned["status"] == "returned" and returned["return_reason"] == "不属于城管职责"
    for task in case["tasks"]:
        if task["id"] != urban:
            await api.ok("POST", f"{path}/tasks/{task['id']}/done", json={"note": "已处理"})
    blocked = await problem(await api.post(f"{path}/resolve", json={"resolution": "好"}), 409)
    assert [t["status"] for t in blocked["unfinished_tasks"]] == ["returned"]

    resent = await api.ok("POST", f"{path}/tasks/{urban}/resend")
    assert resent["status"] == "pending" and resent["accepted_at"] is None
    dropped = await api.ok("DELETE", f"{path}/tasks/{urban}")
    assert dropped["status"] == "dropped"
    again = await problem(await api.post(f"{path}/tasks/{appearance}/accept", json={}), 409)
    assert again["current"] == "done" and again["allowed"] == []
    resolved = await api.ok("POST", f"{path}/resolve", json={"resolution": "已整改"})
    assert resolved["status"] == "resolved"
    # The same department may be given the case again once dropped: not now, it is resolved.
    late = await problem(
        await api.post(f"{path}/tasks", json={"department_id": str(world.departments["urban"])}),
        409,
    )
    assert late["current"] == "resolved"


async def test_the_lead_adds_a_department_once_and_a_case_without_a_lead_gets_one(api, world):
    case, _ = await _filed(api, world)
    path = f"/api/v1/cases/{case['id']}"
    dup = await problem(
        await api.post(f"{path}/tasks", json={"department_id": str(world.departments["urban"])}),
        409,
    )
    assert [e["field"] for e in dup["errors"]] == ["department_id"]
    second_lead = await problem(
        await api.post(
            f"{path}/tasks",
            json={"department_id": str(world.departments["urban"]), "role": "lead"},
        ),
        422,
    )
    assert [e["field"] for e in second_lead["errors"]] == ["role"]
    viewer = await api.post(
        f"{path}/tasks", json={"department_id": str(world.departments["urban"])}, role=Role.viewer
    )
    assert viewer.status == 403


async def test_reject_drops_the_tasks_and_tells_why(api, world):
    case, _ = await _filed(api, world)
    rejected = await api.ok(
        "POST", f"/api/v1/cases/{case['id']}/reject", json={"reason": "不属于本街道管辖"}
    )
    assert rejected["status"] == "rejected" and rejected["rejected_reason"] == "不属于本街道管辖"
    assert {t["status"] for t in rejected["tasks"]} == {"dropped"}


async def test_a_category_that_needs_a_photo_is_resolved_only_with_one(api, database):
    world = await make_world(database, photo_required=True)
    case, _ = await _filed(api, world)
    path = f"/api/v1/cases/{case['id']}"
    await api.ok("POST", f"{path}/accept")
    for task in case["tasks"]:
        await api.ok("POST", f"{path}/tasks/{task['id']}/accept", json={})
        await api.ok("POST", f"{path}/tasks/{task['id']}/done", json={"note": "已处理"})
    refused = await problem(await api.post(f"{path}/resolve", json={"resolution": "好"}), 422)
    assert [e["field"] for e in refused["errors"]] == ["photo_ids"]
    missing = await problem(
        await api.post(
            f"{path}/resolve",
            json={"resolution": "好", "photo_ids": ["00000000-0000-4000-8000-000000000000"]},
        ),
        422,
    )
    assert [e["field"] for e in missing["errors"]] == ["photo_ids"]
    photo = await add_photo(database)
    resolved = await api.ok(
        "POST", f"{path}/resolve", json={"resolution": "已拆除隔断", "photo_ids": [str(photo)]}
    )
    assert resolved["status"] == "resolved"
    assert resolved["tasks"][0]["photo_ids"] == [str(photo)]  # the lead's sign-off
    async with database.session() as session:
        linked = (await session.scalars(select(CasePhoto).where(CasePhoto.photo_id == photo))).all()
    assert [(str(p.case_id), str(p.task_id), p.note_id) for p in linked] == [
        (resolved["id"], resolved["tasks"][0]["id"], None)
    ]


async def test_a_photo_on_a_task_is_enough_and_filing_photos_show_on_the_case(api, database):
    world = await make_world(database, photo_required=True)
    filed_photo, done_photo = await add_photo(database), await add_photo(database)
    case = await api.ok("POST", "/api/v1/cases", 201, json=world.case(photo_ids=[str(filed_photo)]))
    assert case["photo_ids"] == [str(filed_photo)]
    path = f"/api/v1/cases/{case['id']}"
    await api.ok("POST", f"{path}/accept")
    for n, task in enumerate(case["tasks"]):
        await api.ok("POST", f"{path}/tasks/{task['id']}/accept", json={})
        photos = [str(done_photo)] if n == 1 else []
        done = await api.ok(
            "POST", f"{path}/tasks/{task['id']}/done", json={"note": "已处理", "photo_ids": photos}
        )
        assert done["photo_ids"] == photos
    resolved = await api.ok("POST", f"{path}/resolve", json={"resolution": "好"})
    assert resolved["status"] == "resolved"
