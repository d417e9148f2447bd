import uuid

import pytest

from coordinator.auth.models import Role
from tests.registry.conftest import fields, problem


async def test_create_read_update_delete_contact(api, registry):
    company = await registry.company("上海福民科技有限公司")
    base = f"/api/v1/companies/{company['id']}/contacts"
    response = await api.post(
        base,
        json={
            "name": "陈静",
            "mobile": "+86 139 0162 3456",
            "email": "Chen.Jing@Fumin-Tech.CN",
            "preferred_language": "en",
        },
    )
    assert response.status == 201
    created = await response.json()
    assert response.headers["Location"] == f"{base}/{created['id']}"
    assert {k: v for k, v in created.items() if k not in ("id", "created_at", "updated_at")} == {
        "company_id": company["id"],
        "name": "陈静",
        "mobile": "13901623456",
        "email": "chen.jing@fumin-tech.cn",
        "preferred_language": "en",
        "channels": ["email", "sms"],
        "quiet_hours": None,
    }
    assert await api.ok("GET", f"{base}/{created['id']}") == created

    updated = await api.ok(
        "PATCH", f"{base}/{created['id']}", json={"email": None, "preferred_language": "zh"}
    )
    assert (updated["email"], updated["preferred_language"], updated["mobile"]) == (
        None,
        "zh",
        "13901623456",
    )

    await api.ok("DELETE", f"{base}/{created['id']}", 204)
    await problem(await api.get(f"{base}/{created['id']}"), 404)


async def test_preferred_language_defaults_to_chinese(api, registry):
    company = await registry.company()
    contact = await registry.contact(company["id"])
    assert contact["preferred_language"] == "zh"
    assert contact["email"] is None


def contact(**change):
    body = {"name": "王经理", "mobile": "13812345678"}
    body.update(change)
    return {k: v for k, v in body.items() if v is not ...}


@pytest.mark.parametrize(
    ("body", "field", "zh"),
    [
        (contact(mobile="12812345678"), "mobile", "应为中国大陆手机号码（以 1 开头的 11 位数字）"),
        (contact(mobile="1381234567"), "mobile", "应为中国大陆手机号码（以 1 开头的 11 位数字）"),
        (contact(mobile="021-62581234"), "mobile", "应为中国大陆手机号码（以 1 开头的 11 位数字）"),
        (contact(mobile=13812345678), "mobile", "应为字符串"),
        (contact(mobile="1" * 21), "mobile", "长度不能超过 20"),
        (contact(mobile=...), "mobile", "必填字段"),
        (contact(email="wang@"), "email", "应为电子邮件地址"),
        (contact(email="w" * 250 + "@a.cn"), "email", "长度不能超过 254"),
        (contact(preferred_language="fr"), "preferred_language", "应为以下之一：「zh」或「en」"),
        (contact(name="王" * 101), "name", "长度不能超过 100"),
        (contact(name=""), "name", "长度至少为 1"),
        (contact(company_id=str(uuid.uuid4())), "company_id", "不允许的字段"),
        (contact(wechat="wang"), "wechat", "不允许的字段"),
    ],
)
async def test_bad_contact_is_422_naming_the_field_and_writes_nothing(
    api, registry, rows, body, field, zh
):
    company = await registry.company()
    before = await rows.counts()
    document = await problem(
        await api.post(f"/api/v1/companies/{company['id']}/contacts", json=body), 422
    )
    assert document["errors"] == [{"field": field, "message": zh}]
    assert await rows.counts() == before


async def test_invalid_mobile_in_english(api, registry, rows):
    company = await registry.company()
    before = await rows.counts()
    document = await problem(
        await api.post(
            f"/api/v1/companies/{company['id']}/contacts",
            json=contact(mobile="110"),
            headers={"Accept-Language": "en"},
        ),
        422,
    )
    assert document["errors"] == [
        {
            "field": "mobile",
            "message": "must be a mainland China mobile number (11 digits starting with 1)",
        }
    ]
    assert await rows.counts() == before


async def test_patch_refuses_null_for_required_fields(api, registry):
    company = await registry.company()
    created = await registry.contact(company["id"])
    path = f"/api/v1/companies/{company['id']}/contacts/{created['id']}"
    document = await problem(await api.patch(path, json={"mobile": None, "name": None}), 422)
    assert fields(document) == ["mobile", "name"]
    assert await api.ok("GET", path) == created


