"""The OpenAPI document and the docs page cover every route the app serves."""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp import web
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from coordinator.app import create_app
from coordinator.docs.openapi import openapi_path
from coordinator.docs.views import OPENAPI
from coordinator.open311.docs import ERRORS_SCHEMA, XML_SCHEMA
from coordinator.open311.formats import JSON_TYPE, XML_TYPE

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
                assert op["security"] == [{"bearerAuth": []}], (method, path)
                assert {"400", "401", "403", "503"} <= op["responses"].keys()
            if "{" in path:
                assert "404" in op["responses"], (method, path)
            if path.startswith("/open311/"):
                _georeport_errors(method, path, op)
                continue
            if "requestBody" in op:
                assert {"400", "413", "415", "422"} <= op["responses"].keys()
            for status, response in op["responses"].items():
                if status.startswith("4"):
                    assert response["content"] == {
                        "application/problem+json": {
                            "schema": {"$ref": "#/components/schemas/Problem"}
                        }
                    }, (method, path, status)
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


def _georeport_errors(method: str, path: str, op: dict[str, Any]) -> None:
    """GeoReport's operations answer its own error format, in the path's format (Open311
    clients parse it; README): 400 always, 403 where an api_key is needed, 404 where a
    path names something."""
    expected = (
        {XML_TYPE: {"schema": XML_SCHEMA}}
        if path.endswith(".xml")
        else {JSON_TYPE: {"schema": ERRORS_SCHEMA}}
    )
    assert "400" in op["responses"], (method, path)
    if "requestBody" in op:
        assert {"400", "403", "404"} <= op["responses"].keys(), (method, path)
    for status, response in op["responses"].items():
        if status.startswith(("4", "5")):
            assert response["content"] == expected, (method, path, status)


def _path_params(path: str) -> list[str]:
    """The names in braces (a segment may go on past one: GeoReport's `{token}.json`)."""
    return re.findall(r"{(\w+)}", path)


async def test_problem_schema_says_what_every_problem_carries(api):
    document = await (await api.get("/api/openapi.json", role=None)).json()
    problem = document["components"]["schemas"]["Problem"]
    assert problem["required"] == ["type", "title", "status", "detail"]
    assert problem["additionalProperties"] is True
    members = problem["properties"]
    assert members["status"]["type"] == "integer"
    assert "HTTP status" in members["status"]["description"]
    assert members["errors"]["items"] == {"$ref": "#/components/schemas/FieldProblem"}
    assert document["components"]["schemas"]["FieldProblem"]["required"] == ["field", "message"]
    assert members["current"]["type"] == "string"
    assert members["allowed"] == members["allowed"] | {"type": "array", "items": {"type": "string"}}
    # A real problem answer matches it: an unknown id, and a body that is not JSON.
    standalone = json.loads(json.dumps(problem).replace("#/components/schemas/", "#/$defs/"))
    standalone["$defs"] = {"FieldProblem": document["components"]["schemas"]["FieldProblem"]}
    validator = Draft202012Validator(standalone)
    for response in (
        await api.get("/api/v1/areas/00000000-0000-0000-0000-000000000000"),
        await api.post("/api/v1/areas", data="{", headers={"Content-Type": "application/json"}),
    ):
        assert response.content_type == "application/problem+json"
        body = await response.json()
        assert body["status"] == response.status
        validator.validate(body)


async def test_openapi_documents_validate(api):
    for path, version in (("/api/openapi.json", "3.1"), ("/api/docs/openapi-3.0.json", "3.0")):
        response = await api.get(path, role=None)
        assert response.status == 200
        document = await response.json()
        assert document["openapi"].startswith(version)
        validate(document)


async def test_the_docs_name_the_public_address_as_server(settings, database):
    for public, expected in (
        ("https://fumin.example.gov.cn/", "https://fumin.example.gov.cn"),
        (None, "http://127.0.0.1:8123"),
    ):
        app = create_app(
            settings.model_copy(update={"public_url": public, "port": 8123}), database=database
        )
        assert json.loads(app[OPENAPI])["servers"] == [{"url": expected}]


async def test_swagger_ui_reads_every_field_and_enum(api):
    """Swagger UI 4 reads OpenAPI 3.0: its copy has the same operations, nullable fields
    instead of anyOf with null, and enums with their values."""
    full = await (await api.get("/api/openapi.json", role=None)).json()
    swagger = await (await api.get("/api/docs/openapi-3.0.json", role=None)).json()
    assert documented(swagger) == documented(full)
    assert '"type": "null"' not in json.dumps(swagger)
    schemas = swagger["components"]["schemas"]
    starts_at = schemas["ShiftPatch"]["properties"]["starts_at"]
    assert starts_at["nullable"] is True and starts_at["format"] == "date-time"
    assert schemas["ShiftPatch"]["properties"]["scope"]["enum"] == ["this", "following"]
    assert set(schemas["Role"]["enum"]) == {"viewer", "coordinator", "admin"}
    assert (
        swagger["components"]["securitySchemes"]["bearerAuth"]
        == full["components"]["securitySchemes"]["bearerAuth"]
    )


async def test_docs_page_is_swagger_ui_from_the_bundled_wheel(api):
    response = await api.get("/api/docs", role=None)
    assert response.status == 200
    assert response.content_type == "text/html"
    page = await response.text()
    assert "http://" not in page and "https://" not in page
    assets = re.findall(r'(?:src|href)="(/[^"]+)"', page)
    assert "/api/docs/static/swagger-ui-bundle.js" in assets
    for asset in assets:
        answer = await api.get(asset, role=None)
        assert answer.status == 200, asset
    script = await (await api.get("/api/docs/init.js", role=None)).text()
    assert "/api/docs/openapi-3.0.json" in script and "tryItOutEnabled: true" in script
    assert "//" not in script


async def test_healthz(api):
    response = await api.get("/healthz", role=None)
    assert response.status == 200
    assert await response.json() == {"status": "ok", "checks": {}}


async def test_readyz_checks_postgresql_and_redis(api):
    response = await api.get("/readyz", role=None)
    assert response.status == 200
    body = await response.json()
    assert body == {"status": "ok", "checks": {"postgresql": "ok", "redis": "ok"}}
