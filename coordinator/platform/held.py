"""Connections held for reads outside a transaction (lists, one case, a feed's rows).

A read outside a transaction sees the same on any connection, so it needs no session and
no pool checkout: `Held` keeps up to `size` of the engine's pooled connections checked out
and runs each statement on an idle one (the most recently used, whose prepared statements
are warm), or waits for one. Each connection keeps asyncpg's cache of prepared
statements, so a list's page is Bind and Execute of a statement prepared once per
connection. A connection that fails (or whose statement is cancelled midway) is
invalidated, and the next read opens another.

The held connections are the engine's own (opened and set up by SQLAlchemy, counted
against its pool): at most `size` of them, taken only as reads need them.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Sequence
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


class Held:
    def __init__(self, engine: AsyncEngine, size: int):
        self.engine = engine
        self.size = size
        self._idle: list[Any] = []
        self._opened = 0
        # Reads waiting for a connection; given one, or None for "open one yourself".
        self._waiting: deque[asyncio.Future[Any]] = deque()

    async def fetchrow(self, sql: str, args: Sequence[Any]) -> Any:
        """The first row of a statement, run on a held connection."""
        raw = await self._take()
        try:
            row = await raw.driver_connection.fetchrow(sql, *args)
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
                    return await self.engine.raw_connection()
                except BaseException:
                    self._opened -= 1
                    self._hand(None)
                    raise
            waiter = asyncio.get_running_loop().create_future()
            self._waiting.append(waiter)
            try:
                raw = await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    self._hand(waiter.result())  # handed over as we were cancelled
                raise
            if raw is not None:
                return raw

    def _hand(self, raw: Any) -> bool:
        """Give a connection (or a free place, None) to the first read still waiting."""
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(raw)
                return True
        return False

    def _give(self, raw: Any) -> None:
        if not self._hand(raw):
            self._idle.append(raw)

    async def _drop(self, raw: Any, exc: BaseException | None) -> None:
        self._opened -= 1
        self._hand(None)
        await greenlet_spawn(raw.invalidate, exc)

    async def close(self) -> None:
        """Give every idle connection back to the engine's pool."""
        idle, self._idle = self._idle, []
        self._opened -= len(idle)
        for raw in idle:
            await greenlet_spawn(raw.close)
