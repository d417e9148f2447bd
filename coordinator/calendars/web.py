"""GET and HEAD /cal/{token}.ics: the feed a calendar app subscribes to.

A fetch resolves the token (hashed, live, and for a team feed its subscriber still a
member) and computes, inside PostgreSQL, a fingerprint of everything the feed shows: the
ids and `updated_at` of its visits (and shifts) within the window, of the companies,
buildings and people they name, and the calendar's name. A change to any of them, a row
leaving the set (a visit reassigned away, a cancellation past its grace period, a liaison
leaving the team) or entering it changes the fingerprint.

The fingerprint (with the settings that shape the bytes) is the feed's version and its
strong ETag. This process keeps what a token resolved to while none of the tables the
lookup reads has changed (coordinator.platform.changes: notified by PostgreSQL at each commit, in
every web process) and for at most `FOUND_SECONDS`, as the window moves with the clock.
So a poll that finds nothing new costs no query at all: a matching If-None-Match is
answered 304 from memory, and the bytes of a version already rendered are served from
memory. Rendered bytes are kept per version in this process and in Redis (shared by all
web processes, which may lose it: then the feed is rendered again). Last-Modified is the
time a version was first rendered, kept per feed in Redis beside the bytes and moved
forward by at least a second for each new version, so removals move it too and
If-Modified-Since never misses a change.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import re
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import asyncpg
from aiohttp import web
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from coordinator.calendars.config import FeedSettings, load_feed_settings
from coordinator.calendars.ical import render_feed
from coordinator.calendars.service import hash_token
from coordinator.calendars.sources import SOURCES, Context, Window
from coordinator.platform import keys
from coordinator.platform.changes import CHANGES, ChangeWatch, Memo
from coordinator.platform.db import utcnow

# What a feed's lookup reads: a write to any of them may change what a token resolves to.
LOOKUP_TABLES = (
    "feed_tokens",
    "people",
    "teams",
    "team_members",
    "visits",
    "companies",
    "buildings",
    "areas",
    "shifts",
    "posts",
    "signups",
)
# A resolved token is kept at most this long unchanged: the window moves with the clock.
FOUND_SECONDS = 60.0
RENDERING = "1"  # bump when the bytes for the same rows change (a new property, wording)
CACHE_CONTROL = "private, max-age=300"
CONTENT_TYPE = "text/calendar; charset=utf-8"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,100}")
_HEADERS = {
    "Cache-Control": CACHE_CONTROL,
    "Vary": "Accept-Encoding",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}

_FINGERPRINTS = ", ".join(f"coalesce({s.fingerprint}, '-')" for s in SOURCES)
LOOKUP = text(f"""
    SELECT t.id, t.team_id, t.person_id,
           CASE WHEN t.team_id IS NULL THEN p.name ELSE tm.name END AS name,
           md5(concat_ws('|', CASE WHEN t.team_id IS NULL THEN p.name ELSE tm.name END,
                         {_FINGERPRINTS})) AS fingerprint
    FROM feed_tokens t
    JOIN people p ON p.id = t.person_id
    LEFT JOIN teams tm ON tm.id = t.team_id
    WHERE t.token_hash = :hash AND t.revoked_at IS NULL
      AND (t.team_id IS NULL OR EXISTS (
           SELECT 1 FROM team_members m
           WHERE m.team_id = t.team_id AND m.person_id = t.person_id))
""")


# The same statement for asyncpg: :name parameters as $1, $2... in this order.
LOOKUP_PARAMS = ("hash", "since", "until", "grace")
LOOKUP_SQL = re.sub(r"(?<![:\w]):(\w+)", lambda m: f"${LOOKUP_PARAMS.index(m[1]) + 1}", LOOKUP.text)
# Feed connections: no transaction (each statement is its own, as under READ COMMITTED),
# one generic plan for the lookup instead of planning it again on every fetch.
POOL_SETTINGS = {"plan_cache_mode": "force_generic_plan", "application_name": "fumin-feeds"}


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
        return _owner_key(self.team_id, self.person_id)


class Feeds:
    """Per app: settings and this process's rendered feeds (least recently used out)."""

    def __init__(self, settings: FeedSettings, watch: ChangeWatch):
        self.settings = settings
        self.memory: OrderedDict[str, Rendered] = OrderedDict()
        # Token digest -> what it resolved to, while nothing it was made of has changed.
        self.found: Memo[Found] = Memo(watch, LOOKUP_TABLES, size=16 * settings.memory_entries)
        # The lookup's own asyncpg pool (same database as the app's engine), opened on the
        # first fetch: a poll costs one round trip, not a pooled session's checkout, BEGIN
        # and ROLLBACK. None where the app's sessions are bound to one connection (tests):
        # there the lookup must see that connection's uncommitted rows.
        self.pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()
        self.salt = ""  # what shapes the bytes besides the rows (formatted once)

    def salted(self, salt: str) -> str:
        self.salt = salt
        return salt

    async def lookup_pool(self, engine: AsyncEngine, size: int) -> asyncpg.Pool:
        async with self._opening:
            if self.pool is None:
                url = engine.url.set(drivername="postgresql")
                self.pool = await asyncpg.create_pool(
                    url.render_as_string(hide_password=False),
                    min_size=1,
                    max_size=size,
                    connection_class=FeedConnection,
                    server_settings=POOL_SETTINGS,
                )
            return self.pool

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()
            self.pool = None

    def remember(self, version: str, rendered: Rendered) -> None:
        self.memory[version] = rendered
        self.memory.move_to_end(version)
        while len(self.memory) > self.settings.memory_entries:
            self.memory.popitem(last=False)


