"""Bearer tokens are remembered for a few seconds per process, never past that once revoked."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from coordinator.auth.models import ApiToken, Role
from coordinator.auth.service import SYSTEM, hash_token, revoke_token
from coordinator.platform.db import Database
from coordinator.platform.settings import Settings
from coordinator.web import bearer
from tests.conftest import Api, make_api


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def cached_api(aiohttp_client, settings: Settings, database: Database, clock: Clock) -> Api:  # type: ignore[no-untyped-def]
    """An API whose settings are not those of tests, so tokens are cached as in production."""
    return await make_api(
        aiohttp_client, settings.model_copy(update={"env": "development"}), database, clock=clock
    )


async def revoke(database: Database, secret: str) -> None:
    async with database.sessionmaker.begin() as session:
        token_id = await session.scalar(
            select(ApiToken.id).where(ApiToken.token_hash == hash_token(secret))
        )
        assert token_id is not None
        await revoke_token(session=session, actor=SYSTEM, token_id=token_id)


async def test_a_known_token_is_looked_up_once_within_the_cache_time(
    cached_api: Api, database: Database
) -> None:
    lookups: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if "FROM api_tokens" in statement:
            lookups.append(statement)

    event.listen(database.engine.sync_engine, "before_cursor_execute", count)
    try:
        for _ in range(3):
            await cached_api.ok("GET", "/api/v1/areas", role=Role.viewer)
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", count)
    assert len(lookups) == 1


async def test_a_revoked_token_fails_once_the_cache_time_has_passed(
    cached_api: Api, database: Database, clock: Clock
) -> None:
    await cached_api.ok("GET", "/api/v1/areas", role=Role.viewer)
    await revoke(database, cached_api.tokens[Role.viewer])

    clock.now += bearer.TOKEN_CACHE_SECONDS - 0.5
    await cached_api.ok("GET", "/api/v1/areas", role=Role.viewer)
    clock.now += 1.0
    response = await cached_api.get("/api/v1/areas", role=Role.viewer)
    assert response.status == 401


async def test_an_unknown_token_is_never_remembered(cached_api: Api, database: Database) -> None:
    headers = {"Authorization": "Bearer fmn_not-a-token"}
    for _ in range(2):
        response = await cached_api.client.get("/api/v1/areas", headers=headers)
        assert response.status == 401
    assert hash_token("fmn_not-a-token") not in cached_api.client.app[bearer.TOKENS]


async def test_under_tests_settings_a_revocation_bites_on_the_next_request(
    api: Api, database: Database
) -> None:
    await api.ok("GET", "/api/v1/areas", role=Role.viewer)
    await revoke(database, api.tokens[Role.viewer])
    response = await api.get("/api/v1/areas", role=Role.viewer)
    assert response.status == 401
