"""The contact's confirmation page: GET /v/{token} for 200 proposed visits.

32 clients rotate over the visits' links against Fumin, and against a bare aiohttp
handler (its own process) answering the same bytes from memory. Target: p99 under 20 ms.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import timedelta

import aiohttp
from sqlalchemy import text

from bench.common import Check, Context, Result, Series, alternate, generate_load, process_cpu
from coordinator.links.service import issue_link
from coordinator.models import Base
from coordinator.people.models import Person
from coordinator.platform.db import Database, utcnow
from coordinator.platform.settings import to_asyncpg_url
from coordinator.registry.models import Building, Company, CompanyStatus, Contact
from coordinator.visits.models import Visit, VisitStatus

VISITS = 200
CONCURRENCY = 32
P99_TARGET_MS = 20.0


async def seed(database: Database) -> list[str]:
    """200 proposed visits (one per company and liaison) with live links; their tokens."""
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with database.engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    tokens = []
    start = utcnow().replace(second=0, microsecond=0) + timedelta(days=3)
    async with database.sessionmaker.begin() as session:
        building = Building(name="静安大厦", address="南京西路 1 号", kind="office")
        session.add(building)
        await session.flush()
        for n in range(VISITS):
            company = Company(
                name=f"上海福民科技有限公司{n:03d}",
                credit_code=f"91310106{n:09d}X",
                building_id=building.id,
                floor=str(1 + n % 40),
                status=CompanyStatus.operating,
            )
            liaison = Person(name=f"联络员{n}", phone="13800000000", skills=[])
            session.add_all([company, liaison])
            await session.flush()
            contact = Contact(company_id=company.id, name="张经理", mobile="13912345678")
            session.add(contact)
            await session.flush()
            visit = Visit(
                id=uuid.uuid4(),
                company_id=company.id,
                contact_id=contact.id,
                liaison_id=liaison.id,
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                place="静安大厦 12层",
                purpose="了解复工复产情况",
                status=VisitStatus.proposed,
                sequence=0,
            )
            session.add(visit)
            await session.flush()
            _, token = await issue_link(
                session,
                purpose="visit",
                subject_type="visit",
                subject_id=visit.id,
                holder_type="contact",
                holder_id=contact.id,
                actions=["view", "confirm", "decline", "reschedule", "view_needs"],
                expires_at=start + timedelta(days=90),
            )
            tokens.append(token)
    async with database.engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("VACUUM ANALYZE"))
    return tokens


async def capture(base_url: str, paths: list[str]) -> dict[str, str]:
    answers = {}
    async with aiohttp.ClientSession() as session:
        for path in paths:
            async with session.get(base_url + path) as response:
                body = await response.text()
                if response.status != 200 or "上海福民科技有限公司" not in body:
                    raise RuntimeError(f"GET {path}: {response.status} {body[:300]}")
                answers[path] = body
    return answers


async def run(ctx: Context) -> Result:
    services = await ctx.services()
    database = Database.from_url(to_asyncpg_url(services.database_url), pool_size=2)
    try:
        tokens = await seed(database)
    finally:
        await database.dispose()
    paths = [f"/v/{token}" for token in tokens]
    fumin = await ctx.server("fumin", env=services.env())
    answers = await capture(fumin.url, paths)
    responses = ctx.workdir / "visit_page.responses.json"
    responses.write_text(json.dumps(answers, ensure_ascii=False), encoding="utf-8")
    bare = await ctx.server("static", "--responses", str(responses))
    headers: Mapping[str, str] = {"Accept-Language": "zh-CN,zh;q=0.9"}

    def next_request(i: int) -> tuple[str, Mapping[str, str]]:
        return paths[i % len(paths)], headers

    options = ctx.options
    postgres = services.postgres_probes()

    def load(url: str, pid: int, with_postgres: bool):  # type: ignore[no-untyped-def]
        probes = {"server": process_cpu(pid), **(postgres if with_postgres else {})}
        return lambda: generate_load(
            url,
            next_request,
            concurrency=CONCURRENCY,
            duration=options.duration,
            warmup=options.warmup,
            cpu_probes=probes,
        )

    runs = await alternate(
        {"fumin": load(fumin.url, fumin.pid, True), "baseline": load(bare.url, bare.pid, False)},
        rounds=options.rounds,
    )
    system, baseline = Series.of(runs["fumin"]), Series.of(runs["baseline"])
    return Result(
        name="visit_page",
        title=f"GET /v/{{token}} confirmation page, {CONCURRENCY} clients vs bare handler",
        system=system,
        baseline=baseline,
        checks=[Check("p99", system.p99, P99_TARGET_MS, unit=" ms", at_least=False)],
        details={"visits": VISITS, "concurrency": CONCURRENCY},
    )
