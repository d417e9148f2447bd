"""The page of charts behind a signed link: /case-reports/{token}?month=YYYY-MM, and its
CSV (/case-reports/{token}/departments.csv, /places.csv). Read only: GETs, no forms but
the month picker. Chinese first, ?lang=en for English."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from aiohttp import web

from coordinator.cases.models import CaseStatus
from coordinator.cases.reports import exports, links, places, service, words
from coordinator.cases.reports.charts import Chart, Series, bars
from coordinator.labels import render
from coordinator.links.web import PAGE_HEADERS, invalid_link, page_lang, render_page
from coordinator.platform import keys
from coordinator.platform.db import utcnow
from coordinator.platform.i18n import Lang
from coordinator.web.api import ApiRoutes

MONTH = re.compile(r"^(19[7-9]\d|2\d{3})-(0[1-9]|1[0-2])$")
TOP = 20
BLUE, GREEN, ORANGE, RED, PURPLE = "#2f6db5", "#1e8a4c", "#d9822b", "#b4232a", "#7b52ab"
_MONTHS_EN = "January February March April May June July August September October November December"


def month_label(month: str, lang: Lang) -> str:
    year, number = (int(part) for part in month.split("-"))
    return f"{_MONTHS_EN.split()[number - 1]} {year}" if lang == "en" else f"{year}年{number}月"


def _month(request: web.Request, zone: Any) -> str:
    asked = request.query.get("month", "")
    return asked if MONTH.match(asked) else service.this_month(zone)


def _percent(value: float) -> str:
    return f"{value:g}%"


def department_charts(report: dict[str, Any], lang: Lang) -> list[Chart]:
    rows = report["departments"]
    names = [row["name"] for row in rows]
    received = words.FIGURES["received"].render(lang)
    closed = words.FIGURES["closed"].render(lang)
    rate = [
        None if row["on_time_rate"] is None else round(row["on_time_rate"] * 100, 1) for row in rows
    ]
    return [
        bars(
            "received-closed",
            words.RECEIVED_CLOSED.render(lang),
            (Series(received, BLUE), Series(closed, GREEN)),
            [(n, (r["received"], r["closed"])) for n, r in zip(names, rows, strict=True)],
        ),
        bars(
            "on-time-rate",
            words.ON_TIME_RATE.render(lang),
            (Series(words.FIGURES["on_time"].render(lang), GREEN),),
            [(n, (v,)) for n, v in zip(names, rate, strict=True)],
            top=100,
            shown=_percent,
        ),
        bars(
            "medians",
            words.MEDIANS.render(lang),
            (
                Series(words.TO_ACCEPT.render(lang), PURPLE),
                Series(words.TO_CLOSE.render(lang), ORANGE),
            ),
            [
                (n, (r["median_accept_hours"], r["median_close_hours"]))
                for n, r in zip(names, rows, strict=True)
            ],
        ),
        bars(
            "overdue",
            words.OVERDUE_TASKS.render(lang),
            (
                Series(words.FIGURES["late"].render(lang), ORANGE),
                Series(words.FIGURES["overdue_open"].render(lang), RED),
            ),
            [(n, (r["late"], r["overdue_open"])) for n, r in zip(names, rows, strict=True)],
            stacked=True,
        ),
    ]


def place_charts(report: dict[str, Any], lang: Lang) -> list[Chart]:
    split = (
        Series(words.NOT_OVERDUE.render(lang), BLUE),
        Series(words.OVERDUE.render(lang), RED),
    )
    buildings = [b for b in report["buildings"] if b["building_id"] is not None][:TOP]
    areas = report["areas"]
    return [
        bars(
            "buildings",
            words.TOP_BUILDINGS.format(n=TOP).render(lang),
            split,
            [(b["name"], (b["open"] - b["overdue"], b["overdue"])) for b in buildings],
            stacked=True,
        ),
        bars(
            "areas",
            words.BY_AREA.render(lang),
            split,
            [
                (a["name"] or words.NO_AREA.render(lang), (a["open"] - a["overdue"], a["overdue"]))
                for a in areas
            ],
            stacked=True,
        ),
    ]


async def _allowed(request: web.Request) -> bool:
    """The link's signature holds, it has not expired, and its API token is in force."""
    secret_key = request.app[keys.SETTINGS].secret_key
    token_id = links.signed_token_id(secret_key, request.match_info["token"])
    if token_id is None:
        return False
    async with request.app[keys.DATABASE].session() as session:
        return await links.holder_live(session, token_id)


async def show(request: web.Request) -> web.Response:
    if not await _allowed(request):
        return invalid_link(request)
    settings = request.app[keys.SETTINGS]
    lang, zone, now = page_lang(request), settings.zone, utcnow()
    month = _month(request, zone)
    async with request.app[keys.DATABASE].session() as session:
        departments = await service.department_report(
            session=session, month=month, zone=zone, now=now
        )
        open_cases = await places.places_report(session=session, now=now)
    token = request.match_info["token"]
    return render_page(
        request,
        "case_reports.html",
        words=words,
        base=f"/case-reports/{token}",
        month=month,
        month_label=month_label(month, lang),
        previous_month=service.shift_month(month, -1),
        next_month=service.shift_month(month, 1),
        this_month=service.this_month(zone, now),
        departments=departments,
        places=open_cases,
        charts=department_charts(departments, lang),
        place_charts=place_charts(open_cases, lang),
        kind=lambda value: render(value, lang),
        status_label=lambda code: render(code, lang, CaseStatus),
        at=lambda moment: _at(moment, zone),
        zone_name=settings.zone_name.render(lang),
    )


def _at(moment: datetime, zone: Any) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


async def departments_csv(request: web.Request) -> web.Response:
    if not await _allowed(request):
        return invalid_link(request)
    zone = request.app[keys.SETTINGS].zone
    month = _month(request, zone)
    async with request.app[keys.DATABASE].session() as session:
        report = await service.department_report(session=session, month=month, zone=zone)
    return _csv(
        exports.departments_csv(report, page_lang(request)), f"case-departments-{month}.csv"
    )


async def places_csv(request: web.Request) -> web.Response:
    if not await _allowed(request):
        return invalid_link(request)
    async with request.app[keys.DATABASE].session() as session:
        report = await places.places_report(session=session)
    return _csv(exports.places_csv(report, page_lang(request)), "case-places.csv")


def _csv(text: str, name: str) -> web.Response:
    headers = PAGE_HEADERS | {"Content-Disposition": f'attachment; filename="{name}"'}
    return web.Response(text=text, content_type="text/csv", charset="utf-8", headers=headers)


class PageRoutes(ApiRoutes):
    """Page routes: registered on the app, kept out of the OpenAPI document."""

    def add_to(self, app: web.Application) -> None:
        app.router.add_get("/case-reports/{token}", show)
        app.router.add_get("/case-reports/{token}/departments.csv", departments_csv)
        app.router.add_get("/case-reports/{token}/places.csv", places_csv)


routes = PageRoutes()
