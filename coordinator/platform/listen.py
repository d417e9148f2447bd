"""Listening to a PostgreSQL channel for as long as it takes: one connection of its own,
found again after every loss, pinged so that a connection dropped without a word is
noticed. The change listener of the web processes and the outbox relay both use it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import asyncpg
import structlog

log = structlog.get_logger("fumin.listen")

RETRY_SECONDS = 1.0
# A connection that went quiet without closing (a dropped network) is found out by a ping
# this often.
PING_SECONDS = 15.0


def _noop(_live: bool) -> None:
    return None


async def listen(
    dsn: str,
    channel: str,
    *,
    heard: Callable[[str], None],
    stop: asyncio.Event,
    live: Callable[[bool], None] = _noop,
    name: str = "fumin",
    ping_seconds: float = PING_SECONDS,
    retry_seconds: float = RETRY_SECONDS,
) -> None:
    """Call `heard(payload)` for every notification on `channel` until `stop` is set;
    `live(True)` once listening (again), `live(False)` whenever the connection is lost
    (notifications sent meanwhile are lost too: callers catch up when `live(True)`)."""
    while not stop.is_set():
        connection: asyncpg.Connection | None = None
        try:
            connection = await asyncpg.connect(dsn, server_settings={"application_name": name})
            closed = asyncio.Event()
            connection.add_termination_listener(lambda *_, done=closed: done.set())
            await connection.add_listener(channel, lambda _c, _p, _ch, payload: heard(payload))
            live(True)
            waiters = [asyncio.create_task(stop.wait()), asyncio.create_task(closed.wait())]
            try:
                while not (stop.is_set() or closed.is_set()):
                    await asyncio.wait(
                        waiters, timeout=ping_seconds, return_when=asyncio.FIRST_COMPLETED
                    )
                    if not (stop.is_set() or closed.is_set()):
                        await connection.fetchval("SELECT 1", timeout=ping_seconds / 3)
            finally:
                for waiter in waiters:
                    waiter.cancel()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("listen_failed", channel=channel, exc_info=True)
        finally:
            live(False)
            if connection is not None and not connection.is_closed():
                with contextlib.suppress(Exception):
                    await connection.close()
        if not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), retry_seconds)
