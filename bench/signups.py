"""Signing up for shifts under contention: 64 clients, 5 shifts, through the HTTP API.

64 clients on keep-alive connections send `POST /api/v1/shifts/{id}/signups` with a
coordinator's bearer token to Fumin (its own process, production settings), each request
a volunteer not yet on that shift, spread over 5 shifts of 20 places (so the shift row
lock is contended and most sign-ups join a waitlist). The baseline is 64 callers in this
process inserting the equivalent rows (the signup and its outbox event: BEGIN, two
INSERTs, COMMIT; no checks, no lock, Core statements built once) through a pool of the
same size as the server's. Target: at
least 30% of the baseline's rows per second, and p99 under 100 ms.

Fumin claims the sign-ups for one shift that are in flight together in one statement
(coordinator/shifts/signups/lines.py), so it can outrun the baseline, which commits (and, through
the outbox's trigger, NOTIFYs) row by row.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Mapping
from datetime import timedelta

import aiohttp
from sqlalchemy import insert, text

from bench.common import (
    Check,
    Context,
    LoadResult,
    Result,
    Series,
    alternate,
    own_cpu,
    process_cpu,
)
from coordinator.auth.models import Role
from coordinator.auth.service import create_token
from coordinator.models import Base
from coordinator.people.models import Person
from coordinator.platform.db import Database, utcnow
from coordinator.platform.settings import Settings, to_asyncpg_url
from coordinator.shifts.models import Post, Shift, ShiftStatus, SignupStatus

CONCURRENCY = 64
SHIFTS = 5
PLACES = 20
PEOPLE = 20_000  # each can be on all 5 shifts (they do not overlap): 100,000 sign-ups
TARGET_RATIO = 0.30
P99_TARGET_MS = 100.0
POOL_SIZE = Settings.model_fields["db_pool_size"].default  # the server's pool

Call = Callable[[int], Awaitable[str | None]]
# The baseline's statements, built once: as little Python as possible around the INSERTs.
BARE_SIGNUP = insert(Base.metadata.tables["signups"])
BARE_EVENT = insert(Base.metadata.tables["outbox"])  # None when it went well, else the problem


async def seed(database: Database) -> tuple[list[Shift], list[uuid.UUID], str]:
    """Empty the scratch database; a post, 5 shifts a day apart, the volunteers, a token."""
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with database.engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    people = [uuid.uuid4() for _ in range(PEOPLE)]
    start = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    async with database.sessionmaker.begin() as session:
        post = Post(
            id=uuid.uuid4(), name="华山路 100 弄 门岗", address="华山路 100 弄", checklist=[]
        )
        session.add(post)
        await session.flush()
        shifts = [
            Shift(
                id=uuid.uuid4(),
                post_id=post.id,
                starts_at=start + timedelta(days=n),
                ends_at=start + timedelta(days=n, hours=2),
                min_people=2,
                max_people=PLACES,
                filled=0,
                required_skills=[],
                status=ShiftStatus.scheduled,
                sequence=0,
            )
            for n in range(SHIFTS)
        ]
        session.add_all(shifts)
        for chunk in range(0, PEOPLE, 5000):
            await session.execute(
                insert(Person),
                [
                    {"id": pid, "name": f"志愿者{n:05d}", "email": f"v{n}@example.test"}
                    for n, pid in enumerate(people[chunk : chunk + 5000], start=chunk)
                ],
            )
        _, token = await create_token(
            session=session, name="bench coordinator", role=Role.coordinator
        )
    async with database.engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("VACUUM ANALYZE"))
    return shifts, people, token


async def measure(
    call: Call,
    *,
    counter: Iterator[int],
    duration: float,
    warmup: float,
    cpu_probes: Mapping[str, Callable[[], float]],
    concurrency: int = CONCURRENCY,
) -> LoadResult:
    """`concurrency` callers, each calling call(n) back to back with the next n; after
    `warmup` seconds, record for `duration` seconds (as bench.common.generate_load does
    for GETs)."""
    latencies: list[float] = []
    errors = 0
    first_error: str | None = None
    window = [float("inf"), float("inf")]
    stop = False

    async def caller() -> None:
        nonlocal errors, first_error
        while not stop:
            started = time.perf_counter()
            try:
                problem = await call(next(counter))
            except Exception as exc:
                problem = f"{type(exc).__name__}: {exc}"[:300]
            finished = time.perf_counter()
            if window[0] <= started and finished <= window[1]:
                if problem is None:
                    latencies.append(finished - started)
                else:
                    errors += 1
                    first_error = first_error or problem

    probes = {"client": own_cpu, **cpu_probes}
    tasks = [asyncio.create_task(caller()) for _ in range(concurrency)]
    try:
        await asyncio.sleep(warmup)
        before = {name: probe() for name, probe in probes.items()}
        window[0] = time.perf_counter()
        await asyncio.sleep(duration)
        window[1] = time.perf_counter()
        after = {name: probe() for name, probe in probes.items()}
        stop = True
        await asyncio.gather(*tasks)
    finally:
        stop = True
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    elapsed = window[1] - window[0]
    cpu = {name: (after[name] - before[name]) / elapsed for name in before}
    return LoadResult(
        latencies=latencies, errors=errors, elapsed=elapsed, cpu=cpu, first_error=first_error
    )


async def run(ctx: Context) -> Result:
    services = await ctx.services()
    database = Database.from_url(to_asyncpg_url(services.database_url), pool_size=POOL_SIZE)
    try:
        shifts, people, token = await seed(database)
        fumin = await ctx.server("fumin", env=services.env())
        # Sign-up n is on shift n % 5, by a volunteer not yet on it: each pair once, both sides.
        counter = itertools.count()

        def pair(n: int) -> tuple[Shift, uuid.UUID]:
            if n // SHIFTS >= PEOPLE:
                raise RuntimeError("ran out of volunteers; raise PEOPLE")
            # A volunteer's sign-ups for the 5 shifts are far apart in time, as they would be.
            lap, shift = divmod(n, SHIFTS)
            return shifts[shift], people[(lap + shift * (PEOPLE // SHIFTS)) % PEOPLE]

        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        connector = aiohttp.TCPConnector(limit=CONCURRENCY, limit_per_host=CONCURRENCY)
        http = aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30))

        async def sign_up(n: int) -> str | None:
            shift, person_id = pair(n)
            body = json.dumps({"person_id": str(person_id)})
            url = f"{fumin.url}/api/v1/shifts/{shift.id}/signups"
            async with http.post(url, data=body, headers=headers) as response:
                answer = await response.read()
                if response.status != 201:
                    return f"{response.status}: {answer[:300]!r}"
            return None

        async def bare(n: int) -> str | None:
            shift, person_id = pair(n)
            signup_id = uuid.uuid4()
            async with database.engine.begin() as connection:
                await connection.execute(
                    BARE_SIGNUP,
                    {
                        "id": signup_id,
                        "shift_id": shift.id,
                        "person_id": person_id,
                        "status": SignupStatus.waitlisted,
                        "starts_at": shift.starts_at,
                        "ends_at": shift.ends_at,
                        "sequence": 0,
                    },
                )
                await connection.execute(
                    BARE_EVENT,
                    {
                        "id": uuid.uuid4(),
                        "type": "signup.created",
                        "data": {
                            "signup_id": str(signup_id),
                            "shift_id": str(shift.id),
                            "person_id": str(person_id),
                            "status": "waitlisted",
                            "sequence": 0,
                            "starts_at": shift.starts_at.isoformat(),
                            "ends_at": shift.ends_at.isoformat(),
                        },
                        "subject_type": "signup",
                        "subject_id": signup_id,
                        "actor": "bench",
                    },
                )
            return None

        postgres = services.postgres_probes()
        options = ctx.options

        def load(
            call: Call, probes: Mapping[str, Callable[[], float]]
        ) -> Callable[[], Awaitable[LoadResult]]:
            return lambda: measure(
                call,
                counter=counter,
                duration=options.duration,
                warmup=options.warmup,
                cpu_probes=probes,
            )

        try:
            runs = await alternate(
                {
                    "fumin": load(sign_up, {"server": process_cpu(fumin.pid), **postgres}),
                    "baseline": load(bare, postgres),
                },
                rounds=options.rounds,
            )
        finally:
            await http.close()
        filled = await check_places(database, shifts)
    finally:
        await database.dispose()
    system, baseline = Series.of(runs["fumin"]), Series.of(runs["baseline"])
    ratio = system.rps / baseline.rps if baseline.rps else 0.0
    return Result(
        name="signups",
        title=(
            f"POST /api/v1/shifts/{{id}}/signups, {CONCURRENCY} clients on {SHIFTS} shifts"
            " vs bare INSERTs of the signup and its event"
        ),
        system=system,
        baseline=baseline,
        checks=[
            Check("ratio", ratio, TARGET_RATIO),
            Check("p99", system.p99, P99_TARGET_MS, unit=" ms", at_least=False),
            Check("overfilled", float(sum(f > PLACES for f in filled)), 1.0, at_least=False),
        ],
        details={
            "concurrency": CONCURRENCY,
            "shifts": SHIFTS,
            "places": PLACES,
            "pool_size": POOL_SIZE,
            "filled": filled,
        },
        unit="signups/s",
    )


async def check_places(database: Database, shifts: list[Shift]) -> list[int]:
    """Places held per shift after the run, counted from the signups (never above PLACES)."""
    async with database.engine.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT shift_id, count(*) FROM signups WHERE status = 'signed_up'"
                " GROUP BY shift_id"
            )
        )
        held = {shift_id: count for shift_id, count in rows.all()}
    return [int(held.get(s.id, 0)) for s in shifts]
