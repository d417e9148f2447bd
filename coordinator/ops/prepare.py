"""What a start prepares before the processes run: migrations, demo data, the admin token
and the secret key (both kept in the data folder when not set), and API tokens made on
the command line."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from coordinator.auth.models import Role
from coordinator.auth.service import PREFIX, SYSTEM, authenticate, ensure_token, issue_token
from coordinator.platform.db import Database
from coordinator.platform.settings import Settings, to_asyncpg_url

T = TypeVar("T")


def say(line: str) -> None:
    print(f"fumin: {line}", flush=True)


def secret_key(settings: Settings, data_dir: Path) -> str:
    """FUMIN_SECRET_KEY, else one kept in the data folder, so web and worker share it."""
    if settings.secret_key_given:
        return settings.secret_key
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.write_text(key)
    return key


def check_admin_token(token: str | None) -> str | None:
    if token and (not token.startswith(PREFIX) or not 24 <= len(token) <= 200):
        return f"FUMIN_ADMIN_TOKEN: must start with {PREFIX!r} and be 24 to 200 characters long"
    return None


async def with_database(url: str, work: Callable[[Database], Awaitable[T]]) -> T:
    database = Database.from_url(to_asyncpg_url(url), pool_size=2)
    try:
        return await work(database)
    finally:
        await database.dispose()


def migrate(url: str) -> None:
    from coordinator.platform.migrate import upgrade  # alembic: not needed by `fumin web`

    upgrade(to_asyncpg_url(url))


async def load_demo(url: str, settings: Settings) -> dict[str, int] | None:
    from coordinator.ops.demo_load import load_demo as load  # the demo data: only when asked

    return await with_database(url, lambda database: load(database, settings))


def report_demo(counts: dict[str, int] | None) -> None:
    if counts is None:
        say("the database already holds data; demo data not loaded")
    else:
        say("loaded demo data: " + ", ".join(f"{n} {name}" for name, n in counts.items()))


async def admin_token(url: str, given: str | None, data_dir: Path) -> str:
    """FUMIN_ADMIN_TOKEN, ensured; else the admin token kept in the data folder, so every
    start prints the same one and adds none (a new one once it is revoked)."""
    if given:

        async def ensure(database: Database) -> None:
            async with database.sessionmaker.begin() as session:
                await ensure_token(
                    session=session, name="FUMIN_ADMIN_TOKEN", role=Role.admin, token=given
                )

        await with_database(url, ensure)
        return given
    path = data_dir / "admin_token"
    kept = path.read_text().strip() if path.exists() else ""

    async def live(database: Database) -> bool:
        async with database.session() as session:
            return bool(await authenticate(session=session, token=kept))

    alive: bool = bool(kept) and await with_database(url, live)
    if alive:
        return kept
    token = await create_token(url, role=Role.admin, name="fumin up")
    path.touch(mode=0o600)
    path.write_text(token)
    return token


async def create_token(url: str, *, role: Role, name: str) -> str:
    """A new token, made by the system (audited), in clear."""

    async def create(database: Database) -> str:
        async with database.sessionmaker.begin() as session:
            _, secret = await issue_token(session=session, actor=SYSTEM, name=name, role=role)
        return secret

    return await with_database(url, create)
