"""What a calendar feed fetch answers with, given its token: no HTTP here.

A fetch resolves the token (hashed, live, and for a team feed its subscriber still a
member) and computes, inside PostgreSQL, a fingerprint of everything the feed shows: the
ids and `updated_at` of its items within the window (each source's part, see
coordinator.calendars.models), of the rows they name, and the calendar's name. A change to
any of them, a row leaving the set (a visit reassigned away, a cancellation past its grace
period, a liaison leaving the team) or entering it changes the fingerprint.

The fingerprint (with the settings that shape the bytes) is the feed's version and its
strong ETag. The service keeps what a token resolved to while none of the tables the
lookup reads has changed (coordinator.platform.changes: notified by PostgreSQL at each
commit, in every web process) and for at most `FOUND_SECONDS`, as the window moves with
the clock. So a poll that finds nothing new costs no query at all. Rendered bytes are kept
per version in this process and in Redis (shared by all web processes, which may lose it:
then the feed is rendered again). Last-Modified is the time a version was first rendered,
kept per feed in Redis beside the bytes and moved forward by at least a second for each
new version, so removals move it too and If-Modified-Since never misses a change.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect

from coordinator.calendars.ical import FeedItem, render_feed
from coordinator.calendars.models import Context, Source, Window, tables_read
from coordinator.links.service import hash_token
from coordinator.platform.cache import Kept
from coordinator.platform.changes import ChangeWatch
from coordinator.platform.db import Database, utcnow
from coordinator.platform.settings import FeedSettings, Settings

# A resolved token is kept at most this long unchanged: the window moves with the clock.
FOUND_SECONDS = 60.0
RENDERING = "1"  # bump when the bytes for the same rows change (a new property, wording)
LAST_SECONDS = 86400 * 400
# Feed connections: no transaction (each statement is its own, as under READ COMMITTED),
# one generic plan for the lookup instead of planning it again on every fetch.
POOL_SETTINGS = {"plan_cache_mode": "force_generic_plan", "application_name": "fumin-feeds"}

Clock = Callable[[], datetime]
Build = Callable[..., bytes]


def lookup_sql(sources: Sequence[Source]) -> str:
    """The token's feed, its name and the fingerprint of every source's rows in it."""
    fingerprints = ", ".join(f"coalesce({s.fingerprint}, '-')" for s in sources)
    return f"""
    SELECT t.id, t.team_id, t.person_id,
           CASE WHEN t.team_id IS NULL THEN p.name ELSE tm.name END AS name,
           md5(concat_ws('|', CASE WHEN t.team_id IS NULL THEN p.name ELSE tm.name END,
                         {fingerprints})) AS fingerprint
    FROM feed_tokens t
    JOIN people p ON p.id = t.person_id
    LEFT JOIN teams tm ON tm.id = t.team_id
    WHERE t.token_hash = :hash AND t.revoked_at IS NULL
      AND (t.team_id IS NULL OR EXISTS (
           SELECT 1 FROM team_members m
           WHERE m.team_id = t.team_id AND m.person_id = t.person_id))
"""


def lookup_tables(sources: Sequence[Source]) -> tuple[str, ...]:
    """What a write may change a token's answer through: every table the lookup reads."""
    return tuple(sorted(tables_read(lookup_sql(sources))))


class FeedConnection(asyncpg.Connection):
    """A connection that only ever runs the lookup: nothing to reset when it goes back."""

    def get_reset_query(self) -> str:
        return ""


@dataclass
class Rendered:
    body: bytes
    last_modified: int  # seconds since the epoch
    gzipped: bytes | None = None

    def gzip(self) -> bytes:
        if self.gzipped is None:
            self.gzipped = gzip.compress(self.body, compresslevel=6, mtime=0)
        return self.gzipped


@dataclass(frozen=True)
class Found:
    feed_id: Any
    team_id: Any
    person_id: Any
    name: str
    version: str
    window: Window  # the one the fingerprint was taken over: the render uses it too

    @property
    def key(self) -> str:
        return f"team:{self.team_id}" if self.team_id else f"person:{self.person_id}"

    @property
    def calendar_name(self) -> str:
        return f"{self.name} · 福民" if self.team_id else f"{self.name}的走访与值班 · 福民"


def window(settings: FeedSettings, now: datetime) -> Window:
    return Window(
        since=now - settings.past, until=now + settings.ahead, grace=now - settings.cancelled_grace
    )


