import uuid

import pytest

from coordinator.auth.models import Role


async def test_create_read_update_delete_person(api):
    response = await api.post(
        "/api/v1/people",
        role=Role.coordinator,
        json={
            "name": "王秀英",
            "phone": "+86 139 1234 5678",
            "email": "Wang.XiuYing@Example.com",
            "skills": ["急救", "英语", "急救", " 心理疏导 "],
        },
    )
    assert response.status == 201
    created = await response.json()
    assert response.headers["Location"] == f"/api/v1/people/{created['id']}"
    assert created["name"] == "王秀英"
    assert created["phone"] == "13912345678"
    assert created["email"] == "wang.xiuying@example.com"
    assert created["skills"] == ["急救", "英语", "心理疏导"]
    assert created["party_member"] is False
    assert created["party_branch_id"] is None

    read = await api.ok("GET", f"/api/v1/people/{created['id']}", role=Role.viewer)
    assert read == created

    updated = await api.ok(
        "PATCH",
        f"/api/v1/people/{created['id']}",
        role=Role.coordinator,
        json={"phone": "021-62581234", "skills": ["理发"], "email": None},
    )
    assert updated["phone"] == "021-62581234"
    assert updated["skills"] == ["理发"]
    assert updated["email"] is None
    assert updated["name"] == "王秀英"
    assert updated["updated_at"] > created["updated_at"]

    await api.ok("DELETE", f"/api/v1/people/{created['id']}", 204, role=Role.coordinator)
    response = await api.get(f"/api/v1/people/{created['id']}")
    assert response.status == 404
    assert response.content_type == "application/problem+json"


async def test_person_with_only_a_name_gets_defaults(person):
    created = await person("李明")
    assert created["phone"] is None
    assert created["email"] is None
    assert created["skills"] == []
    assert created["party_member"] is False


async def test_full_width_phone_digits_are_stored_as_ascii(person):
    created = await person("林静", phone="１３９１２３４５６７８")
    assert created["phone"] == "13912345678"
    created = await person("林静", phone="０２１－６２５８１２３４")
    assert created["phone"] == "021-62581234"


async def test_unknown_or_malformed_person_id_is_404(api):
    for path in (f"/api/v1/people/{uuid.uuid4()}", "/api/v1/people/not-a-uuid"):
        response = await api.get(path)
        assert response.status == 404
        assert response.content_type == "application/problem+json"
    response = await api.patch(f"/api/v1/people/{uuid.uuid4()}", json={"name": "x"})
    assert response.status == 404
    response = await api.delete(f"/api/v1/people/{uuid.uuid4()}")
    assert response.status == 404


async def test_party_member_with_existing_branch(person, party_branch):
    branch_id = await party_branch()
    created = await person("陈建国", party_member=True, party_branch_id=branch_id)
    assert created["party_member"] is True
    assert created["party_branch_id"] == branch_id


async def test_missing_party_branch_is_422_naming_the_field(api, counts):
    before = await counts()
    response = await api.post(
        "/api/v1/people",
        json={"name": "陈建国", "party_member": True, "party_branch_id": str(uuid.uuid4())},
    )
    assert response.status == 422
    assert response.content_type == "application/problem+json"
    problem = await response.json()
    assert [e["field"] for e in problem["errors"]] == ["party_branch_id"]
    assert await counts() == before


