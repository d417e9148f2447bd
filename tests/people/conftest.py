"""Helpers for people and teams tests: rows made straight in the database, row counts."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from coordinator.audit.models import AuditEntry
from coordinator.people.models import Person, Team, TeamMember
from coordinator.registry.models import BranchKind, PartyBranch

COUNTED = {
    "people": Person,
    "teams": Team,
    "team_members": TeamMember,
    "audit_log": AuditEntry,
}


@pytest.fixture
def counts(database):  # type: ignore[no-untyped-def]
    """Rows per table now, to show a refused request changed nothing."""

    async def count() -> dict[str, int]:
        async with database.session() as session:
            return {
                name: await session.scalar(select(func.count()).select_from(model)) or 0
                for name, model in COUNTED.items()
            }

    return count


@pytest.fixture
def party_branch(database):  # type: ignore[no-untyped-def]
    """Make a party branch row (optionally with a secretary) and return its id."""

    async def make(name: str = "静安寺街道楼宇联合党支部", secretary_id: str | None = None) -> str:
        async with database.sessionmaker.begin() as session:
            branch = PartyBranch(
                name=name,
                kind=BranchKind.building_joint,
                secretary_id=uuid.UUID(secretary_id) if secretary_id else None,
            )
            session.add(branch)
            await session.flush()
            return str(branch.id)

    return make


@pytest.fixture
def person(api):  # type: ignore[no-untyped-def]
    """Register a person through the API and return the response."""

    async def make(name: str, **fields: object) -> dict[str, object]:
        return await api.ok("POST", "/api/v1/people", 201, json={"name": name, **fields})

    return make
