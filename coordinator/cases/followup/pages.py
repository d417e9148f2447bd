"""The reporter's follow-up page behind their link: /r/{token} (what it shows and does:
reply.py). GET only shows; the answer is a POST with a CSRF token, rate-limited per IP,
answered 303 back to the page, or the page itself with the refusal in words."""

from __future__ import annotations

from aiohttp import web

from coordinator import labels
from coordinator.cases.followup import reply
from coordinator.cases.followup.links import ACTIONS
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
from coordinator.platform.i18n import Text
from coordinator.web.api import ApiRoutes

POSTS_PER_MINUTE = 10


async def _page(
    request: web.Request, *, status: int = 200, error: Text | None = None
) -> web.Response:
    settings = request.app[keys.SETTINGS]
    token = request.match_info["token"]
    async with request.app[keys.DATABASE].session() as session:
        view = await reply.reply_view(session, token)
    if view is None:
        return invalid_link(request)
    lang = page_lang(request)
    case = view.case
    return render_page(
        request,
        "reply_page.html",
        status=status,
        view=view,
        case=case,
        case_status=labels.label(case.status).render(lang),
        resolved_at=case.resolved_at.astimezone(settings.zone).strftime("%Y-%m-%d %H:%M")
        if case.resolved_at
        else None,
        csrf=csrf_token(settings.secret_key, view.link.id),
        base=f"/r/{token}",
        done=request.query.get("done") if status == 200 else None,
        error=error.render(lang) if error else None,
    )


async def show(request: web.Request) -> web.Response:
    return await _page(request)


async def act(request: web.Request) -> web.Response:
    token = request.match_info["token"]
    if await rate_limited(request, bucket="reply", limit=POSTS_PER_MINUTE):
        return too_many(request)
    form = await request.post()
    outcome = await reply.answer(
        request.app[keys.DATABASE],
        request.app[keys.SETTINGS],
        token=token,
        csrf=str(form.get("csrf", "")) or None,
        satisfied=request.match_info["action"] == "satisfied",
        reason=str(form.get("reason", "")).strip()[: reply.MAX_REASON] or None,
        ip=request.remote,
        user_agent=request.headers.get("User-Agent"),
    )
    if outcome.invalid:
        return invalid_link(request)
    if outcome.error is not None:
        return await _page(request, status=outcome.status, error=outcome.error)
    return see_other(f"/r/{token}?done={outcome.done}")


class PageRoutes(ApiRoutes):
    """Page routes: registered on the app, kept out of the OpenAPI document."""

    def add_to(self, app: web.Application) -> None:
        app.router.add_get("/r/{token}", show)
        app.router.add_post("/r/{token}/{action:" + "|".join(ACTIONS) + "}", act)


routes = PageRoutes()
