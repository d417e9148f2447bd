"""Typed keys for what the application holds."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from arq.connections import ArqRedis

    from coordinator.platform.db import Database
    from coordinator.platform.settings import Settings

SETTINGS: web.AppKey[Settings] = web.AppKey("settings")
DATABASE: web.AppKey[Database] = web.AppKey("database")
ARQ: web.AppKey[ArqRedis] = web.AppKey("arq")
# The monotonic clock the app's kept answers and token memory expire by (tests inject one).
CLOCK: web.AppKey[Callable[[], float]] = web.AppKey("clock")
