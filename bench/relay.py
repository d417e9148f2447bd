"""Relay throughput: committed outbox rows to enqueued arq jobs, against a bare enqueue loop.

Each round commits 5,000 `team.member_added` rows to the outbox, then times
`Relay.drain()` (claim in batches, commit, one `enqueue_job` per event) into a flushed
Redis; the baseline times a bare loop of `enqueue_job("handle_event", ...)` with the
same job ids into a flushed Redis. Rounds alternate. Target: at least 80% of the bare
loop's events per second.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from sqlalchemy import text

from bench.common import Check, Context, LoadResult, Result, Series, own_cpu
from coordinator.notifications.queue import enqueue_event
from coordinator.platform.db import Database
from coordinator.platform.settings import Settings, load_settings, to_asyncpg_url
from workers.relay import Relay

EVENTS = 5_000
TARGET_RATIO = 0.80

# One statement commits the whole burst, as many transactions' events would sit waiting.
_RAISE = text(
    """
    INSERT INTO outbox (id, type, subject_type, subject_id, data)
    SELECT gen_random_uuid(), 'team.member_added', 'team', CAST(:team_id AS uuid),
           jsonb_build_object(
               'team_id', CAST(:team_id AS text), 'person_id', gen_random_uuid(),
               'role', 'member'
           )
    FROM generate_series(1, :n)
    RETURNING id
    """
)


async def raise_events(database: Database, n: int) -> list[uuid.UUID]:
    """Commit n unrelayed events; their ids in insertion order."""
    async with database.sessionmaker.begin() as session:
        await session.execute(text("DELETE FROM outbox"))
        ids = (await session.scalars(_RAISE, {"team_id": str(uuid.uuid4()), "n": n})).all()
    async with database.engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("VACUUM ANALYZE outbox"))
    return list(ids)


async def queued(redis: ArqRedis) -> int:
    return int(await redis.zcard(redis.default_queue_name))


async def timed(count: int, work: Any) -> LoadResult:
    """Run work() once; a throughput result of `count` events over its wall time."""
    cpu_before, started = own_cpu(), time.perf_counter()
    await work()
    elapsed = time.perf_counter() - started
    cpu = {"bench": (own_cpu() - cpu_before) / elapsed}
    return LoadResult(latencies=[], errors=0, elapsed=elapsed, cpu=cpu, count=count)


def bench_settings(database_url: str, redis_url: str) -> Settings:
    return load_settings(FUMIN_ENV="development", DATABASE_URL=database_url, REDIS_URL=redis_url)


async def run(ctx: Context) -> Result:
    services = await ctx.services()
    database = Database.from_url(to_asyncpg_url(services.database_url), pool_size=2)
    redis = await create_pool(RedisSettings.from_dsn(services.redis_url))
    relay = Relay(
        database=database,
        redis=redis,
        settings=bench_settings(services.database_url, services.redis_url),
    )
    runs: dict[str, list[LoadResult]] = {"relay": [], "baseline": []}
    errors: list[str] = []
    try:
        for round_number in range(1, ctx.options.rounds + 1):
            ids = await raise_events(database, EVENTS)
            await redis.flushall()
            result = await timed(EVENTS, relay.drain)
            if (n := await queued(redis)) != EVENTS:
                errors.append(f"round {round_number}: relay left {n} jobs, expected {EVENTS}")
                result.errors = abs(EVENTS - n)
            runs["relay"].append(result)

            await redis.flushall()

            async def bare(ids: list[uuid.UUID] = ids) -> None:
                for event_id in ids:
                    await enqueue_event(redis, event_id)

            baseline = await timed(EVENTS, bare)
            runs["baseline"].append(baseline)
            for name, r in (("relay", result), ("baseline", baseline)):
                print(
                    f"  round {round_number}/{ctx.options.rounds} {name:<9}"
                    f" {r.rps:9.0f} events/s  {r.elapsed * 1000:7.0f} ms"
                    f"  bench cpu {r.cpu['bench']:.0%}",
                    flush=True,
                )
    finally:
        await redis.flushall()
        await redis.aclose()
        await database.dispose()
    system, baseline = Series.of(runs["relay"]), Series.of(runs["baseline"])
    ratio = system.rps / baseline.rps if baseline.rps else 0.0
    return Result(
        name="relay",
        title=f"outbox to arq jobs, {EVENTS} events, Relay.drain() vs bare enqueue_job loop",
        system=system,
        baseline=baseline,
        checks=[Check("ratio", ratio, TARGET_RATIO)],
        details={"events": EVENTS, "claim_batch": relay.batch, "errors": errors},
        unit="events/s",
    )
