"""RFC 9457 to the letter: `status` is the HTTP status in every problem the code can raise,
state conflicts name `current` and `allowed`, NUL bytes are refused by field, aiohttp's own
refusals and dropped database connections answer problems too."""

from __future__ import annotations

import ast
import asyncio
import importlib
import json
import pkgutil
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy import text

import coordinator
from coordinator.auth.models import Role
from coordinator.platform import keys
from coordinator.platform.i18n import Text
from coordinator.platform.problems import RESERVED, Problem, StateConflict

from .test_problems import problem

CODE = Path(coordinator.__file__).parent


def every_problem_class() -> list[type[Problem]]:
    for module in pkgutil.walk_packages([str(CODE)], "coordinator."):
        importlib.import_module(module.name)
    found: list[type[Problem]] = []
    todo = [Problem]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted(set(found), key=lambda c: f"{c.__module__}.{c.__qualname__}")


def build(cls: type[Problem]) -> Problem:
    if issubclass(cls, StateConflict):
        return cls(Text("甲", "a"), current="proposed", allowed=["confirmed", "cancelled"])
    try:
        return cls()
    except TypeError:  # a problem whose constructor needs its detail
        return cls(Text("甲", "a"))


@pytest.mark.parametrize("cls", every_problem_class(), ids=lambda c: c.__qualname__)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_problem_carries_its_http_status(cls, lang):
    body = build(cls).body(lang)
    assert body["status"] == cls.status and isinstance(body["status"], int)
    assert 400 <= cls.status < 600
    assert body["type"] == f"https://fumin.example/problems/{cls.slug}"
    assert body["title"] and body["detail"]
    assert json.loads(json.dumps(body, ensure_ascii=False)) == body


def test_state_conflicts_name_current_and_allowed_states():
    body = StateConflict(current="cancelled").body("zh")
    assert (body["status"], body["current"], body["allowed"]) == (409, "cancelled", [])
    body = StateConflict(current="proposed", allowed=["declined", "confirmed"]).body("en")
    assert body["allowed"] == ["confirmed", "declined"]


@pytest.mark.parametrize("member", sorted(RESERVED))
def test_extension_members_cannot_take_a_reserved_name(member):
    with pytest.raises(ValueError, match=member):
        Problem(extra={member: "x"})


def _reserved_extras(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.keyword)
            and node.arg == "extra"
            and isinstance(node.value, ast.Dict)
        ):
            for key in node.value.keys:
                if isinstance(key, ast.Constant) and key.value in RESERVED:
                    found.append(f"line {node.value.lineno}: {key.value}")
    return found


def test_no_code_raises_a_problem_with_a_reserved_extension_member():
    offenders = {
        str(path.relative_to(CODE)): hits
        for path in CODE.rglob("*.py")
        if (hits := _reserved_extras(ast.parse(path.read_text())))
    }
    assert offenders == {}


async def test_state_conflict_answer_names_current_and_allowed(api):
    campaign = await api.ok(
        "POST",
        "/api/v1/campaigns",
        201,
        json={
            "name": "复工企业大走访",
            "purpose": "了解复工情况",
            "starts_on": "2030-03-01",
            "ends_on": "2030-03-31",
            "windows": [{"start": "09:00", "end": "12:00"}],
            "visit_minutes": 60,
        },
    )
    # A campaign in draft is not being planned: there is nothing to cancel.
    body = await problem(await api.post(f"/api/v1/campaigns/{campaign['id']}/cancel"), 409)
    assert body["current"] == "draft" and body["allowed"] == ["planning"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "张\u0000三"}, "name"),
        ({"name": "张三", "skills": ["急救", "\u0000"]}, "skills.1"),
    ],
)
async def test_nul_in_a_body_string_is_422_naming_the_field(api, counts, payload, field):
    before = await counts()
    body = await problem(await api.post("/api/v1/people", json=payload), 422)
    assert [e["field"] for e in body["errors"]] == [field]
    assert "SQLSTATE" not in json.dumps(body) and "22021" not in json.dumps(body)
    assert await counts() == before