async def test_party_branch_only_for_party_members(api, person, party_branch, counts):
    branch_id = await party_branch()
    before = await counts()
    response = await api.post(
        "/api/v1/people", json={"name": "赵磊", "party_member": False, "party_branch_id": branch_id}
    )
    assert response.status == 422
    assert [e["field"] for e in (await response.json())["errors"]] == ["party_branch_id"]
    assert await counts() == before

    member = await person("赵磊", party_member=True, party_branch_id=branch_id)
    before = await counts()
    # Leaving the party while keeping the branch is refused …
    response = await api.patch(f"/api/v1/people/{member['id']}", json={"party_member": False})
    assert response.status == 422
    assert [e["field"] for e in (await response.json())["errors"]] == ["party_branch_id"]
    assert await counts() == before
    # … clearing both together is fine.
    updated = await api.ok(
        "PATCH",
        f"/api/v1/people/{member['id']}",
        json={"party_member": False, "party_branch_id": None},
    )
    assert updated["party_member"] is False
    assert updated["party_branch_id"] is None

    # A branch that does not exist is refused on update too.
    response = await api.patch(
        f"/api/v1/people/{member['id']}",
        json={"party_member": True, "party_branch_id": str(uuid.uuid4())},
    )
    assert response.status == 422
    assert [e["field"] for e in (await response.json())["errors"]] == ["party_branch_id"]
    assert (await api.ok("GET", f"/api/v1/people/{member['id']}"))["party_member"] is False

    # A non-member cannot be given a branch later either.
    response = await api.patch(
        f"/api/v1/people/{member['id']}", json={"party_branch_id": branch_id}
    )
    assert response.status == 422


LONG = "张" * 101


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": LONG}, "name"),
        ({"name": 42}, "name"),
        ({"name": "李明", "nickname": "小李"}, "nickname"),
        ({"name": "李明", "phone": "12345"}, "phone"),
        ({"name": "李明", "phone": 13912345678}, "phone"),
        ({"name": "李明", "phone": "139123456٧٨"}, "phone"),
        ({"name": "李明", "email": "not-an-email"}, "email"),
        ({"name": "李明", "email": "a@b"}, "email"),
        ({"name": "李明", "skills": "急救"}, "skills"),
        ({"name": "李明", "skills": ["急救", 3]}, "skills.1"),
        ({"name": "李明", "skills": ["急救", ""]}, "skills.1"),
        ({"name": "李明", "skills": ["长" * 51]}, "skills.0"),
        ({"name": "李明", "skills": [f"技能{i}" for i in range(31)]}, "skills"),
        ({"name": "李\u0000明"}, "name"),
        ({"name": "李明\n王"}, "name"),
        ({"name": "李明", "email": "li\u0000@example.com"}, "email"),
        ({"name": "李明", "skills": ["急\u0000救"]}, "skills.0"),
        ({"name": "李明", "party_member": "yes"}, "party_member"),
        ({"name": "李明", "party_member": 1}, "party_member"),
        ({"name": "李明", "party_member": True, "party_branch_id": "branch-1"}, "party_branch_id"),
    ],
)
async def test_bad_person_is_refused_naming_the_field_and_writes_nothing(api, counts, body, field):
    before = await counts()
    response = await api.post("/api/v1/people", json=body)
    assert response.status == 422, await response.text()
    assert response.content_type == "application/problem+json"
    problem = await response.json()
    assert problem["status"] == 422
    assert field in [e["field"] for e in problem["errors"]]
    assert all(e["message"] for e in problem["errors"])
    assert await counts() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": None}, "name"),
        ({"skills": None}, "skills"),
        ({"party_member": None}, "party_member"),
        ({"name": LONG}, "name"),
        ({"phone": "电话"}, "phone"),
        ({"id": str(uuid.uuid4())}, "id"),
        ({"created_at": "2024-01-01T00:00:00Z"}, "created_at"),
    ],
)
async def test_bad_person_patch_is_refused_and_changes_nothing(api, person, counts, body, field):
    created = await person("孙丽", phone="13800138000")
    before = await counts()
    response = await api.patch(f"/api/v1/people/{created['id']}", json=body)
    assert response.status == 422, await response.text()
    assert field in [e["field"] for e in (await response.json())["errors"]]
    assert await counts() == before
    assert await api.ok("GET", f"/api/v1/people/{created['id']}") == created


