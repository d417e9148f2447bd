"""HTTP for the colour board: an area's board as JSON and as a spreadsheet, the signed
link to its page, and the legend (read by anyone, set by coordinators)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.housing.board import colours, links, service, xlsx
from coordinator.housing.board.schemas import (
    BoardLinkOut,
    BoardOut,
    BoardQuery,
    ColoursIn,
    ColoursOut,
)
from coordinator.platform import keys
from coordinator.platform.json_sql import JsonBody
from coordinator.platform.problems import not_found
from coordinator.registry.models import AREA
from coordinator.web.api import ApiRoutes, json_response, lang, path_id
from coordinator.web.bearer import principal

routes = ApiRoutes()
TAGS = ("dwelling board",)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The tables an area's board is read from: its JSON is kept while none of them changes
# (and at most web.api.KEPT_SECONDS, so a dwelling turns stale on time).
BOARD_TABLES = (
    "dwellings",
    "dwelling_state_colours",
    "area_surveys",
    "areas",
    "compounds",
    "housing_buildings",
    "block_units",
    "blocks",
)
_XLSX_ANSWER = {
    "responses": {
        "200": {
            "description": "The board as an .xlsx workbook",
            "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def filters(query: BoardQuery) -> service.Filters:
    return service.Filters(
        state=query.state, block_id=query.block_id, not_surveyed_days=query.not_surveyed_days
    )


async def read_board(request: web.Request, area_id: uuid.UUID, query: BoardQuery) -> dict[str, Any]:
    async with request.app[keys.DATABASE].session() as session:
        board = await service.board(session, area_id, filters(query))
    if board is None:
        raise not_found(AREA)
    return board


def xlsx_response(board: dict[str, Any], request: web.Request, language: Any) -> web.Response:
    zone = request.app[keys.SETTINGS].zone
    name = f"dwelling-board-{board['as_of'][:10]}.xlsx"
    return web.Response(
        body=xlsx.board_xlsx(board, language, zone),
        content_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@routes.route(
    "GET",
    "/api/v1/areas/{id}/board",
    summary="An area's colour board (排查表): every dwelling by compound, building, floor, "
    "unit and room, coloured by its state, with the legend; filters by state, block, days "
    "not surveyed",
    tags=TAGS,
    query=BoardQuery,
    response=BoardOut,
    kept=BOARD_TABLES,
)
async def get_board(request: web.Request, *, query: BoardQuery) -> web.Response:
    """No personal data: occupants as a count, no contact. A building with no dwelling
    the filters pick is left out; in the others every cell comes, `match` telling which
    the filters pick, so the grid keeps its shape."""
    board = await read_board(request, path_id(request), query)
    return json_response(JsonBody(json.dumps(board, ensure_ascii=False).encode()))


@routes.route(
    "GET",
    "/api/v1/areas/{id}/board.xlsx",
    summary="An area's colour board as a spreadsheet, in the legend's colours",
    tags=TAGS,
    query=BoardQuery,
    content_type=XLSX,
    spec=_XLSX_ANSWER,
)
async def get_board_xlsx(request: web.Request, *, query: BoardQuery) -> web.Response:
    """A sheet for the legend and counts, a sheet per compound drawn like the page (a
    stale dwelling in a dashed frame), and a list of the dwellings the filters pick."""
    board = await read_board(request, path_id(request), query)
    return xlsx_response(board, request, lang(request))


@routes.route(
    "GET",
    "/api/v1/areas/{id}/board/link",
    summary="A link to the area's board page /dwelling-board/{token}, for a browser "
    "or to print (shown once)",
    tags=TAGS,
    response=BoardLinkOut,
)
async def board_link(request: web.Request) -> web.Response:
    """The link reads that area's board only, for 30 days or until the token that asked
    for it is revoked. Nothing is stored: the link is signed with the secret key."""
    settings = request.app[keys.SETTINGS]
    area_id = path_id(request)
    async with request.app[keys.DATABASE].session() as session:
        if await service.board_area(session, area_id) is None:
            raise not_found(AREA)
    token_id = principal(request).token_id
    assert token_id is not None  # every bearer token has its row
    token, expires_at = links.issue(settings.secret_key, area_id, token_id)
    out = BoardLinkOut(url=f"{settings.base_url}/dwelling-board/{token}", expires_at=expires_at)
    return json_response(out, headers={"Cache-Control": "no-store"})


@routes.route(
    "GET",
    "/api/v1/dwelling-colours",
    summary="The board's legend: the colour of each dwelling state, in the legend's order",
    tags=TAGS,
    response=ColoursOut,
)
async def get_colours(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        return json_response(ColoursOut.of(await colours.colours(session)))


@routes.route(
    "PUT",
    "/api/v1/dwelling-colours",
    summary="Set the board's legend: every state once, with its colour, in the order shown",
    tags=TAGS,
    role=Role.coordinator,
    body=ColoursIn,
    response=ColoursOut,
)
async def put_colours(request: web.Request, *, body: ColoursIn) -> web.Response:
    """Two states may share a colour. The board, its page and its spreadsheet all follow."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        items = await colours.set_colours(session, body.items, actor=principal(request))
    return json_response(ColoursOut.of(items))