async def test_contact_of_another_company_is_404(api, registry, rows):
    mine = await registry.company("甲公司")
    theirs = await registry.company("乙公司")
    their_contact = await registry.contact(theirs["id"], name="乙公司联系人")
    path = f"/api/v1/companies/{mine['id']}/contacts/{their_contact['id']}"
    before = await rows.counts()

    await problem(await api.get(path), 404)
    await problem(await api.patch(path, json={"name": "改名"}), 404)
    await problem(await api.delete(path), 404)
    assert await rows.counts() == before
    still = await api.ok("GET", f"/api/v1/companies/{theirs['id']}/contacts/{their_contact['id']}")
    assert still == their_contact


async def test_missing_company_is_404_and_writes_nothing(api, rows):
    before = await rows.counts()
    missing = f"/api/v1/companies/{uuid.uuid4()}/contacts"
    zh = await problem(await api.get(missing), 404)
    assert zh["detail"] == "企业不存在"
    en = await problem(
        await api.post(missing, json=contact(), headers={"Accept-Language": "en"}), 404
    )
    assert en["detail"] == "company does not exist"
    await problem(await api.get(f"{missing}/{uuid.uuid4()}"), 404)
    await problem(await api.get("/api/v1/companies/nope/contacts/nope"), 404)
    assert await rows.counts() == before


async def test_roles(api, registry):
    company = await registry.company()
    created = await registry.contact(company["id"])
    base = f"/api/v1/companies/{company['id']}/contacts"
    assert (await api.get(base, role=Role.viewer)).status == 200
    assert (await api.get(f"{base}/{created['id']}", role=Role.viewer)).status == 200
    await problem(await api.get(base, role=None), 401)
    await problem(await api.post(base, role=Role.viewer, json=contact()), 403)
    await problem(await api.patch(f"{base}/{created['id']}", role=Role.viewer, json={}), 403)
    await problem(await api.delete(f"{base}/{created['id']}", role=Role.viewer), 403)
    await api.ok("POST", base, 201, role=Role.coordinator, json=contact(name="赵六"))


async def test_list_only_this_companys_contacts_paged_and_searched(api, registry):
    company = await registry.company()
    other = await registry.company()
    names = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "张敏"]
    for n, name in enumerate(names):
        await registry.contact(company["id"], name=name, mobile=f"1380000000{n}")
    await registry.contact(other["id"], name="张伟", mobile="13900000000")
    base = f"/api/v1/companies/{company['id']}/contacts"

    seen = []
    cursor = None
    while True:
        suffix = f"&cursor={cursor}" if cursor else ""
        page = await api.ok("GET", f"{base}?limit=3{suffix}")
        assert page["total"] == 7
        seen += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(item["name"] for item in seen) == sorted(names)
    assert len({item["id"] for item in seen}) == 7
    assert {item["company_id"] for item in seen} == {company["id"]}

    found = await api.ok("GET", f"{base}?q=张")
    assert sorted(item["name"] for item in found["items"]) == ["张伟", "张敏"]
    by_mobile = await api.ok("GET", f"{base}?q=13800000003")
    assert [item["name"] for item in by_mobile["items"]] == ["刘洋"]


async def test_contact_preferences_are_validated_and_kept(api):
    building = await api.ok(
        "POST",
        "/api/v1/buildings",
        201,
        json={"name": "偏好大厦", "address": "南京西路1号", "kind": "office"},
    )
    company = await api.ok(
        "POST",
        "/api/v1/companies",
        201,
        json={
            "name": "偏好公司",
            "credit_code": "91350100M000100Y43",
            "building_id": building["id"],
        },
    )
    base = f"/api/v1/companies/{company['id']}/contacts"
    bad = await api.post(
        base,
        json={"name": "王", "mobile": "13901623456", "channels": ["fax"], "quiet_hours": "late"},
    )
    assert bad.status == 422
    assert sorted(e["field"] for e in (await bad.json())["errors"]) == ["channels.0", "quiet_hours"]
    created = await api.ok(
        "POST",
        base,
        201,
        json={
            "name": "王",
            "mobile": "13901623456",
            "channels": ["sms", "email"],
            "quiet_hours": "22:00-07:30",
        },
    )
    assert created["channels"] == ["email", "sms"] and created["quiet_hours"] == "22:00-07:30"
    off = await api.ok(
        "PATCH", f"{base}/{created['id']}", json={"quiet_hours": "off", "channels": ["email"]}
    )
    assert off["quiet_hours"] == "off" and off["channels"] == ["email"]
