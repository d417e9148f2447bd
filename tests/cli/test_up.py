"""`fumin up` as a real process: embedded servers, demo data, supervision, clean stops."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import psutil
import pytest
import redis

from coordinator.ops.embedded import free_port

START_TIMEOUT = 60
HEARTBEAT_KEY = "fumin:worker:heartbeat"


@dataclass
class Up:
    """A running `fumin up --demo` and what it printed."""

    data_dir: Path
    port: int
    process: subprocess.Popen[bytes]
    stdout: Path
    stderr: Path
    token: str = ""
    seen: set[int] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.stdout.read_text(errors="replace")

    def get(self, path: str, token: str | None = None) -> tuple[int, bytes]:
        request = urllib.request.Request(self.url + path)
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def children(self) -> list[psutil.Process]:
        return psutil.Process(self.process.pid).children(recursive=True)

    def child(self, marker: str) -> psutil.Process | None:
        for child in self.children():
            try:
                if marker in " ".join(child.cmdline()):
                    return child
            except psutil.Error:
                continue
        return None

    def postgres(self) -> psutil.Process:
        pid = int((self.data_dir / "pg" / "postmaster.pid").read_text().split()[0])
        return psutil.Process(pid)

    def database_dsn(self) -> str:
        socket_dir = (self.data_dir / "pg" / "postmaster.pid").read_text().splitlines()[4]
        return f"postgresql://postgres@/fumin?host={socket_dir}"


def start(data_dir: Path, name: str, *, new_group: bool = False) -> Up:
    """Start `fumin up --demo` and wait until /readyz answers 200 and the banner is out
    (in a process group of its own with `new_group`, as a terminal or a supervisor runs it)."""
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "FUMIN_ADMIN_TOKEN", "FUMIN_ENV")
    }
    env |= {"FUMIN_DATA_DIR": str(data_dir), "PORT": str(port), "FUMIN_LOG_LEVEL": "warning"}
    stdout, stderr = data_dir.parent / f"{name}.out", data_dir.parent / f"{name}.err"
    process = subprocess.Popen(
        [sys.executable, "-m", "coordinator.ops.cli", "up", "--demo"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=stdout.open("wb"),
        stderr=stderr.open("wb"),
        process_group=0 if new_group else None,
    )
    up = Up(data_dir=data_dir, port=port, process=process, stdout=stdout, stderr=stderr)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert process.poll() is None, (
            f"fumin up exited early:\n{up.output()}\n{stderr.read_text()}"
        )
        if "Admin token:" in up.output() and up.get("/readyz")[0] == 200:
            line = next(x for x in up.output().splitlines() if "Admin token:" in x)
            up.token = line.split(":", 1)[1].strip()
            return up
        time.sleep(0.2)
    stop(up)
    raise AssertionError(
        f"not ready within {START_TIMEOUT} s:\n{up.output()}\n{stderr.read_text()}"
    )


def everything_it_started(up: Up) -> list[psutil.Process]:
    """Web, worker, Redis, and the PostgreSQL server with its backends."""
    postgres = up.postgres()
    return [*up.children(), postgres, *postgres.children()]


def gone(process: psutil.Process) -> bool:
    try:
        # PID 1 of some containers does not reap, so a stopped server may linger as a zombie.
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def stop(up: Up) -> int:
    if up.process.poll() is None:
        up.process.send_signal(signal.SIGTERM)
    try:
        return up.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        up.process.kill()
        raise


def admin_tokens(up: Up) -> int:
    async def count() -> int:
        connection = await asyncpg.connect(up.database_dsn())
        try:
            return int(await connection.fetchval("SELECT count(*) FROM api_tokens"))
        finally:
            await connection.close()

    return asyncio.run(count())


def demo_counts(up: Up) -> dict[str, int]:
    async def count() -> dict[str, int]:
        connection = await asyncpg.connect(up.database_dsn())
        try:
            return {
                table: await connection.fetchval(f"SELECT count(*) FROM {table}")
                for table in (
                    "areas",
                    "buildings",
                    "party_branches",
                    "companies",
                    "people",
                    "teams",
                )
            }
        finally:
            await connection.close()

    return asyncio.run(count())


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Up]:
    root = tmp_path_factory.mktemp("fumin-up")
    up = start(root / "var", "first")
    yield up
    stop(up)


def test_up_demo_serves_the_api_with_the_printed_admin_token(first_run: Up) -> None:
    up = first_run
    assert up.token.startswith("fmn_")
    assert f"API docs:     {up.url}/api/docs" in up.output()
    assert up.get("/api/docs")[0] == 200

    status, body = up.get("/api/v1/areas", up.token)
    assert status == 200
    assert json.loads(body)["total"] == 3
    status, body = up.get("/api/v1/companies?limit=1", up.token)
    assert status == 200
    assert json.loads(body)["total"] == 200
    assert up.get("/api/v1/areas")[0] == 401
    assert up.get("/api/v1/areas", "fmn_not-a-real-token")[0] == 401

    assert demo_counts(up) == {
        "areas": 3,
        "buildings": 12,
        "party_branches": 5,
        "companies": 200,
        "people": 40,
        "teams": 4,
    }


def test_worker_killed_with_sigkill_is_restarted(first_run: Up) -> None:
    up = first_run
    worker = up.child("coordinator.ops.cli worker")
    assert worker is not None
    redis_url = up.child("coordinator.ops.cli web").environ()["REDIS_URL"]  # type: ignore[union-attr]
    worker.kill()
    worker.wait(5)

    deadline = time.monotonic() + 30
    client = redis.Redis.from_url(redis_url)
    while time.monotonic() < deadline:
        again = up.child("coordinator.ops.cli worker")
        # The new worker has run its start-up heartbeat: it is really working.
        if again is not None and again.pid != worker.pid:
            if client.get(f"{HEARTBEAT_KEY}:{again.pid}") is not None:
                break
        time.sleep(0.2)
    else:
        raise AssertionError(f"worker not back within 30 s:\n{up.output()}")
    client.close()
    assert "worker exited (killed by SIGKILL)" in up.output()
    assert up.get("/readyz")[0] == 200


def check(up: Up, kind: str) -> subprocess.CompletedProcess[str]:
    """`fumin worker --check` as an operator runs it beside `fumin up`: only the data folder."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    return subprocess.run(
        [sys.executable, "-m", "coordinator.ops.cli", kind, "--check"],
        env=env | {"FUMIN_DATA_DIR": str(up.data_dir)},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_worker_check_finds_the_embedded_redis(first_run: Up) -> None:
    up = first_run
    redis_url = up.child("coordinator.ops.cli web").environ()["REDIS_URL"]  # type: ignore[union-attr]
    for kind in ("worker", "planner"):
        result = check(up, kind)
        assert result.returncode == 0, result.stderr
        assert f"{kind} healthy on {redis_url}: " in result.stdout
        assert "j_complete=" in result.stdout
    # A worker that stops recording its health fails the check (arq's key expires).
    client = redis.Redis.from_url(redis_url)
    try:
        client.delete("arq:queue:health-check")
        result = check(up, "worker")
    finally:
        client.close()
    assert result.returncode == 1
    assert "no worker has recorded its health" in result.stderr


def test_sigterm_stops_everything_and_a_second_start_keeps_the_data(first_run: Up) -> None:
    up = first_run
    started = everything_it_started(up)
    assert len(started) >= 4  # web, worker, redis, postgres (and its helpers)
    assert stop(up) == 0
    assert [p for p in started if not gone(p)] == []
    assert "fumin: stopped" in up.output()
    stopped = check(up, "worker")
    assert stopped.returncode == 1
    assert "no embedded Redis runs in" in stopped.stderr

    again = start(up.data_dir, "second")
    try:
        assert "demo data not loaded" in again.output()
        assert demo_counts(again)["companies"] == 200
        # The second start printed the same token, kept in the data folder, and made none.
        assert again.token == up.token
        assert again.get("/api/v1/areas", again.token)[0] == 200
        assert admin_tokens(again) == 1
        assert (up.data_dir / "admin_token").stat().st_mode & 0o077 == 0
        started = everything_it_started(again)
    finally:
        assert stop(again) == 0
    assert [p for p in started if not gone(p)] == []
