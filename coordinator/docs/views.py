"""`/api/openapi.json`, and Swagger UI at `/api/docs` served from the `swagger-ui-bundle`
wheel, so the docs page loads nothing from outside."""

from __future__ import annotations

import json
from pathlib import Path

import jinja2
from aiohttp import web
from swagger_ui_bundle import swagger_ui_path

from coordinator.docs.openapi import build_openapi
from coordinator.docs.swagger import as_openapi_3_0
from coordinator.platform import keys
from coordinator.platform.cache import Kept
from coordinator.web.api import ApiRoutes, Operation

_TEMPLATES = Path(__file__).parent / "templates"
_PAGES = jinja2.Environment(loader=jinja2.FileSystemLoader(_TEMPLATES), autoescape=True)
STATIC = "/api/docs/static"
# Swagger UI on the API's own document: try-it-out on, the token kept across reloads.
_INIT = """window.ui = SwaggerUIBundle({
  url: "/api/docs/openapi-3.0.json",
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  presets: [SwaggerUIBundle.presets.apis],
  deepLinking: true,
  tryItOutEnabled: true,
  persistAuthorization: true,
  displayRequestDuration: true,
  showExtensions: true,
  defaultModelsExpandDepth: 1,
  defaultModelExpandDepth: 3,
  validatorUrl: null,
});
"""
OPENAPI = web.AppKey("openapi", str)
SWAGGER_OPENAPI = web.AppKey("swagger_openapi", str)
_Documents = tuple[tuple[Operation, ...], str, str, str]
# The documents of the route tables an app is built with, by server and operations: the
# same code gives the same document, so a process builds it once, however many apps it
# makes (half a second of pydantic's schema generation each). The entry holds on to the
# operations, so the ids in its key stay theirs.
_BUILT: Kept[tuple[str | None, tuple[int, ...]], _Documents] = Kept(8)


def documents(tables: list[ApiRoutes], server_url: str | None) -> _Documents:
    """The OpenAPI 3.1 document, its 3.0 form for Swagger UI and the docs page, as text."""
    operations = tuple(op for table in tables for op in table.operations)
    key = (server_url, tuple(map(id, operations)))
    if (built := _BUILT.get(key)) is not None:
        return built
    document = build_openapi(tables, server_url=server_url)
    page = _PAGES.get_template("docs.html").render(title=document["info"]["title"], static=STATIC)
    built = (
        operations,
        json.dumps(document, ensure_ascii=False),
        json.dumps(as_openapi_3_0(document), ensure_ascii=False),
        page,
    )
    _BUILT.put(key, built)
    return built


def add_docs(app: web.Application, tables: list[ApiRoutes]) -> None:
    _, app[OPENAPI], app[SWAGGER_OPENAPI], page = documents(tables, app[keys.SETTINGS].base_url)

    async def openapi(request: web.Request) -> web.Response:
        return web.Response(text=request.app[OPENAPI], content_type="application/json")

    async def swagger_openapi(request: web.Request) -> web.Response:
        return web.Response(text=request.app[SWAGGER_OPENAPI], content_type="application/json")

    async def docs(request: web.Request) -> web.Response:
        return web.Response(text=page, content_type="text/html")

    async def init(request: web.Request) -> web.Response:
        return web.Response(text=_INIT, content_type="text/javascript")

    app.router.add_get("/api/openapi.json", openapi)
    app.router.add_get("/api/docs", docs)
    app.router.add_get("/api/docs/init.js", init)
    app.router.add_get("/api/docs/openapi-3.0.json", swagger_openapi)
    app.router.add_static(STATIC, Path(str(swagger_ui_path)))
