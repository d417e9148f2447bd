"""The contact's pages behind a visit link: /v/{token} and its answers.

GET only shows; every answer is a POST (with a CSRF token, rate-limited per IP) that
answers 303 back to the page. The link stays readable for a while after the visit so
the contact can follow their company's needs; answering ends when the visit starts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator import labels
from coordinator.calendars.ical import render_invitation
from coordinator.links.models import CapabilityLink
from coordinator.links.service import csrf_ok, csrf_token, hash_token, record_use, resolve
from coordinator.links.web import (
    PAGE_HEADERS,
    html_response,
    invalid_link,
    page_lang,
    rate_limited,
    render_page,
    see_other,
    too_many,
)
from coordinator.platform import keys
from coordinator.platform.cache import Kept
from coordinator.platform.changes import CHANGES
from coordinator.platform.db import utcnow
from coordinator.platform.i18n import Lang, Text
from coordinator.visits.contact.schemas import (
    MAX_TEXT,
    Refused,
    message,
    read_text,
    read_windows,
)
from coordinator.visits.contact.service import (
    VisitView,
    answer,
    cancelled_with,
    invitation,
    load,
    resolve_view,
)
from coordinator.visits.models import VisitStatus
from coordinator.visits.needs.reading import needs_of_company
from coordinator.visits.service import LINK_PURPOSE, VisitStateConflict
from coordinator.web.api import ApiRoutes

_WEEKDAYS_ZH = "一二三四五六日"
# What the page shows is read from these tables; a page is kept (per link and language)
# while none of them changed, for at most PAGE_SECONDS and never past a moment when it
# would read otherwise (the visit starting, the link expiring).
PAGE_TABLES = ("capability_links", "visits", "companies", "buildings", "contacts", "people")
PAGE_SECONDS = 60.0
PAGES_KEPT = 4096
SHOWN: web.AppKey[Kept[tuple[bytes, Lang], bytes]] = web.AppKey("visit_pages_shown", Kept)


def when(starts_at: datetime, ends_at: datetime, lang: Lang, zone: Any, zone_name: Text) -> str:
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    if lang == "en":
        return f"{start:%a %d %b %Y, %H:%M}–{end:%H:%M} ({zone_name.en})"
    return (
        f"{start.year}年{start.month}月{start.day}日（周{_WEEKDAYS_ZH[start.weekday()]}）"
        f"{start:%H:%M}–{end:%H:%M}（{zone_name.zh}）"
    )


def _page(
    request: web.Request,
    view: VisitView,
    link: CapabilityLink,
    *,
    status: int = 200,
    error: str | None = None,
    refused: Refused | None = None,
    refused_form: str | None = None,
) -> web.Response:
    settings = request.app[keys.SETTINGS]
    lang = page_lang(request)
    visit = view.visit
    open_for_answer = visit.status == VisitStatus.proposed and utcnow() < visit.starts_at
    return render_page(
        request,
        "visit_page.html",
        status=status,
        token=request.match_info["token"],
        csrf=csrf_token(settings.secret_key, link.id),
        company=view.company,
        building=view.building,
        liaison=view.liaison,
        visit=visit,
        when=when(visit.starts_at, visit.ends_at, lang, settings.zone, settings.zone_name),
        zone_name=settings.zone_name.render(lang),
        can_answer=open_for_answer,
        can_ask_again=visit.status == VisitStatus.confirmed and utcnow() < visit.starts_at,
        error=error,
        typed=refused.typed if refused else {},
        field_errors=refused.errors if refused else {},
        refused_form=refused_form,
        done=request.query.get("done"),
        max_text=MAX_TEXT,
        label=labels.render,
        floor=labels.floor,
    )


async def dead_link(request: web.Request, token: str) -> web.Response:
    """A link that does not resolve: if the visit was cancelled while it was the live link,
    a page saying so (nothing else about the visit, nothing to do); otherwise the one page
    for every bad link."""
    async with request.app[keys.DATABASE].session() as session:
        cancelled = await cancelled_with(session, token)
    if cancelled:
        return render_page(request, "visit_cancelled.html", status=410)
    return invalid_link(request)


async def show(request: web.Request) -> web.Response:
    """GET /v/{token}: shows, changes nothing. The plain page (no query) comes from memory
    while nothing it shows has changed."""
    token = request.match_info["token"]
    shown = request.app[SHOWN]
    # Taken before reading: a change from now on makes the page stale (None: not known).
    stamp = request.app[CHANGES].stamp(PAGE_TABLES)
    kept = not request.query_string and stamp is not None
    key = (hash_token(token), page_lang(request))
    if kept and (html := shown.get(key, stamp)) is not None:
        return html_response(html)
    async with request.app[keys.DATABASE].session() as session:
        found = await resolve_view(session, token)
    if found is None:
        return await dead_link(request, token)
    link, view = found
    response = _page(request, view, link)
    if kept and isinstance(response.body, bytes):
        now = utcnow()
        turns = [view.visit.starts_at, *([link.expires_at] if link.expires_at else [])]
        seconds = min([PAGE_SECONDS, *((t - now).total_seconds() for t in turns if t > now)])
        shown.put(key, response.body, seconds=seconds, stamp=stamp)
    return response


async def act(request: web.Request) -> web.Response:
    """POST /v/{token}/{confirm|decline|reschedule}: answer, then 303 to the page."""
    limit = request.app[keys.SETTINGS].visits.link_posts_per_minute
    if await rate_limited(request, bucket="visit-link", limit=limit):
        return too_many(request)
    form = await request.post()
    token = request.match_info["token"]
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        link = await resolve(session, token, purpose=LINK_PURPOSE, lock=True)
        view = await load(session, link) if link else None
        if link is not None and view is not None:
            return await _answer(request, session, link, view, form)
    return await dead_link(request, token) if link is None else invalid_link(request)


async def _answer(
    request: web.Request, session: AsyncSession, link: CapabilityLink, view: VisitView, form: Any
) -> web.Response:
    """The answer on a live link, in the caller's transaction."""
    action = request.match_info["action"]
    if action not in link.actions:
        return invalid_link(request)
    settings = request.app[keys.SETTINGS]
    lang = page_lang(request)
    csrf = form.get("csrf")
    if not csrf_ok(settings.secret_key, link.id, csrf if isinstance(csrf, str) else None):
        return _page(request, view, link, status=403, error=message("csrf", lang))
    try:
        reason, note = read_text(form, lang)
        windows = (
            read_windows(form, settings.zone, lang, note=note) if action == "reschedule" else None
        )
    except Refused as refused:
        return _page(request, view, link, status=422, refused=refused, refused_form=action)
    try:
        visit, old, _ = await answer(
            session=session,
            link=link,
            action=action,
            reason=reason,
            windows=windows,
            note=note,
        )
    except VisitStateConflict:
        return _page(request, view, link, status=409, error=message("state", lang))
    record_use(
        session,
        link,
        action=action,
        old_state=old.value,
        new_state=visit.status.value,
        ip=request.remote,
        user_agent=request.headers.get("User-Agent"),
    )
    suffix = f"?lang={lang}" if request.query.get("lang") else ""
    return see_other(f"/v/{request.match_info['token']}{suffix}")


