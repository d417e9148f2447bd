"""What a killed `fumin up` leaves behind is cleaned up by the next start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from coordinator.ops.embedded import EmbeddedPostgres, EmbeddedRedis, stop_orphan_redis


def test_redis_left_by_a_killed_run_is_stopped(tmp_path: Path) -> None:
    workdir = tmp_path / "redis"
    orphan = EmbeddedRedis(workdir)
    orphan.start()
    try:
        (workdir / "redis-server.pid").write_text(str(orphan.pid))
        stop_orphan_redis(workdir / "redis-server.pid", workdir)
        assert orphan._process.wait(timeout=5) == 0
    finally:
        orphan.stop()


def test_another_redis_is_left_alone(tmp_path: Path) -> None:
    other = EmbeddedRedis(tmp_path / "other")
    other.start()
    try:
        pidfile = tmp_path / "redis-server.pid"
        pidfile.write_text(str(other.pid))
        stop_orphan_redis(pidfile, tmp_path / "redis")
        assert other._process.poll() is None
    finally:
        other.stop()


def test_postgres_forgets_users_that_died_without_letting_go(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    pgdata = tmp_path / "pg"
    pgdata.mkdir()
    handles = pgdata / ".handle_pids.json"
    handles.write_text(json.dumps([dead.pid, os.getpid()]))

    EmbeddedPostgres(pgdata)._forget_dead_handles()

    assert json.loads(handles.read_text()) == [os.getpid()]
