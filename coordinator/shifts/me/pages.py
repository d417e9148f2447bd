"""The volunteer's pages behind a link: /me/{token} (what they show and do: service.py).

GET only shows; every action is a POST with a CSRF token, rate-limited per IP, that
answers 303 back to the page.
"""

from __future__ import annotations

import uuid
from typing import Any

from aiohttp import web

from coordinator.links.service import csrf_token
from coordinator.links.web import (
    invalid_link,
    page_lang,
    rate_limited,
    render_page,
    see_other,
    too_many,
)
from coordinator.platform import keys
from coordinator.platform.db import utcnow
from coordinator.platform.i18n import Lang
from coordinator.shifts.me import queries, service
from coordinator.shifts.rules import CHECK_IN_EARLY
from coordinator.web.api import ApiRoutes

POSTS_PER_MINUTE = 30
_WEEKDAYS_ZH = "一二三四五六日"


def when(row: queries.Row, lang: Lang, zone: Any) -> str:
    start, end = row.shift.starts_at.astimezone(zone), row.shift.ends_at.astimezone(zone)
    if lang == "en":
        return f"{start:%a %d %b, %H:%M}–{end:%H:%M}"
    day = f"{start.month}月{start.day}日（周{_WEEKDAYS_ZH[start.weekday()]}）"
    return f"{day}{start:%H:%M}–{end:%H:%M}"


async def show(request: web.Request) -> web.Response:
    settings = request.app[keys.SETTINGS]
    token = request.match_info["token"]
    now = utcnow()
    page = await service.page(request.app[keys.DATABASE], token, now)
    if page is None:
        return invalid_link(request)
    return render_page(
        request,
        page.template,
        purpose=page.link.purpose,
        csrf=csrf_token(settings.secret_key, page.link.id),
        base=f"/me/{token}",
        done=request.query.get("done"),
        position=_position(request.query.get("position")),
        error=request.query.get("error"),
        when=lambda row: when(row, page_lang(request), settings.zone),
        now=now,
        early=CHECK_IN_EARLY,
        **page.values,
    )


def _position(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 7 else None


def _form_id(form: Any, name: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(form.get(name, "")))
    except ValueError:
        return None


def _step(form: Any) -> int | None:
    try:
        return int(str(form.get("step", "")))
    except ValueError:
        return None


async def act(request: web.Request) -> web.Response:
    settings = request.app[keys.SETTINGS]
    token = request.match_info["token"]
    if await rate_limited(request, bucket="me", limit=POSTS_PER_MINUTE):
        return too_many(request)
    form = await request.post()
    asked = service.Asked(
        token=token,
        action=request.match_info["action"],
        csrf=str(form.get("csrf", "")) or None,
        signup_id=_form_id(form, "signup_id"),
        shift_id=_form_id(form, "shift_id"),
        step=_step(form),
        note=str(form.get("note", ""))[:1000].strip() or None,
        ip=request.remote,
        user_agent=request.headers.get("User-Agent"),
    )
    outcome = await service.act(
        request.app[keys.DATABASE], secret_key=settings.secret_key, zone=settings.zone, asked=asked
    )
    if outcome.invalid:
        return invalid_link(request)
    if outcome.error:
        return see_other(f"/me/{token}?error={outcome.error}")
    return see_other(f"/me/{token}?done={outcome.done}")


class PageRoutes(ApiRoutes):
    """Page routes: registered on the app, kept out of the OpenAPI document."""

    def add_to(self, app: web.Application) -> None:
        app.router.add_get("/me/{token}", show)
        app.router.add_post("/me/{token}/{action:" + "|".join(service.ACTIONS) + "}", act)


routes = PageRoutes()
