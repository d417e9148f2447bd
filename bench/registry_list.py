"""Listing a building's companies: pages of 50 from 10,000 companies in 100 buildings.

32 clients send `GET /api/v1/companies?building_id=<id>&limit=50` with a viewer's bearer
token, rotating over the buildings, to Fumin and to a bare aiohttp handler (its own
process) that answers the same bytes from memory. Target: at least 15% of the bare
handler's requests per second, and p99 under 50 ms.

Fumin keeps list answers while the tables they read are unchanged (coordinator.platform.changes),
so in this steady read the figure is that of a kept answer (token still checked). The
same load with `Cache-Control: no-cache` (every answer read and built afresh: one
statement, its page rendered by PostgreSQL) is measured alongside as `fresh`, with targets
of its own: at least 25% of the bare handler, p99 under 50 ms.

Until the companies list exists, pages of 50 areas (/api/v1/areas) stand in for it.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta

from sqlalchemy import insert, text

from bench.common import (
    Check,
    Context,
    LoadResult,
    Result,
    Series,
    alternate,
    generate_load,
    process_cpu,
)
from coordinator.auth.models import Role
from coordinator.auth.service import create_token
from coordinator.models import Base
from coordinator.platform.db import Database, utcnow
from coordinator.platform.settings import to_asyncpg_url
from coordinator.registry.codes import credit_check_char
from coordinator.registry.models import Area, Building, Company, CompanyStatus

BUILDINGS = 100
COMPANIES = 10_000
AREAS = 100  # enough for a full page of 50 while areas stand in for companies
PAGE = 50
CONCURRENCY = 32
TARGET_RATIO = 0.15
P99_TARGET_MS = 50.0
FRESH_TARGET_RATIO = 0.25
FRESH_P99_TARGET_MS = 50.0

Measure = Callable[[], Awaitable[LoadResult]]

INDUSTRIES = [
    "信息技术",
    "金融服务",
    "商务咨询",
    "文化创意",
    "餐饮",
    "零售",
    "律师事务",
    "教育培训",
]
WORDS = ["静安", "华山", "南京", "恒隆", "嘉里", "久光", "梅龙镇", "中信泰富", "越洋", "会德丰"]
KINDS = ["科技", "咨询", "贸易", "文化传媒", "投资管理", "餐饮管理", "设计", "信息服务"]


def credit_code(n: int) -> str:
    """A valid unified social credit code (Shanghai Jing'an prefix), unique per n."""
    first17 = f"91310106{n:09d}"
    return first17 + credit_check_char(first17)


def rows(building_ids: list[uuid.UUID]) -> list[dict[str, object]]:
    """10,000 companies spread evenly over the buildings, with plausible variety."""
    rng = random.Random(2020)
    now = utcnow()
    statuses = [CompanyStatus.operating] * 8 + [CompanyStatus.resuming, CompanyStatus.suspended]
    out = []
    for n in range(COMPANIES):
        created = now - timedelta(days=rng.randrange(1, 2000))
        out.append(
            {
                "id": uuid.uuid4(),
                "name": f"上海{rng.choice(WORDS)}{rng.choice(KINDS)}有限公司{n:05d}",
                "credit_code": credit_code(n),
                "building_id": building_ids[n % len(building_ids)],
                "floor": str(rng.randrange(1, 60)),
                "unit": f"{rng.randrange(1, 30):02d}室",
                "industry": rng.choice(INDUSTRIES),
                "headcount": rng.randrange(1, 500),
                "status": rng.choice(statuses),
                "created_at": created,
                "updated_at": created,
            }
        )
    return out


async def seed(database: Database) -> tuple[list[uuid.UUID], str]:
    """Empty the scratch database, fill the registry, return building ids and a viewer token."""
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with database.engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        areas = [
            {"id": uuid.uuid4(), "name": f"片区{n:03d}", "kind": ("residential", "block")[n % 2]}
            for n in range(AREAS)
        ]
        await connection.execute(insert(Area), areas)
        building_ids = [uuid.uuid4() for _ in range(BUILDINGS)]
        buildings = [
            {
                "id": building_ids[n],
                "name": f"{WORDS[n % len(WORDS)]}大厦{n:03d}",
                "address": f"南京西路{100 + n * 7}号",
                "area_id": areas[n % 20]["id"],
                "kind": "office",
                "floors": 20 + n % 40,
            }
            for n in range(BUILDINGS)
        ]
        await connection.execute(insert(Building), buildings)
        await connection.execute(insert(Company), rows(building_ids))
    async with database.engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("VACUUM ANALYZE"))
    async with database.sessionmaker.begin() as session:
        _, token = await create_token(session=session, name="bench viewer", role=Role.viewer)
    return building_ids, token


