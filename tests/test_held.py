"""Connections held for reads (platform.held): at most `size` of them, reads beyond that
wait their turn, a failed statement leaves its connection in use, and a broken or
cancelled one is replaced."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator

import asyncpg
import asyncpg.exceptions
import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from coordinator.platform.db import Database
from coordinator.platform.held import CUSTOM_PLANS, Held
from coordinator.platform.listing import fetch_row
from coordinator.platform.settings import Settings
from tests.workers.conftest import eventually

LOCK = 7_2026
# Waits for the lock held by the test (released at once: autocommit), then says who ran it.
BEHIND_LOCK = "SELECT pg_backend_pid() FROM (SELECT pg_advisory_xact_lock_shared($1::bigint)) s"
PID = "SELECT pg_backend_pid()"


@pytest.fixture
async def held(settings: Settings) -> AsyncIterator[Held]:
    engine = create_async_engine(settings.async_database_url, pool_size=4, max_overflow=0)
    held = Held(engine, 2)
    yield held
    await held.close()
    await engine.dispose()


@pytest.fixture
async def locker(settings: Settings) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(settings.database_url)
    yield connection
    await connection.close()


async def waiting_on_lock(locker: asyncpg.Connection) -> int:
    return await locker.fetchval(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = $1",
        LOCK,
    )


async def test_reads_beyond_its_size_wait_for_a_held_connection(held, locker):
    await locker.execute("SELECT pg_advisory_lock($1::bigint)", LOCK)
    reads = [asyncio.create_task(held.fetchrow(BEHIND_LOCK, [LOCK])) for _ in range(5)]

    async def two_blocked_in_postgres() -> bool:
        return await waiting_on_lock(locker) == 2

    await eventually(two_blocked_in_postgres, timeout=20, interval=0.02, what="two reads")
    assert not any(read.done() for read in reads)
    await locker.execute("SELECT pg_advisory_unlock($1::bigint)", LOCK)
    pids = {row[0] for row in await asyncio.gather(*reads)}
    assert len(pids) == 2  # five reads, two connections
    # The next read runs on the connection used last, not on a new one.
    assert (await held.fetchrow(PID, []))[0] in pids


async def test_a_failed_statement_keeps_its_connection(held):
    (pid,) = await held.fetchrow(PID, [])
    with pytest.raises(asyncpg.exceptions.DivisionByZeroError):
        await held.fetchrow("SELECT 1 / 0", [])
    assert (await held.fetchrow(PID, []))[0] == pid


async def test_a_broken_connection_is_replaced(held, locker):
    (pid,) = await held.fetchrow(PID, [])
    await locker.execute("SELECT pg_terminate_backend($1)", pid)
    broken = (
        asyncpg.PostgresConnectionError,
        asyncpg.exceptions.AdminShutdownError,
        asyncpg.InterfaceError,
        asyncpg.exceptions.InternalClientError,  # the news of its end arrived while idle
        OSError,
    )
    with pytest.raises(broken):
        await held.fetchrow(PID, [])
    (again,) = await held.fetchrow(PID, [])
    assert again != pid


async def test_a_cancelled_read_gives_its_place_to_the_next(held, locker):
    await locker.execute("SELECT pg_advisory_lock($1::bigint)", LOCK)
    first = [asyncio.create_task(held.fetchrow(BEHIND_LOCK, [LOCK])) for _ in range(2)]
    third = asyncio.create_task(held.fetchrow(PID, []))

    async def two_blocked_in_postgres() -> bool:
        return await waiting_on_lock(locker) == 2

    await eventually(two_blocked_in_postgres, timeout=20, interval=0.02, what="two reads")
    assert not third.done()  # both connections are taken: it waits for one
    first[0].cancel()
    (pid,) = await third  # the cancelled read's connection is dropped; a new one runs it
    await locker.execute("SELECT pg_advisory_unlock($1::bigint)", LOCK)
    (other,) = await first[1]
    assert pid != other
    with pytest.raises(asyncio.CancelledError):
        await first[0]
    assert len({(await held.fetchrow(PID, []))[0] for _ in range(3)}) == 1


ALIKE = "SELECT pg_backend_pid(), 10 / $1::int"


async def one_busy(held: Held, locker: asyncpg.Connection) -> list[asyncio.Task]:
    """Every held connection busy behind the lock."""
    await locker.execute("SELECT pg_advisory_lock($1::bigint)", LOCK)
    busy = [asyncio.create_task(held.fetchrow(BEHIND_LOCK, [LOCK])) for _ in range(held.size)]

    async def all_blocked_in_postgres() -> bool:
        return await waiting_on_lock(locker) == held.size

    await eventually(all_blocked_in_postgres, timeout=20, interval=0.02, what="busy reads")
    return busy


@pytest.fixture
async def single(held: Held) -> AsyncIterator[Held]:
    one = Held(held.engine, 1)
    yield one
    await one.close()


async def test_alike_reads_waiting_together_run_in_one_go(single, locker):
    busy = await one_busy(single, locker)
    reads = [asyncio.create_task(single.fetchrow(ALIKE, [n], alike=True)) for n in (1, 2, 5)]
    await asyncio.sleep(0)  # each task's first step: it joins the reads waiting together
    assert len(single._alike) == 3
    await locker.execute("SELECT pg_advisory_unlock($1::bigint)", LOCK)
    rows = await asyncio.gather(*reads)
    assert [row[1] for row in rows] == [10, 5, 2]  # each its own answer
    assert len({row[0] for row in rows}) == 1  # on the one connection, together
    await asyncio.gather(*busy)


async def test_a_failing_read_among_alike_ones_fails_alone(single, locker):
    busy = await one_busy(single, locker)
    reads = [asyncio.create_task(single.fetchrow(ALIKE, [n], alike=True)) for n in (1, 0, 2)]
    await asyncio.sleep(0)
    await locker.execute("SELECT pg_advisory_unlock($1::bigint)", LOCK)
    answers = await asyncio.gather(*reads, return_exceptions=True)
    assert answers[0][1] == 10 and answers[2][1] == 5
    assert isinstance(answers[1], asyncpg.exceptions.DivisionByZeroError)
    await asyncio.gather(*busy)
    assert single._alike == deque() and single._opened == 1


async def test_an_alike_read_cancelled_while_waiting_leaves_the_others_served(single, locker):
    busy = await one_busy(single, locker)
    reads = [asyncio.create_task(single.fetchrow(ALIKE, [n], alike=True)) for n in (1, 2, 5)]
    await asyncio.sleep(0)
    reads[0].cancel()  # the one the free connection would have gone to
    await locker.execute("SELECT pg_advisory_unlock($1::bigint)", LOCK)
    assert [row[1] for row in await asyncio.gather(*reads[1:])] == [5, 2]
    with pytest.raises(asyncio.CancelledError):
        await reads[0]
    await asyncio.gather(*busy)
    assert (single._opened, len(single._idle)) == (1, 1)


MODE = "SELECT current_setting('plan_cache_mode')"


async def test_a_session_is_set_on_each_connection_taken_and_undone_on_return(settings):
    engine = create_async_engine(settings.async_database_url, pool_size=1, max_overflow=0)
    planned = Held(engine, 1, session=CUSTOM_PLANS)
    try:
        assert (await planned.fetchrow(MODE, []))[0] == "force_custom_plan"
        await planned.close()
        async with engine.connect() as connection:  # the same one, back in the pool
            raw = await connection.get_raw_connection()
            assert await raw.driver_connection.fetchval(MODE) == "auto"
    finally:
        await planned.close()
        await engine.dispose()


async def test_a_database_keeps_a_connection_for_sessions_however_small_its_pool(settings):
    for pool_size, planned in ((1, None), (2, 1), (10, 2)):
        database = Database.from_url(settings.async_database_url, pool_size=pool_size)
        try:
            assert database.held is not None
            kept = database.held.size + (database.planned.size if database.planned else 0)
            assert kept < 2 * pool_size
            assert (database.planned.size if database.planned else None) == planned
            row = await fetch_row(database, MODE, [], custom_plan=True)
            assert row[0] == "force_custom_plan"
        finally:
            await database.dispose()
