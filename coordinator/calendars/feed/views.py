"""GET and HEAD /cal/{token}.ics: the feed a calendar app subscribes to. Only HTTP here
(ETag, 304, gzip, headers); what to send comes from the feed service."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from email.utils import format_datetime

from aiohttp import web

from coordinator.calendars.feed.service import FeedService
from coordinator.calendars.models import Source
from coordinator.platform import keys
from coordinator.platform.changes import CHANGES
from coordinator.web.api import ApiRoutes

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

FEEDS: web.AppKey[FeedService] = web.AppKey("calendar_feeds", FeedService)
# What feeds are made of: every feature's feed sources (coordinator.features).
FEED_SOURCES: web.AppKey[Sequence[Source]] = web.AppKey("feed_sources")


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
    gzipped = _wants_gzip(request)
    found = await feeds.find(token)
    if found is None:
        return not_found()
    etag = f'"{found.version}-gz"' if gzipped else f'"{found.version}"'
    headers = {**_HEADERS, "ETag": etag}
    match = request.headers.get("If-None-Match")
    if match is not None and _etag_matches(match, found.version):
        return web.Response(status=304, headers=headers)
    rendered = await feeds.rendered(found)
    headers["Last-Modified"] = _http_date(rendered.last_modified)
    since = request.if_modified_since if match is None else None
    if since is not None and since.timestamp() >= rendered.last_modified:
        return web.Response(status=304, headers=headers)
    headers["Content-Type"] = CONTENT_TYPE
    if gzipped:
        headers["Content-Encoding"] = "gzip"
        return web.Response(body=rendered.gzip(), headers=headers)
    return web.Response(body=rendered.body, headers=headers)


class FeedRoutes(ApiRoutes):
    """/cal/{token}.ics (GET and HEAD): not an API operation, so not in the API document.
    The feed service starts with the app, once its database and Redis are open, made of
    the sources the app was given (FEED_SOURCES)."""

    def add_to(self, app: web.Application) -> None:
        super().add_to(app)

        async def serving(app: web.Application) -> AsyncIterator[None]:
            service = FeedService(
                app[keys.SETTINGS],
                app[keys.DATABASE],
                app[keys.ARQ],
                app[CHANGES],
                app[FEED_SOURCES],
            )
            app[FEEDS] = service
            yield
            await service.close()

        app.cleanup_ctx.append(serving)
        app.router.add_get(r"/cal/{token}.ics", feed)


routes = FeedRoutes()