@pytest.mark.parametrize("path", ["/api/v1/people?q=%00", "/api/v1/companies?q=a%00b"])
async def test_nul_in_a_query_parameter_is_422_naming_it(api, path):
    body = await problem(await api.get(path), 422)
    assert [e["field"] for e in body["errors"]] == ["q"]


async def test_nul_in_a_patch_is_422(api):
    person = await api.ok("POST", "/api/v1/people", 201, json={"name": "张三"})
    body = await problem(
        await api.patch(f"/api/v1/people/{person['id']}", json={"name": "\u0000"}), 422
    )
    assert [e["field"] for e in body["errors"]] == ["name"]


async def _raw(server_port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", server_port)
    writer.write(request)
    await writer.drain()
    raw = await reader.read()
    writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return status, headers, body


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET /api/v1/people?q=" + b"x" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /api/v1/people HTTP/1.1\r\nHost: x\r\nX-Long: " + b"y" * 9000 + b"\r\n\r\n",
        b"GET /api/v1/people HTTP/1.1\r\nHost: x\r\nBroken header line\r\n\r\n",
        b"NOT-HTTP\r\n\r\n",
    ],
    ids=["url-too-long", "header-too-long", "malformed-header", "not-http"],
)
async def test_requests_aiohttp_refuses_are_problems(live_server, request_bytes):
    status, headers, body = await _raw(live_server.port, request_bytes)
    assert 400 <= status < 500
    assert headers["content-type"].startswith("application/problem+json")
    document = json.loads(body)
    assert document["status"] == status and document["title"]


async def test_unknown_route_and_wrong_method_are_problems(live_server):
    port = live_server.port
    status, headers, body = await _raw(
        port, b"GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    assert (status, json.loads(body)["status"]) == (404, 404)
    status, headers, body = await _raw(
        port, b"PUT /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    assert (status, json.loads(body)["status"]) == (405, 405) and headers["allow"] == "GET"


async def test_a_dropped_database_connection_is_503_with_retry_after(committed_api):
    api = committed_api
    await api.ok("POST", "/api/v1/people", 201, json={"name": "张三"})
    for _ in range(3):  # warm several pooled connections
        await asyncio.gather(*(api.ok("GET", "/api/v1/people") for _ in range(4)))
    await _terminate_other_backends(api)
    statuses = []
    for _ in range(12):
        responses = await asyncio.gather(
            *(api.get("/api/v1/people", headers={"Cache-Control": "no-cache"}) for _ in range(4))
        )
        for response in responses:
            statuses.append(response.status)
            if response.status == 503:
                assert response.headers["Retry-After"].isdigit()
                assert response.content_type == "application/problem+json"
                assert (await response.json())["status"] == 503
    assert 500 not in statuses and 503 in statuses
    assert set(statuses) <= {200, 503}
    assert statuses[-4:] == [200] * 4  # the pool recovers by itself


async def _terminate_other_backends(api) -> None:
    database = api.client.app[keys.DATABASE]
    async with database.engine.connect() as connection:
        await connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                " AND backend_type = 'client backend'"
            )
        )
        await connection.commit()


async def test_forbidden_names_the_role_in_chinese(api):
    body = await problem(
        await api.post("/api/v1/people", role=Role.viewer, json={"name": "x"}), 403
    )
    assert "协调员" in body["detail"] and "coordinator" not in body["detail"]


async def test_a_rule_across_fields_is_422_not_400(api):
    """A check of the body as a whole (one of two fields) is invalid content, not bad JSON."""
    shift = f"/api/v1/shifts/{'0' * 8}-0000-0000-0000-{'0' * 12}/signups"
    body = await problem(
        await api.post(shift, json={"person_id": str(uuid4()), "team_id": str(uuid4())}), 422
    )
    assert [e["field"] for e in body["errors"]] == ["body"]