async def invite(request: web.Request) -> web.Response:
    """GET /v/{token}/invite.ics: the confirmed visit for the contact's own calendar."""
    settings = request.app[keys.SETTINGS]
    token = request.match_info["token"]
    async with request.app[keys.DATABASE].session() as session:
        found = await resolve_view(session, token)
    if found is None:
        return await dead_link(request, token)
    link, view = found
    if view.visit.status != VisitStatus.confirmed:
        return _page(request, view, link, status=409, error=message("state", page_lang(request)))
    body = render_invitation(invitation(view), zone=settings.zone, host=settings.public_host)
    return web.Response(
        body=body,
        headers={
            **PAGE_HEADERS,
            "Content-Type": "text/calendar; charset=utf-8; method=REQUEST",
            "Content-Disposition": 'attachment; filename="visit.ics"',
        },
    )


async def needs_page(request: web.Request) -> web.Response:
    """GET /v/{token}/needs: the status of the company's needs."""
    token = request.match_info["token"]
    async with request.app[keys.DATABASE].session() as session:
        found = await resolve_view(session, token)
        if found is not None and "view_needs" not in found[0].actions:
            return invalid_link(request)
        needs = await needs_of_company(session, found[1].company.id) if found else []
    if found is None:
        return await dead_link(request, token)
    view = found[1]
    settings = request.app[keys.SETTINGS]
    return render_page(
        request,
        "visit_needs.html",
        token=request.match_info["token"],
        company=view.company,
        needs=needs,
        zone=settings.zone,
        now=utcnow(),
        label=labels.render,
    )


class PageRoutes(ApiRoutes):
    """Page routes: registered on the app, kept out of the OpenAPI document."""

    def add_to(self, app: web.Application) -> None:
        app[SHOWN] = Kept(PAGES_KEPT)
        app.router.add_get("/v/{token}", show)
        app.router.add_get("/v/{token}/invite.ics", invite)
        app.router.add_get("/v/{token}/needs", needs_page)
        app.router.add_post("/v/{token}/{action:confirm|decline|reschedule}", act)


routes = PageRoutes()
