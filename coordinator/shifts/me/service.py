"""What the volunteer's link pages (/me/{token}) show and do, whatever the HTTP.

One path serves three kinds of link: the personal link (purpose "me": my places, open
shifts I qualify for), a promotion notice (purpose "signup": decline the place I was
given) and a call-out (purpose "callout": one tap to take a place on a short shift).
Each kind allows its own actions (ALLOWED); every action is done as the link's holder,
in one transaction with the record of the link's use.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.links.models import CapabilityLink
from coordinator.links.service import csrf_ok, record_use, resolve
from coordinator.people.models import Person
from coordinator.platform.db import Database, sqlstate
from coordinator.platform.problems import Problem
from coordinator.shifts.duty import service as duty
from coordinator.shifts.me import queries
from coordinator.shifts.models import Signup
from coordinator.shifts.signups import places, service, swaps

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
ALLOWED: dict[str, tuple[str, ...]] = {
    "me": ACTIONS,
    "signup": ("decline",),
    "callout": ("signup",),
}


async def resolve_link(session: AsyncSession, token: str) -> CapabilityLink | None:
    """The live link of any of the pages' purposes, or None."""
    for purpose in PURPOSES:
        link = await resolve(session, token, purpose=purpose)
        if link is not None:
            return link
    return None


@dataclass(frozen=True)
class Page:
    """What a link's page shows: its template and what goes in it."""

    link: CapabilityLink
    template: str
    values: dict[str, Any]


async def page(database: Database, token: str, now: datetime) -> Page | None:
    """The page behind a token, or None if the link (or what it names) is gone."""
    async with database.session() as session:
        link = await resolve_link(session, token)
        if link is None:
            return None
        if link.purpose == "me":
            person = await session.get(Person, link.subject_id)
            if person is None:
                return None
            values = {
                "person": person,
                "mine": await queries.my_signups(session, person.id, now),
                "open": await queries.open_shifts(session, person, now),
            }
            return Page(link, "me_home.html", values)
        if link.purpose == "signup":
            signup = await session.get(Signup, link.subject_id)
            row = await queries.shift_with_post(session, signup.shift_id) if signup else None
            if signup is None or row is None:
                return None
            mine = queries.Row(shift=row.shift, post=row.post, signup=signup)
            return Page(link, "me_decline.html", {"row": mine})
        row = await queries.shift_with_post(session, link.subject_id)
        if row is None:
            return None
        return Page(link, "me_callout.html", {"row": row})


@dataclass(frozen=True)
class Asked:
    """An action asked through a link's page, as the form gave it."""

    token: str
    action: str
    csrf: str | None
    signup_id: uuid.UUID | None = None
    shift_id: uuid.UUID | None = None
    step: int | None = None
    note: str | None = None
    ip: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What the page says next: the link is no good, an error's slug, or what was done."""

    invalid: bool = False
    error: str | None = None
    done: str | None = None


@dataclass(frozen=True)
class _Target:
    asked: Asked
    actor: str
    person_id: uuid.UUID | None
    signup_id: uuid.UUID
    zone: ZoneInfo


async def _cancel(session: AsyncSession, t: _Target, reason: str) -> Signup:
    return await places.cancel_signup(
        session=session, signup_id=t.signup_id, actor=t.actor, reason=reason, person_id=t.person_id
    )


async def _take_swap(session: AsyncSession, t: _Target) -> Signup:
    assert t.person_id is not None  # a personal link always has its person
    return await swaps.take_swap(
        session=session, signup_id=t.signup_id, person_id=t.person_id, actor=t.actor
    )


async def _tick(session: AsyncSession, t: _Target) -> str | None:
    if t.asked.step is None:
        return None
    await duty.tick(
        session=session,
        signup_id=t.signup_id,
        step=t.asked.step,
        note=t.asked.note,
        person_id=t.person_id,
    )
    return "ticked"


async def _state(done: Awaitable[Signup]) -> str:
    return (await done).status.value


# The actions on one of the holder's signups: each answers the state it leaves (None
# when the form lacked what it needs).
_ON_SIGNUP: dict[str, Callable[[AsyncSession, _Target], Awaitable[str | None]]] = {
    "cancel": lambda s, t: _state(_cancel(s, t, "cancelled")),
    "decline": lambda s, t: _state(_cancel(s, t, "declined")),
    "check_in": lambda s, t: _state(
        duty.check_in(session=s, signup_id=t.signup_id, actor=t.actor, person_id=t.person_id)
    ),
    "check_out": lambda s, t: _state(
        duty.check_out(
            session=s, signup_id=t.signup_id, actor=t.actor, zone=t.zone, person_id=t.person_id
        )
    ),
    "offer_swap": lambda s, t: _state(
        swaps.offer_swap(session=s, signup_id=t.signup_id, actor=t.actor, person_id=t.person_id)
    ),
    "take_swap": lambda s, t: _state(_take_swap(s, t)),
    "tick": _tick,
}


async def _used(session: AsyncSession, asked: Asked, state: str) -> None:
    """The link's use, in the action's transaction (if the link still holds)."""
    live = await resolve_link(session, asked.token)
    if live is not None:
        record_use(
            session,
            live,
            action=asked.action,
            old_state=None,
            new_state=state,
            ip=asked.ip,
            user_agent=asked.user_agent,
        )


async def act(database: Database, *, secret_key: str, zone: ZoneInfo, asked: Asked) -> Outcome:
    """Do what the page asked, as the link's holder, if the link allows it."""
    async with database.session() as session:
        link = await resolve_link(session, asked.token)
    if link is None:
        return Outcome(invalid=True)
    if not csrf_ok(secret_key, link.id, asked.csrf):
        return Outcome(error="csrf")
    if asked.action not in ALLOWED[link.purpose]:
        return Outcome(error="action")
    actor = f"link:{link.id}"
    person_id = link.subject_id if link.purpose == "me" else link.holder_id
    try:
        if asked.action == "signup":
            shift_id = link.subject_id if link.purpose == "callout" else asked.shift_id
            if shift_id is None or person_id is None:
                return Outcome(error="missing")
            signup = await service.sign_up(
                database,
                shift_id,
                person_id,
                actor=actor,
                then=lambda s, signup: _used(s, asked, signup.status.value),
            )
            if signup.waitlist_position is not None:  # the shift was full: say where
                return Outcome(done=f"waitlisted&position={signup.waitlist_position}")
            return Outcome(done="signup")
        signup_id = link.subject_id if link.purpose == "signup" else asked.signup_id
        if signup_id is None:
            return Outcome(error="missing")
        target = _Target(asked, actor, person_id, signup_id, zone)
        step = _ON_SIGNUP[asked.action]

        async def work(session: AsyncSession) -> str | None:
            state = await step(session, target)
            if state is not None:
                await _used(session, asked, state)
            return state

        if await database.transaction(work) is None:
            return Outcome(error="missing")
    except Problem as problem:
        return Outcome(error=problem.slug)
    except IntegrityError as exc:
        return Outcome(error="overlap" if sqlstate(exc) == "23P01" else "conflict")
    return Outcome(done=asked.action)
