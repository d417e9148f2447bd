"""Connections held for reads outside a transaction (lists, one case, a feed's rows).

A read outside a transaction sees the same on any connection, so it needs no session and
no pool checkout: `Held` keeps up to `size` of the engine's pooled connections checked out
and runs each statement on an idle one (the most recently used, whose prepared statements
are warm), or waits for one. Each connection keeps asyncpg's cache of prepared
statements, so a list's page is Bind and Execute of a statement prepared once per
connection. A connection that fails (or whose statement is cancelled midway) is
invalidated, and the next read opens another.

Reads of one row each whose statement is the same (a list's pages, `alike=True`) that
find every connection busy wait together: the first connection free runs up to
`ALIKE_AT_ONCE` of them in one round trip (asyncpg's pipelined `fetchmany`: each statement
its own snapshot, taken after every one of them was asked), so a burst of pages costs
PostgreSQL one wake-up, not one each. Each read still sees everything committed before it
was asked.

The held connections are the engine's own (opened and set up by SQLAlchemy, counted
against its pool): at most `size` of them, taken only as reads need them. A `Held` may set
its connections up for its reads (`SessionSettings`: run once on each it takes, undone before
each goes back to the pool), as the Database's held connections for reads planned for
their values do (`CUSTOM_PLANS`), so such a read is one round trip, not three.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
import asyncpg.exceptions
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import greenlet_spawn

# Errors that end the connection, though PostgreSQL reports them as a statement's.
_FATAL = (
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
)


def _statement_failed(exc: BaseException) -> bool:
    """Whether only the statement failed, leaving its connection as good as before."""
    return isinstance(exc, asyncpg.PostgresError) and not isinstance(exc, _FATAL)


async def fetch_planned(
    connection: Any, sql: str, args: Sequence[Any], custom_plan: bool = False
) -> Any:
    """The first row of a statement on an asyncpg connection outside a transaction; with
    `custom_plan`, planned for these values (a transaction the mode holds for: one round
    trip opens it with the mode set, one closes it, even after the statement failed)."""
    if not custom_plan:
        return await connection.fetchrow(sql, *args)
    await connection.execute("BEGIN READ ONLY; SET LOCAL plan_cache_mode = force_custom_plan")
    try:
        return await connection.fetchrow(sql, *args)
    finally:
        await connection.execute("COMMIT")


# Sets the mode for the transaction and answers the one it replaces.
_CUSTOM_PLAN = (
    "SELECT current_setting('plan_cache_mode')"
    " FROM set_config('plan_cache_mode', 'force_custom_plan', true)"
)


async def fetch_in_transaction(
    connection: Any, sql: str, args: Sequence[Any], custom_plan: bool = False
) -> Any:
    """`fetch_planned` in the caller's transaction: the mode for this statement only."""
    if not custom_plan:
        return await connection.fetchrow(sql, *args)
    before = await connection.fetchval(_CUSTOM_PLAN)
    try:
        return await connection.fetchrow(sql, *args)
    finally:
        await connection.execute(f"SELECT set_config('plan_cache_mode', '{before}', true)")


@dataclass(frozen=True)
class SessionSettings:
    """What a Held sets on each connection it takes, and how that is undone."""

    setup: str
    reset: str


# Every statement planned for its values (see fetch_planned), for the whole session.
CUSTOM_PLANS = SessionSettings("SET plan_cache_mode = force_custom_plan", "RESET plan_cache_mode")

ALIKE_AT_ONCE = 8
_LEAD, _SLOT, _ROW = "lead", "slot", "row"


@dataclass(eq=False)
class _Alike:
    """A read waiting to be run with others of its statement. Its answer: a connection to
    run the group on (lead), a free place to open one for it (slot), or its row."""

    sql: str
    args: Sequence[Any]
    answer: asyncio.Future[tuple[str, Any]]


