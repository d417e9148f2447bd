"""A team's calendar feed: 300 events served warm, 304s, and a cold render.

One team with 200 visits (10 liaisons) and 100 shifts at its posts, all within the feed's
window, and a feed token issued through the service. 32 clients poll the real app (its own
process) and, in alternate rounds, a bare aiohttp handler (its own process) that answers
the same bytes and headers from memory, or 304 for the same ETag:

- warm 200s (`Accept-Encoding: identity`): at least 60% of the bare handler's req/s;
- 304s (`If-None-Match` with the current ETag): at least 80% of a bare handler's 304s;
- a cold render of the 300 events under 30 ms: the builder alone on the loaded items
  (median of 20), and, reported beside it, the first fetch from a fresh process and
  fetches right after a visit changed (lookup, load, render, Redis).

The changes are committed by this process, as another process would: the server learns of
them by PostgreSQL's notification (coordinator.platform.changes), so a fetch sent at once may still
get the version before. Reported beside the render figures: how long after the commit the
first fetch showed the change, and how many fetches came too early.

    python -m bench feeds
    python -m bench.feeds bare --fd N --body F --etag E   # the bare handler (internal)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import insert, text, update

from bench.common import (
    LOOPBACK,
    ROOT,
    Check,
    Context,
    LoadResult,
    Result,
    Series,
    alternate,
    generate_load,
    process_cpu,
)

LIAISONS = 10
VISITS_PER_LIAISON = 20
SHIFTS = 100
EVENTS = LIAISONS * VISITS_PER_LIAISON + SHIFTS
CONCURRENCY = 32
TARGET_200 = 0.60
TARGET_304 = 0.80
COLD_TARGET_MS = 30.0
BUILDER_REPEATS = 20
CHANGED_FETCHES = 10

# Headers both servers send with the calendar (the bare handler copies Fumin's).
COPIED = (
    "Content-Type",
    "Cache-Control",
    "Vary",
    "X-Robots-Tag",
    "Referrer-Policy",
    "X-Content-Type-Options",
    "ETag",
    "Last-Modified",
)

Measure = Callable[[], Awaitable[LoadResult]]


# Seed


@dataclass(frozen=True)
class Seeded:
    team_id: uuid.UUID
    lead_id: uuid.UUID
    visit_ids: list[uuid.UUID]
    token: str
    path: str


async def seed(database: Any) -> Seeded:
    """Empty the scratch database; one team, its 300 events, a feed token for its lead."""
    from coordinator.auth.service import SYSTEM
    from coordinator.calendars import service as feeds
    from coordinator.models import Base
    from coordinator.people.models import MemberRole, Person, Team, TeamKind, TeamMember
    from coordinator.platform.db import utcnow
    from coordinator.registry.models import (
        Building,
        BuildingKind,
        Company,
        CompanyStatus,
        Contact,
        Language,
    )
    from coordinator.shifts.models import Post, Shift, Signup, SignupStatus
    from coordinator.visits.models import Visit, VisitStatus

    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    now = utcnow().replace(second=0, microsecond=0)
    team_id, lead_id = uuid.uuid4(), uuid.uuid4()
    liaisons = [uuid.uuid4() for _ in range(LIAISONS)]
    buildings = [uuid.uuid4() for _ in range(5)]
    companies = [uuid.uuid4() for _ in range(50)]
    contacts = [uuid.uuid4() for _ in companies]
    posts = [uuid.uuid4() for _ in range(5)]
    visit_ids: list[uuid.UUID] = []
    async with database.engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        people = [{"id": lead_id, "name": "王组长", "phone": "13800009999"}]
        people += [
            {"id": p, "name": f"联络员{n:02d}", "phone": f"1380000{n:04d}"}
            for n, p in enumerate(liaisons)
        ]
        await connection.execute(insert(Person), people)
        await connection.execute(
            insert(Team),
            [{"id": team_id, "name": "静安联络一组", "kind": TeamKind.liaison, "lead_id": lead_id}],
        )
        members = [{"team_id": team_id, "person_id": lead_id, "role": MemberRole.lead}]
        members += [
            {"team_id": team_id, "person_id": p, "role": MemberRole.member} for p in liaisons
        ]
        await connection.execute(insert(TeamMember), members)
        await connection.execute(
            insert(Building),
            [
                {
                    "id": b,
                    "name": f"静安大厦{n}",
                    "address": f"南京西路{1000 + n}号",
                    "kind": BuildingKind.office,
                }
                for n, b in enumerate(buildings)
            ],
        )
        await connection.execute(
            insert(Company),
            [
                {
                    "id": c,
                    "name": f"上海福民科技有限公司{n:02d}",
                    "credit_code": f"91310106{n:09d}X",
                    "building_id": buildings[n % len(buildings)],
                    "floor": str(3 + n % 30),
                    "unit": f"{n % 20 + 1:02d}室",
                    "status": CompanyStatus.operating,
                }
                for n, c in enumerate(companies)
            ],
        )
        await connection.execute(
            insert(Contact),
            [
                {
                    "id": k,
                    "company_id": c,
                    "name": "张经理",
                    "mobile": f"139{n:08d}",
                    "preferred_language": Language.zh,
                }
                for n, (k, c) in enumerate(zip(contacts, companies, strict=True))
            ],
        )
        visits = []
        statuses = [VisitStatus.confirmed] * 3 + [VisitStatus.proposed]
        for n, liaison in enumerate(liaisons):
            for k in range(VISITS_PER_LIAISON):
                visit_id = uuid.uuid4()
                visit_ids.append(visit_id)
                start = now + timedelta(days=1 + k * 4, hours=n % 8)
                company = (n * VISITS_PER_LIAISON + k) % len(companies)
                visits.append(
                    {
                        "id": visit_id,
                        "company_id": companies[company],
                        "contact_id": contacts[company],
                        "liaison_id": liaison,
                        "team_id": team_id,
                        "starts_at": start,
                        "ends_at": start + timedelta(hours=1),
                        "place": f"静安大厦{company % len(buildings)} {3 + company % 30}层",
                        "purpose": "了解复工复产情况，收集企业诉求",
                        "status": statuses[k % len(statuses)],
                        "sequence": k % 3,
                    }
                )
        await connection.execute(insert(Visit), visits)
        await connection.execute(
            insert(Post),
            [
                {
                    "id": p,
                    "name": f"华山路{100 + n}弄 门岗",
                    "address": f"华山路{100 + n}弄",
                    "checklist": ["拦", "问", "测", "核", "记", "报"],
                    "team_id": team_id,
                }
                for n, p in enumerate(posts)
            ],
        )
        shifts, signups = [], []
        for n in range(SHIFTS):
            shift_id = uuid.uuid4()
            start = now + timedelta(days=1 + n // 2, hours=8 + 6 * (n % 2))
            holders = [lead_id, liaisons[n % LIAISONS]][: 1 + n % 2]
            shifts.append(
                {
                    "id": shift_id,
                    "post_id": posts[n % len(posts)],
                    "starts_at": start,
                    "ends_at": start + timedelta(hours=4),
                    "min_people": 1,
                    "max_people": 3,
                    "filled": len(holders),
                }
            )
            signups += [
                {
                    "shift_id": shift_id,
                    "person_id": person,
                    "status": SignupStatus.signed_up,
                    "starts_at": start,
                    "ends_at": start + timedelta(hours=4),
                }
                for person in holders
            ]
        await connection.execute(insert(Shift), shifts)
        await connection.execute(insert(Signup), signups)
    async with database.engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("VACUUM ANALYZE"))
    async with database.sessionmaker.begin() as session:
        issued = await feeds.issue_feed(
            session=session,
            actor=SYSTEM,
            base_url=f"http://{LOOPBACK}",
            team_id=team_id,
            person_id=lead_id,
            label="bench",
        )
    path = issued.urls.https.split("://", 1)[1].split("/", 1)[1]
    token = path.removeprefix("cal/").removesuffix(".ics")
    return Seeded(team_id, lead_id, visit_ids, token, "/" + path)


async def touch_visit(database: Any, visit_id: uuid.UUID) -> None:
    """A change the feed must show (and so render anew)."""
    from coordinator.platform.db import utcnow
    from coordinator.visits.models import Visit

    async with database.engine.begin() as connection:
        await connection.execute(
            update(Visit).where(Visit.id == visit_id).values(updated_at=utcnow())
        )


# The builder alone


async def builder_ms(database: Any, seeded: Seeded) -> tuple[float, int, int]:
    """Median ms of render_feed over the feed's loaded items, their count, the bytes."""
    from coordinator.calendars.feed.service import window
    from coordinator.calendars.ical import render_feed
    from coordinator.calendars.models import Context as SourceContext
    from coordinator.features import feed_sources
    from coordinator.platform.db import utcnow
    from coordinator.platform.settings import load_settings

    settings = load_settings()
    zone = settings.zone
    win = window(settings.feeds, utcnow())
    context = SourceContext(
        base_url=f"http://{LOOPBACK}", host=LOOPBACK, team_feed=True, person_id=seeded.lead_id
    )
    async with database.session() as session:
        feed_id = await session.scalar(text("SELECT id FROM feed_tokens LIMIT 1"))
        items = []
        for source in feed_sources():
            items.extend(await source.load(session, feed_id, win, context))
    timings = []
    body = b""
    for _ in range(BUILDER_REPEATS):
        started = time.perf_counter()
        body = render_feed("静安联络一组 · 福民", items, zone=zone)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), len(items), len(body)


