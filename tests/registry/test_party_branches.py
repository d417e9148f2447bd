import uuid

import pytest
from sqlalchemy import select

from coordinator.audit.models import AuditEntry
from coordinator.auth.models import Role
from coordinator.events.models import OutboxEvent
from coordinator.people.models import Person
from tests.registry.conftest import fields, problem


async def person(database, name="周书记") -> str:
    async with database.sessionmaker.begin() as session:
        row = Person(name=name, skills=[], party_member=True)
        session.add(row)
        await session.flush()
        return str(row.id)


async def test_create_read_update_delete_branch(api, registry, database):
    secretary = await person(database)
    kerry = await registry.building("嘉里中心")
    plaza = await registry.building("越洋广场")
    general = await registry.branch("静安寺街道党工委", kind="residential_general")
    response = await api.post(
        "/api/v1/party-branches",
        json={
            "name": "嘉里中心联合党支部",
            "kind": "building_joint",
            "parent_id": general["id"],
            "secretary_id": secretary,
            "building_ids": [kerry["id"], plaza["id"], kerry["id"]],
        },
    )
    assert response.status == 201
    created = await response.json()
    assert response.headers["Location"] == f"/api/v1/party-branches/{created['id']}"
    assert created["parent_id"] == general["id"]
    assert created["secretary_id"] == secretary
    assert sorted(created["building_ids"]) == sorted([kerry["id"], plaza["id"]])
    assert await api.ok("GET", f"/api/v1/party-branches/{created['id']}") == created

    renamed = await api.ok(
        "PATCH", f"/api/v1/party-branches/{created['id']}", json={"name": "嘉里联合党支部"}
    )
    assert renamed["building_ids"] == created["building_ids"]
    assert renamed["name"] == "嘉里联合党支部"

    narrowed = await api.ok(
        "PATCH",
        f"/api/v1/party-branches/{created['id']}",
        json={"building_ids": [plaza["id"]], "secretary_id": None},
    )
    assert narrowed["building_ids"] == [plaza["id"]]
    assert narrowed["secretary_id"] is None
    assert narrowed["updated_at"] >= renamed["updated_at"]

    await api.ok("DELETE", f"/api/v1/party-branches/{created['id']}", 204)
    await problem(await api.get(f"/api/v1/party-branches/{created['id']}"), 404)
    # The coverage went with the branch, so the building is free to go.
    await api.ok("DELETE", f"/api/v1/buildings/{plaza['id']}", 204)


async def test_coverage_change_alone_is_audited_with_before_and_after(api, registry, database):
    a = await registry.building()
    b = await registry.building()
    branch = await registry.branch(building_ids=[a["id"]])
    changed = await api.ok(
        "PATCH", f"/api/v1/party-branches/{branch['id']}", json={"building_ids": [b["id"]]}
    )
    assert changed["building_ids"] == [b["id"]]
    assert changed["updated_at"] > branch["updated_at"]
    async with database.session() as session:
        entry = await session.scalar(
            select(AuditEntry).where(
                AuditEntry.entity_id == uuid.UUID(branch["id"]), AuditEntry.action == "update"
            )
        )
    assert entry is not None
    assert entry.before is not None and entry.before["building_ids"] == [a["id"]]
    assert entry.after is not None and entry.after["building_ids"] == [b["id"]]


def branch(**change):
    body = {"name": "某联合党支部", "kind": "building_joint"}
    body.update(change)
    return {k: v for k, v in body.items() if v is not ...}


@pytest.mark.parametrize(
    ("body", "field", "zh"),
    [
        (
            branch(kind="cell"),
            "kind",
            "应为以下之一：「building_joint」、「company」或「residential_general」",
        ),
        (branch(name="党" * 101), "name", "长度不能超过 100"),
        (branch(name=...), "name", "必填字段"),
        (branch(parent_id=str(uuid.uuid4())), "parent_id", "引用的党支部不存在"),
        (branch(secretary_id=str(uuid.uuid4())), "secretary_id", "引用的人员不存在"),
        (branch(secretary_id=12), "secretary_id", "应为 UUID"),
        (branch(building_ids="all"), "building_ids", "应为数组"),
        (branch(building_ids=["x"]), "building_ids.0", "应为 UUID"),
        (branch(building_ids=[str(uuid.uuid4())] * 501), "building_ids", "最多 500 项"),
        (branch(members=[]), "members", "不允许的字段"),
    ],
)
async def test_bad_branch_is_422_naming_the_field_and_writes_nothing(api, rows, body, field, zh):
    before = await rows.counts()
    document = await problem(await api.post("/api/v1/party-branches", json=body), 422)
    assert document["errors"] == [{"field": field, "message": zh}]
    assert await rows.counts() == before


