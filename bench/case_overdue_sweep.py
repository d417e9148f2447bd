"""The cases' clock sweep over 100,000 open tasks, and the same with 300,000 closed ones.

25,000 open cases of four tasks each (a lead and three co-handlers, one department on its
own hours), due from a day ago to seventeen days ahead, planned by the sweep itself (the
reminder two working hours before, a ladder of two rungs after: 0 and 8 working hours).
Measured, each run in a transaction rolled back so every run meets the same rows: the
minute's sweep (a minute after the last one: the few steps that fell due) and a backlog's
(two hours of steps at once, as after the workers were down), each as the cron job runs
it (rounds of 500 tasks until one finds fewer), with the events and steps it writes.
The planned database is then copied (CREATE DATABASE … TEMPLATE) and 75,000 closed cases
(300,000 tasks done) are added to the copy; the two are measured in alternation, run for
run, so the machine's drift weighs on both alike. Targets: the minute's sweep under 1 s,
and closed cases costing nothing: the median with them over the median without under
1.25, for the minute's sweep and the backlog's, and the pages the sweep's read touches
(EXPLAIN's shared buffers, which no other load on the machine changes) no more (1%) with them.
The backlog's time is reported (steps taken per second), as is the first planning of
every open task.
`python -m bench case_overdue_sweep` runs it alone.
"""

from __future__ import annotations

import re
import statistics
import time
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench.common import Check, Context, LoadResult, Result, Series
from coordinator.cases.categories.models import CaseCategory
from coordinator.cases.clock.service import BATCH, FOUND, sweep
from coordinator.departments.models import Department, DepartmentKind
from coordinator.models import Base
from coordinator.platform.db import Database, utcnow
from coordinator.platform.settings import load_settings, to_asyncpg_url
from coordinator.registry.models import Area, AreaKind, Building, BuildingKind
from coordinator.worktime.service import load_calendar

OPEN_CASES = 25_000  # x 4 tasks = 100,000 open tasks
CLOSED_CASES = 75_000  # x 4 tasks = 300,000 done
TARGET_S = 1.0
TARGET_RATIO = 1.25
BACKLOG = timedelta(hours=2)
LADDER = [{"after_hours": 0, "to": "department_lead"}, {"after_hours": 8, "to": "coordinators"}]

_CASES = """
INSERT INTO cases (id, title, description, category_id, urgency, status, source, area_id,
                   building_id, lead_department_id, response_due_at, resolution_due_at,
                   reopened_count, created_by, closed_at, closed_by, resolved_at, resolution)
SELECT gen_random_uuid(), '疑似群租 ' || g, '一套两居室住了十余人', :category, 'normal',
       :status, 'coordinator', :area, :building, :lead,
       now(), CAST(:start AS timestamptz) + (g % 28800) * interval '1 minute', 0, 'bench',
       CASE WHEN :closed THEN now() END, CASE WHEN :closed THEN 'confirmed' END,
       CASE WHEN :closed THEN now() END, CASE WHEN :closed THEN '已处置' END
FROM generate_series(1, :n) AS g
"""
# Each case's four tasks, due from `start` on over twenty days, minute by minute.
_TASKS = """
INSERT INTO case_tasks (id, case_id, department_id, role, status, due_at, done_at)
SELECT gen_random_uuid(), c.id, d.id,
       CASE WHEN d.id = :lead THEN 'lead' ELSE 'co' END,
       :task_status,
       c.resolution_due_at + (d.n * 7) * interval '1 minute',
       CASE WHEN :done THEN now() END
FROM cases c CROSS JOIN (SELECT id, row_number() OVER (ORDER BY name) AS n
                         FROM departments) d
WHERE c.status = :status
"""


