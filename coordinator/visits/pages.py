"""The contact's pages behind a visit link: /v/{token} and its answers.

GET only shows; every answer is a POST (with a CSRF token, rate-limited per IP) that
answers 303 back to the page. The link stays readable for a while after the visit so
the contact can follow their company's needs; answering ends when the visit starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import web
from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from coordinator import keys
from coordinator.changes import CHANGES, Memo
from coordinator.db import utcnow
from coordinator.http import ApiRoutes
from coordinator.i18n import Lang
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
from coordinator.people.models import Person
from coordinator.registry.models import Building, Company, Contact
from coordinator.visits import service
from coordinator.visits.ics import Invitation, invitation
from coordinator.visits.models import Visit, VisitStatus
from coordinator.visits.needs import needs_of_company
from coordinator.visits.views import visit_settings

MAX_TEXT = 500
MAX_WINDOWS = 3
_WEEKDAYS_ZH = "一二三四五六日"
# What the page shows is read from these tables; a page is kept (per link and language)
# while none of them changed, for at most PAGE_SECONDS and never past a moment when it
# would read otherwise (the visit starting, the link expiring).
PAGE_TABLES = ("capability_links", "visits", "companies", "buildings", "contacts", "people")
PAGE_SECONDS = 60.0
PAGES_KEPT = 4096
SHOWN: web.AppKey[Memo[bytes]] = web.AppKey("visit_pages_shown", Memo)


@dataclass(frozen=True)
class VisitView:
    visit: Visit
    company: Company
    building: Building | None
    contact: Contact
    liaison: Person


async def load(session: AsyncSession, link: CapabilityLink) -> VisitView | None:
    """The visit and everything its page shows, in one query."""
    liaison = aliased(Person)
    row = (
        await session.execute(
            select(Visit, Company, Building, Contact, liaison)
            .join(Company, Company.id == Visit.company_id)
            .outerjoin(Building, Building.id == Company.building_id)
            .join(Contact, Contact.id == Visit.contact_id)
            .join(liaison, liaison.id == Visit.liaison_id)
            .where(Visit.id == link.subject_id)
        )
    ).first()
    if row is None:
        return None
    return VisitView(*row)


def when(starts_at: datetime, ends_at: datetime, lang: Lang, zone: Any) -> str:
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    if lang == "en":
        return f"{start:%a %d %b %Y, %H:%M}–{end:%H:%M} (Beijing time)"
    return (
        f"{start.year}年{start.month}月{start.day}日（周{_WEEKDAYS_ZH[start.weekday()]}）"
        f"{start:%H:%M}–{end:%H:%M}（北京时间）"
    )


def _page(
    request: web.Request,
    view: VisitView,
    link: CapabilityLink,
    *,
    status: int = 200,
    error: str | None = None,
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
        when=when(visit.starts_at, visit.ends_at, lang, settings.zone),
        can_answer=open_for_answer,
        can_ask_again=visit.status == VisitStatus.confirmed and utcnow() < visit.starts_at,
        error=error,
        done=request.query.get("done"),
        max_text=MAX_TEXT,
    )


_LIAISON = aliased(Person)
# Built once: the link and everything its page shows, in one round trip.
_BY_TOKEN = (
    select(CapabilityLink, Visit, Company, Building, Contact, _LIAISON)
    .join(Visit, Visit.id == CapabilityLink.subject_id)
    .join(Company, Company.id == Visit.company_id)
    .outerjoin(Building, Building.id == Company.building_id)
    .join(Contact, Contact.id == Visit.contact_id)
    .join(_LIAISON, _LIAISON.id == Visit.liaison_id)
    .where(
        CapabilityLink.token_hash == bindparam("token_hash"),
        CapabilityLink.purpose == service.LINK_PURPOSE,
        CapabilityLink.subject_type == "visit",
    )
)


async def resolve_view(
    session: AsyncSession, token: str
) -> tuple[CapabilityLink, VisitView] | None:
    """Like links.service.resolve (unknown, expired and revoked alike give None), and the
    page's rows with it."""
    if not token or len(token) > 100:
        return None
    row = (await session.execute(_BY_TOKEN, {"token_hash": hash_token(token)})).first()
    if row is None:
        return None
    link = row[0]
    if link.revoked_at is not None or (link.expires_at is not None and link.expires_at <= utcnow()):
        return None
    return link, VisitView(*row[1:])


async def show(request: web.Request) -> web.Response:
    """GET /v/{token}: shows, changes nothing. The plain page (no query) comes from memory
    while nothing it shows has changed."""
    token = request.match_info["token"]
    shown = request.app[SHOWN]
    key = (hash_token(token), page_lang(request)) if not request.query_string else None
    if key is not None and (html := shown.get(key)) is not None:
        return html_response(html)
    stamp = shown.stamp()  # before reading: a change from now on makes the page stale
    async with request.app[keys.DATABASE].session() as session:
        found = await resolve_view(session, token)
    if found is None:
        return invalid_link(request)
    link, view = found
    response = _page(request, view, link)
    if key is not None and isinstance(response.body, bytes):
        now = utcnow()
        turns = [view.visit.starts_at, *([link.expires_at] if link.expires_at else [])]
        seconds = min([PAGE_SECONDS, *((t - now).total_seconds() for t in turns if t > now)])
        shown.put(key, response.body, stamp, seconds)
    return response


