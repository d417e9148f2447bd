"""The OpenAPI document and the docs page cover every route the app serves."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from coordinator.app import create_app
from coordinator.docs.openapi import openapi_path
from coordinator.docs.views import OPENAPI

DOCUMENTED_OUTSIDE_V1 = {"/healthz", "/readyz"}


def served(app: web.Application) -> set[tuple[str, str]]:
    """(method, path) of every route under /api/v1 plus /healthz and /readyz."""
    found: set[tuple[str, str]] = set()
    for route in app.router.routes():
        resource = route.resource
        if resource is None or route.method in ("HEAD", "OPTIONS"):
            continue
        path = openapi_path(resource.canonical)
        if path.startswith("/api/v1/") or path in DOCUMENTED_OUTSIDE_V1:
            found.add((route.method.lower(), path))
    return found


def documented(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {(method, path) for path, methods in document["paths"].items() for method in methods}


def undocumented(app: web.Application, document: dict[str, Any]) -> set[tuple[str, str]]:
    return served(app) - documented(document)


async def test_openapi_is_3_1_and_lists_every_route(api):
    response = await api.get("/api/openapi.json", role=None)
    assert response.status == 200
    assert response.content_type == "application/json"
    document = await response.json()
    assert document["openapi"].startswith("3.1")
    assert document["info"]["title"]

    routes = served(api.client.app)
    assert ("get", "/api/v1/people") in routes
    assert ("delete", "/api/v1/teams/{id}/members/{person_id}") in routes
    assert ("get", "/healthz") in routes and ("get", "/readyz") in routes
    assert undocumented(api.client.app, document) == set()
    # … and nothing documented that is not served.
    doc_routes = {r for r in documented(document) if r[1].startswith("/api/v1/")}
    assert doc_routes <= routes


async def test_a_route_added_outside_the_declared_tables_is_caught(settings, database):
    app = create_app(settings, database=database)
    document = json.loads(app[OPENAPI])
    assert undocumented(app, document) == set()

    async def secret(request: web.Request) -> web.Response:
        return web.Response()

    app.router.add_post("/api/v1/people/{id}/merge", secret)
    app.router.add_get("/api/v1/shadow", secret)
    assert undocumented(app, document) == {
        ("post", "/api/v1/people/{id}/merge"),
        ("get", "/api/v1/shadow"),
    }


async def test_openapi_document_is_coherent(api):
    document = await (await api.get("/api/openapi.json", role=None)).json()
    schemas = document["components"]["schemas"]
    refs: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.append(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    assert refs
    for ref in refs:
        assert ref.startswith("#/components/schemas/")
        assert ref.removeprefix("#/components/schemas/") in schemas, ref

    operation_ids = []
    for path, methods in document["paths"].items():
        for method, op in methods.items():
            operation_ids.append(op["operationId"])
            assert op["responses"], (method, path)
            declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert declared == set(_path_params(path)), (method, path)
            if path.startswith("/api/v1/"):
                assert op["security"] == [{"bearer": []}], (method, path)
                assert {"401", "403"} <= op["responses"].keys()
            if method in ("post", "patch") and "requestBody" in op:
                assert {"400", "422"} <= op["responses"].keys()
    assert len(operation_ids) == len(set(operation_ids))

    team = schemas["TeamOut"]["properties"]
    assert {"id", "name", "kind", "lead_id", "members"} <= team.keys()
    people = document["paths"]["/api/v1/people"]
    assert people["post"]["responses"]["201"]
    assert {p["name"] for p in people["get"]["parameters"]} >= {
        "party_branch_id",
        "team_id",
        "skill",
        "party_member",
        "q",
        "sort",
        "limit",
        "cursor",
    }


def _path_params(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


async def test_docs_page_lists_every_path(api):
    document = await (await api.get("/api/openapi.json", role=None)).json()
    response = await api.get("/api/docs", role=None)
    assert response.status == 200
    assert response.content_type == "text/html"
    page = await response.text()
    for path, methods in document["paths"].items():
        assert f"<code>{path}</code>" in page, path
        for op in methods.values():
            assert f'id="{op["operationId"]}"' in page, op["operationId"]


async def test_healthz(api):
    response = await api.get("/healthz", role=None)
    assert response.status == 200
    assert await response.json() == {"status": "ok", "checks": {}}


async def test_readyz_checks_postgresql_and_redis(api):
    response = await api.get("/readyz", role=None)
    assert response.status == 200
    body = await response.json()
    assert body == {"status": "ok", "checks": {"postgresql": "ok", "redis": "ok"}}
