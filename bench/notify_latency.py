"""Commit-to-SMTP-accepted latency at 100 events/s, against direct sends at the same rate.

An SMTP server (aiosmtpd) runs in a process of its own on loopback and records when it
accepted each message, by recipient. Two real arq workers (`python -m arq
workers.settings.WorkerSettings`, production settings) relay and handle the events. This
process commits one `team.member_added` event per transaction at a steady 100 events/s for
20 s (people and the team created up front), noting each commit's time; an event's latency
is its email's acceptance time less its commit time. The baseline sends the same number of
emails straight to the same server with aiosmtplib at the same rate, on one connection
(latency: acceptance less the scheduled send time): the floor of any mail path. Rounds
alternate. Target: p99 under 1 s.

After the rounds, a burst of as many events is committed at once (100 per transaction)
and the rate at which the workers turn it into accepted emails is reported (no target):
how much headroom the workers have above the steady rate.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import redis.asyncio as aioredis
from sqlalchemy import insert, text

from bench.common import LOOPBACK, ROOT, Check, Context, LoadResult, Result, Series
from coordinator.events.service import record_event
from coordinator.models import Base
from coordinator.people.models import MemberRole, Person, Team, TeamMember
from coordinator.platform.db import Database
from coordinator.platform.settings import to_asyncpg_url

RATE = 100.0  # events per second
DURATION = 20.0  # seconds of events per round
WORKERS = 2
P99_TARGET_MS = 1000.0
RATE_SHARE = 0.95  # the producer must reach this share of RATE for the figure to count
# workers.settings.HEARTBEAT_KEY (not imported: the worker's imports are heavy).
HEARTBEAT_KEY = "fumin:worker:heartbeat"
SETTLE = 30.0  # seconds to wait for the last emails of a round
POOL = 8  # commits (or sends) in flight at once, at most


class SmtpSink:
    """bench._smtp_sink in a subprocess: when each recipient's email was accepted."""

    def __init__(self, workdir: Path) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((LOOPBACK, 0))
        sock.listen(1024)
        self.port = sock.getsockname()[1]
        self.out = workdir / f"smtp-{self.port}.tsv"
        self.out.touch()
        self.log = workdir / f"smtp-{self.port}.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    *("-m", "bench._smtp_sink", "--fd", str(sock.fileno())),
                    *("--out", str(self.out)),
                ],
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=(sock.fileno(),),
            )
        sock.close()

    @property
    def url(self) -> str:
        return f"smtp://{LOOPBACK}:{self.port}?starttls=false"

    def accepted(self) -> dict[str, float]:
        """Recipient -> acceptance time (the first, should one be sent twice)."""
        times: dict[str, float] = {}
        for line in self.out.read_text(encoding="utf-8").splitlines():
            when, _, recipients = line.partition("\t")
            for recipient in recipients.split(","):
                times.setdefault(recipient, float(when))
        return times

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Workers:
    """arq worker processes, stopped (SIGTERM) when the benchmark ends."""

    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self.env = env
        self.workdir = workdir
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, count: int) -> None:
        for n in range(count):
            with (self.workdir / f"worker-{n}.log").open("ab") as log:
                self.processes.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "arq", "workers.settings.WorkerSettings"],
                        cwd=ROOT,
                        env=self.env,
                        stdin=subprocess.DEVNULL,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )

    async def ready(self, redis_url: str, timeout: float = 180.0) -> None:
        """Wait until every worker has run its startup heartbeat job (imports, pools and
        the relay up), which takes seconds on a loaded machine."""
        client = aioredis.from_url(redis_url)
        keys = [f"{HEARTBEAT_KEY}:{process.pid}" for process in self.processes]
        deadline = time.monotonic() + timeout
        try:
            while await client.exists(*keys) < len(keys):
                self.check_alive()
                if time.monotonic() > deadline:
                    raise RuntimeError(f"workers not ready in {timeout:g} s")
                await asyncio.sleep(0.2)
        finally:
            await client.aclose()

    def check_alive(self) -> None:
        for n, process in enumerate(self.processes):
            if process.poll() is not None:
                log = (self.workdir / f"worker-{n}.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"worker {n} exited ({process.returncode}):\n{log}")

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def steady(count: int, act: Callable[[int], Awaitable[None]], *, overlap: int) -> float:
    """Start act(i) for i in range(count) at RATE per second on a fixed schedule, up to
    `overlap` at once (a slow one does not hold back the next); the rate achieved."""
    slots = asyncio.Semaphore(overlap)

    async def one(i: int) -> None:
        try:
            await act(i)
        finally:
            slots.release()

    tasks = []
    started = time.perf_counter()
    for i in range(count):
        delay = started + i / RATE - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        await slots.acquire()
        tasks.append(asyncio.create_task(one(i)))
    await asyncio.gather(*tasks)
    return count / (time.perf_counter() - started)


async def join_team(database: Database, team_id: uuid.UUID, person_id: uuid.UUID) -> float:
    """One person joins the team (and its event commits with it); the commit's time."""
    async with database.sessionmaker.begin() as session:
        session.add(TeamMember(team_id=team_id, person_id=person_id, role=MemberRole.member))
        record_event(
            session,
            "team.member_added",
            data={"team_id": str(team_id), "person_id": str(person_id), "role": "member"},
            subject_type="team",
            subject_id=team_id,
        )
    return time.time()


def email_to(address: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "noreply@fumin.localhost"
    message["To"] = address
    message["Subject"] = "您已加入志愿者服务队"
    message.set_content("您好，您已加入志愿者服务队。")
    return message


async def produce(
    database: Database, team_id: uuid.UUID, batch: list[tuple[uuid.UUID, str]]
) -> tuple[dict[str, float], float]:
    """The events of one round at RATE: commit time by recipient, and the rate achieved."""
    committed: dict[str, float] = {}

    async def join(i: int) -> None:
        person_id, address = batch[i]
        committed[address] = await join_team(database, team_id, person_id)

    rate = await steady(len(batch), join, overlap=POOL)
    return committed, rate


async def send_directly(port: int, addresses: list[str]) -> tuple[dict[str, float], float]:
    """The baseline: the same number of emails at RATE on one SMTP connection."""
    started: dict[str, float] = {}
    lock = asyncio.Lock()  # one connection carries one message at a time
    async with aiosmtplib.SMTP(hostname=LOOPBACK, port=port) as smtp:

        async def send(i: int) -> None:
            message = email_to(addresses[i])
            started[addresses[i]] = time.time()
            async with lock:
                await smtp.send_message(message)

        rate = await steady(len(addresses), send, overlap=POOL)
    return started, rate


async def burst(
    database: Database,
    team_id: uuid.UUID,
    batch: list[tuple[uuid.UUID, str]],
    sink: SmtpSink,
    workers: Workers,
) -> float:
    """Commit every event of `batch` at once; the events/s from the first commit until the
    last email is accepted."""
    started = time.time()
    for start in range(0, len(batch), 100):
        async with database.sessionmaker.begin() as session:
            for person_id, _ in batch[start : start + 100]:
                session.add(
                    TeamMember(team_id=team_id, person_id=person_id, role=MemberRole.member)
                )
                record_event(
                    session,
                    "team.member_added",
                    data={"team_id": str(team_id), "person_id": str(person_id), "role": "member"},
                    subject_type="team",
                    subject_id=team_id,
                )
    addresses = [a for _, a in batch]
    await wait_for(sink, addresses, workers)
    accepted = sink.accepted()
    if not all(a in accepted for a in addresses):
        return 0.0
    return len(batch) / (max(accepted[a] for a in addresses) - started)


async def prepare(database: Database, count: int) -> tuple[uuid.UUID, list[tuple[uuid.UUID, str]]]:
    """Empty the scratch database; a team and `count` people who will join it."""
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    people = [
        (uuid.uuid4(), f"bench-{n}-{uuid.uuid4().hex[:8]}@example.test") for n in range(count)
    ]
    team_id = uuid.uuid4()
    async with database.engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        await connection.execute(
            insert(Team), [{"id": team_id, "name": "志愿者服务队-bench", "kind": "volunteer"}]
        )
        await connection.execute(
            insert(Person),
            [
                {"id": pid, "name": f"志愿者{n}", "email": address, "skills": []}
                for n, (pid, address) in enumerate(people)
            ],
        )
    async with database.engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("VACUUM ANALYZE"))
    return team_id, people


async def wait_for(sink: SmtpSink, addresses: list[str], workers: Workers | None) -> None:
    deadline = time.monotonic() + SETTLE
    wanted = set(addresses)
    while not wanted <= sink.accepted().keys() and time.monotonic() < deadline:
        if workers is not None:
            workers.check_alive()
        await asyncio.sleep(0.25)


def result_of(sent: dict[str, float], sink: SmtpSink, rate: float) -> LoadResult:
    accepted = sink.accepted()
    latencies = [accepted[a] - t for a, t in sent.items() if a in accepted]
    missing = [a for a in sent if a not in accepted]
    return LoadResult(
        latencies=latencies,
        errors=len(missing),
        elapsed=len(sent) / rate,
        count=len(sent),  # the rate is the producer's, whatever reached the server
        first_error=f"no email accepted for {missing[0]}" if missing else None,
    )


async def run(ctx: Context) -> Result:
    services = await ctx.services()
    per_round = int(RATE * DURATION)
    rounds = ctx.options.rounds
    database = Database.from_url(to_asyncpg_url(services.database_url), pool_size=POOL)
    sink = SmtpSink(ctx.workdir)
    workers = Workers(
        {
            **os.environ,
            **services.env(),
            "SMTP_URL": sink.url,
            "FUMIN_QUIET_HOURS": "off",
            "FUMIN_DATA_DIR": str(ctx.workdir),
        },
        ctx.workdir,
    )
    runs: dict[str, list[LoadResult]] = {"fumin": [], "baseline": []}
    try:
        team_id, people = await prepare(database, per_round * (rounds + 1))
        workers.start(WORKERS)
        await workers.ready(services.redis_url)
        await asyncio.sleep(1)  # the relay's LISTEN connection
        for round_number in range(1, rounds + 1):
            batch = people[(round_number - 1) * per_round : round_number * per_round]

            committed, rate = await produce(database, team_id, batch)
            await wait_for(sink, [a for _, a in batch], workers)
            runs["fumin"].append(result_of(committed, sink, rate))

            direct = [f"direct-{round_number}-{i}@example.test" for i in range(per_round)]
            started, base_rate = await send_directly(sink.port, direct)
            await wait_for(sink, direct, None)
            runs["baseline"].append(result_of(started, sink, base_rate))

            for name, r in (("fumin", runs["fumin"][-1]), ("baseline", runs["baseline"][-1])):
                print(
                    f"  round {round_number}/{rounds} {name:<9} {r.rps:7.1f} events/s"
                    f"  p50 {r.p50:7.1f} ms  p95 {r.percentile_ms(95):7.1f} ms"
                    f"  p99 {r.p99:7.1f} ms  missing {r.errors}",
                    flush=True,
                )
        burst_rate = await burst(database, team_id, people[rounds * per_round :], sink, workers)
        print(f"  burst of {per_round} events: {burst_rate:7.1f} events/s", flush=True)
    finally:
        workers.stop()
        sink.stop()
        await database.dispose()
    system, baseline = Series.of(runs["fumin"]), Series.of(runs["baseline"])
    all_latencies = sorted(x for r in runs["fumin"] for x in r.latencies)
    pooled = LoadResult(latencies=all_latencies, errors=0, elapsed=1.0)
    return Result(
        name="notify_latency",
        title=(
            f"commit to SMTP accepted, {RATE:g} events/s for {DURATION:g} s, {WORKERS} workers"
            " vs direct aiosmtplib sends"
        ),
        system=system,
        baseline=baseline,
        checks=[
            Check("p99", system.p99, P99_TARGET_MS, unit=" ms", at_least=False),
            Check("rate", system.rps, RATE * RATE_SHARE, unit="/s"),
        ],
        details={
            "rate": RATE,
            "duration_s": DURATION,
            "workers": WORKERS,
            "events_per_round": per_round,
            "burst_events_per_s": round(burst_rate, 1),
            "all_rounds_ms": {
                "p50": round(pooled.p50, 1),
                "p95": round(pooled.percentile_ms(95), 1),
                "p99": round(pooled.p99, 1),
                "max": round(all_latencies[-1] * 1000, 1) if all_latencies else None,
            },
        },
        unit="events/s",
    )
