"""Real PostgreSQL and Redis for every test: the ones named in TEST_DATABASE_URL /
TEST_REDIS_URL, else embedded servers started for this test session."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from coordinator.app import create_app
from coordinator.auth.models import Role
from coordinator.auth.service import create_token
from coordinator.ops.embedded import EmbeddedPostgres, EmbeddedRedis
from coordinator.platform.db import Base, Database
from coordinator.platform.migrate import upgrade
from coordinator.platform.settings import Settings, load_settings, to_asyncpg_url


@dataclass(frozen=True)
class Servers:
    database_url: str
    redis_url: str


@pytest.fixture(scope="session")
def servers() -> Iterator[Servers]:
    workdir = Path(tempfile.mkdtemp(prefix="fumin-test-"))
    pg: EmbeddedPostgres | None = None
    redis: EmbeddedRedis | None = None
    database_url = os.environ.get("TEST_DATABASE_URL")
    redis_url = os.environ.get("TEST_REDIS_URL")
    try:
        if not database_url:
            pg = EmbeddedPostgres(workdir / "pg", cleanup="delete")
            pg.start()
            database_url = pg.database_url("fumin_test")
        if not redis_url:
            redis = EmbeddedRedis(workdir / "redis")
            redis_url = redis.start()
        upgrade(to_asyncpg_url(database_url))
        keep_seeds(database_url)
        yield Servers(database_url=database_url, redis_url=redis_url)
    finally:
        if redis:
            redis.stop()
        if pg:
            pg.stop()


@pytest.fixture
def settings(servers: Servers, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return load_settings(
        FUMIN_ENV="test",
        FUMIN_DATA_DIR=str(tmp_path_factory.getbasetemp() / "data"),
        DATABASE_URL=servers.database_url,
        REDIS_URL=servers.redis_url,
        FUMIN_PUBLIC_URL="http://fumin.test",
        FUMIN_LOG_LEVEL="warning",
    )


@pytest.fixture
async def database(settings: Settings) -> AsyncIterator[Database]:
    """A database whose every change is rolled back after the test."""
    engine = create_async_engine(settings.async_database_url, pool_size=2)
    async with engine.connect() as connection:
        outer = await connection.begin()
        yield Database(engine, bind=connection)
        await outer.rollback()
    await engine.dispose()


@pytest.fixture
async def committed_database(settings: Settings) -> AsyncIterator[Database]:
    """A database whose changes really commit (for concurrency and workers); emptied after."""
    database = Database.from_url(settings.async_database_url, pool_size=20)
    yield database
    await truncate_all(database)
    await database.dispose()


# Reference rows the migrations seed (the colour board's legend, 0019): emptied with the
# rest and put back as the migrations left them, kept aside in schema test_seeds.
SEEDED = ("dwelling_state_colours",)


async def truncate_all(database: Database) -> None:
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with database.engine.begin() as connection:
        await connection.execute(text("CREATE SCHEMA IF NOT EXISTS test_seeds"))
        for table in SEEDED:
            kept = await connection.scalar(text(f"SELECT to_regclass('test_seeds.{table}')"))
            if kept is None:
                raise RuntimeError("the seeded rows were not kept before the first test")
        await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        for table in SEEDED:
            await connection.execute(text(f"INSERT INTO {table} SELECT * FROM test_seeds.{table}"))


def keep_seeds(database_url: str) -> None:
    """Set aside the rows the migrations seeded, for truncate_all to put back."""

    async def keep() -> None:
        engine = create_async_engine(to_asyncpg_url(database_url))
        try:
            async with engine.begin() as connection:
                await connection.execute(text("CREATE SCHEMA IF NOT EXISTS test_seeds"))
                for table in SEEDED:
                    await connection.execute(text(f"DROP TABLE IF EXISTS test_seeds.{table}"))
                    await connection.execute(
                        text(f"CREATE TABLE test_seeds.{table} AS SELECT * FROM {table}")
                    )
        finally:
            await engine.dispose()

    asyncio.run(keep())


@dataclass
class Api:
    """A test client with a token per role."""

    client: TestClient
    tokens: dict[Role, str]

    def headers(self, role: Role | None = Role.admin, **extra: str) -> dict[str, str]:
        headers = dict(extra)
        if role is not None:
            headers["Authorization"] = f"Bearer {self.tokens[role]}"
        return headers

    async def request(
        self,
        method: str,
        path: str,
        *,
        role: Role | None = Role.admin,
        json: object = None,
        headers: dict[str, str] | None = None,
        **kwargs: object,
    ):  # type: ignore[no-untyped-def]
        return await self.client.request(
            method, path, json=json, headers=self.headers(role, **(headers or {})), **kwargs
        )

    async def get(self, path: str, **kwargs):  # type: ignore[no-untyped-def]
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, **kwargs):  # type: ignore[no-untyped-def]
        return await self.request("POST", path, **kwargs)

    async def patch(self, path: str, **kwargs):  # type: ignore[no-untyped-def]
        return await self.request("PATCH", path, **kwargs)

    async def delete(self, path: str, **kwargs):  # type: ignore[no-untyped-def]
        return await self.request("DELETE", path, **kwargs)

    async def ok(self, method: str, path: str, status: int = 200, **kwargs):  # type: ignore[no-untyped-def]
        """Make a request, assert its status, return its JSON (None for 204)."""
        response = await self.request(method, path, **kwargs)
        body = await response.text()
        assert response.status == status, f"{method} {path}: {response.status} {body}"
        return await response.json() if body else None


async def make_api(aiohttp_client, settings: Settings, database: Database, **app_options) -> Api:  # type: ignore[no-untyped-def]
    tokens: dict[Role, str] = {}
    async with database.sessionmaker.begin() as session:
        for role in Role:
            _, secret = await create_token(session=session, name=f"test {role.value}", role=role)
            tokens[role] = secret
    client = await aiohttp_client(create_app(settings, database=database, **app_options))
    return Api(client=client, tokens=tokens)


@pytest.fixture
async def api(aiohttp_client, settings: Settings, database: Database) -> Api:  # type: ignore[no-untyped-def]
    return await make_api(aiohttp_client, settings, database)


@pytest.fixture
async def committed_api(aiohttp_client, settings: Settings, committed_database: Database) -> Api:  # type: ignore[no-untyped-def]
    return await make_api(aiohttp_client, settings, committed_database)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture
async def browser():  # type: ignore[no-untyped-def]
    """Debian's chromium driven by Playwright (no browser download)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        instance = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            await instance.close()


@pytest.fixture
async def live_server(aiohttp_server, settings: Settings, committed_database: Database):  # type: ignore[no-untyped-def]
    """The whole app on a loopback port, for a browser to click through."""
    return await aiohttp_server(create_app(settings, database=committed_database), host="127.0.0.1")
