"""Database engine, sessions and the declarative base."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import DateTime, MetaData, event, func
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Mapper, Session, mapped_column
from sqlalchemy.pool import QueuePool

from coordinator.platform.held import CUSTOM_PLANS, Held

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

T = TypeVar("T")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _in_utc(target: object, value: Any, oldvalue: object, initiator: object) -> Any:
    return value.astimezone(UTC) if isinstance(value, datetime) and value.tzinfo else value


@event.listens_for(Mapper, "mapper_configured")
def _times_in_utc(mapper: Mapper[Any], cls: type) -> None:
    """A time given to a model is kept in UTC, as PostgreSQL hands it back: every answer
    then shows it the same way (with Z), whichever route answers and whatever offset the
    caller sent."""
    if not issubclass(cls, Base):
        return
    for prop in mapper.column_attrs:
        kind = prop.columns[0].type
        if isinstance(kind, DateTime) and kind.timezone:
            event.listen(getattr(cls, prop.key), "set", _in_utc, retval=True)


def utcnow() -> datetime:
    return datetime.now(UTC)


class IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), default=utcnow
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), default=utcnow, onupdate=utcnow
    )


def sqlstate(exc: BaseException) -> str | None:
    """The PostgreSQL SQLSTATE behind a SQLAlchemy error, if any."""
    orig = getattr(exc, "orig", None)
    for candidate in (orig, getattr(orig, "__cause__", None)):
        code = getattr(candidate, "sqlstate", None)
        if code:
            return str(code)
    return None


def pg_error(exc: BaseException) -> Any:
    """The asyncpg exception behind a SQLAlchemy error, if any."""
    orig = getattr(exc, "orig", None)
    cause = getattr(orig, "__cause__", None)
    return cause if getattr(cause, "sqlstate", None) else orig


RETRYABLE = {"40001", "40P01"}


class ReadSession(Session):
    """The session of Database.session(): autocommit, so a flush would commit at once."""


@event.listens_for(ReadSession, "before_flush")
def _refuse_writes(session: Session, *_: Any) -> None:
    raise RuntimeError("Database.session() is for reading; write in sessionmaker.begin()")


class Database:
    """An engine and the sessions made from it (or from one connection, in tests)."""

    def __init__(self, engine: AsyncEngine, bind: AsyncEngine | AsyncConnection | None = None):
        self.engine = engine
        if isinstance(bind, AsyncConnection):
            self.sessionmaker = async_sessionmaker(
                bind=bind, expire_on_commit=False, join_transaction_mode="create_savepoint"
            )
            # Tests: reads join the test's transaction, so they see its uncommitted rows.
            self._readers = self.sessionmaker
            self.autocommit: AsyncEngine | None = None
            self.held: Held | None = None
            self.planned: Held | None = None
        else:
            self.sessionmaker = async_sessionmaker(bind=engine, expire_on_commit=False)
            # Reads run without BEGIN and ROLLBACK (two round trips of a three-trip
            # request). Under READ COMMITTED each statement takes its own snapshot anyway,
            # so a read session sees exactly what it would inside a transaction.
            # The engine in autocommit mode: also for writes that must hold no lock
            # across a round trip. None above, where everything shares one connection.
            self.autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
            self._readers = async_sessionmaker(
                bind=self.autocommit,
                expire_on_commit=False,
                sync_session_class=ReadSession,
            )
            # Reads of one statement (platform.listing.fetch_row) on connections kept
            # out of the pool: at most half of it, so sessions always have the rest but
            # an eighth, which the reads planned for their values take (whole GeoReport
            # pages: PostgreSQL's work, so more of them at once only share its cores;
            # with 2, 5 and 8 connections a fresh page's p99 was 42, 50 and 55 ms).
            size = engine.pool.size() if isinstance(engine.pool, QueuePool) else 2
            self.held = Held(engine, max(1, size // 2))
            planned = max(1, size // 8)
            self.planned = (
                Held(engine, planned, session=CUSTOM_PLANS)
                if self.held.size + planned < size
                else None  # too small a pool: held connections plan such reads themselves
            )

    @classmethod
    def from_url(cls, url: str, *, pool_size: int = 10) -> Database:
        """An engine holding at most 2 x pool_size connections, opened as needed and kept.

        No overflow: an overflow connection is closed as soon as it is returned, so a steady
        load above pool_size connected, prepared its statements and disconnected on nearly
        every checkout. No pool_pre_ping: with asyncpg it costs BEGIN, a ping and ROLLBACK
        per checkout; a broken connection is invalidated by the error it raises instead.
        hide_parameters: an error's text (and so every log line and traceback of it) names
        the statement, never the values bound to it (residents' phones, notes, tokens).
        """
        engine = create_async_engine(
            url, pool_size=2 * pool_size, max_overflow=0, hide_parameters=True
        )
        return cls(engine)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session for reading (autocommit, no transaction): nothing may be written."""
        async with self._readers() as session:
            yield session

    async def transaction(
        self, work: Callable[[AsyncSession], Awaitable[T]], *, attempts: int = 5
    ) -> T:
        """Run work in one transaction, retrying serialization failures and deadlocks."""
        for attempt in range(1, attempts + 1):
            try:
                async with self.sessionmaker.begin() as session:
                    return await work(session)
            except DBAPIError as exc:
                if sqlstate(exc) in RETRYABLE and attempt < attempts:
                    await asyncio.sleep(0.01 * 2**attempt)
                    continue
                raise
        raise AssertionError("unreachable")

    async def dispose(self) -> None:
        for held in (self.held, self.planned):
            if held is not None:
                await held.close()
        await self.engine.dispose()