def companies_listed() -> bool:
    """Whether the app declares GET /api/v1/companies yet."""
    from coordinator.app import route_tables

    return any(
        op.method == "GET" and op.path == "/api/v1/companies"
        for table in route_tables()
        for op in table.operations
    )


def paths(building_ids: list[uuid.UUID]) -> tuple[str, list[str]]:
    if companies_listed():
        return "/api/v1/companies", [
            f"/api/v1/companies?building_id={b}&limit={PAGE}" for b in building_ids
        ]
    return "/api/v1/areas (companies list not there yet)", [
        f"/api/v1/areas?limit={PAGE}&kind={kind}&sort={sort}"
        for kind in ("residential", "block")
        for sort in ("name", "-name", "created_at", "-created_at")
    ]


async def capture(ctx_url: str, urls: list[str], headers: Mapping[str, str]) -> dict[str, str]:
    """Fumin's exact answer to every path, checked to be a full page."""
    import aiohttp

    answers = {}
    async with aiohttp.ClientSession() as session:
        for path in urls:
            async with session.get(ctx_url + path, headers=headers) as response:
                body = await response.text()
                if response.status != 200:
                    raise RuntimeError(f"GET {path}: {response.status} {body[:500]}")
                count = len(json.loads(body)["items"])
                if count != PAGE:
                    raise RuntimeError(f"GET {path}: {count} items, expected {PAGE}")
                answers[path] = body
    return answers


async def run(ctx: Context) -> Result:
    services = await ctx.services()
    database = Database.from_url(to_asyncpg_url(services.database_url), pool_size=2)
    try:
        building_ids, token = await seed(database)
    finally:
        await database.dispose()
    route, urls = paths(building_ids)
    headers = {"Authorization": f"Bearer {token}"}

    fumin = await ctx.server("fumin", env=services.env())
    answers = await capture(fumin.url, urls, headers)
    responses = ctx.workdir / "registry_list.responses.json"
    responses.write_text(json.dumps(answers, ensure_ascii=False), encoding="utf-8")
    bare = await ctx.server("static", "--responses", str(responses))

    def next_request(i: int) -> tuple[str, Mapping[str, str]]:
        return urls[i % len(urls)], headers

    fresh_headers = {**headers, "Cache-Control": "no-cache"}

    def next_fresh(i: int) -> tuple[str, Mapping[str, str]]:
        return urls[i % len(urls)], fresh_headers

    options = ctx.options
    postgres = services.postgres_probes()

    def load(server_url: str, server_pid: int, with_postgres: bool, fresh: bool = False) -> Measure:
        probes = {"server": process_cpu(server_pid), **(postgres if with_postgres else {})}
        return lambda: generate_load(
            server_url,
            next_fresh if fresh else next_request,
            concurrency=CONCURRENCY,
            duration=options.duration,
            warmup=options.warmup,
            cpu_probes=probes,
        )

    runs = await alternate(
        {
            "fumin": load(fumin.url, fumin.pid, True),
            "baseline": load(bare.url, bare.pid, False),
            "fresh": load(fumin.url, fumin.pid, True, fresh=True),
        },
        rounds=options.rounds,
    )
    system, baseline = Series.of(runs["fumin"]), Series.of(runs["baseline"])
    fresh = Series.of(runs["fresh"])
    ratio = system.rps / baseline.rps if baseline.rps else 0.0
    fresh_ratio = fresh.rps / baseline.rps if baseline.rps else 0.0
    print(
        f"  fresh (Cache-Control: no-cache): {fresh.rps:.0f} req/s, ratio {fresh_ratio:.3f},"
        f" p99 {fresh.p99:.1f} ms, server {fresh.cpu_ms_per_request('server') or 0:.2f} ms"
        " CPU/request",
        flush=True,
    )
    return Result(
        name="registry_list",
        title=f"GET {route}, page of {PAGE}, {CONCURRENCY} clients vs bare handler",
        system=system,
        baseline=baseline,
        checks=[
            Check("ratio", ratio, TARGET_RATIO),
            Check("p99", system.p99, P99_TARGET_MS, unit=" ms", at_least=False),
            Check("fresh ratio", fresh_ratio, FRESH_TARGET_RATIO),
            Check("fresh p99", fresh.p99, FRESH_P99_TARGET_MS, unit=" ms", at_least=False),
        ],
        details={
            "route": route,
            "paths": len(urls),
            "companies": COMPANIES,
            "buildings": BUILDINGS,
            "concurrency": CONCURRENCY,
            "response_bytes": round(sum(len(a.encode()) for a in answers.values()) / len(answers)),
            "fresh": {
                "rps": round(fresh.rps, 1),
                "ratio": round(fresh_ratio, 4),
                "p50_ms": round(fresh.p50, 2),
                "p99_ms": round(fresh.p99, 2),
                "server_cpu_ms_per_request": fresh.cpu_ms_per_request("server"),
            },
        },
    )