def _windows(form: Any, zone: Any) -> list[dict[str, str]] | None:
    """Up to three proposed windows from datetime-local inputs (in the subdistrict's zone);
    None if any is incomplete, backwards or in the past."""
    windows = []
    now = utcnow()
    for i in range(1, MAX_WINDOWS + 1):
        start, end = form.get(f"start{i}", "").strip(), form.get(f"end{i}", "").strip()
        if not start and not end:
            continue
        try:
            starts = datetime.fromisoformat(start[:16]).replace(tzinfo=zone)
            ends = datetime.fromisoformat(end[:16]).replace(tzinfo=zone)
        except ValueError:
            return None
        if ends <= starts or starts <= now:
            return None
        windows.append({"starts_at": starts.isoformat(), "ends_at": ends.isoformat()})
    return windows


_ERRORS = {
    "csrf": ("页面已过期，请刷新后重试。", "The page is out of date; reload and try again."),
    "text": ("文字过长（最多 500 字）。", "The text is too long (500 characters at most)."),
    "windows": (
        "请填写完整、晚于现在且结束晚于开始的时间段（最多三个）。",
        "Give up to three complete time windows in the future, each ending after it starts.",
    ),
    "state": (
        "此走访当前状态不能再这样答复。",
        "The visit can no longer be answered this way.",
    ),
}


def _error(lang: Lang, kind: str) -> str:
    zh, en = _ERRORS[kind]
    return en if lang == "en" else zh


async def act(request: web.Request) -> web.Response:
    """POST /v/{token}/{confirm|decline|reschedule}: answer, then 303 to the page."""
    action = request.match_info["action"]
    config = visit_settings()
    if await rate_limited(request, bucket="visit-link", limit=config.link_posts_per_minute):
        return too_many(request)
    form = await request.post()
    token = request.match_info["token"]
    settings = request.app[keys.SETTINGS]
    lang = page_lang(request)
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        link = await resolve(session, token, purpose=service.LINK_PURPOSE, lock=True)
        view = await load(session, link) if link else None
        if link is None or view is None or action not in link.actions:
            return invalid_link(request)
        csrf = form.get("csrf")
        if not csrf_ok(settings.secret_key, link.id, csrf if isinstance(csrf, str) else None):
            return _page(request, view, link, status=403, error=_error(lang, "csrf"))
        reason = str(form.get("reason", "")).strip() or None
        note = str(form.get("note", "")).strip() or None
        if len(reason or "") > MAX_TEXT or len(note or "") > MAX_TEXT:
            return _page(request, view, link, status=422, error=_error(lang, "text"))
        windows = None
        if action == "reschedule":
            windows = _windows(form, settings.zone)
            if windows is None or (not windows and not note):
                return _page(request, view, link, status=422, error=_error(lang, "windows"))
        try:
            visit, old, _ = await service.answer(
                session=session,
                link=link,
                action=action,
                reason=reason,
                windows=windows,
                note=note,
            )
        except service.VisitStateConflict:
            return _page(request, view, link, status=409, error=_error(lang, "state"))
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
    return see_other(f"/v/{token}{suffix}")


async def invite(request: web.Request) -> web.Response:
    """GET /v/{token}/invite.ics: the confirmed visit for the contact's own calendar."""
    settings = request.app[keys.SETTINGS]
    async with request.app[keys.DATABASE].session() as session:
        found = await resolve_view(session, request.match_info["token"])
    if found is None:
        return invalid_link(request)
    link, view = found
    if view.visit.status != VisitStatus.confirmed:
        return _page(request, view, link, status=409, error=_error(page_lang(request), "state"))
    visit = view.visit
    host = settings.base_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    phone = f" {view.liaison.phone}" if view.liaison.phone else ""
    body = invitation(
        Invitation(
            visit_id=str(visit.id),
            sequence=visit.sequence,
            starts_at=visit.starts_at,
            ends_at=visit.ends_at,
            updated_at=visit.updated_at,
            summary=f"走访：{view.company.name}（联络员 {view.liaison.name}）",
            location=visit.place,
            description=f"{visit.purpose}\n联络员：{view.liaison.name}{phone}",
            organizer_name=view.liaison.name,
            organizer_email=view.liaison.email,
            attendee_name=view.contact.name,
            attendee_email=view.contact.email,
        ),
        zone=settings.zone,
        host=host,
    )
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
    async with request.app[keys.DATABASE].session() as session:
        found = await resolve_view(session, request.match_info["token"])
        if found is None or "view_needs" not in found[0].actions:
            return invalid_link(request)
        view = found[1]
        needs = await needs_of_company(session, view.company.id)
    settings = request.app[keys.SETTINGS]
    return render_page(
        request,
        "visit_needs.html",
        token=request.match_info["token"],
        company=view.company,
        needs=needs,
        zone=settings.zone,
        now=utcnow(),
    )


class PageRoutes(ApiRoutes):
    """Page routes: registered on the app, kept out of the OpenAPI document."""

    def add_to(self, app: web.Application) -> None:
        app[SHOWN] = Memo(app[CHANGES], PAGE_TABLES, size=PAGES_KEPT)
        app.router.add_get("/v/{token}", show)
        app.router.add_get("/v/{token}/invite.ics", invite)
        app.router.add_get("/v/{token}/needs", needs_page)
        app.router.add_post("/v/{token}/{action:confirm|decline|reschedule}", act)


routes = PageRoutes()
