"""HTTP for signups, swaps and the day's duty on a signup: thin handlers over the
services."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.platform import keys
from coordinator.shifts.duty import service as duty
from coordinator.shifts.duty.schemas import TickIn, TickOut
from coordinator.shifts.models import Signup
from coordinator.shifts.signups import places, service, swaps, waitlists
from coordinator.shifts.signups.schemas import (
    SignupIn,
    SignupList,
    SignupOut,
    SignupQuery,
    SwapIn,
    TeamSignupOut,
)
from coordinator.web.api import ApiRoutes, created, json_response, path_id
from coordinator.web.bearer import principal

routes = ApiRoutes()
SIGNUPS = ("signups",)


def signup_out(signup: Signup) -> SignupOut:
    """The signup as the API shows it (waitlist_position as the service set it)."""
    return SignupOut.model_validate(signup)


# Signups


@routes.route(
    "GET",
    "/api/v1/shifts/{id}/signups",
    summary="A shift's signups in arrival order, with waitlist positions",
    tags=SIGNUPS,
    query=SignupQuery,
    response=SignupList,
)
async def list_signups(request: web.Request, *, query: SignupQuery) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        rows = await waitlists.list_signups(
            session=session, shift_id=path_id(request), status=query.status
        )
        items = [signup_out(s) for s in rows]
    return json_response(SignupList(items=items, next_cursor=None, total=len(items)))


@routes.route(
    "GET",
    "/api/v1/signups/{id}",
    summary="Read a signup (with its waitlist position while it waits)",
    tags=SIGNUPS,
    response=SignupOut,
)
async def read_signup(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        signup = await waitlists.get_signup(session=session, signup_id=path_id(request))
        return json_response(signup_out(signup))


@routes.route(
    "POST",
    "/api/v1/shifts/{id}/signups",
    summary="Sign up a person or a whole team (waitlisted when full)",
    tags=SIGNUPS,
    role=Role.coordinator,
    body=SignupIn,
    response=SignupOut,
    status=201,
    errors=(409,),
)
async def create_signup(request: web.Request, *, body: SignupIn) -> web.Response:
    """A person gets a place or joins the waitlist; a team answers 200 with each member's
    signup and the members who could not be signed up."""
    caller = principal(request)
    actor = caller.name
    shift_id = path_id(request)
    if body.team_id is not None:
        done, skipped = await service.sign_up_team(
            database=request.app[keys.DATABASE],
            shift_id=shift_id,
            team_id=body.team_id,
            actor=actor,
            caller=caller,
        )
        return json_response(TeamSignupOut(signups=[signup_out(s) for s in done], skipped=skipped))
    assert body.person_id is not None
    signup = await service.sign_up(
        request.app[keys.DATABASE], shift_id, body.person_id, actor=actor, caller=caller
    )
    out = signup_out(signup)
    return created(out, f"/api/v1/signups/{out.id}")


async def _on_signup(
    request: web.Request, act: Callable[..., Awaitable[Signup]], **extra: Any
) -> web.Response:
    """Run `act` on the path's signup in a transaction (retried on conflicts), as the
    caller; answer the signup it leaves."""
    caller, signup_id = principal(request), path_id(request)
    signup = await request.app[keys.DATABASE].transaction(
        lambda s: act(session=s, signup_id=signup_id, actor=caller.name, caller=caller, **extra)
    )
    return json_response(signup_out(signup))


def _signup_action(name: str, summary: str, body_model=None):
    """A POST on one signup that answers the signup."""

    def register(fn):
        return routes.route(
            "POST",
            f"/api/v1/signups/{{id}}/{name}",
            summary=summary,
            tags=SIGNUPS,
            role=Role.coordinator,
            body=body_model,
            response=SignupOut,
            errors=(409,),
        )(fn)

    return register


@_signup_action("cancel", "Cancel a signup (the first waiting person moves up)")
async def cancel_signup(request: web.Request) -> web.Response:
    return await _on_signup(request, places.cancel_signup)


@_signup_action("offer-swap", "Offer a place to another qualified volunteer")
async def offer_swap(request: web.Request) -> web.Response:
    return await _on_signup(request, swaps.offer_swap)


@_signup_action("swap", "Hand an offered place to another person (answers the new signup)", SwapIn)
async def take_swap(request: web.Request, *, body: SwapIn) -> web.Response:
    return await _on_signup(request, swaps.take_swap, person_id=body.person_id)


@_signup_action("check-in", "Check a person in (from an hour before the start)")
async def check_in(request: web.Request) -> web.Response:
    return await _on_signup(request, duty.check_in)


@_signup_action("check-out", "Check a person out; their hours go to the lead for approval")
async def check_out(request: web.Request) -> web.Response:
    return await _on_signup(request, duty.check_out, zone=request.app[keys.SETTINGS].zone)


@_signup_action("no-show", "Mark a person who did not come")
async def no_show(request: web.Request) -> web.Response:
    return await _on_signup(request, places.set_no_show)


@routes.route(
    "POST",
    "/api/v1/signups/{id}/ticks",
    summary="Tick a checklist step, with a note",
    tags=SIGNUPS,
    role=Role.coordinator,
    body=TickIn,
    response=TickOut,
    errors=(409,),
)
async def tick(request: web.Request, *, body: TickIn) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        row = await duty.tick(
            session=session,
            signup_id=path_id(request),
            step=body.step,
            note=body.note,
            caller=principal(request),
        )
        out = TickOut.model_validate(row)
    return json_response(out)