FEEDS: web.AppKey[Feeds] = web.AppKey("calendar_feeds", Feeds)


def window(settings: FeedSettings, now: datetime) -> Window:
    return Window(
        since=now - settings.past, until=now + settings.ahead, grace=now - settings.cancelled_grace
    )


async def lookup(session: AsyncSession, digest: bytes, win: Window, salt: str) -> Found | None:
    """The live feed behind a token's digest and its version, or None (all bad tokens alike)."""
    row = (await session.execute(LOOKUP, {"hash": digest, **win.params()})).first()
    return (
        None
        if row is None
        else _found(row.id, row.team_id, row.person_id, row.name, row.fingerprint, salt, win)
    )


async def lookup_on(pool: asyncpg.Pool, digest: bytes, win: Window, salt: str) -> Found | None:
    """`lookup` on the feed pool: one prepared statement, no transaction."""
    params = {"hash": digest, **win.params()}
    async with pool.acquire() as connection:
        row = await connection.fetchrow(LOOKUP_SQL, *(params[name] for name in LOOKUP_PARAMS))
    if row is None:
        return None
    return _found(
        row["id"], row["team_id"], row["person_id"], row["name"], row["fingerprint"], salt, win
    )


def _owner_key(team_id: Any, person_id: Any) -> str:
    return f"team:{team_id}" if team_id else f"person:{person_id}"


def _found(
    feed_id: Any,
    team_id: Any,
    person_id: Any,
    name: str,
    fingerprint: str,
    salt: str,
    win: Window,
) -> Found:
    key = _owner_key(team_id, person_id)
    version = hashlib.sha256(f"{fingerprint}|{key}|{salt}".encode()).hexdigest()[:32]
    return Found(feed_id, team_id, person_id, name, version, win)


async def find(request: web.Request, token: str, salt: str) -> Found | None:
    """What the token resolves to: from memory while nothing it was made of changed, else
    the lookup (on the feed pool where the app's sessions use the engine's pool)."""
    feeds = request.app[FEEDS]
    digest = hash_token(token)
    found = feeds.found.get(digest)
    if found is not None:
        return found
    stamp = feeds.found.stamp()  # before reading: a change from now on makes it stale
    win = window(feeds.settings, utcnow())
    database = request.app[keys.DATABASE]
    if database.autocommit is not None:
        pool = feeds.pool or await feeds.lookup_pool(
            database.engine, request.app[keys.SETTINGS].db_pool_size
        )
        found = await lookup_on(pool, digest, win, salt)
    else:
        async with database.session() as session:
            found = await lookup(session, digest, win, salt)
    if found is not None:
        feeds.found.put(digest, found, stamp, FOUND_SECONDS)
    return found


def calendar_name(found: Found) -> str:
    return f"{found.name} · 福民" if found.team_id else f"{found.name}的走访与值班 · 福民"


def _host(base_url: str) -> str:
    return base_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]


async def render(request: web.Request, session: AsyncSession, found: Found) -> Rendered:
    """Load the feed's rows, build its bytes, stamp and share them (Redis) by version."""
    settings = request.app[keys.SETTINGS]
    context = Context(
        base_url=settings.base_url,
        host=_host(settings.base_url),
        team_feed=bool(found.team_id),
        person_id=found.person_id,
    )
    items = []
    for source in SOURCES:
        items.extend(await source.load(session, found.feed_id, found.window, context))
    body = render_feed(calendar_name(found), items, zone=settings.zone)
    return await _share(request, found, body)


