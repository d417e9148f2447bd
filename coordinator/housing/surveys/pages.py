"""The block leader's walk list behind their link: /b/{token}/walk, and the two scripts
that keep it working with no signal (served here, from this package's `static/`).

The page (GET only shows) is cached by a service worker (`walk-sw.js`, allowed the scope
of the walk list by `Service-Worker-Allowed`); `walk.js` keeps the results made on the
page in IndexedDB, each with an id made on the phone, and sends them in order to
`POST /b/{token}/walk/results` whenever the phone is online (the `online` event, a retry
timer, each new result). That POST is JSON, bound to the link by the token in its path
and by the page's CSRF token in the `X-CSRF-Token` header (a cross-site form can send
neither a JSON body nor the header); its refusals are RFC 9457 problems."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.auth.service import Principal
from coordinator.housing import leaders
from coordinator.housing.models import DwellingState
from coordinator.housing.surveys import walk
from coordinator.housing.surveys.models import ResultCode
from coordinator.housing.surveys.results import take_result
from coordinator.housing.surveys.schemas import ResultIn
from coordinator.labels import label
from coordinator.links.service import csrf_ok, csrf_token, record_use
from coordinator.links.web import (
    PAGE_HEADERS,
    invalid_link,
    page_lang,
    rate_limited,
    render_page,
)
from coordinator.platform import keys
from coordinator.platform.db import utcnow
from coordinator.platform.i18n import Text
from coordinator.platform.problems import Forbidden, NotFound, TooManyRequests
from coordinator.web.api import ApiRoutes, json_response, read_body
from coordinator.web.validation import parse_body

STATIC = Path(__file__).resolve().parent / "static"
SCRIPT = "/static/housing/walk.js"
WORKER = "/static/housing/walk-sw.js"
RESULTS_PER_MINUTE = 240
CSRF_HEADER = "X-CSRF-Token"
WALK_HEADERS = PAGE_HEADERS | {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; connect-src 'self'; worker-src 'self'; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    )
}
_INVALID = Text("链接无效或已过期", "This link is not valid (any more)")


class LinkInvalid(NotFound):
    """No live block leader link has this token (revoked, replaced, expired): the walk
    list keeps the result queued for a link of the same person's that works."""

    slug = "link-invalid"


class PageExpired(Forbidden):
    """The page's CSRF token is not the one the server takes now (its key changed since
    the page was kept): the walk list keeps the result queued and sends it again with
    the token of the page as the server gives it now, never dropping it."""

    slug = "page-expired"
    title = Text("页面已过期", "The page has expired")


_CSRF = Text("页面已过期，请刷新后重试", "The page has expired: reload it and try again")


async def show(request: web.Request) -> web.Response:
    settings = request.app[keys.SETTINGS]
    token = request.match_info["token"]
    today = utcnow().astimezone(settings.zone).date()
    async with request.app[keys.DATABASE].session() as session:
        found = await leaders.holder(session, token)
        if found is None:
            return invalid_link(request)
        link, person = found
        blocks = await walk.walk_list(session, person.id, today)
    lang = page_lang(request)
    response = render_page(
        request,
        "housing_c_walk.html",
        person=person,
        blocks=blocks,
        csrf=csrf_token(settings.secret_key, link.id),
        base=f"/b/{token}",
        script=SCRIPT,
        worker=WORKER,
        retry_seconds=settings.survey_retry_seconds,
        states=[(s.value, label(s).render(lang)) for s in DwellingState],
        codes=[(c.value, label(c).render(lang)) for c in ResultCode],
        state_label=lambda state: label(state).render(lang),
        code_label=lambda code: label(code).render(lang),
    )
    response.headers.update(WALK_HEADERS)
    return response


async def post_result(request: web.Request) -> web.Response:
    """Take one result from the walk list's queue: 201 the first time, 200 with the same
    answer when it comes again."""
    settings = request.app[keys.SETTINGS]
    token = request.match_info["token"]
    if await rate_limited(request, bucket="walk", limit=RESULTS_PER_MINUTE):
        raise TooManyRequests(headers={"Retry-After": "60"})
    data = parse_body(ResultIn, await read_body(request))
    now = utcnow()
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        found = await leaders.holder(session, token)
        if found is None:
            raise LinkInvalid(_INVALID)
        link, person = found
        if not csrf_ok(settings.secret_key, link.id, request.headers.get(CSRF_HEADER)):
            raise PageExpired(_CSRF)
        actor = Principal(token_id=None, name=f"link:{link.id}", role=Role.viewer)
        taken = await take_result(
            session,
            actor=actor,
            person_id=person.id,
            data=data,
            now=now,
            alert_after=settings.survey_revisit_alert_after,
        )
        if taken.created:
            record_use(
                session,
                link,
                action="result",
                old_state=None,
                new_state=taken.out.code.value,
                ip=request.remote,
                user_agent=request.headers.get("User-Agent"),
            )
    headers = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}
    if not taken.created:
        headers["Idempotent-Replayed"] = "true"
    return json_response(taken.out, status=201 if taken.created else 200, headers=headers)


def _asset(name: str, extra: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        body=(STATIC / name).read_bytes(),
        content_type="text/javascript",
        charset="utf-8",
        headers={
            "Cache-Control": "no-cache",
            "X-Content-Type-Options": "nosniff",
            **(extra or {}),
        },
    )


async def script(request: web.Request) -> web.Response:
    return _asset("walk.js")


async def worker(request: web.Request) -> web.Response:
    # The worker lives under /static but looks after the walk list pages under /b/.
    return _asset("walk-sw.js", {"Service-Worker-Allowed": "/b/"})


class PageRoutes(ApiRoutes):
    """Page routes: registered on the app, kept out of the OpenAPI document."""

    def add_to(self, app: web.Application) -> None:
        app.router.add_get("/b/{token}/walk", show)
        app.router.add_post("/b/{token}/walk/results", post_result)
        app.router.add_get(SCRIPT, script)
        app.router.add_get(WORKER, worker)


routes = PageRoutes()
