"""Volunteers are office workers: the company a person works for."""

from __future__ import annotations

import uuid
from itertools import count

from coordinator.registry.codes import credit_check_char

_codes = count(1)


async def make_company(api, name: str = "上海福民科技有限公司") -> dict:  # type: ignore[no-untyped-def]
    first17 = f"91310106{next(_codes):09d}"
    return await api.ok(
        "POST",
        "/api/v1/companies",
        201,
        json={
            "name": name,
            "credit_code": first17 + credit_check_char(first17),
            "street_address": "南京西路 1 号",
        },
    )


async def test_a_person_works_for_a_company(api, person):
    company = await make_company(api)
    created = await person("王秀英", company_id=company["id"])
    assert created["company_id"] == company["id"]
    read = await api.ok("GET", f"/api/v1/people/{created['id']}")
    assert read["company_id"] == company["id"]
    moved = await api.ok("PATCH", f"/api/v1/people/{created['id']}", json={"company_id": None})
    assert moved["company_id"] is None
    assert (await person("李娜"))["company_id"] is None


async def test_missing_company_is_422_naming_company_id(api, person, counts):
    before = await counts()
    response = await api.post(
        "/api/v1/people", json={"name": "陈建国", "company_id": str(uuid.uuid4())}
    )
    assert response.status == 422
    problem = await response.json()
    assert [e["field"] for e in problem["errors"]] == ["company_id"]
    assert await counts() == before

    someone = await person("赵磊")
    response = await api.patch(
        f"/api/v1/people/{someone['id']}", json={"company_id": str(uuid.uuid4())}
    )
    assert response.status == 422
    assert [e["field"] for e in (await response.json())["errors"]] == ["company_id"]
    assert (await api.ok("GET", f"/api/v1/people/{someone['id']}"))["company_id"] is None


async def test_list_people_of_a_company(api, person):
    company = await make_company(api)
    other = await make_company(api, "上海静安咨询有限公司")
    staff = [await person(n, company_id=company["id"]) for n in ("甲", "乙")]
    await person("丙", company_id=other["id"])
    await person("丁")
    page = await api.ok("GET", f"/api/v1/people?company_id={company['id']}")
    assert sorted(p["id"] for p in page["items"]) == sorted(p["id"] for p in staff)


async def test_a_company_with_people_on_its_books_is_not_deleted(api, person):
    company = await make_company(api)
    worker = await person("王秀英", company_id=company["id"])
    response = await api.delete(f"/api/v1/companies/{company['id']}")
    assert response.status == 409
    problem = await response.json()
    assert problem["referenced_by"] == [{"resource": "people", "field": "company_id", "count": 1}]
    await api.ok("PATCH", f"/api/v1/people/{worker['id']}", json={"company_id": None})
    await api.ok("DELETE", f"/api/v1/companies/{company['id']}", 204)
