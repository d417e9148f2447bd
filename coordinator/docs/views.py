"""`/api/openapi.json` and a readable docs page at `/api/docs`, with no outside assets."""

from __future__ import annotations

import json
from pathlib import Path

import jinja2
from aiohttp import web

from coordinator import keys
from coordinator.docs.openapi import build_openapi
from coordinator.http import ApiRoutes

_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
)
OPENAPI = web.AppKey("openapi", str)


def add_docs(app: web.Application, tables: list[ApiRoutes]) -> None:
    settings = app[keys.SETTINGS]
    document = build_openapi(tables, server_url=settings.public_url)
    app[OPENAPI] = json.dumps(document, ensure_ascii=False)
    page = _TEMPLATES.get_template("docs.html").render(doc=document)

    async def openapi(request: web.Request) -> web.Response:
        return web.Response(text=request.app[OPENAPI], content_type="application/json")

    async def docs(request: web.Request) -> web.Response:
        return web.Response(text=page, content_type="text/html")

    app.router.add_get("/api/openapi.json", openapi)
    app.router.add_get("/api/docs", docs)
