"""What changed in the database, as this process hears it: a cheap test for caches.

Statement-level triggers (migration 0009) send `NOTIFY fumin_changes, '<table>'` on every
write to the tables that cached answers are made of; PostgreSQL delivers it at commit, to
every listening process, and folds repeats within a transaction. Each web process listens
on one connection of its own and counts, per table, what it heard. A cached answer keeps
the count of the tables it was made from, taken before it read them (its stamp); it stays
good while the count is the same, so a change committed anywhere shows on the first use
after its notification arrives (sent at commit; `bench feeds` reports how soon a fetch
shows a change committed elsewhere).

Commits in this process move every count at once (a session that wrote, see `_wrote`),
so a change made here shows here at once, without waiting for its notification. While
the listening connection is down this process cannot know what changed: caches are off
(`stamp` gives None) until it listens again, and every old stamp is stale from then on.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable
from time import monotonic
from typing import Any, Generic, TypeVar

from aiohttp import web
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from coordinator.platform import keys
from coordinator.platform.cache import Clock, Kept
from coordinator.platform.listen import listen

CHANNEL = "fumin_changes"
# Bookkeeping written on every delivery, use or reminder, which no cached answer shows:
# no trigger (every other table has one, see migration 0009; a test holds the two apart).
UNWATCHED = frozenset(
    {
        "outbox",
        "deliveries",
        "audit_log",
        "link_uses",
        "visit_reminders",
        "shift_reminders",
        "case_steps",
        # Written only with the tables it is rendered from, which say so themselves.
        "open311_items",
        "round_steps",
    }
)
NAME = "fumin-changes"  # the listening connection's application_name

V = TypeVar("V")


class _LocalWrites:
    """Commits of sessions that wrote, in this process (every ChangeWatch sees them)."""

    count = 0


def wrote() -> None:
    """Tell this process's caches that a write outside any Session has committed (a Core
    statement on an autocommit connection): sessions that write say so by themselves."""
    _LocalWrites.count += 1


def _mark(session: Session) -> None:
    session.info["fumin_wrote"] = True


def wrote_in(session: Session | AsyncSession) -> None:
    """Tell a session it wrote through its connection (Core statements, which it does not
    see): its commit then tells this process's caches, as a flush's does, and a rollback
    does not."""
    session.info["fumin_wrote"] = True


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, *_: Any) -> None:
    _mark(session)


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        _mark(state.session)


@event.listens_for(Session, "after_commit")
def _wrote(session: Session) -> None:
    if session.info.pop("fumin_wrote", False):
        wrote()


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, previous: SessionTransaction) -> None:
    if previous.parent is None:  # the outermost transaction: nothing of it was written
        session.info.pop("fumin_wrote", None)


class ChangeWatch:
    """Per web process: notifications heard per table, and whether it is listening."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.live = False
        self.epoch = 0  # moves when listening starts again: old stamps go stale

    def stamp(self, tables: Iterable[str]) -> int | None:
        """A number that changes whenever one of the tables does, or None if unknown."""
        if not self.live:
            return None
        # Every term only grows, so the sum moves whenever any of them does.
        counts = self.counts
        return self.epoch + _LocalWrites.count + sum(counts.get(t, 0) for t in tables)

    def heard(self, table: str) -> None:
        self.counts[table] = self.counts.get(table, 0) + 1

    def listening(self, live: bool) -> None:
        self.epoch += 1
        self.live = live

    async def listen(self, dsn: str, stop: asyncio.Event) -> None:
        """Listen until stopped, again after each lost connection (caches off meanwhile)."""
        await listen(dsn, CHANNEL, heard=self.heard, stop=stop, live=self.listening, name=NAME)


class Memo(Generic[V]):
    """Answers made from `tables`, kept while none of them changed and not past the time
    given to `put` (least recently used out beyond `size`)."""

    def __init__(
        self, watch: ChangeWatch, tables: Iterable[str], size: int, *, clock: Clock = monotonic
    ):
        self.watch = watch
        self.tables = tuple(tables)
        self.entries: Kept[Any, V] = Kept(size, clock=clock)

    def stamp(self) -> int | None:
        """Take before reading what the answer is made of; give to `put`."""
        return self.watch.stamp(self.tables)

    def get(self, key: Any) -> V | None:
        stamp = self.watch.stamp(self.tables)
        return None if stamp is None else self.entries.get(key, stamp)

    def put(self, key: Any, value: V, stamp: int | None, seconds: float) -> None:
        if stamp is not None:
            self.entries.put(key, value, seconds=seconds, stamp=stamp)


CHANGES: web.AppKey[ChangeWatch] = web.AppKey("changes", ChangeWatch)


def add_change_watch(app: web.Application) -> None:
    """Give the app a ChangeWatch; it listens while the app runs on its own pool.

    Where the app's sessions share one connection (tests that roll back), nothing is
    committed, so nothing would be heard: the watch stays off and caches with it."""
    app[CHANGES] = ChangeWatch()
    app.cleanup_ctx.append(_listening)


async def _listening(app: web.Application) -> AsyncIterator[None]:
    database = app[keys.DATABASE]
    if database.autocommit is None:
        yield
        return
    dsn = database.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    stop = asyncio.Event()
    task = asyncio.create_task(app[CHANGES].listen(dsn, stop))
    yield
    stop.set()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