async def test_missing_buildings_are_named_by_position(api, registry, rows):
    real = await registry.building()
    before = await rows.counts()
    body = branch(building_ids=[str(uuid.uuid4()), real["id"], str(uuid.uuid4())])
    document = await problem(
        await api.post("/api/v1/party-branches", json=body, headers={"Accept-Language": "en"}),
        422,
    )
    assert document["errors"] == [
        {"field": "building_ids.0", "message": "the referenced building does not exist"},
        {"field": "building_ids.2", "message": "the referenced building does not exist"},
    ]
    assert await rows.counts() == before


async def test_secretary_must_be_a_person_not_some_other_row(api, registry, rows):
    building = await registry.building()
    before = await rows.counts()
    document = await problem(
        await api.post("/api/v1/party-branches", json=branch(secretary_id=building["id"])), 422
    )
    assert fields(document) == ["secretary_id"]
    assert await rows.counts() == before


async def test_a_branch_cannot_be_its_own_ancestor(api, registry, rows):
    top = await registry.branch("街道党工委", kind="residential_general")
    middle = await registry.branch("片区党总支", parent_id=top["id"])
    bottom = await registry.branch("楼宇党支部", parent_id=middle["id"])
    before = await rows.counts()

    for child, parent in ((top, top), (top, middle), (top, bottom), (middle, bottom)):
        document = await problem(
            await api.patch(
                f"/api/v1/party-branches/{child['id']}", json={"parent_id": parent["id"]}
            ),
            422,
        )
        assert document["errors"] == [
            {"field": "parent_id", "message": "上级党组织不能是本支部或其下级"}
        ]
    english = await problem(
        await api.patch(
            f"/api/v1/party-branches/{middle['id']}",
            json={"parent_id": middle["id"]},
            headers={"Accept-Language": "en"},
        ),
        422,
    )
    assert english["errors"] == [
        {"field": "parent_id", "message": "the parent cannot be the branch itself or one below it"}
    ]
    assert await rows.counts() == before
    assert (await api.ok("GET", f"/api/v1/party-branches/{top['id']}"))["parent_id"] is None

    # Moving a branch sideways or to the top is fine.
    moved = await api.ok(
        "PATCH", f"/api/v1/party-branches/{bottom['id']}", json={"parent_id": top["id"]}
    )
    assert moved["parent_id"] == top["id"]
    detached = await api.ok(
        "PATCH", f"/api/v1/party-branches/{middle['id']}", json={"parent_id": None}
    )
    assert detached["parent_id"] is None


async def test_delete_of_a_parent_branch_is_409_naming_the_children(api, registry, rows):
    parent = await registry.branch("党总支")
    await registry.branch(parent_id=parent["id"])
    await registry.branch(parent_id=parent["id"])
    before = await rows.counts()
    document = await problem(await api.delete(f"/api/v1/party-branches/{parent['id']}"), 409)
    assert document["detail"] == "党支部仍被引用，不能删除：党支部（2）"
    assert document["referenced_by"] == [
        {"resource": "party-branches", "field": "parent_id", "count": 2}
    ]
    assert document["type"] == "https://fumin.example/problems/still-referenced"
    assert await rows.counts() == before


async def test_delete_of_a_secretary_or_member_branch_is_refused(api, registry, database, rows):
    chosen = await registry.branch("有党员的支部")
    async with database.sessionmaker.begin() as session:
        session.add(
            Person(
                name="党员甲", skills=[], party_member=True, party_branch_id=uuid.UUID(chosen["id"])
            )
        )
    before = await rows.counts()
    document = await problem(
        await api.delete(
            f"/api/v1/party-branches/{chosen['id']}", headers={"Accept-Language": "en"}
        ),
        409,
    )
    assert document["detail"] == (
        "The party branch is still referenced and cannot be deleted: 1 people"
    )
    assert await rows.counts() == before


async def test_duplicate_name_is_409_naming_name(api, registry, rows):
    await registry.branch("南京西路联合党支部")
    before = await rows.counts()
    document = await problem(
        await api.post("/api/v1/party-branches", json=branch(name="南京西路联合党支部")), 409
    )
    assert document["errors"] == [{"field": "name", "message": "名称已被其他党支部使用，不能重复"}]
    assert await rows.counts() == before


async def test_roles(api, registry):
    existing = await registry.branch()
    path = f"/api/v1/party-branches/{existing['id']}"
    assert (await api.get("/api/v1/party-branches", role=Role.viewer)).status == 200
    assert (await api.get(path, role=Role.viewer)).status == 200
    await problem(await api.get(path, role=None), 401)
    await problem(await api.post("/api/v1/party-branches", role=Role.viewer, json=branch()), 403)
    await problem(await api.patch(path, role=Role.viewer, json={}), 403)
    await problem(await api.delete(path, role=Role.viewer), 403)
    await api.ok("POST", "/api/v1/party-branches", 201, role=Role.coordinator, json=branch())


