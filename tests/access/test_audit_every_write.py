"""Every write through the API leaves an audit entry naming who did what to which row.

Each mutating operation the app declares has a recipe (tests/access/audit_recipes.py):
how to call it successfully and which entry it must write. An operation added without a
recipe fails the first test; one that writes no entry fails its own.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from coordinator.audit.models import AuditEntry
from coordinator.auth.models import ApiToken, Role
from coordinator.web.api import Operation
from tests.access import (
    audit_recipes,
    audit_recipes_board,
    audit_recipes_cases,
    audit_recipes_departments,
    audit_recipes_duty,
    audit_recipes_housing_places,
    audit_recipes_open311,
    audit_recipes_photos,
    audit_recipes_rounds,
    audit_recipes_surveys,
    audit_recipes_worktime,
)
from tests.access.audit_scene import RECIPES, Scene
from tests.access.conftest import op_id, operations

WRITES = ("POST", "PUT", "PATCH", "DELETE")
MUTATING = [op for op in operations() if op.method in WRITES]
assert (
    audit_recipes
    and audit_recipes_board
    and audit_recipes_cases
    and audit_recipes_departments
    and audit_recipes_duty
    and audit_recipes_housing_places
    and audit_recipes_open311
    and audit_recipes_photos
    and audit_recipes_rounds
    and audit_recipes_surveys
    and audit_recipes_worktime
)  # they register their recipes on import


def test_every_mutating_operation_has_a_recipe():
    declared = {op_id(op) for op in MUTATING}
    assert declared - RECIPES.keys() == set(), "writes without an audit recipe"
    assert RECIPES.keys() - declared == set(), "recipes for operations no longer declared"


def _matches(template: str, path: str) -> bool:
    pattern = re.sub(r"{\w+}", "[^/]+", template)
    return re.fullmatch(pattern, path) is not None


async def _entries_after(database: Any, mark: int) -> list[AuditEntry]:
    async with database.session() as session:
        rows = await session.scalars(
            select(AuditEntry).where(AuditEntry.id > mark).order_by(AuditEntry.id)
        )
        return list(rows)


async def _token_id(database: Any, role: Role) -> uuid.UUID:
    async with database.session() as session:
        found = await session.scalar(select(ApiToken.id).where(ApiToken.name == f"test {role}"))
    assert found is not None
    return found


def _wanted(entry: AuditEntry, action: str, entity_type: str) -> bool:
    return (entry.action, entry.entity_type) == (action, entity_type)


@pytest.mark.parametrize("op", MUTATING, ids=op_id)
async def test_write_leaves_an_audit_entry(api, database, settings, op: Operation):
    call = await RECIPES[op_id(op)](Scene(api, database, settings))
    assert call.method == op.method and _matches(op.path, call.path), call
    role = op.role or Role.admin
    async with database.session() as session:
        mark = await session.scalar(select(func.coalesce(func.max(AuditEntry.id), 0)))

    response = await api.request(call.method, call.path, role=role, **call.body())
    text = await response.text()
    assert response.status == call.status, f"{op_id(op)}: {response.status} {text}"
    answer = json.loads(text) if text and response.content_type.endswith("json") else text

    entries = await _entries_after(database, mark or 0)
    seen = [(e.action, e.entity_type, str(e.entity_id)) for e in entries]
    found = [e for e in entries if _wanted(e, call.action, call.entity_type)]
    if call.entity is None:
        assert call.state is not None
        found = [e for e in found if call.state.items() <= ((e.after or e.before) or {}).items()]
    else:
        entity = call.entity(answer) if callable(call.entity) else call.entity
        found = [e for e in found if str(e.entity_id) == entity]
    assert found, f"{op_id(op)} wrote no {call.action} {call.entity_type} entry; it wrote {seen}"
    entry = found[0]
    if call.actor is not None:
        assert entry.actor_name == call.actor
    else:
        assert entry.actor_token_id == await _token_id(database, role)
        assert entry.actor_name == f"test {role}"
    assert entry.before is not None or entry.after is not None


async def test_secrets_shown_once_never_reach_the_log(api, database):
    webhook = await api.ok(
        "POST",
        "/api/v1/webhooks",
        201,
        json={"url": "https://hooks.example.test/a", "event_types": ["*"]},
    )
    await api.ok("PATCH", f"/api/v1/webhooks/{webhook['id']}", json={"active": False})
    token = await api.ok("POST", "/api/v1/tokens", 201, json={"name": "平台", "role": "viewer"})
    person = await api.ok("POST", "/api/v1/people", 201, json={"name": "王秀英"})
    link = await api.ok("POST", f"/api/v1/people/{person['id']}/link", 201)
    feed = await api.ok("POST", f"/api/v1/people/{person['id']}/feeds", 201, json={})
    await api.ok("DELETE", f"/api/v1/webhooks/{webhook['id']}", 204)

    logged = json.dumps([[e.before, e.after] for e in await _entries_after(database, 0)])
    assert webhook["id"] in logged and person["id"] in logged
    for secret in (
        webhook["secret"],
        token["token"],
        link["url"].rsplit("/", 1)[1],
        feed["urls"]["https"].rsplit("/", 1)[1].removesuffix(".ics"),
    ):
        assert secret not in logged
    assert '"secret"' not in logged
