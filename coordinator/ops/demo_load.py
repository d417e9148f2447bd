"""Loading the demo subdistrict (built by `demo.build_demo`) into an empty database, in
one transaction: the registry and people, then the joint-case side (demo_joint)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.ops.demo import SEED, DemoData, build_demo
from coordinator.ops.demo_joint import insert_joint
from coordinator.people.models import Person, Team, TeamMember
from coordinator.platform.db import Database, utcnow
from coordinator.platform.settings import Settings
from coordinator.registry.models import (
    Area,
    Building,
    Company,
    Contact,
    PartyBranch,
    party_branch_buildings,
)

# Tables whose rows make a database "not empty" for the demo loader.
_REGISTRY_TABLES = (Area, Building, PartyBranch, Company, Person, Team)
# Any fixed number, so two loaders at once take turns instead of both inserting.
_LOCK_KEY = 0x46554D494E  # "FUMIN"


async def is_empty(session: AsyncSession) -> bool:
    """Whether the registry holds no areas, buildings, branches, companies, people or teams."""
    for model in _REGISTRY_TABLES:
        if await session.scalar(select(model.id).limit(1)) is not None:
            return False
    return True


async def insert_demo(
    session: AsyncSession, settings: Settings, data: DemoData, *, now: datetime, seed: int
) -> None:
    """Insert the rows in an order that satisfies every foreign key (times before `now`)."""
    await session.execute(insert(Area), data.areas)
    await session.execute(insert(Building), data.buildings)
    # Branches and people refer to each other: branches first, secretaries after.
    await session.execute(insert(PartyBranch), [b | {"secretary_id": None} for b in data.branches])
    await session.execute(insert(party_branch_buildings), data.branch_buildings)
    await session.execute(insert(Person), data.people)
    await session.execute(
        update(PartyBranch),
        [{"id": b["id"], "secretary_id": b["secretary_id"]} for b in data.branches],
    )
    await session.execute(insert(Company), data.companies)
    await session.execute(insert(Contact), data.contacts)
    await session.execute(insert(Team), data.teams)
    await session.execute(insert(TeamMember), data.members)
    await insert_joint(
        session,
        settings,
        data.departments,
        (data.housing, data.campaign),
        areas=data.areas,
        buildings=data.buildings,
        now=now,
        seed=seed,
    )


async def load_demo(
    database: Database, settings: Settings, *, seed: int = SEED, now: datetime | None = None
) -> dict[str, int] | None:
    """Load the demo data in one transaction; None (and nothing written) if not empty. Its
    times are before `now` (the moment of the load unless given)."""
    data = build_demo(seed)
    async with database.sessionmaker.begin() as session:
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        if not await is_empty(session):
            return None
        await insert_demo(session, settings, data, now=now or utcnow(), seed=seed)
    return data.counts()
