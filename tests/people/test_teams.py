import uuid

import pytest
from sqlalchemy import event

from coordinator.auth.models import Role


@pytest.fixture
def team(api):  # type: ignore[no-untyped-def]
    async def make(name: str, kind: str = "volunteer", **fields: object) -> dict:
        return await api.ok(
            "POST", "/api/v1/teams", 201, json={"name": name, "kind": kind, **fields}
        )

    return make


def roles(team: dict) -> dict[str, str]:
    return {m["name"]: m["role"] for m in team["members"]}


async def test_create_team_with_lead_and_members(api, person):
    lead = await person("王组长")
    deputy = await person("李副组长")
    a = await person("王五")
    b = await person("丁一")
    response = await api.post(
        "/api/v1/teams",
        role=Role.coordinator,
        json={
            "name": "南京西路复工企业联络团组",
            "kind": "liaison",
            "lead_id": lead["id"],
            "members": [
                {"person_id": a["id"]},
                {"person_id": deputy["id"], "role": "deputy"},
                {"person_id": b["id"], "role": "member"},
            ],
        },
    )
    assert response.status == 201
    created = await response.json()
    assert response.headers["Location"] == f"/api/v1/teams/{created['id']}"
    assert created["name"] == "南京西路复工企业联络团组"
    assert created["kind"] == "liaison"
    assert created["lead_id"] == lead["id"]
    # Lead first, then deputies, then members by name.
    assert created["members"] == [
        {"person_id": lead["id"], "name": "王组长", "role": "lead"},
        {"person_id": deputy["id"], "name": "李副组长", "role": "deputy"},
        {"person_id": b["id"], "name": "丁一", "role": "member"},
        {"person_id": a["id"], "name": "王五", "role": "member"},
    ]
    assert await api.ok("GET", f"/api/v1/teams/{created['id']}", role=Role.viewer) == created


async def test_lead_listed_among_members_keeps_role_lead(api, person, team):
    lead = await person("组长")
    created = await team("一队", lead_id=lead["id"], members=[{"person_id": lead["id"]}])
    assert created["members"] == [{"person_id": lead["id"], "name": "组长", "role": "lead"}]


async def test_member_with_role_lead_becomes_the_lead(person, team):
    lead = await person("组长")
    created = await team("二队", members=[{"person_id": lead["id"], "role": "lead"}])
    assert created["lead_id"] == lead["id"]


async def test_team_without_lead_or_members(team):
    created = await team("联动处置组", kind="joint_operation")
    assert created["lead_id"] is None
    assert created["members"] == []


async def test_update_name_and_kind(api, team):
    created = await team("旧名")
    updated = await api.ok(
        "PATCH", f"/api/v1/teams/{created['id']}", json={"name": "新名", "kind": "joint_operation"}
    )
    assert updated["name"] == "新名"
    assert updated["kind"] == "joint_operation"


async def test_changing_lead_keeps_members_consistent(api, person, team):
    old = await person("老组长")
    new = await person("新组长")
    outsider = await person("外援")
    created = await team(
        "石门二路志愿者服务队", lead_id=old["id"], members=[{"person_id": new["id"]}]
    )

    # A member becomes the lead; the old lead stays on as a member.
    updated = await api.ok("PATCH", f"/api/v1/teams/{created['id']}", json={"lead_id": new["id"]})
    assert updated["lead_id"] == new["id"]
    assert roles(updated) == {"新组长": "lead", "老组长": "member"}

    # Someone not yet in the team joins as lead.
    updated = await api.ok(
        "PATCH", f"/api/v1/teams/{created['id']}", json={"lead_id": outsider["id"]}
    )
    assert updated["lead_id"] == outsider["id"]
    assert roles(updated) == {"外援": "lead", "新组长": "member", "老组长": "member"}

    # No lead at all.
    updated = await api.ok("PATCH", f"/api/v1/teams/{created['id']}", json={"lead_id": None})
    assert updated["lead_id"] is None
    assert roles(updated) == {"外援": "member", "新组长": "member", "老组长": "member"}

    # Leaving lead_id out changes nothing.
    updated = await api.ok("PATCH", f"/api/v1/teams/{created['id']}", json={"name": "改名"})
    assert updated["lead_id"] is None