class Held:
    def __init__(self, engine: AsyncEngine, size: int, *, session: SessionSettings | None = None):
        self.engine = engine
        self.size = size
        self.session = session
        self._idle: list[Any] = []
        self._opened = 0
        # Reads waiting for a connection; given one, or None for "open one yourself".
        self._waiting: deque[asyncio.Future[Any]] = deque()
        self._alike: deque[_Alike] = deque()

    async def fetchrow(
        self, sql: str, args: Sequence[Any], *, alike: bool = False, custom_plan: bool = False
    ) -> Any:
        """The first row of a statement, run on a held connection. With `alike`, the
        statement gives exactly one row (an aggregate), and may run with others of it;
        `custom_plan`: see `fetch_planned`."""
        if alike and not custom_plan and not self._idle and self._opened >= self.size:
            return await self._together(sql, args)
        raw = await self._take()
        try:
            row = await fetch_planned(raw.driver_connection, sql, args, custom_plan)
        except BaseException as exc:
            if _statement_failed(exc) and not raw.driver_connection.is_closed():
                self._give(raw)
            else:  # cancelled midway, or the connection is gone: start afresh
                await self._drop(raw, exc)
            raise
        self._give(raw)
        return row

    async def _take(self) -> Any:
        while True:
            if self._idle:
                return self._idle.pop()
            if self._opened < self.size:
                self._opened += 1
                try:
                    return await self._open()
                except BaseException:
                    self._opened -= 1
                    self._hand(None)
                    raise
            waiter = asyncio.get_running_loop().create_future()
            self._waiting.append(waiter)
            try:
                raw = await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():  # handed over as we were cancelled
                    self._pass_on(waiter.result())
                raise
            if raw is not None:
                return raw

    async def _together(self, sql: str, args: Sequence[Any]) -> Any:
        read = _Alike(sql, args, asyncio.get_running_loop().create_future())
        self._alike.append(read)
        try:
            kind, value = await read.answer
        except asyncio.CancelledError:
            if read.answer.done() and not read.answer.cancelled():
                kind, value = read.answer.result()
                self._pass_on(value if kind == _LEAD else None)
            raise
        if kind == _ROW:
            return value
        raw = value if kind == _LEAD else await self._take()
        group = [read, *self._alike_of(sql)]
        try:
            rows = await raw.driver_connection.fetchmany(sql, [r.args for r in group])
            if len(rows) != len(group):
                raise AssertionError(f"{len(group)} reads gave {len(rows)} rows")
        except BaseException as exc:
            self._alike.extendleft(reversed(group[1:]))  # for the next connection
            if _statement_failed(exc) and not raw.driver_connection.is_closed():
                self._give(raw)  # one of them failed: the others run again, apart
                return await self.fetchrow(sql, args)
            await self._drop(raw, exc)
            raise
        for other, row in zip(group[1:], rows[1:], strict=True):
            if not other.answer.done():
                other.answer.set_result((_ROW, row))
        self._give(raw)
        return rows[0]

    def _alike_of(self, sql: str) -> list[_Alike]:
        """Take the other reads of this statement still waiting (up to the group's size)."""
        group: list[_Alike] = []
        rest: deque[_Alike] = deque()
        for read in self._alike:
            if read.answer.done():
                continue
            if read.sql == sql and len(group) < ALIKE_AT_ONCE - 1:
                group.append(read)
            else:
                rest.append(read)
        self._alike = rest
        return group

    def _hand(self, raw: Any) -> bool:
        """Give a connection (or a free place, None) to the first read still waiting: one
        of any statement first, else the first of the reads waiting together."""
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(raw)
                return True
        while self._alike:
            read = self._alike.popleft()
            if not read.answer.done():
                read.answer.set_result((_SLOT, None) if raw is None else (_LEAD, raw))
                return True
        return False

    def _give(self, raw: Any) -> None:
        if not self._hand(raw):
            self._idle.append(raw)

    def _pass_on(self, raw: Any) -> None:
        """A connection (or a free place, None) handed to a read cancelled meanwhile."""
        if raw is None:
            self._hand(None)
        else:
            self._give(raw)

    async def _drop(self, raw: Any, exc: BaseException | None) -> None:
        self._opened -= 1
        self._hand(None)
        await greenlet_spawn(raw.invalidate, exc)

    async def _open(self) -> Any:
        raw: Any = await self.engine.raw_connection()
        if self.session is not None:
            try:
                await raw.driver_connection.execute(self.session.setup)
            except BaseException as exc:
                await greenlet_spawn(raw.invalidate, exc)
                raise
        return raw

    async def close(self) -> None:
        """Give every idle connection back to the engine's pool (as it was taken)."""
        idle, self._idle = self._idle, []
        self._opened -= len(idle)
        for raw in idle:
            if self.session is not None:
                try:
                    await raw.driver_connection.execute(self.session.reset)
                except Exception as exc:  # gone meanwhile: never back to the pool
                    await greenlet_spawn(raw.invalidate, exc)
                    continue
            await greenlet_spawn(raw.close)
