"""The whole app served on a loopback port from a thread of its own, for clients that make
blocking HTTP calls (schemathesis drives it with requests): real HTTP, real PostgreSQL and
Redis, the demo subdistrict loaded so reads find rows."""

from __future__ import annotations

import asyncio
import socket
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from aiohttp import web

from coordinator.app import create_app
from coordinator.auth.models import Role
from coordinator.auth.service import create_token
from coordinator.ops.demo_load import load_demo
from coordinator.platform.db import Database
from coordinator.platform.settings import load_settings
from tests.conftest import Servers, truncate_all


@dataclass(frozen=True)
class ServedApi:
    base_url: str
    token: str  # an admin token
    token_id: str


class _ServerThread(threading.Thread):
    def __init__(self, servers: Servers, sock: socket.socket) -> None:
        super().__init__(name="fumin-served-api", daemon=True)
        host, port = sock.getsockname()[:2]
        self.base_url = f"http://{host}:{port}"
        self.settings = load_settings(
            FUMIN_ENV="test",
            DATABASE_URL=servers.database_url,
            REDIS_URL=servers.redis_url,
            FUMIN_PUBLIC_URL=self.base_url,
            FUMIN_LOG_LEVEL="warning",
            FUMIN_DATA_DIR=tempfile.mkdtemp(prefix="fumin-served-"),
        )
        self.sock = sock
        self.ready = threading.Event()
        self.failure: BaseException | None = None
        self.token = ""
        self.token_id = ""
        self.loop = asyncio.new_event_loop()
        self._stopping = asyncio.Event()

    def run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self._serve())
        except BaseException as exc:  # reported to the test that waits for start-up
            self.failure = exc
            self.ready.set()

    async def _serve(self) -> None:
        database = Database.from_url(self.settings.async_database_url, pool_size=10)
        try:
            await load_demo(database, self.settings)
            async with database.sessionmaker.begin() as session:
                row, self.token = await create_token(
                    session=session, name="schemathesis", role=Role.admin
                )
                await session.flush()
                self.token_id = str(row.id)
            runner = web.AppRunner(create_app(self.settings, database=database))
            await runner.setup()
            await web.SockSite(runner, self.sock).start()
            self.ready.set()
            await self._stopping.wait()
            await runner.cleanup()
        finally:
            await truncate_all(database)
            await database.dispose()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self._stopping.set)
        self.join(timeout=30)


@pytest.fixture(scope="module")
def served_api(servers: Servers) -> Iterator[ServedApi]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    thread = _ServerThread(servers, sock)
    thread.start()
    if not thread.ready.wait(timeout=60) or thread.failure is not None:
        raise RuntimeError("the app did not start") from thread.failure
    try:
        yield ServedApi(base_url=thread.base_url, token=thread.token, token_id=thread.token_id)
    finally:
        thread.stop()