async def test_viewer_reads_but_cannot_write_people(api, person):
    created = await person("周杰")
    await api.ok("GET", "/api/v1/people", role=Role.viewer)
    await api.ok("GET", f"/api/v1/people/{created['id']}", role=Role.viewer)
    for method, path, body in (
        ("POST", "/api/v1/people", {"name": "吴芳"}),
        ("PATCH", f"/api/v1/people/{created['id']}", {"name": "吴芳"}),
        ("DELETE", f"/api/v1/people/{created['id']}", None),
    ):
        response = await api.request(method, path, role=Role.viewer, json=body)
        assert response.status == 403, (method, path)
        assert response.content_type == "application/problem+json"
    assert (await api.ok("GET", f"/api/v1/people/{created['id']}"))["name"] == "周杰"


async def test_filters_by_party_membership_branch_and_skill(api, person, party_branch):
    branch_a = await party_branch("南京西路楼宇联合党支部")
    branch_b = await party_branch("静安寺居民区党总支")
    await person("甲", party_member=True, party_branch_id=branch_a, skills=["急救", "英语"])
    await person("乙", party_member=True, party_branch_id=branch_b, skills=["英语"])
    await person("丙", party_member=True, skills=["法律咨询"])
    await person("丁", skills=["急救"])

    async def names(query: str) -> list[str]:
        page = await api.ok("GET", f"/api/v1/people?{query}", role=Role.viewer)
        assert page["total"] == len(page["items"])
        return sorted(p["name"] for p in page["items"])

    assert await names("party_member=true") == ["丙", "乙", "甲"]
    assert await names("party_member=false") == ["丁"]
    assert await names(f"party_branch_id={branch_a}") == ["甲"]
    assert await names("skill=急救") == ["丁", "甲"]
    assert await names("skill=英语&party_member=true") == ["乙", "甲"]
    assert await names("skill=急") == []
    assert await names(f"party_branch_id={uuid.uuid4()}") == []


async def test_filter_by_team(api, person):
    a = await person("成员一")
    b = await person("成员二")
    await person("局外人")
    team = await api.ok(
        "POST",
        "/api/v1/teams",
        201,
        json={
            "name": "南京西路志愿者服务队",
            "kind": "volunteer",
            "lead_id": a["id"],
            "members": [{"person_id": b["id"]}],
        },
    )
    page = await api.ok("GET", f"/api/v1/people?team_id={team['id']}")
    assert sorted(p["name"] for p in page["items"]) == ["成员一", "成员二"]
    assert page["total"] == 2


