"""The field handler's page behind their link: /h/{token} (what it reads: queries.py,
what it does: service.py).

GET only shows; every action is a multipart POST (a note and photos from the phone's
camera) with a CSRF token, rate-limited per IP, answered 303 back to the page when done,
or the page itself with the refusal in words (409, 422, ...). The case's photos are
served through the link, only those of cases where the person has an open task."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from aiohttp import web

from coordinator.cases.handler import queries, service
from coordinator.cases.handler.links import ACTIONS
from coordinator.links.service import csrf_token
from coordinator.links.web import (
    PAGE_HEADERS,
    invalid_link,
    page_lang,
    rate_limited,
    render_page,
    see_other,
    too_many,
)
from coordinator.photos.processing import FIELD
from coordinator.photos.service import get_photo
from coordinator.photos.web import MULTIPART, Form, photo_response, read_form, store_of
from coordinator.platform import keys
from coordinator.platform.db import utcnow
from coordinator.platform.i18n import Lang, Text
from coordinator.platform.problems import NotFound, Problem
from coordinator.web.api import ApiRoutes

POSTS_PER_MINUTE = 30
MAX_PHOTOS = 6
TEXTS = ("csrf", "task_id", "text")
_WEEKDAYS_ZH = "一二三四五六日"


def when(moment: datetime, lang: Lang, zone: Any) -> str:
    local = moment.astimezone(zone)
    if lang == "en":
        return f"{local:%a %d %b, %H:%M}"
    return f"{local.month}月{local.day}日（周{_WEEKDAYS_ZH[local.weekday()]}）{local:%H:%M}"


async def _page(
    request: web.Request, *, status: int = 200, error: Text | None = None
) -> web.Response:
    settings = request.app[keys.SETTINGS]
    token = request.match_info["token"]
    now = utcnow()
    async with request.app[keys.DATABASE].session() as session:
        found = await service.holder(session, token)
        if found is None:
            return invalid_link(request)
        link, person = found
        tasks = await queries.open_tasks(session, person.id, now)
    lang = page_lang(request)
    return render_page(
        request,
        "handler_home.html",
        status=status,
        person=person,
        tasks=tasks,
        csrf=csrf_token(settings.secret_key, link.id),
        base=f"/h/{token}",
        done=request.query.get("done") if status == 200 else None,
        error=error.render(lang) if error else None,
        when=lambda moment: when(moment, lang, settings.zone),
        max_photos=MAX_PHOTOS,
        photo_field=FIELD,
    )


async def show(request: web.Request) -> web.Response:
    return await _page(request)


def _uuid(text: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(text or "")
    except ValueError:
        return None


async def _form(request: web.Request, max_bytes: int) -> Form:
    """The action's fields: a multipart form (with photos), or a plain one without."""
    if request.content_type == MULTIPART:
        return await read_form(request, max_bytes=max_bytes, max_photos=MAX_PHOTOS, texts=TEXTS)
    posted = await request.post()
    return Form(texts={name: str(posted[name]) for name in TEXTS if name in posted})


async def act(request: web.Request) -> web.Response:
    settings = request.app[keys.SETTINGS]
    token = request.match_info["token"]
    if await rate_limited(request, bucket="handler", limit=POSTS_PER_MINUTE):
        return too_many(request)
    try:
        form = await _form(request, settings.photo_max_bytes)
    except Problem as problem:
        return await _page(request, status=problem.status, error=service.refusal(problem))
    asked = service.Asked(
        token=token,
        action=request.match_info["action"],
        csrf=form.texts.get("csrf") or None,
        task_id=_uuid(form.texts.get("task_id")),
        text=form.texts.get("text", "").strip()[: service.MAX_TEXT] or None,
        photos=[photo for photo in form.photos if photo],  # an empty file input sends b""
        ip=request.remote,
        user_agent=request.headers.get("User-Agent"),
    )
    outcome = await service.act(request.app[keys.DATABASE], store_of(request.app), settings, asked)
    if outcome.invalid:
        return invalid_link(request)
    if outcome.error is not None:
        return await _page(request, status=outcome.status, error=outcome.error)
    return see_other(f"/h/{token}?done={outcome.done}")


async def photo(request: web.Request) -> web.Response:
    token = request.match_info["token"]
    photo_id = _uuid(request.match_info["photo_id"])
    async with request.app[keys.DATABASE].session() as session:
        found = await service.holder(session, token)
        if found is None:
            return invalid_link(request)
        _, person = found
        if photo_id is None or not await queries.may_see_photo(session, person.id, photo_id):
            return invalid_link(request)
        try:
            image = await get_photo(session, photo_id)
        except NotFound:
            return invalid_link(request)
    headers = {k: v for k, v in PAGE_HEADERS.items() if k != "Cache-Control"}
    return await photo_response(
        request,
        store_of(request.app),
        image,
        thumbnail=request.query.get("thumb") == "1",
        headers=headers,
    )


class PageRoutes(ApiRoutes):
    """Page routes: registered on the app, kept out of the OpenAPI document."""

    def add_to(self, app: web.Application) -> None:
        app.router.add_get("/h/{token}", show)
        app.router.add_post("/h/{token}/{action:" + "|".join(ACTIONS) + "}", act)
        app.router.add_get("/h/{token}/photos/{photo_id}", photo)


routes = PageRoutes()
