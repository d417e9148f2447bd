"""Every error is an RFC 9457 problem document, in the caller's language, never a 500."""

import json
import uuid

import pytest

from coordinator.auth.models import Role
from tests.open311.errors import georeport_errors

from .conftest import concrete, op_id, operations

PROBLEM_KEYS = {"type", "title", "status", "detail"}


async def problem(response, status: int) -> dict:
    text = await response.text()
    assert response.status == status, text
    assert response.content_type == "application/problem+json"
    body = json.loads(text)
    assert PROBLEM_KEYS <= body.keys()
    assert body["status"] == status
    assert body["type"].startswith("https://")
    return body


async def raw_post(
    api, path: str, data: bytes | str, content_type: str | None = "application/json", **headers
):
    if content_type is not None:
        headers["Content-Type"] = content_type
    return await api.client.post(path, data=data, headers=api.headers(Role.admin, **headers))


@pytest.mark.parametrize(
    "data",
    [
        b'{"name": ',
        b"{'name': 'x'}",
        b'{"name": "x",}',
        b"name=x",
        b"\xff\xfe\x00",
        b'{"name": "x"} trailing',
    ],
)
async def test_malformed_json_is_400(api, counts, data):
    before = await counts()
    body = await problem(await raw_post(api, "/api/v1/people", data), 400)
    assert "JSON" in body["detail"]
    assert await counts() == before


@pytest.mark.parametrize("data", [b"[]", b'[{"name": "x"}]', b'"x"', b"42", b"null", b"true"])
async def test_body_that_is_not_an_object_is_400(api, counts, data):
    before = await counts()
    await problem(await raw_post(api, "/api/v1/people", data), 400)
    assert await counts() == before


@pytest.mark.parametrize("data", [b"", b"   "])
async def test_empty_body_is_400(api, data):
    await problem(await raw_post(api, "/api/v1/people", data), 400)


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
    ],
)
async def test_wrong_content_type_is_415(api, counts, content_type):
    before = await counts()
    body = await problem(await raw_post(api, "/api/v1/people", b'{"name": "x"}', content_type), 415)
    assert "application/json" in body["detail"]
    assert await counts() == before


async def test_merge_patch_content_type_is_accepted(api):
    person = await api.ok("POST", "/api/v1/people", 201, json={"name": "张三"})
    response = await api.client.patch(
        f"/api/v1/people/{person['id']}",
        data=json.dumps({"name": "张三丰"}),
        headers=api.headers(Role.admin, **{"Content-Type": "application/merge-patch+json"}),
    )
    assert response.status == 200
    assert (await response.json())["name"] == "张三丰"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/nothing-here"),
        ("GET", "/api/v2/people"),
        ("GET", "/nothing"),
        ("POST", "/api/v1/people/extra/segments"),
        ("DELETE", "/api/v1/teams/x/members/y/z"),
    ],
)
async def test_unknown_path_is_404_problem(api, method, path):
    await problem(await api.request(method, path), 404)


async def test_unknown_path_needs_no_token(api):
    await problem(await api.get("/api/v1/nothing-here", role=None), 404)


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/api/v1/people", {"GET", "POST"}),
        ("DELETE", "/api/v1/people", {"GET", "POST"}),
        ("PUT", f"/api/v1/people/{uuid.uuid4()}", {"GET", "PATCH", "DELETE"}),
        ("POST", f"/api/v1/teams/{uuid.uuid4()}", {"GET", "PATCH", "DELETE"}),
        ("PUT", f"/api/v1/teams/{uuid.uuid4()}/members", {"GET", "POST"}),
        ("POST", "/healthz", {"GET"}),
    ],
)
async def test_wrong_method_is_405_with_allow(api, method, path, allowed):
    response = await api.request(method, path, json={})
    await problem(response, 405)
    assert {m.strip() for m in response.headers["Allow"].split(",")} >= allowed


def big_body(size: int) -> bytes:
    return json.dumps({"name": "张三", "skills": ["x" * size]}).encode()


async def test_body_over_256_kib_is_413(api, counts):
    before = await counts()
    await problem(await raw_post(api, "/api/v1/people", big_body(256 * 1024)), 413)
    await problem(await raw_post(api, "/api/v1/people", big_body(2 * 1024 * 1024)), 413)
    assert await counts() == before


async def test_chunked_body_over_256_kib_is_413(api, counts):
    before = await counts()

    async def chunks():
        for _ in range(300):
            yield b" " * 1024

    response = await api.client.post(
        "/api/v1/people",
        data=chunks(),
        headers=api.headers(Role.admin, **{"Content-Type": "application/json"}),
    )
    await problem(response, 413)
    assert await counts() == before


