"""HTTP of the rounds: issuing and revoking a block leader's link, a block's QR code to
print, and an area's compliance board of a day (JSON and CSV)."""

from __future__ import annotations

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.housing.models import BLOCK, Block
from coordinator.housing.rounds import compliance, links, qr
from coordinator.housing.rounds.schemas import (
    BlockLeaderLinkOut,
    BlockLeaderLinkRevokedOut,
    BoardOut,
    BoardQuery,
)
from coordinator.housing.rounds.window import day_of
from coordinator.platform import keys
from coordinator.platform.csv_text import csv_text
from coordinator.platform.db import utcnow
from coordinator.platform.resources import get_or_404
from coordinator.web.api import ApiRoutes, csv_response, json_response, lang, path_id
from coordinator.web.bearer import principal

routes = ApiRoutes()
TAGS = ("rounds",)
LINK = "/api/v1/people/{id}/block-leader-link"


@routes.route(
    "POST",
    LINK,
    summary="Issue a block leader's link /b/{token} (shown once; the old one stops working)",
    tags=TAGS,
    role=Role.coordinator,
    response=BlockLeaderLinkOut,
    status=201,
)
async def issue_block_leader_link(request: web.Request) -> web.Response:
    """The person's page of their blocks: today's rounds, start and end one (proven by
    the block's code), and the walk list. Mailed to the person when they have an email."""
    settings = request.app[keys.SETTINGS]
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        person, url, expires_at = await links.issue_block_leader_link(
            session=session,
            actor=principal(request),
            person_id=path_id(request),
            base_url=settings.base_url,
        )
    out = BlockLeaderLinkOut(person_id=person.id, url=url, expires_at=expires_at)
    return json_response(out, status=201, headers={"Cache-Control": "no-store"})


@routes.route(
    "DELETE",
    LINK,
    summary="Revoke a block leader's link",
    tags=TAGS,
    role=Role.coordinator,
    response=BlockLeaderLinkRevokedOut,
)
async def revoke_block_leader_link(request: web.Request) -> web.Response:
    """The link stops working at once; answers how many links were live (0 or 1)."""
    person_id = path_id(request)
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        count = await links.revoke_block_leader_link(
            session=session, actor=principal(request), person_id=person_id
        )
    return json_response(BlockLeaderLinkRevokedOut(person_id=person_id, revoked=count))


@routes.route(
    "GET",
    "/api/v1/blocks/{id}/qr",
    summary="The block's QR code to post at the block (SVG): scanned, it proves a round",
    tags=TAGS,
    role=Role.coordinator,
    content_type="image/svg+xml",
)
async def block_qr(request: web.Request) -> web.Response:
    """The code opens /q/{block}/{code} on the leader's phone, which goes on to their own
    page with a proven start or end of a round."""
    settings = request.app[keys.SETTINGS]
    async with request.app[keys.DATABASE].session() as session:
        block = await get_or_404(session, Block, path_id(request), BLOCK)
    return web.Response(
        body=qr.svg(qr.scan_url(settings.base_url, block)),
        content_type="image/svg+xml",
        headers={"Cache-Control": "no-store"},
    )


async def _board(request: web.Request, query: BoardQuery) -> dict[str, object]:
    zone = request.app[keys.SETTINGS].zone
    now = utcnow()
    async with request.app[keys.DATABASE].session() as session:
        return await compliance.board(
            session,
            area_id=path_id(request),
            day=query.day or day_of(now, zone),
            now=now,
            zone=zone,
        )


@routes.route(
    "GET",
    "/api/v1/areas/{id}/round-compliance",
    summary="An area's rounds of a day, block by block: done against required, gaps "
    "longer than allowed, proven rounds, each person's share",
    tags=TAGS,
    query=BoardQuery,
    response=BoardOut,
)
async def round_compliance(request: web.Request, *, query: BoardQuery) -> web.Response:
    return json_response(BoardOut.model_validate(await _board(request, query)))


@routes.route(
    "GET",
    "/api/v1/areas/{id}/round-compliance.csv",
    summary="An area's rounds of a day as CSV, one row per block",
    tags=TAGS,
    query=BoardQuery,
    content_type="text/csv",
)
async def round_compliance_csv(request: web.Request, *, query: BoardQuery) -> web.Response:
    report = await _board(request, query)
    language = "en" if lang(request) == "en" else "zh"
    text = csv_text(compliance.CSV_HEADER[language], compliance.csv_rows(report))
    return csv_response(text, f"round-compliance-{report['day']}.csv")
