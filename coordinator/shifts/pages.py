"""The volunteer's pages behind a link: /me/{token}.

One path serves three kinds of link: the personal link (purpose "me": my places, open
shifts I qualify for), a promotion notice (purpose "signup": decline the place I was
given) and a call-out (purpose "callout": one tap to take a place on a short shift).
GET only shows; every action is a POST with a CSRF token, rate-limited per IP, that
answers 303 back to the page.
"""

from __future__ import annotations

import uuid
from typing import Any

from aiohttp import web
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.links.models import CapabilityLink
from coordinator.links.service import csrf_ok, csrf_token, record_use, resolve
from coordinator.links.web import (
    invalid_link,
    page_lang,
    rate_limited,
    render_page,
    see_other,
    too_many,
)
from coordinator.people.models import Person
from coordinator.platform import keys
from coordinator.platform.db import sqlstate, utcnow
from coordinator.platform.i18n import Lang
from coordinator.platform.problems import Problem
from coordinator.shifts import duty, me, signups
from coordinator.shifts.models import Signup
from coordinator.web.api import ApiRoutes

PURPOSES = ("me", "signup", "callout")
ACTIONS = (
    "signup",
    "cancel",
    "decline",
    "check_in",
    "check_out",
    "offer_swap",
    "take_swap",
    "tick",
)
POSTS_PER_MINUTE = 30
_WEEKDAYS_ZH = "一二三四五六日"


async def _resolve(session: AsyncSession, token: str) -> CapabilityLink | None:
    for purpose in PURPOSES:
        link = await resolve(session, token, purpose=purpose)
        if link is not None:
            return link
    return None


def when(row: me.Row, lang: Lang, zone: Any) -> str:
    start, end = row.shift.starts_at.astimezone(zone), row.shift.ends_at.astimezone(zone)
    if lang == "en":
        return f"{start:%a %d %b, %H:%M}–{end:%H:%M}"
    day = f"{start.month}月{start.day}日（周{_WEEKDAYS_ZH[start.weekday()]}）"
    return f"{day}{start:%H:%M}–{end:%H:%M}"


async def show(request: web.Request) -> web.Response:
    settings = request.app[keys.SETTINGS]
    token = request.match_info["token"]
    now = utcnow()
    async with request.app[keys.DATABASE].session() as session:
        link = await _resolve(session, token)
        if link is None:
            return invalid_link(request)
        context: dict[str, Any] = {
            "purpose": link.purpose,
            "csrf": csrf_token(settings.secret_key, link.id),
            "base": f"/me/{token}",
            "done": request.query.get("done"),
            "position": _position(request.query.get("position")),
            "error": request.query.get("error"),
            "when": lambda row: when(row, page_lang(request), settings.zone),
        }
        if link.purpose == "me":
            person = await session.get(Person, link.subject_id)
            if person is None:
                return invalid_link(request)
            context.update(
                person=person,
                mine=await me.my_signups(session, person.id, now),
                open=await me.open_shifts(session, person, now),
                now=now,
                early=duty.CHECK_IN_EARLY,
            )
            return render_page(request, "me_home.html", **context)
        if link.purpose == "signup":
            signup = await session.get(Signup, link.subject_id)
            row = await me.shift_with_post(session, signup.shift_id) if signup else None
            if signup is None or row is None:
                return invalid_link(request)
            context.update(row=me.Row(shift=row.shift, post=row.post, signup=signup))
            return render_page(request, "me_decline.html", **context)
        row = await me.shift_with_post(session, link.subject_id)
        if row is None:
            return invalid_link(request)
        context.update(row=row)
        return render_page(request, "me_callout.html", **context)


def _position(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 7 else None


def _form_id(form: Any, name: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(form.get(name, "")))
    except ValueError:
        return None


async def act(request: web.Request) -> web.Response:
    settings = request.app[keys.SETTINGS]
    database = request.app[keys.DATABASE]
    token = request.match_info["token"]
    action = request.match_info["action"]
    base = f"/me/{token}"
    if await rate_limited(request, bucket="me", limit=POSTS_PER_MINUTE):
        return too_many(request)
    form = await request.post()
    async with database.session() as session:
        link = await _resolve(session, token)
    if link is None:
        return invalid_link(request)
    if not csrf_ok(settings.secret_key, link.id, str(form.get("csrf", "")) or None):
        return see_other(f"{base}?error=csrf")
    allowed = {"me": ACTIONS, "signup": ("decline",), "callout": ("signup",)}[link.purpose]
    if action not in allowed:
        return see_other(f"{base}?error=action")
    actor = f"link:{link.id}"
    person_id = link.subject_id if link.purpose == "me" else link.holder_id
    signup_id = link.subject_id if link.purpose == "signup" else _form_id(form, "signup_id")
    shift_id = link.subject_id if link.purpose == "callout" else _form_id(form, "shift_id")

    done = action

    async def work(session: AsyncSession) -> str:
        nonlocal done
        done = action  # afresh if the transaction is tried again
        if action == "signup":
            if shift_id is None or person_id is None:
                return "missing"
            signup = await signups.sign_up(
                session=session, shift_id=shift_id, person_id=person_id, actor=actor
            )
            state = signup.status.value
            position = await me.waitlist_position(session, signup)
            if position is not None:  # the shift was full: say where on the list
                done = f"waitlisted&position={position}"
        elif signup_id is None:
            return "missing"
        elif action in ("cancel", "decline"):
            signup = await signups.cancel_signup(
                session=session,
                signup_id=signup_id,
                actor=actor,
                reason="declined" if action == "decline" else "cancelled",
                person_id=person_id,
            )
            state = signup.status.value
        elif action == "check_in":
            state = (
                await duty.check_in(
                    session=session, signup_id=signup_id, actor=actor, person_id=person_id
                )
            ).status.value
        elif action == "check_out":
            signup = await duty.check_out(
                session=session,
                signup_id=signup_id,
                actor=actor,
                zone=settings.zone,
                person_id=person_id,
            )
            state = signup.status.value
        elif action == "offer_swap":
            state = (
                await signups.offer_swap(
                    session=session, signup_id=signup_id, actor=actor, person_id=person_id
                )
            ).status.value
        elif action == "take_swap":
            assert person_id is not None
            state = (
                await signups.take_swap(
                    session=session, signup_id=signup_id, person_id=person_id, actor=actor
                )
            ).status.value
        else:
            try:
                step = int(str(form.get("step", "")))
            except ValueError:
                return "missing"
            note = str(form.get("note", ""))[:1000].strip() or None
            await duty.tick(
                session=session, signup_id=signup_id, step=step, note=note, person_id=person_id
            )
            state = "ticked"
        live = await _resolve(session, token)
        if live is not None:
            record_use(
                session,
                live,
                action=action,
                old_state=None,
                new_state=state,
                ip=request.remote,
                user_agent=request.headers.get("User-Agent"),
            )
        return ""

    try:
        error = await database.transaction(work)
    except Problem as problem:
        error = problem.slug
    except IntegrityError as exc:
        error = "overlap" if sqlstate(exc) == "23P01" else "conflict"
    if error:
        return see_other(f"{base}?error={error}")
    return see_other(f"{base}?done={done}")


class PageRoutes(ApiRoutes):
    """Page routes: registered on the app, kept out of the OpenAPI document."""

    def add_to(self, app: web.Application) -> None:
        app.router.add_get("/me/{token}", show)
        app.router.add_post("/me/{token}/{action:" + "|".join(ACTIONS) + "}", act)


routes = PageRoutes()