async def test_filters_search_and_pages_carry_building_ids(api, registry):
    kerry = await registry.building("嘉里中心")
    plaza = await registry.building("越洋广场")
    top = await registry.branch("静安寺街道党工委", kind="residential_general")
    a = await registry.branch("嘉里中心联合党支部", parent_id=top["id"], building_ids=[kerry["id"]])
    b = await registry.branch(
        "越洋广场联合党支部", parent_id=top["id"], building_ids=[kerry["id"], plaza["id"]]
    )
    c = await registry.branch("福民科技党支部", kind="company")

    async def ids(query):
        page = await api.ok("GET", f"/api/v1/party-branches?{query}")
        assert page["total"] == len(page["items"])
        return {item["id"] for item in page["items"]}

    assert await ids(f"building_id={kerry['id']}") == {a["id"], b["id"]}
    assert await ids(f"building_id={plaza['id']}") == {b["id"]}
    assert await ids(f"parent_id={top['id']}") == {a["id"], b["id"]}
    assert await ids("kind=company") == {c["id"]}
    assert await ids("q=联合党支部") == {a["id"], b["id"]}
    assert await ids(f"kind=building_joint&building_id={plaza['id']}") == {b["id"]}
    await problem(await api.get("/api/v1/party-branches?kind=cell"), 422)

    seen = []
    cursor = None
    while True:
        suffix = f"&cursor={cursor}" if cursor else ""
        page = await api.ok("GET", f"/api/v1/party-branches?limit=1&sort=-name{suffix}")
        assert page["total"] == 4
        seen += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len({item["id"] for item in seen}) == 4
    by_id = {item["id"]: item for item in seen}
    assert sorted(by_id[b["id"]]["building_ids"]) == sorted([kerry["id"], plaza["id"]])
    assert by_id[a["id"]]["building_ids"] == [kerry["id"]]
    assert by_id[c["id"]]["building_ids"] == []
    assert by_id[b["id"]] == await api.ok("GET", f"/api/v1/party-branches/{b['id']}")


MISSING = str(uuid.uuid4())


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda kept: {"parent_id": MISSING}, "parent_id"),
        (lambda kept: {"secretary_id": MISSING}, "secretary_id"),
        (lambda kept: {"building_ids": [kept, MISSING]}, "building_ids.1"),
        (lambda kept: {"building_ids": None}, "building_ids"),
        (lambda kept: {"name": None}, "name"),
        (lambda kept: {"kind": None}, "kind"),
    ],
)
async def test_bad_patch_is_422_and_changes_nothing(api, registry, rows, change, field):
    kept = await registry.building()
    existing = await registry.branch("原支部", building_ids=[kept["id"]])
    before = await rows.counts()
    document = await problem(
        await api.patch(f"/api/v1/party-branches/{existing['id']}", json=change(kept["id"])), 422
    )
    assert fields(document) == [field]
    assert await rows.counts() == before
    assert await api.ok("GET", f"/api/v1/party-branches/{existing['id']}") == existing


async def test_create_and_delete_audit_the_coverage(api, registry, database):
    building = await registry.building()
    created = await registry.branch(building_ids=[building["id"]])
    await api.ok("DELETE", f"/api/v1/party-branches/{created['id']}", 204)
    async with database.session() as session:
        entries = (
            await session.scalars(
                select(AuditEntry)
                .where(AuditEntry.entity_id == uuid.UUID(created["id"]))
                .order_by(AuditEntry.id)
            )
        ).all()
    assert [(e.action, e.entity_type) for e in entries] == [
        ("create", "party_branch"),
        ("delete", "party_branch"),
    ]
    assert entries[0].after is not None and entries[0].after["building_ids"] == [building["id"]]
    assert entries[1].before is not None and entries[1].before["building_ids"] == [building["id"]]
    assert entries[1].before["name"] == created["name"]


async def test_create_update_and_delete_are_events_with_the_coverage(api, registry, database):
    building = await registry.building()
    created = await registry.branch(building_ids=[building["id"]])
    path = f"/api/v1/party-branches/{created['id']}"
    await api.ok("PATCH", path, json={"building_ids": []})
    await api.ok("DELETE", path, 204)
    async with database.session() as session:
        raised = (
            await session.scalars(
                select(OutboxEvent)
                .where(OutboxEvent.subject_id == uuid.UUID(created["id"]))
                .order_by(OutboxEvent.seq)
            )
        ).all()
    assert [e.type for e in raised] == [
        "party_branch.created",
        "party_branch.updated",
        "party_branch.deleted",
    ]
    assert [e.data["building_ids"] for e in raised] == [[building["id"]], [], []]