# The bare handler


def bare_app(body: bytes, headers: Mapping[str, str]) -> web.Application:
    """The same bytes and headers from memory; 304 when If-None-Match names the ETag."""
    etag = headers["ETag"]
    without_type = {k: v for k, v in headers.items() if k != "Content-Type"}

    async def answer(request: web.Request) -> web.Response:
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers=without_type)
        return web.Response(body=body, headers=headers)

    app = web.Application()
    app.router.add_get("/{tail:.*}", answer)
    return app


@dataclass
class BareServer:
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def spawn_bare(workdir: Path, body: bytes, headers: Mapping[str, str]) -> BareServer:
    """`python -m bench.feeds bare` on a loopback socket bound here (no port race)."""
    body_path = workdir / "feeds.body.ics"
    body_path.write_bytes(body)
    headers_path = workdir / "feeds.headers.json"
    headers_path.write_text(json.dumps(dict(headers)), encoding="utf-8")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((LOOPBACK, 0))
    sock.listen(1024)
    port = sock.getsockname()[1]
    with (workdir / f"feeds-bare-{port}.log").open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.feeds",
                "bare",
                "--fd",
                str(sock.fileno()),
                "--body",
                str(body_path),
                "--headers",
                str(headers_path),
            ],
            cwd=ROOT,
            env=dict(os.environ),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=(sock.fileno(),),
        )
    sock.close()
    return BareServer(port, process)


