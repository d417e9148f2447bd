"""The block leader's home behind their link: /b/{token} (what it reads: queries.py,
what it does: service.py), and the code posted at each block (/q/{block}/{code}).

GET only shows; starting and ending a round are POSTs with a CSRF token, rate-limited per
IP, answered 303 back to the page, or the page itself with the refusal in words. The
printed code is the same for everyone, so it cannot carry a person's link: opening
/b/{token} leaves the token in a cookie for /q only, and a phone's camera opening a
block's code goes on to /b/{token}/scan/{block}/{code}, a page with the proven start or
end to tap (GET still changes nothing)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from aiohttp import web

from coordinator.housing import leaders
from coordinator.housing.rounds import qr, queries, service
from coordinator.links.service import csrf_token, resolve
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
from coordinator.platform.i18n import Text
from coordinator.web.api import ApiRoutes

POSTS_PER_MINUTE = 30
COOKIE = "fumin_block_leader"
COOKIE_DAYS = 180


def clock(moment: datetime | None, zone: Any) -> str:
    return f"{moment.astimezone(zone):%H:%M}" if moment is not None else ""


def _uuid(text: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(text or "")
    except ValueError:
        return None


async def _page(
    request: web.Request,
    *,
    status: int = 200,
    error: Text | None = None,
    scan: tuple[uuid.UUID, str] | None = None,
) -> web.Response:
    settings = request.app[keys.SETTINGS]
    token = request.match_info["token"]
    async with request.app[keys.DATABASE].session() as session:
        found = await leaders.holder(session, token)
        if found is None:
            return invalid_link(request)
        link, person = found
        now = utcnow()
        blocks = await queries.my_blocks(session, person.id, now, settings.zone)
        campaign = await queries.campaign_under_way(session, blocks, now, settings.zone)
    if scan is not None:
        blocks = [b for b in blocks if b.block.id == scan[0]]
        if not blocks or not qr.code_ok(blocks[0].block, scan[1]):
            error, status = service.BAD_CODE, 404
            blocks = []
    lang = page_lang(request)
    response = render_page(
        request,
        "housing_rounds_home.html",
        status=status,
        person=person,
        blocks=blocks,
        campaign=campaign if scan is None else None,
        csrf=csrf_token(settings.secret_key, link.id),
        base=f"/b/{token}",
        code=scan[1] if scan and blocks else None,
        done=request.query.get("done") if status == 200 else None,
        error=error.render(lang) if error else None,
        clock=lambda moment: clock(moment, settings.zone),
    )
    if scan is None and status == 200:
        response.set_cookie(
            COOKIE,
            token,
            path="/q",
            max_age=COOKIE_DAYS * 86400,
            httponly=True,
            samesite="Lax",
            secure=settings.base_url.startswith("https://"),
        )
    return response


async def show(request: web.Request) -> web.Response:
    return await _page(request)


async def show_scan(request: web.Request) -> web.Response:
    block_id = _uuid(request.match_info["block_id"])
    if block_id is None:
        return invalid_link(request)
    return await _page(request, scan=(block_id, request.match_info["code"]))


async def act(request: web.Request) -> web.Response:
    settings = request.app[keys.SETTINGS]
    token = request.match_info["token"]
    if await rate_limited(request, bucket="block_leader", limit=POSTS_PER_MINUTE):
        return too_many(request)
    posted = await request.post()
    code = str(posted.get("code") or "").strip()[:64] or None
    asked = service.Asked(
        token=token,
        action=request.match_info["action"],
        csrf=str(posted.get("csrf") or "") or None,
        block_id=_uuid(str(posted.get("block_id") or "")),
        code=code,
        ip=request.remote,
        user_agent=request.headers.get("User-Agent"),
    )
    outcome = await service.act(request.app[keys.DATABASE], settings, asked)
    if outcome.invalid:
        return invalid_link(request)
    if outcome.error is not None:
        return await _page(request, status=outcome.status, error=outcome.error)
    return see_other(f"/b/{token}?done={outcome.done}")


async def scanned(request: web.Request) -> web.Response:
    """A block's code opened by a phone's camera: on to the holder's own scan page."""
    token = request.cookies.get(COOKIE, "")
    async with request.app[keys.DATABASE].session() as session:
        link = await resolve(session, token, purpose=leaders.PURPOSE) if token else None
    if link is None:
        return render_page(request, "housing_rounds_scan.html", status=404)
    block, code = request.match_info["block_id"], request.match_info["code"]
    return see_other(f"/b/{token}/scan/{block}/{code}")


class PageRoutes(ApiRoutes):
    """Page routes: registered on the app, kept out of the OpenAPI document."""

    def add_to(self, app: web.Application) -> None:
        app.router.add_get("/b/{token}", show)
        app.router.add_post("/b/{token}/{action:start|end}", act)
        app.router.add_get("/b/{token}/scan/{block_id}/{code}", show_scan)
        app.router.add_get("/q/{block_id}/{code}", scanned)


routes = PageRoutes()
