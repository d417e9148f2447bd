"""Departments, people and places made through the API; audit entries and events read
back from the database."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from coordinator.audit.models import AuditEntry
from coordinator.events.models import OutboxEvent


@pytest.fixture
def department(api):  # type: ignore[no-untyped-def]
    async def make(name: str = "南京西路城管中队", kind: str = "urban_management", **fields: Any):  # type: ignore[no-untyped-def]
        return await api.ok(
            "POST", "/api/v1/departments", 201, json={"name": name, "kind": kind, **fields}
        )

    return make


@pytest.fixture
def person(api):  # type: ignore[no-untyped-def]
    async def make(name: str) -> dict[str, Any]:
        result: dict[str, Any] = await api.ok("POST", "/api/v1/people", 201, json={"name": name})
        return result

    return make


async def audit_entries(database, entity_type: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(action, entity id) of every audit entry of a kind, oldest first."""
    async with database.session() as session:
        rows = await session.execute(
            select(AuditEntry.action, AuditEntry.entity_id)
            .where(AuditEntry.entity_type == entity_type)
            .order_by(AuditEntry.id)
        )
        return [(action, str(entity_id)) for action, entity_id in rows]


async def events(database, prefix: str = "department.") -> list[tuple[str, dict[str, Any]]]:  # type: ignore[no-untyped-def]
    """(type, data) of every outbox event of a family, in the order they were written."""
    async with database.session() as session:
        rows = await session.execute(
            select(OutboxEvent.type, OutboxEvent.data)
            .where(OutboxEvent.type.startswith(prefix))
            .order_by(OutboxEvent.txid, OutboxEvent.seq)
        )
        return [(kind, data) for kind, data in rows]


def field_names(problem: dict[str, Any]) -> list[str]:
    return [error["field"] for error in problem.get("errors", [])]


def uuid_text() -> str:
    return str(uuid.uuid4())