async def start_bare(workdir: Path, body: bytes, headers: Mapping[str, str]) -> BareServer:
    """The bare handler's process, returned once it answers HTTP."""
    server = spawn_bare(workdir, body, headers)
    process = server.process
    deadline = time.monotonic() + 30
    async with aiohttp.ClientSession() as session:
        while True:
            if process.poll() is not None:
                raise RuntimeError("bare feed server exited at start")
            try:
                async with session.get(server.url + "/", timeout=aiohttp.ClientTimeout(1)):
                    return server
            except (aiohttp.ClientError, TimeoutError):
                if time.monotonic() > deadline:
                    server.stop()
                    raise RuntimeError("bare feed server did not answer") from None
                await asyncio.sleep(0.1)


# HTTP


async def fetch(
    url: str, headers: Mapping[str, str] | None = None
) -> tuple[int, Mapping[str, str], bytes, float]:
    """One fetch on a fresh connection: status, headers, body, milliseconds."""
    async with aiohttp.ClientSession() as session:
        started = time.perf_counter()
        sent = {"Accept-Encoding": "identity", **(headers or {})}
        async with session.get(url, headers=sent) as r:
            body = await r.read()
            elapsed = (time.perf_counter() - started) * 1000
            return r.status, r.headers.copy(), body, elapsed


async def flush_feed_cache(redis_url: str) -> None:
    from redis.asyncio import Redis

    redis = Redis.from_url(redis_url)
    try:
        keys = [key async for key in redis.scan_iter(match="fumin:cal:*")]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()


class FeedResult(Result):
    """The warm 200s as the main figure; the 304s and the cold render beside them."""

    extra: list[str]

    def block(self) -> str:
        lines = super().block().split("\n")
        return "\n".join([*lines[:-1], *self.extra, lines[-1]])


def _side(label: str, series: Series) -> str:
    server = series.cpu_ms_per_request("server")
    per_request = f"  server {server:.2f} ms CPU/request" if server is not None else ""
    return (
        f"  {label:<10} {series.rps:10.0f} req/s  p50 {series.p50:6.2f} ms"
        f"  p99 {series.p99:6.2f} ms  errors {series.errors}{per_request}"
    )


