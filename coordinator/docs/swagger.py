"""The OpenAPI document as the bundled Swagger UI reads it.

The `swagger-ui-bundle` wheel ships Swagger UI 4, which renders OpenAPI 3.0 only. The
API's own document (/api/openapi.json) is 3.1, whose schemas are JSON Schema; this is the
same document in 3.0 terms, so the docs page shows every field, enum and nullable value.
"""

from __future__ import annotations

import copy
from typing import Any

_NULL = {"type": "null"}


def as_openapi_3_0(document: dict[str, Any]) -> dict[str, Any]:
    converted = copy.deepcopy(document)
    converted["openapi"] = "3.0.3"
    converted["components"]["schemas"] = {
        name: _schema(schema) for name, schema in converted["components"]["schemas"].items()
    }
    for methods in converted["paths"].values():
        for operation in methods.values():
            for parameter in operation.get("parameters", []):
                parameter["schema"] = _schema(parameter["schema"])
            for content in _contents(operation):
                if "schema" in content:
                    content["schema"] = _schema(content["schema"])
                else:  # a body whose shape is not described (CSV, metrics): any text
                    content["schema"] = {"type": "string"}
            for response in operation["responses"].values():
                for header in response.get("headers", {}).values():
                    header["schema"] = _schema(header["schema"])
    for response in converted["components"].get("responses", {}).values():
        for header in response.get("headers", {}).values():
            header["schema"] = _schema(header["schema"])
    return converted


def _contents(operation: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(operation.get("requestBody", {}).get("content", {}).values())
    for response in operation["responses"].values():
        found.extend(response.get("content", {}).values())
    return found


def _schema(node: Any) -> Any:
    """A JSON Schema (2020-12) node rewritten as an OpenAPI 3.0 schema object."""
    if isinstance(node, list):
        return [_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _schema(value) for key, value in node.items()}
    for key in ("anyOf", "oneOf"):
        if key in node and _NULL in node[key]:
            rest = [option for option in node.pop(key) if option != _NULL]
            node["nullable"] = True
            if len(rest) == 1:
                node.update(_nullable_base(rest[0]))
            else:
                node[key] = rest
    if isinstance(node.get("type"), list):
        types = [t for t in node["type"] if t != "null"]
        if len(types) < len(node["type"]):
            node["nullable"] = True
        node["type"] = types[0] if len(types) == 1 else types
        if isinstance(node["type"], list):
            node["anyOf"] = [{"type": t} for t in node.pop("type")]
    if "const" in node:
        node["enum"] = [node.pop("const")]
    if "examples" in node:
        examples = node.pop("examples")
        if examples:
            node["example"] = examples[0]
    for bound, plain in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(node.get(bound), int | float) and not isinstance(node[bound], bool):
            node[plain] = node.pop(bound)
            node[bound] = True
    if "$ref" in node and len(node) > 1:  # 3.0 ignores a $ref's siblings: wrap it
        node = {"allOf": [{"$ref": node.pop("$ref")}], **node}
    return node


def _nullable_base(option: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in option:
        return {"allOf": [option]}
    return option
