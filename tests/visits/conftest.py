"""Rows for visit tests: a building, a company with a contact, a liaison in a team."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from coordinator.people.models import MemberRole, Person, Team, TeamKind, TeamMember
from coordinator.platform.db import Database
from coordinator.registry.models import (
    Building,
    BuildingKind,
    Company,
    CompanyStatus,
    Contact,
    Language,
)


@dataclass
class World:
    building_id: str
    company_id: str
    contact_id: str
    liaison_id: str
    lead_id: str
    team_id: str
    contact_email: str
    liaison_email: str
    lead_email: str


def credit_code(n: int) -> str:
    """A unique 18-character code (the registry checks codes only through its API)."""
    return f"91310000{n:09d}X"[:18]


async def make_world(database: Database, *, companies: int = 1) -> World:
    suffix = uuid.uuid4().hex[:6]
    async with database.sessionmaker.begin() as session:
        building = Building(
            name=f"静安大厦-{suffix}", address="南京西路 1000 号", kind=BuildingKind.office
        )
        lead = Person(name="王组长", email=f"lead-{suffix}@example.test", phone="13800000001")
        liaison = Person(name="李联络", email=f"liaison-{suffix}@example.test", phone="13800000002")
        session.add_all([building, lead, liaison])
        await session.flush()
        team = Team(name=f"联络一组-{suffix}", kind=TeamKind.liaison, lead_id=lead.id)
        session.add(team)
        await session.flush()
        session.add_all(
            [
                TeamMember(team_id=team.id, person_id=lead.id, role=MemberRole.lead),
                TeamMember(team_id=team.id, person_id=liaison.id, role=MemberRole.member),
            ]
        )
        first: Company | None = None
        first_contact: Contact | None = None
        for i in range(companies):
            company = Company(
                name=f"福民科技有限公司{i}-{suffix}",
                credit_code=credit_code(uuid.uuid4().int % 10**9),
                building_id=building.id,
                floor="12",
                status=CompanyStatus.operating,
            )
            session.add(company)
            await session.flush()
            contact = Contact(
                company_id=company.id,
                name="张经理",
                mobile="13912345678",
                email=f"contact{i}-{suffix}@example.test",
                preferred_language=Language.zh,
            )
            session.add(contact)
            await session.flush()
            if first is None:
                first, first_contact = company, contact
        assert first is not None and first_contact is not None
        return World(
            building_id=str(building.id),
            company_id=str(first.id),
            contact_id=str(first_contact.id),
            liaison_id=str(liaison.id),
            lead_id=str(lead.id),
            team_id=str(team.id),
            contact_email=first_contact.email or "",
            liaison_email=liaison.email or "",
            lead_email=lead.email or "",
        )


@pytest.fixture(autouse=True)
async def fresh_rate_limits(servers):  # type: ignore[no-untyped-def]
    """Link POSTs are counted per IP (127.0.0.1 here) for a minute: start each test at zero."""
    import redis.asyncio as aioredis

    client = aioredis.from_url(servers.redis_url)
    keys = [key async for key in client.scan_iter("fumin:rate:visit-link:*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


@pytest.fixture
async def world(database) -> World:  # type: ignore[no-untyped-def]
    return await make_world(database)


def at(hours: float, minutes: int = 0) -> str:
    """An ISO time `hours` from now (whole minutes), with an offset."""
    moment = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(
        hours=hours, minutes=minutes
    )
    return moment.isoformat()


def proposal(world: World, start_hours: float = 48, length_hours: float = 1, **extra):  # type: ignore[no-untyped-def]
    return {
        "company_id": world.company_id,
        "contact_id": world.contact_id,
        "liaison_id": world.liaison_id,
        "starts_at": at(start_hours),
        "ends_at": at(start_hours + length_hours),
        "purpose": "了解复工复产情况",
        **extra,
    }


# Real SMTP and arq worker processes for the whole-loop test.
from tests.workers.conftest import (  # noqa: E402, F401
    mail,
    redis_client,
    worker_env,
    workers,
)