async def test_members_sub_resource(api, person, team):
    lead = await person("组长")
    a = await person("甲")
    created = await team("静安寺志愿者服务队", lead_id=lead["id"])
    members = f"/api/v1/teams/{created['id']}/members"

    response = await api.post(
        members, role=Role.coordinator, json={"person_id": a["id"], "role": "deputy"}
    )
    assert response.status == 201
    added = await response.json()
    assert response.headers["Location"] == f"{members}/{a['id']}"
    assert added["person_id"] == a["id"]
    assert added["name"] == "甲"
    assert added["role"] == "deputy"
    assert added["team_id"] == created["id"]
    assert await api.ok("GET", f"{members}/{a['id']}", role=Role.viewer) == added

    page = await api.ok("GET", members, role=Role.viewer)
    assert page["total"] == 2
    assert {m["name"]: m["role"] for m in page["items"]} == {"组长": "lead", "甲": "deputy"}

    changed = await api.ok("PATCH", f"{members}/{a['id']}", json={"role": "member"})
    assert changed["role"] == "member"

    await api.ok("DELETE", f"{members}/{a['id']}", 204)
    response = await api.get(f"{members}/{a['id']}")
    assert response.status == 404
    assert response.content_type == "application/problem+json"
    assert roles(await api.ok("GET", f"/api/v1/teams/{created['id']}")) == {"组长": "lead"}


async def test_adding_a_member_twice_is_409(api, person, team, counts):
    a = await person("甲")
    created = await team("三队", members=[{"person_id": a["id"]}])
    before = await counts()
    response = await api.post(f"/api/v1/teams/{created['id']}/members", json={"person_id": a["id"]})
    assert response.status == 409
    assert response.content_type == "application/problem+json"
    problem = await response.json()
    assert [e["field"] for e in problem["errors"]] == ["person_id"]
    assert await counts() == before


async def test_member_role_lead_moves_the_lead(api, person, team):
    old = await person("老组长")
    a = await person("甲")
    b = await person("乙")
    created = await team("四队", lead_id=old["id"], members=[{"person_id": a["id"]}])
    members = f"/api/v1/teams/{created['id']}/members"

    await api.ok("PATCH", f"{members}/{a['id']}", json={"role": "lead"})
    read = await api.ok("GET", f"/api/v1/teams/{created['id']}")
    assert read["lead_id"] == a["id"]
    assert roles(read) == {"甲": "lead", "老组长": "member"}

    # Adding a new member as lead moves it again.
    await api.ok("POST", members, 201, json={"person_id": b["id"], "role": "lead"})
    read = await api.ok("GET", f"/api/v1/teams/{created['id']}")
    assert read["lead_id"] == b["id"]
    assert roles(read) == {"乙": "lead", "甲": "member", "老组长": "member"}

    # Demoting the lead leaves the team without one.
    await api.ok("PATCH", f"{members}/{b['id']}", json={"role": "deputy"})
    read = await api.ok("GET", f"/api/v1/teams/{created['id']}")
    assert read["lead_id"] is None
    assert roles(read) == {"乙": "deputy", "甲": "member", "老组长": "member"}


async def test_removing_the_lead_clears_lead_id(api, person, team):
    lead = await person("组长")
    created = await team("五队", lead_id=lead["id"])
    await api.ok("DELETE", f"/api/v1/teams/{created['id']}/members/{lead['id']}", 204)
    read = await api.ok("GET", f"/api/v1/teams/{created['id']}")
    assert read["lead_id"] is None
    assert read["members"] == []
    # Now nothing refers to the person.
    await api.ok("DELETE", f"/api/v1/people/{lead['id']}", 204)


async def test_member_paths_that_do_not_exist_are_404(api, person, team):
    a = await person("甲")
    created = await team("六队")
    members = f"/api/v1/teams/{created['id']}/members"
    for method, path, body in (
        ("GET", f"{members}/{a['id']}", None),
        ("PATCH", f"{members}/{a['id']}", {"role": "deputy"}),
        ("DELETE", f"{members}/{a['id']}", None),
        ("GET", f"/api/v1/teams/{uuid.uuid4()}/members", None),
        ("POST", f"/api/v1/teams/{uuid.uuid4()}/members", {"person_id": a["id"]}),
        ("GET", f"{members}/not-a-uuid", None),
        ("GET", f"/api/v1/teams/{uuid.uuid4()}", None),
        ("PATCH", f"/api/v1/teams/{uuid.uuid4()}", {"name": "x"}),
        ("DELETE", f"/api/v1/teams/{uuid.uuid4()}", None),
    ):
        response = await api.request(method, path, json=body)
        assert response.status == 404, (method, path, await response.text())
        assert response.content_type == "application/problem+json"


