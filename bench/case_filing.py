"""Filing "1+4" cases: POST /api/v1/cases, 16 clients, a category routed to a lead and
three co-handlers.

16 clients on keep-alive connections file cases with a coordinator's bearer token to
Fumin (its own process, production settings): each filing checks the category and the
place, finds the routing rule, sets the case's clocks and each task's in working time (the
work calendar kept in memory), inserts the case and its four tasks, writes five audit rows
and five outbox events (case.created, four case.assigned), and answers the case as read.
The baseline is 16 callers in this process inserting the same rows (the case, its four
tasks, their five events and five audit rows: BEGIN, four INSERTs, COMMIT; no checks, no
routing, no clocks, Core statements built once) through a pool of the server's size.
Target: at least 30% of the baseline's cases per second.
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

import aiohttp
from sqlalchemy import insert, text

from bench.common import Check, Context, LoadResult, Result, Series, alternate, process_cpu
from bench.signups import measure as measure_calls
from coordinator.auth.models import Role
from coordinator.auth.service import create_token
from coordinator.cases.categories.models import CaseCategory, CaseRoute, CaseRouteHelper
from coordinator.departments.models import Department, DepartmentKind
from coordinator.models import Base
from coordinator.platform.db import Database, utcnow
from coordinator.platform.settings import Settings, to_asyncpg_url
from coordinator.registry.models import Area, AreaKind, Building, BuildingKind

CONCURRENCY = 16
TARGET_RATIO = 0.30
HISTORY = 5_000  # cases filed before the benchmark
POOL_SIZE = Settings.model_fields["db_pool_size"].default  # the server's pool
KINDS = (
    (DepartmentKind.housing_office, "房办"),
    (DepartmentKind.urban_management, "城管中队"),
    (DepartmentKind.city_appearance, "市容所"),
    (DepartmentKind.residential_committee, "居委会"),
)
BARE_CASE = insert(Base.metadata.tables["cases"])
BARE_TASK = insert(Base.metadata.tables["case_tasks"])
BARE_EVENT = insert(Base.metadata.tables["outbox"])
BARE_AUDIT = insert(Base.metadata.tables["audit_log"])

Call = Callable[[int], Awaitable[str | None]]


async def seed(database: Database) -> dict[str, Any]:
    """Empty the scratch database; an area and its building, the four departments, a
    category routed to them, a coordinator's token, and the cases filed before (`HISTORY`
    of them, as bare rows), so that PostgreSQL plans for tables with rows in them, as a
    subdistrict's are (tables it believes empty get plans that scan them, kept by each
    connection until the next ANALYZE: filing slowed by half within a few thousand cases)."""
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with database.engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    async with database.sessionmaker.begin() as session:
        area = Area(id=uuid.uuid4(), name="华山片区", kind=AreaKind.residential)
        session.add(area)
        await session.flush()
        building = Building(
            id=uuid.uuid4(),
            name="华山公寓",
            address="华山路 100 弄 3 号",
            kind=BuildingKind.residential,
            area_id=area.id,
        )
        departments = [Department(id=uuid.uuid4(), name=name, kind=kind) for kind, name in KINDS]
        category = CaseCategory(
            id=uuid.uuid4(),
            code="group_rental",
            name="疑似群租",
            response_hours=Decimal(8),
            resolution_days=5,
        )
        session.add_all([building, *departments, category])
        await session.flush()
        route = CaseRoute(
            id=uuid.uuid4(), category_id=category.id, lead_department_id=departments[0].id
        )
        session.add(route)
        await session.flush()
        session.add_all(
            [CaseRouteHelper(route_id=route.id, department_id=d.id) for d in departments[1:]]
        )
        _, token = await create_token(
            session=session, name="bench coordinator", role=Role.coordinator
        )
    world = {
        "token": token,
        "area_id": area.id,
        "building_id": building.id,
        "category_id": category.id,
        "departments": [d.id for d in departments],
    }
    for start in range(0, HISTORY, 500):
        filed = [bare_rows(world, -n) for n in range(start, start + 500)]
        async with database.engine.begin() as connection:
            await connection.execute(BARE_CASE, [rows["case"] for rows in filed])
            await connection.execute(BARE_TASK, [t for rows in filed for t in rows["tasks"]])
            await connection.execute(BARE_EVENT, [e for rows in filed for e in rows["events"]])
            await connection.execute(BARE_AUDIT, [a for rows in filed for a in rows["audits"]])
    async with database.engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("VACUUM ANALYZE"))
    return world


def bare_rows(world: dict[str, Any], n: int) -> dict[str, Any]:
    """The rows one filing writes, as plain values."""
    now = utcnow()
    case_id = uuid.uuid4()
    case = {
        "id": case_id,
        "title": f"疑似群租 {n}",
        "description": "一套两居室住了十余人",
        "category_id": world["category_id"],
        "urgency": "normal",
        "status": "new",
        "source": "coordinator",
        "area_id": world["area_id"],
        "building_id": world["building_id"],
        "lead_department_id": world["departments"][0],
        "response_due_at": now + timedelta(hours=8),
        "resolution_due_at": now + timedelta(days=7),
        "reopened_count": 0,
        "created_by": "bench",
    }
    tasks = [
        {
            "id": uuid.uuid4(),
            "case_id": case_id,
            "department_id": department_id,
            "role": "lead" if i == 0 else "co",
            "status": "pending",
            "due_at": now + timedelta(days=7),
        }
        for i, department_id in enumerate(world["departments"])
    ]
    about = {"case_id": str(case_id), "status": "new", "category": "group_rental"}
    events = [{"id": uuid.uuid4(), "type": "case.created", "data": about}] + [
        {"id": uuid.uuid4(), "type": "case.assigned", "data": {**about, "task_id": str(t["id"])}}
        for t in tasks
    ]
    for event in events:
        event.update(subject_type="case", subject_id=case_id, actor="bench")
    audits = [
        {
            "actor_name": "bench",
            "action": "create",
            "entity_type": kind,
            "entity_id": row["id"],
            "after": {k: str(v) for k, v in row.items()},
        }
        for kind, row in [("case", case), *(("case_task", t) for t in tasks)]
    ]
    return {"case": case, "tasks": tasks, "events": events, "audits": audits}


async def run(ctx: Context) -> Result:
    services = await ctx.services()
    database = Database.from_url(to_asyncpg_url(services.database_url), pool_size=POOL_SIZE)
    try:
        world = await seed(database)
        fumin = await ctx.server("fumin", env=services.env())
        headers = {"Authorization": f"Bearer {world['token']}", "Content-Type": "application/json"}
        connector = aiohttp.TCPConnector(limit=CONCURRENCY, limit_per_host=CONCURRENCY)
        http = aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30))
        counter = itertools.count()

        async def file(n: int) -> str | None:
            body = json.dumps(
                {
                    "title": f"疑似群租 {n}",
                    "description": "一套两居室住了十余人",
                    "category": "group_rental",
                    "building_id": str(world["building_id"]),
                },
                ensure_ascii=False,
            )
            async with http.post(f"{fumin.url}/api/v1/cases", data=body, headers=headers) as answer:
                content = await answer.read()
                if answer.status != 201:
                    return f"{answer.status}: {content[:300]!r}"
            return None

        async def bare(n: int) -> str | None:
            rows = bare_rows(world, n)
            async with database.engine.begin() as connection:
                await connection.execute(BARE_CASE, rows["case"])
                await connection.execute(BARE_TASK, rows["tasks"])
                await connection.execute(BARE_EVENT, rows["events"])
                await connection.execute(BARE_AUDIT, rows["audits"])
            return None

        postgres = services.postgres_probes()
        options = ctx.options

        def load(
            call: Call, probes: Mapping[str, Callable[[], float]]
        ) -> Callable[[], Awaitable[LoadResult]]:
            return lambda: measure_calls(
                call,
                counter=counter,
                duration=options.duration,
                warmup=options.warmup,
                cpu_probes=probes,
                concurrency=CONCURRENCY,
            )

        try:
            runs = await alternate(
                {
                    "fumin": load(file, {"server": process_cpu(fumin.pid), **postgres}),
                    "baseline": load(bare, postgres),
                },
                rounds=options.rounds,
            )
        finally:
            await http.close()
        filed = await _counts(database)
    finally:
        await database.dispose()
    system, baseline = Series.of(runs["fumin"]), Series.of(runs["baseline"])
    ratio = system.rps / baseline.rps if baseline.rps else 0.0
    return Result(
        name="case_filing",
        title=(
            f"POST /api/v1/cases, {CONCURRENCY} clients, routed to a lead and three co-handlers"
            " vs bare INSERTs of the case, its tasks, events and audit rows"
        ),
        system=system,
        baseline=baseline,
        checks=[
            Check("ratio", ratio, TARGET_RATIO),
            Check("tasks/case", filed["tasks_per_case"], 3.999),
        ],
        details={"concurrency": CONCURRENCY, "pool_size": POOL_SIZE, **filed},
        unit="cases/s",
    )


async def _counts(database: Database) -> dict[str, float]:
    """Cases filed through Fumin, and the tasks each got (four, or routing went wrong)."""
    async with database.engine.connect() as connection:
        cases, tasks = (
            await connection.execute(
                text(
                    "SELECT count(DISTINCT c.id), count(t.id) FROM cases AS c"
                    " JOIN case_tasks AS t ON t.case_id = c.id WHERE c.created_by <> 'bench'"
                )
            )
        ).one()
    return {"cases": int(cases), "tasks_per_case": tasks / cases if cases else 0.0}
