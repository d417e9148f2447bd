"""The OpenAPI 3.1 document, built from the same models the handlers validate with."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from coordinator.docs.problem import FIELD_PROBLEM, PROBLEM, STATUS_TEXT, problem_response
from coordinator.web.api import ApiRoutes, Operation

_PATH_PARAM = re.compile(r"{(\w+)(?::[^}]*)?}")
SECURITY_SCHEME = "bearerAuth"
# Answers whose error statuses carry the operation's own body rather than a problem:
# /readyz says which check failed in the same Health document as when all is well.
_OWN_BODY_ERRORS = {("GET", "/readyz"): (503,)}

_DESCRIPTION = """\
Registry, visits, shifts and feeds for a city subdistrict.

Every request under `/api/v1` carries a token: `Authorization: Bearer fmn_…` (the
Authorize button here). Roles: `viewer` reads, `coordinator` also writes, `admin` also
manages tokens and webhooks and reads the audit log; each operation names the role it
needs in `x-required-role`.

Every error is an RFC 9457 problem document (`application/problem+json`, schema
`Problem`) whose `status` is the HTTP status, in the language of Accept-Language or
`?lang=en`. A path answers 404 for an unknown address and 405 (with `Allow`) for a
method it does not serve; a malformed request (a URL or header too long) is 400.

The one exception is Open311 GeoReport v2 under `/open311/v2` (tag `open311`): it answers
the specification's own shapes, in JSON and XML, and its errors in the specification's
format (`[{"code", "description"}]`, `<errors><error>` in XML; 404, 403 for a bad
`api_key`, 405, else 400), because Open311 clients parse that format. Reading needs no
token; posting a request takes an Open311 `api_key` (`/api/v1/open311-keys`).
"""


def openapi_path(path: str) -> str:
    return _PATH_PARAM.sub(lambda m: "{" + m.group(1) + "}", path)


def build_openapi(tables: list[ApiRoutes], *, server_url: str | None = None) -> dict[str, Any]:
    operations = [op for table in tables for op in table.operations]
    models: list[tuple[type[BaseModel], Any]] = []
    seen: set[tuple[type[BaseModel], str]] = set()
    for op in operations:
        for model, mode in (
            (op.body, "validation"),
            (op.query, "validation"),
            (op.response, "serialization"),
        ):
            if model is not None and (model, mode) not in seen:
                seen.add((model, mode))
                models.append((model, mode))
    refs, definitions = models_json_schema(models, ref_template="#/components/schemas/{model}")

    # pydantic hoists every nested model and enum into one $defs table; those become
    # components, where the $refs (written with the template above) point.
    schemas: dict[str, Any] = definitions.get("$defs", {})
    # Query models become parameters, not schemas of their own; their enums and other
    # definitions stay in components, where the parameters' $refs point.
    query_schemas: dict[type[BaseModel], dict[str, Any]] = {}
    for op in operations:
        if op.query is not None and op.query not in query_schemas:
            query_schemas[op.query] = _resolve(refs[(op.query, "validation")], schemas)
    for query_model in query_schemas:
        if not _used_elsewhere(query_model, operations):
            schemas.pop(refs[(query_model, "validation")]["$ref"].rsplit("/", 1)[-1], None)

    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        paths.setdefault(openapi_path(op.path), {})[op.method.lower()] = _operation(
            op, refs, query_schemas.get(op.query) if op.query else None
        )
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "Fumin 福民 API", "version": "1", "description": _DESCRIPTION},
        "paths": paths,
        "components": {
            "schemas": {**schemas, "Problem": PROBLEM, "FieldProblem": FIELD_PROBLEM},
            "responses": {
                "MethodNotAllowed": problem_response(405),
                "NotFound": problem_response(404),
            },
            "securitySchemes": {
                SECURITY_SCHEME: {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "fmn_…",
                    "description": "An API token (`fumin token create`, or POST /api/v1/tokens)",
                }
            },
        },
    }
    if server_url:
        document["servers"] = [{"url": server_url.rstrip("/")}]
    return document


def _resolve(ref: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    resolved: dict[str, Any] = schemas[ref["$ref"].rsplit("/", 1)[-1]]
    return resolved


def _used_elsewhere(model: type[BaseModel], operations: list[Operation]) -> bool:
    return any(model in (op.body, op.response) for op in operations)


def _operation(
    op: Operation, refs: dict[Any, Any], query_schema: dict[str, Any] | None
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "summary": op.summary,
        "operationId": op.handler.__name__,
        "tags": list(op.tags),
    }
    if op.description:
        entry["description"] = op.description
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": op.path_params.get(name, {"type": "string", "format": "uuid"}),
        }
        for name in _PATH_PARAM.findall(op.path)
    ]
    if query_schema is not None:
        schema = query_schema
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            param: dict[str, Any] = {
                "name": name,
                "in": "query",
                "required": name in required,
                "schema": {k: v for k, v in prop.items() if k != "title"},
            }
            if "description" in prop:
                param["description"] = prop["description"]
            parameters.append(param)
    if parameters:
        entry["parameters"] = parameters
    if op.body is not None:
        entry["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(op.body, "validation")]}},
        }
    entry["responses"] = _responses(op, refs)
    if op.role is not None:
        entry["security"] = [{SECURITY_SCHEME: []}]
        entry["x-required-role"] = op.role.value
    for member, value in op.spec.items():  # what the declaration could not say itself
        if member == "responses":
            entry["responses"] = dict(sorted({**entry["responses"], **value}.items()))
        elif member == "parameters":
            entry["parameters"] = [*entry.get("parameters", []), *value]
        else:
            entry[member] = value
    return entry


def _responses(op: Operation, refs: dict[Any, Any]) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    body: dict[str, Any] = {}
    if op.response is not None:
        body = {"schema": refs[(op.response, "serialization")]}
    for status in (op.status, *op.also):
        if status == 204:
            responses["204"] = {"description": "Done"}
            continue
        responses[str(status)] = {
            "description": {201: "Created", 202: "Accepted"}.get(status, "OK"),
            "content": {op.content_type: body},
        }
        if status == 201:
            responses["201"]["headers"] = {
                "Location": {
                    "description": "Where the new resource is read",
                    "schema": {"type": "string"},
                }
            }
    own_body = _OWN_BODY_ERRORS.get((op.method, op.path), ())
    for status in own_body:
        responses[str(status)] = {
            "description": STATUS_TEXT.get(status, "Error"),
            "content": {op.content_type: body},
        }
    for status in sorted(_error_statuses(op) - set(own_body)):
        responses[str(status)] = problem_response(status)
    return responses


def _error_statuses(op: Operation) -> set[int]:
    """Every error status the operation can answer: those it declares, and those that
    come with a token, a body, a query or an id in the path."""
    statuses = set(op.errors) | {400}  # a request line or header too long, for any route
    if op.role is not None:
        statuses |= {401, 403, 503}
    if op.body is not None:
        statuses |= {413, 415, 422}
    if op.query is not None:
        statuses.add(422)
    if "{" in op.path:
        statuses.add(404)
    return statuses