async def test_adding_someone_who_does_not_exist_is_422(api, team, counts):
    created = await team("七队")
    before = await counts()
    response = await api.post(
        f"/api/v1/teams/{created['id']}/members", json={"person_id": str(uuid.uuid4())}
    )
    assert response.status == 422
    assert [e["field"] for e in (await response.json())["errors"]] == ["person_id"]
    assert await counts() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "captain"}, "role"),
        ({"role": None}, "role"),
        ({}, "role"),
        ({"role": "deputy", "since": "2024-01-01"}, "since"),
    ],
)
async def test_bad_member_patch_is_422(api, person, team, counts, body, field):
    a = await person("甲")
    created = await team("八队", members=[{"person_id": a["id"]}])
    before = await counts()
    response = await api.patch(f"/api/v1/teams/{created['id']}/members/{a['id']}", json=body)
    assert response.status == 422
    assert field in [e["field"] for e in (await response.json())["errors"]]
    assert await counts() == before


async def test_team_names_are_unique(api, team, counts):
    await team("重名队")
    other = await team("别的队")
    before = await counts()
    response = await api.post("/api/v1/teams", json={"name": "重名队", "kind": "liaison"})
    assert response.status == 409
    assert [e["field"] for e in (await response.json())["errors"]] == ["name"]
    response = await api.patch(f"/api/v1/teams/{other['id']}", json={"name": "重名队"})
    assert response.status == 409
    assert await counts() == before
    # Keeping one's own name is no conflict.
    await api.ok("PATCH", f"/api/v1/teams/{other['id']}", json={"name": "别的队"})


async def test_missing_people_are_422_naming_each_field(api, person, counts):
    a = await person("甲")
    before = await counts()
    response = await api.post(
        "/api/v1/teams",
        json={
            "name": "九队",
            "kind": "volunteer",
            "lead_id": str(uuid.uuid4()),
            "members": [{"person_id": a["id"]}, {"person_id": str(uuid.uuid4())}],
        },
    )
    assert response.status == 422
    fields = [e["field"] for e in (await response.json())["errors"]]
    assert fields == ["lead_id", "members.1.person_id"]
    assert await counts() == before

    created = await api.ok("POST", "/api/v1/teams", 201, json={"name": "九队", "kind": "volunteer"})
    before = await counts()
    response = await api.patch(
        f"/api/v1/teams/{created['id']}", json={"lead_id": str(uuid.uuid4())}
    )
    assert response.status == 422
    assert [e["field"] for e in (await response.json())["errors"]] == ["lead_id"]
    assert await counts() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "volunteer"}, "name"),
        ({"name": "队"}, "kind"),
        ({"name": "队", "kind": "army"}, "kind"),
        ({"name": "队" * 101, "kind": "volunteer"}, "name"),
        ({"name": ["队"], "kind": "volunteer"}, "name"),
        ({"name": "队", "kind": "volunteer", "lead_id": 7}, "lead_id"),
        ({"name": "队", "kind": "volunteer", "lead_id": "组长"}, "lead_id"),
        ({"name": "队", "kind": "volunteer", "members": {"person_id": "x"}}, "members"),
        (
            {"name": "队", "kind": "volunteer", "members": [{"role": "member"}]},
            "members.0.person_id",
        ),
        (
            {
                "name": "队",
                "kind": "volunteer",
                "members": [{"person_id": str(uuid.uuid4()), "role": "boss"}],
            },
            "members.0.role",
        ),
        (
            {
                "name": "队",
                "kind": "volunteer",
                "members": [{"person_id": str(uuid.uuid4()), "age": 3}],
            },
            "members.0.age",
        ),
        ({"name": "队", "kind": "volunteer", "colour": "red"}, "colour"),
        (
            {
                "name": "队",
                "kind": "volunteer",
                "members": [{"person_id": str(uuid.uuid4())}] * 501,
            },
            "members",
        ),
    ],
)
async def test_bad_team_is_refused_naming_the_field_and_writes_nothing(api, counts, body, field):
    before = await counts()
    response = await api.post("/api/v1/teams", json=body)
    assert response.status == 422, await response.text()
    assert response.content_type == "application/problem+json"
    assert field in [e["field"] for e in (await response.json())["errors"]]
    assert await counts() == before


async def test_contradicting_member_lists_are_422(api, person, counts):
    a = await person("甲")
    b = await person("乙")
    before = await counts()
    twice = [{"person_id": a["id"]}, {"person_id": a["id"], "role": "deputy"}]
    response = await api.post(
        "/api/v1/teams", json={"name": "十队", "kind": "volunteer", "members": twice}
    )
    assert response.status == 422
    assert [e["field"] for e in (await response.json())["errors"]] == ["members.1.person_id"]

    two_leads = [{"person_id": a["id"], "role": "lead"}, {"person_id": b["id"], "role": "lead"}]
    response = await api.post(
        "/api/v1/teams", json={"name": "十队", "kind": "volunteer", "members": two_leads}
    )
    assert response.status == 422
    assert [e["field"] for e in (await response.json())["errors"]] == ["members.1.role"]

    other_lead = [{"person_id": b["id"], "role": "lead"}]
    response = await api.post(
        "/api/v1/teams",
        json={"name": "十队", "kind": "volunteer", "lead_id": a["id"], "members": other_lead},
    )
    assert response.status == 422
    assert [e["field"] for e in (await response.json())["errors"]] == ["members.0.role"]
    assert await counts() == before