async def run(ctx: Context) -> Result:
    from coordinator.platform.db import Database
    from coordinator.platform.settings import to_asyncpg_url

    services = await ctx.services()
    database = Database.from_url(to_asyncpg_url(services.database_url), pool_size=2)
    try:
        seeded = await seed(database)
        builder, items, size = await builder_ms(database, seeded)
        await flush_feed_cache(services.redis_url)

        fumin = await ctx.server("fumin", env=services.env())
        status, headers, body, first_ms = await fetch(fumin.url + seeded.path)
        if status != 200 or body.count(b"BEGIN:VEVENT") != EVENTS:
            raise RuntimeError(f"feed: {status}, {body.count(b'BEGIN:VEVENT')} events")
        changed, visible, early = [], [], 0
        for visit_id in seeded.visit_ids[:CHANGED_FETCHES]:
            before = headers["ETag"]
            await touch_visit(database, visit_id)
            committed = time.perf_counter()
            while True:
                status, headers, body, ms = await fetch(fumin.url + seeded.path)
                if status != 200:
                    raise RuntimeError(f"feed after a change: {status}")
                if headers["ETag"] != before:
                    break
                early += 1
                if time.perf_counter() - committed > 2:
                    raise RuntimeError("a change did not show within 2 s")
            visible.append((time.perf_counter() - committed) * 1000)
            changed.append(ms)
        status, _, _, _ = await fetch(fumin.url + seeded.path, {"If-None-Match": headers["ETag"]})
        if status != 304:
            raise RuntimeError(f"If-None-Match: {status}, expected 304")
    finally:
        await database.dispose()
    copied = {name: headers[name] for name in COPIED if name in headers}
    bare = await start_bare(ctx.workdir, body, copied)
    try:
        plain = {"Accept-Encoding": "identity"}
        conditional = {**plain, "If-None-Match": copied["ETag"]}
        postgres = services.postgres_probes()
        options = ctx.options

        def load(url: str, pid: int, send: Mapping[str, str], status: int, pg: bool) -> Measure:
            probes = {"server": process_cpu(pid), **(postgres if pg else {})}
            return lambda: generate_load(
                url,
                lambda i: (seeded.path, send),
                concurrency=CONCURRENCY,
                duration=options.duration,
                warmup=options.warmup,
                expect_status=status,
                cpu_probes=probes,
            )

        runs = await alternate(
            {
                "fumin": load(fumin.url, fumin.pid, plain, 200, True),
                "baseline": load(bare.url, bare.pid, plain, 200, False),
                "fumin304": load(fumin.url, fumin.pid, conditional, 304, True),
                "bare304": load(bare.url, bare.pid, conditional, 304, False),
            },
            rounds=options.rounds,
        )
    finally:
        bare.stop()
    system, baseline = Series.of(runs["fumin"]), Series.of(runs["baseline"])
    system304, baseline304 = Series.of(runs["fumin304"]), Series.of(runs["bare304"])
    ratio = system.rps / baseline.rps if baseline.rps else 0.0
    ratio304 = system304.rps / baseline304.rps if baseline304.rps else 0.0
    changed_ms = statistics.median(changed)
    result = FeedResult(
        name="feeds",
        title=f"GET /cal/{{token}}.ics, team feed of {EVENTS} events, {CONCURRENCY} clients"
        " vs bare handler",
        system=system,
        baseline=baseline,
        checks=[
            Check("ratio", ratio, TARGET_200),
            Check("ratio 304", ratio304, TARGET_304),
            Check("cold", builder, COLD_TARGET_MS, unit=" ms", at_least=False),
        ],
        details={
            "events": items,
            "response_bytes": size,
            "concurrency": CONCURRENCY,
            "304": {
                "ratio": round(ratio304, 4),
                "fumin": {"rps": round(system304.rps, 1), "p99_ms": round(system304.p99, 2)},
                "bare": {"rps": round(baseline304.rps, 1), "p99_ms": round(baseline304.p99, 2)},
                "fumin_server_cpu_ms": system304.cpu_ms_per_request("server"),
            },
            "cold": {
                "builder_ms": round(builder, 2),
                "first_fetch_ms": round(first_ms, 2),
                "fetch_after_change_ms": round(changed_ms, 2),
                "visible_after_commit_ms": round(statistics.median(visible), 2),
                "visible_after_commit_max_ms": round(max(visible), 2),
                "fetches_too_early": early,
            },
        },
    )
    result.extra = [
        "  -- 304 (If-None-Match)",
        _side("fumin", system304),
        _side("baseline", baseline304),
        f"  ratio 304  {ratio304:.3f}",
        "  -- cold render",
        f"  builder    {builder:.2f} ms ({items} events, {size} bytes, median of"
        f" {BUILDER_REPEATS})",
        f"  first HTTP {first_ms:.2f} ms (fresh process, nothing cached)",
        f"  changed    {changed_ms:.2f} ms (median of {CHANGED_FETCHES} fetches after a change)",
        f"  visible    {statistics.median(visible):.2f} ms after the commit (median; max"
        f" {max(visible):.2f} ms), {early} of {CHANGED_FETCHES} first fetches too early",
    ]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.feeds")
    parser.add_argument("kind", choices=["bare"])
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--body", type=Path, required=True)
    parser.add_argument("--headers", type=Path, required=True)
    args = parser.parse_args()
    from bench.serve import serve

    app = bare_app(args.body.read_bytes(), json.loads(args.headers.read_text(encoding="utf-8")))
    asyncio.run(serve(app, socket.socket(fileno=args.fd)))


if __name__ == "__main__":
    main()
