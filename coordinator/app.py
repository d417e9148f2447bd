"""The application factory."""

from __future__ import annotations

import gc
import time
from collections.abc import AsyncIterator, Callable
from importlib import import_module

from aiohttp import web
from arq import create_pool
from arq.connections import ArqRedis, RedisSettings

from coordinator.calendars.feed.views import FEED_SOURCES
from coordinator.docs.views import add_docs
from coordinator.features import feed_sources, view_modules
from coordinator.platform import keys
from coordinator.platform.changes import add_change_watch
from coordinator.platform.db import Database
from coordinator.platform.logging import configure_logging
from coordinator.platform.settings import Settings, load_settings
from coordinator.web.api import ApiRoutes
from coordinator.web.middleware import access_log, answer_refusals_as_problems, problems

CleanupCtx = Callable[[web.Application], AsyncIterator[None]]


def route_tables() -> list[ApiRoutes]:
    """Every feature's declared API operations, in the order the docs list them."""
    return [import_module(name).routes for name in view_modules()]


def create_app(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    redis: ArqRedis | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> web.Application:
    """Build the app; connections open on start-up and close on clean-up, in order.
    `clock` (monotonic seconds) is what kept answers and remembered tokens expire by."""
    settings = settings or load_settings()
    configure_logging(settings.log_level)
    answer_refusals_as_problems()
    app = web.Application(middlewares=[access_log, problems], client_max_size=1024**2)
    app[keys.SETTINGS] = settings
    app[keys.CLOCK] = clock
    app[FEED_SOURCES] = feed_sources()
    app.cleanup_ctx.append(_database(database))
    app.cleanup_ctx.append(_redis(redis))
    add_change_watch(app)

    tables = route_tables()
    for table in tables:
        table.add_to(app)
    add_docs(app, tables)
    return app


def serving(app: web.Application) -> web.Application:
    """The app as a long-running server runs it: once started, what start-up made (modules,
    mappers, schemas, pools) is moved out of the collector's sight, so a full collection
    scans only what requests make. Under load those collections had stalled every request
    in flight by tens of milliseconds (p99 of a list page 4x its median)."""
    app.on_startup.append(_settle_heap)
    return app


async def _settle_heap(app: web.Application) -> None:
    gc.collect()
    gc.freeze()


def _database(given: Database | None) -> CleanupCtx:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        if given is not None:
            app[keys.DATABASE] = given
            yield
            return
        settings = app[keys.SETTINGS]
        database = Database.from_url(settings.async_database_url, pool_size=settings.db_pool_size)
        app[keys.DATABASE] = database
        yield
        await database.dispose()

    return ctx


def redis_settings(url: str) -> RedisSettings:
    return RedisSettings.from_dsn(url)


def _redis(given: ArqRedis | None) -> CleanupCtx:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        if given is not None:
            app[keys.ARQ] = given
            yield
            return
        settings = app[keys.SETTINGS]
        assert settings.redis_url, "REDIS_URL is not set"
        pool = await create_pool(redis_settings(settings.redis_url))
        app[keys.ARQ] = pool
        yield
        await pool.aclose()

    return ctx