async def test_viewer_reads_teams_but_cannot_write(api, person, team):
    a = await person("甲")
    created = await team("十一队")
    await api.ok("GET", "/api/v1/teams", role=Role.viewer)
    await api.ok("GET", f"/api/v1/teams/{created['id']}/members", role=Role.viewer)
    members = f"/api/v1/teams/{created['id']}/members"
    for method, path, body in (
        ("POST", "/api/v1/teams", {"name": "x", "kind": "volunteer"}),
        ("PATCH", f"/api/v1/teams/{created['id']}", {"name": "x"}),
        ("DELETE", f"/api/v1/teams/{created['id']}", None),
        ("POST", members, {"person_id": a["id"]}),
        ("PATCH", f"{members}/{a['id']}", {"role": "lead"}),
        ("DELETE", f"{members}/{a['id']}", None),
    ):
        response = await api.request(method, path, role=Role.viewer, json=body)
        assert response.status == 403, (method, path)


async def test_delete_team_with_members_is_409_naming_them_until_they_leave(
    api, person, team, counts
):
    lead = await person("组长")
    created = await team("十二队", lead_id=lead["id"])
    before = await counts()
    refused = await api.delete(f"/api/v1/teams/{created['id']}", role=Role.coordinator)
    assert refused.status == 409
    problem = await refused.json()
    assert problem["status"] == 409
    assert problem["referenced_by"] == [
        {"resource": "team-members", "field": "team_id", "count": 1}
    ]
    assert "团队成员（1）" in problem["detail"]
    assert await counts() == before
    await api.ok("DELETE", f"/api/v1/teams/{created['id']}/members/{lead['id']}", 204)
    await api.ok("DELETE", f"/api/v1/teams/{created['id']}", 204, role=Role.coordinator)
    after = await counts()
    assert after["teams"] == before["teams"] - 1
    assert after["team_members"] == before["team_members"] - 1
    assert (await api.get(f"/api/v1/teams/{created['id']}")).status == 404
    await api.ok("DELETE", f"/api/v1/people/{lead['id']}", 204)


async def test_filters_search_sort_and_paginate_teams(api, person, team):
    a = await person("甲")
    await team("南京西路志愿者服务队", members=[{"person_id": a["id"]}])
    await team("南京西路联络团组", kind="liaison")
    await team("江宁路联络团组", kind="liaison", lead_id=a["id"])
    await team("城管联动组", kind="joint_operation")

    async def names(query: str) -> list[str]:
        page = await api.ok("GET", f"/api/v1/teams?{query}", role=Role.viewer)
        assert page["total"] == len(page["items"])
        return [t["name"] for t in page["items"]]

    assert await names("kind=liaison&sort=name") == sorted(["南京西路联络团组", "江宁路联络团组"])
    assert sorted(await names(f"person_id={a['id']}")) == ["南京西路志愿者服务队", "江宁路联络团组"]
    assert sorted(await names("q=南京西路")) == ["南京西路志愿者服务队", "南京西路联络团组"]
    assert await names("q=联络&kind=liaison&sort=-created_at") == [
        "江宁路联络团组",
        "南京西路联络团组",
    ]
    assert await names(f"person_id={uuid.uuid4()}") == []

    first = await api.ok("GET", "/api/v1/teams?limit=3&sort=created_at")
    assert first["total"] == 4
    second = await api.ok(
        "GET", f"/api/v1/teams?limit=3&sort=created_at&cursor={first['next_cursor']}"
    )
    assert second["next_cursor"] is None
    assert [t["name"] for t in first["items"] + second["items"]] == [
        "南京西路志愿者服务队",
        "南京西路联络团组",
        "江宁路联络团组",
        "城管联动组",
    ]
    listed = {t["name"]: t for t in first["items"] + second["items"]}
    assert listed["江宁路联络团组"]["members"] == [
        {"person_id": a["id"], "name": "甲", "role": "lead"}
    ]
    assert listed["城管联动组"]["members"] == []

    response = await api.get("/api/v1/teams?kind=army")
    assert response.status == 422
    response = await api.get("/api/v1/teams?sort=lead_id")
    assert response.status == 422


