"""The OpenAPI 3.1 document, built from the same models the handlers validate with."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from coordinator.http import ApiRoutes, Operation

_PATH_PARAM = re.compile(r"{(\w+)(?::[^}]*)?}")
_STATUS_TEXT = {
    400: "Malformed request",
    401: "No or bad token",
    403: "Role not allowed",
    404: "Not found",
    409: "Conflict with the current state",
    413: "Body too large",
    422: "Well-formed but invalid",
    429: "Rate limited",
    503: "Not ready",
}


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
        "info": {
            "title": "Fumin 福民 API",
            "version": "1",
            "description": (
                "Registry, visits, shifts and feeds for a city subdistrict. "
                "Errors are RFC 9457 problem documents in the language of Accept-Language."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": {**schemas, "Problem": _PROBLEM},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
    if server_url:
        document["servers"] = [{"url": server_url}]
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
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
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
    responses: dict[str, Any] = {}
    if op.status == 204:
        responses["204"] = {"description": "Done"}
    elif op.response is not None:
        responses[str(op.status)] = {
            "description": "Created" if op.status == 201 else "OK",
            "content": {op.content_type: {"schema": refs[(op.response, "serialization")]}},
        }
    else:
        responses[str(op.status)] = {"description": "OK", "content": {op.content_type: {}}}
    statuses = set(op.errors)
    if op.role is not None:
        statuses |= {401, 403}
        entry["security"] = [{"bearer": []}]
        entry["x-required-role"] = op.role.value
    if op.body is not None:
        statuses |= {400, 422}
    if op.query is not None:
        statuses.add(422)
    if "{" in op.path:
        statuses.add(404)
    for status in sorted(statuses):
        responses[str(status)] = {
            "description": _STATUS_TEXT.get(status, "Error"),
            "content": {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
            },
        }
    entry["responses"] = responses
    return entry


_PROBLEM: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                "required": ["field", "message"],
            },
        },
    },
    "required": ["type", "title", "status"],
}
