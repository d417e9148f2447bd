"""Proposing visits: the whole service call (checks, the visit row under its exclusion
constraint, the link, the outbox event) against bare INSERTs of the equivalent rows.

32 concurrent callers in this process, each its own liaison with consecutive slots (no
conflicts), through one Database pool; the baseline inserts the same visit, link and
outbox rows in one transaction each through the same pool. Target: at least 30% of the
baseline's proposals per second.
"""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy import insert, text

from bench.common import Check, Context, LoadResult, Result, Series, alternate
from coordinator.auth.service import SYSTEM
from coordinator.events.models import OutboxEvent
from coordinator.links.models import CapabilityLink
from coordinator.links.service import hash_token
from coordinator.models import Base
from coordinator.people.models import Person
from coordinator.platform.db import Database, utcnow
from coordinator.platform.settings import VisitSettings, to_asyncpg_url
from coordinator.registry.models import Building, Company, CompanyStatus, Contact
from coordinator.visits.models import Visit, VisitStatus
from coordinator.visits.schemas import VisitIn
from coordinator.visits.service import propose_visit

CONCURRENCY = 32
TARGET_RATIO = 0.30
CONFIG = VisitSettings(max_ahead=timedelta(days=365 * 50))


async def seed(database: Database) -> tuple[uuid.UUID, uuid.UUID, list[uuid.UUID]]:
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with database.engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    async with database.sessionmaker.begin() as session:
        building = Building(name="静安大厦", address="南京西路 1 号", kind="office")
        session.add(building)
        await session.flush()
        company = Company(
            name="上海福民科技有限公司",
            credit_code="91310106000000001X",
            building_id=building.id,
            floor="12",
            status=CompanyStatus.operating,
        )
        session.add(company)
        await session.flush()
        contact = Contact(company_id=company.id, name="张经理", mobile="13912345678")
        liaisons = [Person(name=f"联络员{i}", skills=[]) for i in range(CONCURRENCY * 2)]
        session.add_all([contact, *liaisons])
        await session.flush()
        return company.id, contact.id, [p.id for p in liaisons]


async def measure(
    call: Callable[[int, int], Awaitable[None]], *, duration: float, warmup: float
) -> LoadResult:
    """CONCURRENCY callers, each calling call(worker, n) back to back."""
    latencies: list[float] = []
    errors = 0
    first_error: str | None = None
    recording = [float("inf"), float("inf")]
    stop = False

    async def worker(index: int) -> None:
        nonlocal errors, first_error
        for n in itertools.count():
            if stop:
                return
            started = time.perf_counter()
            try:
                await call(index, n)
                problem = None
            except Exception as exc:
                problem = f"{type(exc).__name__}: {exc}"[:300]
            finished = time.perf_counter()
            if recording[0] <= started and finished <= recording[1]:
                if problem is None:
                    latencies.append(finished - started)
                else:
                    errors += 1
                    first_error = first_error or problem

    tasks = [asyncio.create_task(worker(i)) for i in range(CONCURRENCY)]
    await asyncio.sleep(warmup)
    recording[0] = time.perf_counter()
    await asyncio.sleep(duration)
    recording[1] = time.perf_counter()
    stop = True
    await asyncio.gather(*tasks)
    return LoadResult(
        latencies=latencies,
        errors=errors,
        elapsed=recording[1] - recording[0],
        first_error=first_error,
    )


async def run(ctx: Context) -> Result:
    services = await ctx.services()
    database = Database.from_url(to_asyncpg_url(services.database_url), pool_size=CONCURRENCY)
    try:
        company_id, contact_id, liaisons = await seed(database)
        base = utcnow().replace(second=0, microsecond=0) + timedelta(days=1)
        slots = itertools.count()

        async def propose(worker: int, n: int) -> None:
            start = base + timedelta(hours=2 * next(slots))
            data = VisitIn(
                company_id=company_id,
                contact_id=contact_id,
                liaison_id=liaisons[worker],
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                purpose="复工复产走访",
            )
            async with database.sessionmaker.begin() as session:
                await propose_visit(
                    session=session,
                    actor=SYSTEM,
                    data=data,
                    config=CONFIG,
                    base_url="http://127.0.0.1",
                )

        async def bare(worker: int, n: int) -> None:
            start = base + timedelta(hours=2 * next(slots))
            visit_id = uuid.uuid4()
            async with database.sessionmaker.begin() as session:
                await session.execute(
                    insert(Visit).values(
                        id=visit_id,
                        company_id=company_id,
                        contact_id=contact_id,
                        liaison_id=liaisons[CONCURRENCY + worker],
                        starts_at=start,
                        ends_at=start + timedelta(hours=1),
                        place="静安大厦 12层",
                        purpose="复工复产走访",
                        status=VisitStatus.proposed,
                        sequence=0,
                    )
                )
                await session.execute(
                    insert(CapabilityLink).values(
                        id=uuid.uuid4(),
                        token_hash=hash_token(uuid.uuid4().hex),
                        purpose="visit",
                        subject_type="visit",
                        subject_id=visit_id,
                        actions=["confirm"],
                        expires_at=start,
                    )
                )
                await session.execute(
                    insert(OutboxEvent).values(
                        id=uuid.uuid4(),
                        type="visit.proposed",
                        data={"visit_id": str(visit_id)},
                        subject_type="visit",
                        subject_id=visit_id,
                    )
                )

        options = ctx.options
        runs = await alternate(
            {
                "fumin": lambda: measure(propose, duration=options.duration, warmup=options.warmup),
                "baseline": lambda: measure(bare, duration=options.duration, warmup=options.warmup),
            },
            rounds=options.rounds,
        )
    finally:
        await database.dispose()
    system, baseline = Series.of(runs["fumin"]), Series.of(runs["baseline"])
    ratio = system.rps / baseline.rps if baseline.rps else 0.0
    return Result(
        name="visit_proposals",
        title=f"propose_visit (with link and outbox) vs bare INSERTs, {CONCURRENCY} callers",
        system=system,
        baseline=baseline,
        checks=[Check("ratio", ratio, TARGET_RATIO)],
        details={"concurrency": CONCURRENCY},
        unit="proposals/s",
    )
