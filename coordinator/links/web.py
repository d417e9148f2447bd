"""What every page behind a capability link shares: headers, one answer for every bad
token, per-IP rate limits (in Redis, so all web processes count together), rendering."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

from coordinator.platform import keys
from coordinator.platform.i18n import Lang, negotiate

PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
}

PAGES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent.parent / "pages" / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


def page_lang(request: web.Request) -> Lang:
    """?lang=en|zh wins, then a cookie set by the switch, then Accept-Language; zh by default."""
    return negotiate(
        request.headers.get("Accept-Language"),
        request.query.get("lang") or request.cookies.get("fumin_lang"),
    )


def render_page(
    request: web.Request, template: str, *, status: int = 200, **context: Any
) -> web.Response:
    lang = page_lang(request)
    settings = request.app[keys.SETTINGS]
    html = PAGES.get_template(template).render(
        lang=lang, service_phone=settings.service_phone, **context
    )
    response = html_response(html.encode(), status=status)
    if request.query.get("lang") in ("zh", "en"):
        response.set_cookie("fumin_lang", lang, max_age=365 * 86400, httponly=True, samesite="Lax")
    return response


def html_response(html: bytes, *, status: int = 200) -> web.Response:
    return web.Response(
        body=html, status=status, content_type="text/html", charset="utf-8", headers=PAGE_HEADERS
    )


def invalid_link(request: web.Request) -> web.Response:
    """The one answer for unknown, malformed, expired and revoked links: nothing in it
    tells whether the subject exists."""
    return render_page(request, "link_invalid.html", status=404)


def see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location, **PAGE_HEADERS})


async def rate_limited(request: web.Request, *, bucket: str, limit: int, window: int = 60) -> bool:
    """True once this IP has made more than `limit` requests to `bucket` in the window."""
    redis = request.app[keys.ARQ]
    ip = request.remote or "unknown"
    key = f"fumin:rate:{bucket}:{ip}"
    try:
        count = await redis.incr(key)
        if count == 1:
            await redis.expire(key, window)
    except Exception:  # a Redis outage must not lock people out of their links
        return False
    return int(count) > limit


def too_many(request: web.Request) -> web.Response:
    response = render_page(request, "rate_limited.html", status=429)
    response.headers["Retry-After"] = "60"
    return response