async def test_listing_teams_loads_members_in_one_query(api, database, person, team):
    """The number of statements does not grow with the number of teams on the page."""
    people = [await person(f"队员{i}") for i in range(3)]
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    async def selects_for_listing() -> int:
        statements.clear()
        event.listen(database.engine.sync_engine, "before_cursor_execute", count)
        try:
            await api.ok("GET", "/api/v1/teams", role=Role.viewer)
        finally:
            event.remove(database.engine.sync_engine, "before_cursor_execute", count)
        return len(statements)

    await team("队一", members=[{"person_id": p["id"]} for p in people])
    with_one = await selects_for_listing()
    for i in range(2, 6):
        await team(f"队{i}", members=[{"person_id": p["id"]} for p in people])
    with_five = await selects_for_listing()
    assert with_five == with_one
    # token check, count, page, members
    assert with_one <= 4


async def test_members_list_sorts_filters_and_paginates(api, person, team):
    names = ["赵", "钱", "孙", "李", "周"]
    people = {n: await person(n) for n in names}
    created = await team(
        "十三队",
        lead_id=people["周"]["id"],
        members=[
            {"person_id": people["赵"]["id"], "role": "deputy"},
            {"person_id": people["钱"]["id"]},
            {"person_id": people["孙"]["id"]},
            {"person_id": people["李"]["id"]},
        ],
    )
    members = f"/api/v1/teams/{created['id']}/members"

    seen: list[str] = []
    cursor = None
    while True:
        page = await api.ok(
            "GET", f"{members}?limit=2&sort=name" + (f"&cursor={cursor}" if cursor else "")
        )
        assert page["total"] == 5
        seen += [m["name"] for m in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(names)

    by_role = await api.ok("GET", f"{members}?sort=role")
    assert [m["role"] for m in by_role["items"]] == ["lead", "deputy", "member", "member", "member"]
    page = await api.ok("GET", f"{members}?limit=1&sort=role")
    page = await api.ok("GET", f"{members}?limit=1&sort=role&cursor={page['next_cursor']}")
    assert [m["name"] for m in page["items"]] == ["赵"]

    only = await api.ok("GET", f"{members}?role=member&sort=-name")
    assert [m["name"] for m in only["items"]] == sorted(["钱", "孙", "李"], reverse=True)
    assert [m["name"] for m in (await api.ok("GET", f"{members}?q=周"))["items"]] == ["周"]


async def test_team_writes_are_audited(api, person, team):
    lead = await person("组长")
    a = await person("甲")
    created = await api.ok(
        "POST",
        "/api/v1/teams",
        201,
        role=Role.coordinator,
        json={"name": "审计队", "kind": "volunteer", "lead_id": lead["id"]},
    )
    await api.ok(
        "POST",
        f"/api/v1/teams/{created['id']}/members",
        201,
        role=Role.coordinator,
        json={"person_id": a["id"]},
    )
    await api.ok(
        "PATCH", f"/api/v1/teams/{created['id']}", role=Role.coordinator, json={"lead_id": a["id"]}
    )
    for member in (lead, a):
        path = f"/api/v1/teams/{created['id']}/members/{member['id']}"
        await api.ok("DELETE", path, 204, role=Role.coordinator)
    await api.ok("DELETE", f"/api/v1/teams/{created['id']}", 204, role=Role.coordinator)

    team_log = await api.ok("GET", f"/api/v1/audit-log?entity_type=team&entity_id={created['id']}")
    actions = [e["action"] for e in team_log["items"]]
    assert actions[0] == "delete" and actions[-2:] == ["update", "create"]
    delete, update, create = team_log["items"][0], team_log["items"][-2], team_log["items"][-1]
    assert create["after"]["members"] == [{"person_id": lead["id"], "name": "组长", "role": "lead"}]
    assert update["before"]["lead_id"] == lead["id"]
    assert update["after"]["lead_id"] == a["id"]
    assert delete["before"]["members"] == []  # a team is deleted once its members have left
    assert {e["actor_name"] for e in team_log["items"]} == {"test coordinator"}

    member_log = await api.ok("GET", "/api/v1/audit-log?entity_type=team_member")
    changes = [
        (e["action"], (e["before"] or {}).get("role"), (e["after"] or {}).get("role"))
        for e in reversed(member_log["items"])
    ]
    # a joins as member; the lead hand-over demotes the old lead and promotes a; both
    # leave before the team goes.
    assert changes == [
        ("create", None, "member"),
        ("update", "lead", "member"),
        ("update", "member", "lead"),
        ("delete", "member", None),
        ("delete", "lead", None),
    ]