async def test_search_in_chinese_sort_and_paginate(api, person):
    for name in ["张伟", "张伟华", "王伟", "李娜", "张敏", "刘洋"]:
        await person(name)

    found = await api.ok("GET", "/api/v1/people?q=张伟")
    assert sorted(p["name"] for p in found["items"]) == ["张伟", "张伟华"]
    assert found["total"] == 2
    found = await api.ok("GET", "/api/v1/people?q=伟")
    assert sorted(p["name"] for p in found["items"]) == ["张伟", "张伟华", "王伟"]
    # LIKE wildcards in the search are literal.
    assert (await api.ok("GET", "/api/v1/people?q=%25"))["total"] == 0
    assert (await api.ok("GET", "/api/v1/people?q=_"))["total"] == 0

    seen: list[str] = []
    cursor = None
    while True:
        query = "limit=4&sort=-name" + (f"&cursor={cursor}" if cursor else "")
        page = await api.ok("GET", f"/api/v1/people?{query}")
        assert page["total"] == 6
        assert len(page["items"]) <= 4
        seen += [p["name"] for p in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 6
    assert seen == sorted(seen, reverse=True)

    by_created = await api.ok("GET", "/api/v1/people?sort=created_at")
    assert [p["name"] for p in by_created["items"]] == [
        "张伟",
        "张伟华",
        "王伟",
        "李娜",
        "张敏",
        "刘洋",
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("sort=phone", "sort"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=many", "limit"),
        ("party_member=perhaps", "party_member"),
        ("team_id=team-1", "team_id"),
        ("colour=red", "colour"),
        ("cursor=%%%", "cursor"),
    ],
)
async def test_bad_list_parameters_are_422_naming_the_parameter(api, query, field):
    response = await api.get(f"/api/v1/people?{query}")
    assert response.status == 422, await response.text()
    assert response.content_type == "application/problem+json"
    assert field in [e["field"] for e in (await response.json())["errors"]]


async def test_deleting_a_team_member_is_409_naming_team_memberships(api, person, counts):
    lead = await person("组长")
    member = await person("组员")
    await api.ok(
        "POST",
        "/api/v1/teams",
        201,
        json={
            "name": "江宁路联络团组",
            "kind": "liaison",
            "lead_id": lead["id"],
            "members": [{"person_id": member["id"], "role": "deputy"}],
        },
    )
    before = await counts()

    response = await api.delete(f"/api/v1/people/{member['id']}")
    assert response.status == 409
    assert response.content_type == "application/problem+json"
    problem = await response.json()
    assert problem["referenced_by"] == [
        {"resource": "team-members", "field": "person_id", "count": 1}
    ]
    assert "团队成员" in problem["detail"]

    response = await api.delete(f"/api/v1/people/{lead['id']}", headers={"Accept-Language": "en"})
    assert response.status == 409
    problem = await response.json()
    assert sorted(r["resource"] for r in problem["referenced_by"]) == ["team-members", "teams"]
    assert "team" in problem["detail"]
    assert await counts() == before


async def test_deleting_a_branch_secretary_is_409_naming_party_branches(api, person, party_branch):
    secretary = await person("书记", party_member=True)
    await party_branch("石门二路居民区党总支", secretary_id=secretary["id"])
    response = await api.delete(f"/api/v1/people/{secretary['id']}")
    assert response.status == 409
    problem = await response.json()
    assert problem["referenced_by"] == [
        {"resource": "party-branches", "field": "secretary_id", "count": 1}
    ]
    await api.ok("GET", f"/api/v1/people/{secretary['id']}")


async def test_person_writes_are_audited_with_actor_before_and_after(api, person):
    created = await api.ok(
        "POST", "/api/v1/people", 201, role=Role.coordinator, json={"name": "审计"}
    )
    await api.ok(
        "PATCH", f"/api/v1/people/{created['id']}", role=Role.coordinator, json={"skills": ["摄影"]}
    )
    await api.ok("DELETE", f"/api/v1/people/{created['id']}", 204, role=Role.coordinator)
    log = await api.ok("GET", f"/api/v1/audit-log?entity_type=person&entity_id={created['id']}")
    assert [e["action"] for e in log["items"]] == ["delete", "update", "create"]
    assert {e["actor_name"] for e in log["items"]} == {"test coordinator"}
    delete, update, create = log["items"]
    assert create["before"] is None and create["after"]["name"] == "审计"
    assert update["before"]["skills"] == [] and update["after"]["skills"] == ["摄影"]
    assert delete["before"]["skills"] == ["摄影"] and delete["after"] is None


async def test_person_preferences_default_to_chinese_email_and_subdistrict_quiet_hours(api):
    person = await api.ok("POST", "/api/v1/people", 201, json={"name": "赵敏"})
    assert (person["preferred_language"], person["channels"], person["quiet_hours"]) == (
        "zh",
        ["email"],
        None,
    )
    changed = await api.ok(
        "PATCH",
        f"/api/v1/people/{person['id']}",
        json={"preferred_language": "en", "quiet_hours": "23:00-06:00"},
    )
    assert (changed["preferred_language"], changed["quiet_hours"]) == ("en", "23:00-06:00")
    bad = await api.patch(f"/api/v1/people/{person['id']}", json={"preferred_language": "fr"})
    assert bad.status == 422 and (await bad.json())["errors"][0]["field"] == "preferred_language"
