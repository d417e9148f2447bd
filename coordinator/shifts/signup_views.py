"""HTTP for signups, swaps, the day's duty, hours and the personal link: thin handlers over
the services."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.platform import keys
from coordinator.shifts import duty, personal, signups, waitlists
from coordinator.shifts.models import Signup
from coordinator.shifts.schemas import (
    ApproveIn,
    HoursList,
    HoursOut,
    HoursQuery,
    PersonLinkOut,
    SignupIn,
    SignupList,
    SignupOut,
    SignupQuery,
    StatementQuery,
    SwapIn,
    TeamSignupOut,
    TickIn,
    TickOut,
)
from coordinator.web.api import ApiRoutes, created, json_response, path_id
from coordinator.web.bearer import principal

routes = ApiRoutes()
SIGNUPS = ("signups",)
HOURS = ("hours",)


def _db(request: web.Request):
    return request.app[keys.DATABASE]


def _zone(request: web.Request):
    return request.app[keys.SETTINGS].zone


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
    async with _db(request).session() as session:
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
    async with _db(request).session() as session:
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
        team_id = body.team_id

        async def work(session):
            done, skipped = await signups.sign_up_team(
                session=session, shift_id=shift_id, team_id=team_id, actor=actor, caller=caller
            )
            return TeamSignupOut(signups=[signup_out(s) for s in done], skipped=skipped)

        return json_response(await _db(request).transaction(work))
    assert body.person_id is not None
    signup = await signups.sign_up_person(
        database=_db(request),
        shift_id=shift_id,
        person_id=body.person_id,
        actor=actor,
        caller=caller,
    )
    out = signup_out(signup)
    return created(out, f"/api/v1/signups/{out.id}")


async def _on_signup(
    request: web.Request, act: Callable[..., Awaitable[Signup]], **extra: Any
) -> web.Response:
    """Run `act` on the path's signup in a transaction (retried on conflicts), as the
    caller; answer the signup it leaves."""
    caller, signup_id = principal(request), path_id(request)
    signup = await _db(request).transaction(
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
    return await _on_signup(request, signups.cancel_signup)


@_signup_action("offer-swap", "Offer a place to another qualified volunteer")
async def offer_swap(request: web.Request) -> web.Response:
    return await _on_signup(request, signups.offer_swap)


@_signup_action("swap", "Hand an offered place to another person (answers the new signup)", SwapIn)
async def take_swap(request: web.Request, *, body: SwapIn) -> web.Response:
    return await _on_signup(request, signups.take_swap, person_id=body.person_id)


@_signup_action("check-in", "Check a person in (from an hour before the start)")
async def check_in(request: web.Request) -> web.Response:
    return await _on_signup(request, duty.check_in)


@_signup_action("check-out", "Check a person out; their hours go to the lead for approval")
async def check_out(request: web.Request) -> web.Response:
    return await _on_signup(request, duty.check_out, zone=_zone(request))


@_signup_action("no-show", "Mark a person who did not come")
async def no_show(request: web.Request) -> web.Response:
    return await _on_signup(request, signups.set_no_show)


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
    async with _db(request).sessionmaker.begin() as session:
        row = await duty.tick(
            session=session,
            signup_id=path_id(request),
            step=body.step,
            note=body.note,
            caller=principal(request),
        )
        out = TickOut.model_validate(row)
    return json_response(out)


# Hours


@routes.route(
    "GET",
    "/api/v1/hours",
    summary="The hours ledger, by the day served",
    tags=HOURS,
    query=HoursQuery,
    response=HoursList,
)
async def list_hours(request: web.Request, *, query: HoursQuery) -> web.Response:
    async with _db(request).session() as session:
        return json_response(await duty.list_hours(session=session, query=query))


@routes.route(
    "POST",
    "/api/v1/hours/{id}/approve",
    summary="Approve (or reject) hours served",
    tags=HOURS,
    role=Role.coordinator,
    body=ApproveIn,
    response=HoursOut,
)
async def approve_hours(request: web.Request, *, body: ApproveIn) -> web.Response:
    async with _db(request).sessionmaker.begin() as session:
        entry = await duty.approve_hours(
            session=session,
            actor=principal(request),
            entry_id=path_id(request),
            approve=body.approve,
            approved_by_id=body.approved_by_id,
        )
        out = HoursOut.model_validate(entry)
    return json_response(out)


@routes.route(
    "GET",
    "/api/v1/hours/statement",
    summary="Monthly hours per person, team, party branch or company (CSV)",
    tags=HOURS,
    query=StatementQuery,
    content_type="text/csv",
)
async def statement(request: web.Request, *, query: StatementQuery) -> web.Response:
    async with _db(request).session() as session:
        body = await duty.statement_csv(
            session=session,
            month=query.month,
            by=query.by,
            status=query.status,
            company_id=query.company_id,
        )
    return web.Response(
        text=body,
        content_type="text/csv",
        charset="utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="hours-{query.by}-{query.month}.csv"'
        },
    )


# The personal link


@routes.route(
    "POST",
    "/api/v1/people/{id}/link",
    summary="Issue a person's personal link /me/{token} (shown once; the old one stops working)",
    tags=SIGNUPS,
    role=Role.coordinator,
    response=PersonLinkOut,
    status=201,
)
async def issue_person_link(request: web.Request) -> web.Response:
    settings = request.app[keys.SETTINGS]
    person_id = path_id(request)
    async with _db(request).sessionmaker.begin() as session:
        token, expires_at = await personal.issue_person_link(
            session=session, actor=principal(request), person_id=person_id
        )
    out = PersonLinkOut(
        person_id=person_id, url=f"{settings.base_url}/me/{token}", expires_at=expires_at
    )
    return json_response(out, status=201, headers={"Cache-Control": "no-store"})