async def test_body_just_under_the_limit_is_read(api):
    data = json.dumps({"name": "张三"}).encode() + b" " * (256 * 1024 - 100)
    response = await raw_post(api, "/api/v1/people", data)
    assert response.status == 201


async def test_chinese_is_the_default_language(api):
    body = await problem(await api.get(f"/api/v1/people/{uuid.uuid4()}"), 404)
    assert body["title"] == "未找到"
    assert body["detail"] == "人员不存在"


@pytest.mark.parametrize(
    ("accept_language", "lang"),
    [
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("en;q=0.5,zh;q=0.9", "zh"),
        ("fr-FR", "zh"),
        ("zh-TW", "zh"),
        ("*", "zh"),
        ("garbage;;q=x,", "zh"),
    ],
)
async def test_accept_language_picks_the_language(api, accept_language, lang):
    response = await api.post(
        "/api/v1/people", json={"name": ""}, headers={"Accept-Language": accept_language}
    )
    body = await problem(response, 422)
    expected = {
        "en": ("Invalid input", "String should have at least 1 character"),
        "zh": ("输入未通过校验", "长度至少为 1"),
    }[lang]
    assert body["title"] == expected[0]
    assert body["errors"] == [{"field": "name", "message": expected[1]}]


async def test_lang_parameter_overrides_the_header(api):
    response = await api.get(
        f"/api/v1/people/{uuid.uuid4()}?lang=en", headers={"Accept-Language": "zh-CN"}
    )
    assert (await problem(response, 404))["detail"] == "person does not exist"
    response = await api.get("/api/v1/people?limit=0&lang=en")
    body = await problem(response, 422)
    assert [e["field"] for e in body["errors"]] == ["limit"]
    assert body["title"] == "Invalid input"
    # lang is not a filter of its own.
    await api.ok("GET", "/api/v1/people?lang=zh")


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_auth_and_conflict_problems_speak_both_languages(api, lang):
    headers = {"Accept-Language": lang}
    unauthorized = await problem(await api.get("/api/v1/people", role=None, headers=headers), 401)
    forbidden = await problem(
        await api.post("/api/v1/people", role=Role.viewer, json={"name": "x"}, headers=headers), 403
    )
    not_allowed = await problem(await api.request("PUT", "/api/v1/people", headers=headers), 405)
    for body in (unauthorized, forbidden, not_allowed):
        assert body["title"].isascii() == (lang == "en")


GARBAGE_BODIES = [
    b"{",
    b"[]",
    b"{}",
    b'{"name": null, "kind": null, "id": 1}',
    b'{"name": "\\u0000", "kind": "volunteer"}',
    json.dumps({"name": "x" * 5000, "limit": -1, "role": "admin"}).encode(),
    json.dumps({"person_id": "00000000-0000-0000-0000-000000000000", "role": "lead"}).encode(),
]
GARBAGE_QUERIES = [
    "",
    "limit=-1",
    "sort=-",
    "cursor=AAAA",
    "q=%00",
    "q=%25_%5C",
    "kind=%F0%9F%98%80",
    "created_at=yesterday",
]


@pytest.mark.parametrize("op", operations(), ids=op_id)
async def test_no_operation_answers_500_to_garbage(api, op):
    paths = [concrete(op.path), concrete(op.path, "not-a-uuid"), concrete(op.path, "%E4%B8%AD")]
    targets = [(path, body) for path in paths for body in GARBAGE_BODIES] + [
        (f"{paths[0]}?{query}", GARBAGE_BODIES[-1]) for query in GARBAGE_QUERIES
    ]
    if op.method in ("GET", "DELETE"):  # no body: each target once
        targets = list(dict.fromkeys((target, b"") for target, _ in targets))
    for target, data in targets:
        if op.method in ("GET", "DELETE"):
            response = await api.request(op.method, target)
        else:
            response = await raw_post_like(api, op.method, target, data)
        text = await response.text()
        assert response.status < 500, (op.method, target, data, text)
        if response.status >= 400 and op.path.startswith("/open311/"):
            # GeoReport's own error format there (tests/open311/errors.py).
            georeport_errors(response.status, response.content_type, await response.read())
        elif response.status >= 400:
            assert response.content_type == "application/problem+json", text


async def raw_post_like(api, method: str, path: str, data: bytes):
    return await api.client.request(
        method,
        path,
        data=data,
        headers=api.headers(Role.admin, **{"Content-Type": "application/json"}),
    )