async def seed(database: Database) -> dict[str, Any]:
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
        departments = [
            Department(id=uuid.uuid4(), name=name, kind=kind, work_hours=hours)
            for kind, name, hours in (
                (DepartmentKind.housing_office, "房办", "08:30-11:30,13:00-17:00"),
                (DepartmentKind.urban_management, "城管中队", None),
                (DepartmentKind.city_appearance, "市容所", None),
                (DepartmentKind.residential_committee, "居委会", None),
            )
        ]
        category = CaseCategory(
            id=uuid.uuid4(),
            code="group_rental",
            name="疑似群租",
            response_hours=Decimal(8),
            resolution_days=5,
            escalation=LADDER,
        )
        session.add_all([building, *departments, category])
    return {
        "category": category.id,
        "area": area.id,
        "building": building.id,
        "lead": departments[0].id,
    }


async def add_cases(database: Database, world: dict[str, Any], n: int, status: str) -> None:
    start = utcnow() - timedelta(days=1)
    task_status = "done" if status == "closed" else "pending"
    async with database.engine.begin() as connection:
        closed = status == "closed"
        await connection.execute(
            text(_CASES), {**world, "n": n, "status": status, "start": start, "closed": closed}
        )
        await connection.execute(
            text(_TASKS),
            {"lead": world["lead"], "status": status, "task_status": task_status, "done": closed},
        )
    await vacuum(database)


async def vacuum(database: Database) -> None:
    async with database.engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("VACUUM ANALYZE"))


async def plan_all(database: Database, settings: Any) -> tuple[float, int]:
    """The first sweeps: every open task planned (as after migration 0017)."""
    started, planned = time.perf_counter(), 0
    while True:
        async with database.sessionmaker.begin() as session:
            result = await sweep(session, settings=settings, batch=5_000)
        planned += result.planned
        if result.found < 5_000:
            break
    await vacuum(database)
    return time.perf_counter() - started, planned


async def timed_sweep(
    database: Database, settings: Any, at: Any, calendar: Any
) -> tuple[float, int]:
    """One sweep as the job runs it (rounds of BATCH), in a transaction rolled back."""
    async with database.sessionmaker() as session:
        started = time.perf_counter()
        steps = 0
        while True:
            result = await sweep(session, settings=settings, now=at, calendar=calendar)
            steps += result.reminders + result.escalations
            if result.found < BATCH:
                break
        await session.flush()
        elapsed = time.perf_counter() - started
        await session.rollback()
    return elapsed, steps


