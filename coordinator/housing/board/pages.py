"""The board's page behind a signed link: /dwelling-board/{token}, with the same filters
as the API (state, block, days not surveyed) and the paper to print on (A4 or A3,
landscape), and its spreadsheet /dwelling-board/{token}/board.xlsx. Read only: GETs, no
script. Chinese first, ?lang=en for English."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from coordinator.housing.board import links, service, words
from coordinator.housing.board.xlsx import board_xlsx, filters_text
from coordinator.housing.models import DwellingState, DwellingUse
from coordinator.labels import render
from coordinator.links.web import PAGE_HEADERS, invalid_link, page_lang, render_page
from coordinator.platform import keys
from coordinator.web.api import ApiRoutes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAPERS = ("a4", "a3")


def asked(request: web.Request) -> service.Filters:
    """The page's filters from its form; anything unreadable is simply not asked."""
    query = request.query
    state = query.get("state", "")
    block = query.get("block_id", "")
    days = query.get("not_surveyed_days", "")
    try:
        block_id = uuid.UUID(block) if block else None
    except ValueError:
        block_id = None
    return service.Filters(
        state=DwellingState(state) if state in DwellingState.__members__ else None,
        block_id=block_id,
        not_surveyed_days=int(days) if days.isdigit() and 1 <= int(days) <= 3650 else None,
    )


async def _area(request: web.Request) -> uuid.UUID | None:
    """The link's area, if its signature holds, it is unexpired and its API token in force."""
    signed = links.signed(request.app[keys.SETTINGS].secret_key, request.match_info["token"])
    if signed is None:
        return None
    area_id, token_id = signed
    async with request.app[keys.DATABASE].session() as session:
        return area_id if await links.holder_live(session, token_id) else None


async def _board(request: web.Request) -> dict[str, Any] | None:
    area_id = await _area(request)
    if area_id is None:
        return None
    async with request.app[keys.DATABASE].session() as session:
        return await service.board(session, area_id, asked(request))


async def show(request: web.Request) -> web.Response:
    board = await _board(request)
    if board is None:
        return invalid_link(request)
    settings = request.app[keys.SETTINGS]
    lang, zone = page_lang(request), settings.zone
    chosen = asked(request)
    paper = request.query.get("paper", "a4") if request.query.get("paper") in PAPERS else "a4"
    query = {k: v for k, v in chosen.asked().items() if v is not None}
    here = query | ({"paper": paper} if paper != "a4" else {})
    base = f"/dwelling-board/{request.match_info['token']}"
    return render_page(
        request,
        "housing_board_page.html",
        words=words,
        board=board,
        base=base,
        paper=paper,
        chosen=query,
        states=list(DwellingState),
        xlsx_url=f"{base}/board.xlsx?" + urlencode(query | {"lang": lang}),
        switch=lambda language: "?" + urlencode(here | {"lang": language}),
        filters_text=filters_text(board, lang),
        state_label=lambda code: render(code, lang, DwellingState),
        use_label=lambda code: render(code, lang, DwellingUse),
        floor_name=lambda floor: words.floor_name(floor, lang),
        unit_name=lambda unit: words.unit_name(unit, lang),
        day=lambda moment: _day(moment, zone),
        at=lambda moment: _day(moment, zone, "%Y-%m-%d %H:%M"),
        zone_name=settings.zone_name.render(lang),
    )


def _day(moment: str | None, zone: Any, shape: str = "%Y-%m-%d") -> str:
    if moment is None:
        return ""
    return datetime.fromisoformat(moment).astimezone(zone).strftime(shape)


async def spreadsheet(request: web.Request) -> web.Response:
    board = await _board(request)
    if board is None:
        return invalid_link(request)
    body = board_xlsx(board, page_lang(request), request.app[keys.SETTINGS].zone)
    name = f"dwelling-board-{board['as_of'][:10]}.xlsx"
    headers = PAGE_HEADERS | {"Content-Disposition": f'attachment; filename="{name}"'}
    return web.Response(body=body, content_type=XLSX, headers=headers)


class PageRoutes(ApiRoutes):
    """Page routes: registered on the app, kept out of the OpenAPI document."""

    def add_to(self, app: web.Application) -> None:
        app.router.add_get("/dwelling-board/{token}", show)
        app.router.add_get("/dwelling-board/{token}/board.xlsx", spreadsheet)


routes = PageRoutes()