async def _share(request: web.Request, found: Found, body: bytes) -> Rendered:
    now = int(time.time())
    redis = request.app[keys.ARQ]
    feeds = request.app[FEEDS]
    try:
        last_key = f"fumin:cal:last:{found.key}"
        last = await redis.get(last_key)
        previous_version, _, previous = (last or b"").decode().partition(" ")
        if previous_version == found.version:
            stamp = int(previous)
        else:
            stamp = max(now, int(previous or 0) + 1)
            await redis.set(last_key, f"{found.version} {stamp}", ex=86400 * 400)
        body_key = f"fumin:cal:body:{found.version}"
        stored = b"%d\n" % stamp + body
        if not await redis.set(body_key, stored, ex=feeds.settings.redis_seconds, nx=True):
            stored = await redis.get(body_key) or stored  # another process's, first
        stamp_text, _, body = stored.partition(b"\n")
        stamp = int(stamp_text)
    except Exception:
        stamp = now  # without Redis: still correct, only less cached
    return Rendered(body, stamp)


async def cached(request: web.Request, found: Found) -> Rendered | None:
    feeds = request.app[FEEDS]
    hit = feeds.memory.get(found.version)
    if hit is not None:
        feeds.memory.move_to_end(found.version)
        return hit
    try:
        stored = await request.app[keys.ARQ].get(f"fumin:cal:body:{found.version}")
    except Exception:  # a Redis outage only costs a render
        return None
    if not stored:
        return None
    stamp, _, body = stored.partition(b"\n")
    rendered = Rendered(body, int(stamp))
    feeds.remember(found.version, rendered)
    return rendered


def _etag_matches(header: str, version: str) -> bool:
    """Weak comparison (RFC 9110 13.1.2): W/ and our -gz suffix do not matter."""
    for tag in header.split(","):
        tag = tag.strip()
        if tag == "*":
            return True
        opaque = tag.removeprefix("W/").strip('"')
        if opaque.removesuffix("-gz") == version:
            return True
    return False


def _wants_gzip(request: web.Request) -> bool:
    for coding in request.headers.get("Accept-Encoding", "").lower().split(","):
        name, _, params = coding.strip().partition(";")
        if name.strip() in ("gzip", "x-gzip"):
            q = params.strip().removeprefix("q=")
            return not (params.strip().startswith("q=") and _q(q) == 0)
    return False


def _q(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return 1.0


def not_found() -> web.Response:
    """One plain answer for unknown, rotated and revoked tokens and ex-members."""
    return web.Response(
        status=404,
        text="Not found\n",
        content_type="text/plain",
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


def _http_date(seconds: int) -> str:
    return format_datetime(datetime.fromtimestamp(seconds, UTC), usegmt=True)


async def feed(request: web.Request) -> web.StreamResponse:
    """The calendar: 200 (gzip when asked), 304 when the client's copy is current."""
    token = request.match_info["token"]
    if not _TOKEN.fullmatch(token):
        return not_found()
    feeds = request.app[FEEDS]
    settings = request.app[keys.SETTINGS]
    salt = feeds.salt or feeds.salted(
        f"{RENDERING}|{settings.base_url}|{settings.timezone}|{feeds.settings}"
    )
    gzipped = _wants_gzip(request)
    found = await find(request, token, salt)
    if found is None:
        return not_found()
    etag = f'"{found.version}-gz"' if gzipped else f'"{found.version}"'
    headers = {**_HEADERS, "ETag": etag}
    match = request.headers.get("If-None-Match")
    if match is not None and _etag_matches(match, found.version):
        return web.Response(status=304, headers=headers)
    rendered = await cached(request, found)
    if rendered is None:
        async with request.app[keys.DATABASE].session() as session:
            rendered = await render(request, session, found)
        feeds.remember(found.version, rendered)
    headers["Last-Modified"] = _http_date(rendered.last_modified)
    since = request.if_modified_since if match is None else None
    if since is not None and since.timestamp() >= rendered.last_modified:
        return web.Response(status=304, headers=headers)
    if gzipped:
        headers["Content-Encoding"] = "gzip"
        return web.Response(body=rendered.gzip(), headers={**headers, "Content-Type": CONTENT_TYPE})
    return web.Response(body=rendered.body, headers={**headers, "Content-Type": CONTENT_TYPE})


def add_feed_route(app: web.Application) -> None:
    """Register /cal/{token}.ics (GET and HEAD) and the per-app feed state."""
    app[FEEDS] = Feeds(load_feed_settings(), app[CHANGES])
    app.cleanup_ctx.append(_close_pool)
    app.router.add_get(r"/cal/{token}.ics", feed)


async def _close_pool(app: web.Application) -> AsyncIterator[None]:
    yield
    await app[FEEDS].close()