async def explain(database: Database, at: Any) -> tuple[str, int]:
    """The sweep's read: its plan's scans, and the pages it touched (shared buffers)."""
    sql = FOUND.params(now=at, batch=BATCH).compile(
        dialect=database.engine.dialect, compile_kwargs={"literal_binds": True}
    )
    async with database.engine.connect() as connection:
        rows = (await connection.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {sql}"))).scalars().all()
    buffers = re.search(r"Buffers: shared hit=(\d+)(?: read=(\d+))?", "\n".join(rows))
    pages = sum(int(n) for n in buffers.groups() if n) if buffers else 0
    plan = " / ".join(r.strip() for r in rows if ("Index" in r or "Scan" in r) and "(" in r)
    return plan, pages


async def copy_database(url: str, name: str) -> str:
    """A copy of the database at `url`, named `name` (replaced if there), and its URL."""
    source = make_url(url)
    admin = Database.from_url(to_asyncpg_url(url), pool_size=1)
    try:
        async with admin.engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            await connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{source.database}"'))
    finally:
        await admin.dispose()
    return source.set(database=name).render_as_string(hide_password=False)


class SweepResult(Result):
    extra: list[str]

    def block(self) -> str:
        lines = [f"== {self.name}: {self.title}", *self.extra]
        lines += [check.line() for check in self.checks]
        lines.append(f"  result     {'PASS' if self.passed else 'MISS'}")
        return "\n".join(lines)


def _series(seconds: list[float]) -> Series:
    return Series.of([LoadResult(latencies=[s], errors=0, elapsed=s) for s in seconds])


async def run(ctx: Context) -> Result:
    services = await ctx.services()
    settings = load_settings(FUMIN_ENV="test", DATABASE_URL=services.database_url)
    rounds = max(3, ctx.options.rounds)
    database = Database.from_url(to_asyncpg_url(services.database_url), pool_size=4)
    try:
        world = await seed(database)
        await add_cases(database, world, OPEN_CASES, "accepted")
        planning_s, planned = await plan_all(database, settings)
    finally:
        await database.dispose()  # a database being copied has no one connected
    closed_url = await copy_database(services.database_url, "fumin_bench_closed")
    databases = {
        "open only": Database.from_url(to_asyncpg_url(services.database_url), pool_size=4),
        "with closed": Database.from_url(to_asyncpg_url(closed_url), pool_size=4),
    }
    try:
        await add_cases(databases["with closed"], world, CLOSED_CASES, "closed")
        now = utcnow()
        async with databases["open only"].sessionmaker() as session:
            calendar = await load_calendar(session, settings)
        moments = {"minute": now + timedelta(minutes=1), "backlog": now + BACKLOG}
        times: dict[str, list[float]] = {}
        steps: dict[str, int] = {}
        for kind, at in moments.items():
            for database in databases.values():
                await timed_sweep(database, settings, at, calendar)  # warm
            n = rounds if kind == "backlog" else 2 * rounds + 1  # the short one is noisier
            for _ in range(n):
                for label, database in databases.items():
                    elapsed, taken = await timed_sweep(database, settings, at, calendar)
                    times.setdefault(f"{kind} {label}", []).append(elapsed)
                    steps[f"{kind} {label}"] = taken
            for label in databases:
                name = f"{kind} {label}"
                print(
                    f"  {kind:<8} {label:<12} {statistics.median(times[name]):.3f} s"
                    f"  steps {steps[name]}",
                    flush=True,
                )
        explained = {
            label: await explain(database, moments["backlog"])
            for label, database in databases.items()
        }
    finally:
        for database in databases.values():
            await database.dispose()
    plan_open, pages_open = explained["open only"]
    plan_closed, pages_closed = explained["with closed"]
    median = {name: statistics.median(values) for name, values in times.items()}
    ratios = {kind: median[f"{kind} with closed"] / median[f"{kind} open only"] for kind in moments}
    pages_ratio = pages_closed / pages_open if pages_open else float("inf")
    result = SweepResult(
        name="case_overdue_sweep",
        title=f"the clock sweep over {OPEN_CASES * 4:,} open tasks,"
        f" then with {CLOSED_CASES * 4:,} closed ones beside them",
        system=_series(times["minute with closed"]),
        baseline=_series(times["minute open only"]),
        checks=[
            Check("minute s", median["minute with closed"], TARGET_S, unit=" s", at_least=False),
            Check("ratio 1min", ratios["minute"], TARGET_RATIO, at_least=False),
            Check("ratio", ratios["backlog"], TARGET_RATIO, at_least=False),
            Check("pages ratio", pages_ratio, 1.01, at_least=False),
        ],
        details={
            "planning_s": round(planning_s, 2),
            "planned": planned,
            "seconds": {k: round(v, 4) for k, v in median.items()},
            "steps": steps,
            "ratios": {k: round(v, 3) for k, v in ratios.items()},
            "plan_open_only": plan_open,
            "plan_with_closed": plan_closed,
            "pages": {"open only": pages_open, "with closed": pages_closed},
        },
        unit="s",
    )
    result.extra = [
        f"  planning   {planned:,} open tasks planned by the first sweeps in {planning_s:.1f} s"
        f" ({planned / planning_s:,.0f} tasks/s)",
        *(
            f"  {name:<20} {median[name] * 1000:8.1f} ms  steps {steps[name]:5}"
            f"  ({steps[name] / median[name]:,.0f} steps/s;"
            f" runs: {', '.join(f'{s * 1000:.0f}' for s in times[name])})"
            for name in times
        ),
        f"  ratio      minute {ratios['minute']:.3f}  backlog {ratios['backlog']:.3f}"
        " (with closed / open only)",
        f"  pages      {pages_open:,} open only, {pages_closed:,} with closed"
        " (shared buffers of the sweep's read, two hours due)",
        f"  plan       {plan_closed}",
    ]
    return result