class FeedService:
    """Per web process: finds feeds by token, renders and keeps them (memory and Redis)."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        redis: Redis,
        watch: ChangeWatch,
        sources: Sequence[Source],
        *,
        clock: Clock = utcnow,
        build: Build = render_feed,
    ):
        self.settings = settings
        self.feeds = settings.feeds
        self.database = database
        self.redis = redis
        self.watch = watch
        self.sources = tuple(sources)
        self.clock = clock
        self.build = build
        self.lookup = text(lookup_sql(self.sources))
        self.tables = lookup_tables(self.sources)
        # The same statement for asyncpg, compiled by SQLAlchemy ($1, $2... in this order).
        compiled = self.lookup.compile(dialect=asyncpg_dialect.dialect())
        self.lookup_asyncpg = str(compiled)
        self.lookup_params = tuple(compiled.positiontup or ())
        # What shapes the bytes besides the rows.
        self.salt = f"{RENDERING}|{settings.base_url}|{settings.timezone}|{self.feeds}"
        # Token digest -> what it resolved to, while nothing it was made of has changed.
        self.found: Kept[bytes, Found] = Kept(16 * self.feeds.memory_entries)
        self.memory: Kept[str, Rendered] = Kept(self.feeds.memory_entries)
        # The lookup's own asyncpg pool (same database as the app's engine), opened on the
        # first fetch: a poll costs one round trip, not a pooled session's checkout, BEGIN
        # and ROLLBACK. None where the app's sessions are bound to one connection (tests):
        # there the lookup must see that connection's uncommitted rows.
        self.pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()
            self.pool = None

    async def find(self, token: str) -> Found | None:
        """The live feed behind a token and its version, or None (all bad tokens alike):
        from memory while nothing it was made of changed, else the lookup."""
        digest = hash_token(token)
        stamp = self.watch.stamp(self.tables)  # before reading: a change from now on is seen
        if stamp is not None and (found := self.found.get(digest, stamp)) is not None:
            return found
        found = await self.look_up(digest, window(self.feeds, self.clock()))
        if found is not None and stamp is not None:
            self.found.put(digest, found, seconds=FOUND_SECONDS, stamp=stamp)
        return found

    async def look_up(self, digest: bytes, win: Window) -> Found | None:
        """The lookup itself: on the feed pool where the app's sessions use the engine's
        pool (one prepared statement, no transaction), else in the app's session."""
        params: dict[str, Any] = {"hash": digest, **win.params()}
        if self.database.autocommit is not None:
            pool = self.pool or await self._open_pool()
            async with pool.acquire() as connection:
                row = await connection.fetchrow(
                    self.lookup_asyncpg, *(params[name] for name in self.lookup_params)
                )
        else:
            async with self.database.session() as session:
                row = (await session.execute(self.lookup, params)).mappings().first()
        return None if row is None else self._found(row, win)

    def _found(self, row: Any, win: Window) -> Found:
        owner = f"team:{row['team_id']}" if row["team_id"] else f"person:{row['person_id']}"
        version = hashlib.sha256(f"{row['fingerprint']}|{owner}|{self.salt}".encode())
        return Found(
            row["id"], row["team_id"], row["person_id"], row["name"], version.hexdigest()[:32], win
        )

    async def _open_pool(self) -> asyncpg.Pool:
        async with self._opening:
            if self.pool is None:
                url = self.database.engine.url.set(drivername="postgresql")
                self.pool = await asyncpg.create_pool(
                    url.render_as_string(hide_password=False),
                    min_size=1,
                    max_size=self.settings.db_pool_size,
                    connection_class=FeedConnection,
                    server_settings=POOL_SETTINGS,
                )
            return self.pool

    async def rendered(self, found: Found) -> Rendered:
        """The feed's bytes at its version: kept here, else in Redis, else rendered."""
        hit = self.memory.get(found.version) or await self._stored(found.version)
        if hit is None:
            hit = await self._share(found, await self._render(found))
        self.memory.put(found.version, hit)
        return hit

    async def _render(self, found: Found) -> bytes:
        """Load the feed's rows from every source and build its bytes."""
        context = Context(
            base_url=self.settings.base_url,
            host=self.settings.public_host,
            team_feed=bool(found.team_id),
            person_id=found.person_id,
        )
        items: list[FeedItem] = []
        async with self.database.session() as session:
            for source in self.sources:
                items.extend(await source.load(session, found.feed_id, found.window, context))
        return self.build(found.calendar_name, items, zone=self.settings.zone)

    async def _stored(self, version: str) -> Rendered | None:
        try:
            stored = await self.redis.get(f"fumin:cal:body:{version}")
        except Exception:  # a Redis outage only costs a render
            return None
        if not stored:
            return None
        stamp, _, body = stored.partition(b"\n")
        return Rendered(body, int(stamp))

    async def _share(self, found: Found, body: bytes) -> Rendered:
        """Stamp the bytes (Last-Modified) and share them by version through Redis."""
        now = int(self.clock().timestamp())
        try:
            last_key = f"fumin:cal:last:{found.key}"
            last = await self.redis.get(last_key)
            previous_version, _, previous = (last or b"").decode().partition(" ")
            if previous_version == found.version:
                stamp = int(previous)
            else:
                stamp = max(now, int(previous or 0) + 1)
                await self.redis.set(last_key, f"{found.version} {stamp}", ex=LAST_SECONDS)
            body_key = f"fumin:cal:body:{found.version}"
            stored = b"%d\n" % stamp + body
            if not await self.redis.set(body_key, stored, ex=self.feeds.redis_seconds, nx=True):
                stored = await self.redis.get(body_key) or stored  # another process's, first
            stamp_text, _, body = stored.partition(b"\n")
            stamp = int(stamp_text)
        except Exception:
            stamp = now  # without Redis: still correct, only less cached
        return Rendered(body, stamp)
