"""GeoReport's two formats. JSON as it is; XML by the Spark convention the specification
maps the two by (wiki.open311.org/JSON_and_XML_Conversion): a JSON list is a container
element holding one kind of child (services/service, attributes/attribute …), an object
its fields as elements in order, null an empty element, true/false as words.

The XML is written here rather than by a library, to escape exactly: &, < and > as
entities, a carriage return as &#13; (a parser would otherwise fold it into the line
feed), and characters XML 1.0 cannot carry at all (control characters, lone
surrogates) as U+FFFD."""

from __future__ import annotations

import json
import re
from typing import Any

XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'
JSON_TYPE = "application/json"
XML_TYPE = "text/xml"  # the specification's ("XML: Content-Type: text/xml; charset=utf-8")

# A list element's children, by the list's name (GeoReport v2 and its discovery file).
CHILDREN = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}
_NOT_IN_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


def escape(text: str) -> str:
    """Text as XML character data."""
    return _NOT_IN_XML.sub("\ufffd", text).translate(_ESCAPES)


def _scalar(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    return escape(str(value))


def _element(name: str, value: Any, out: list[str]) -> None:
    if value is None:
        out.append(f"<{name}></{name}>")
    elif isinstance(value, list):
        child = CHILDREN.get(name, "item")
        out.append(f"<{name}>")
        for item in value:
            _element(child, item, out)
        out.append(f"</{name}>")
    elif isinstance(value, dict):
        out.append(f"<{name}>")
        for key, item in value.items():
            _element(key, item, out)
        out.append(f"</{name}>")
    else:
        out.append(f"<{name}>{_scalar(value)}</{name}>")


def to_xml(value: Any, root: str) -> bytes:
    """The XML document of a JSON value, its root element named `root`."""
    out = [XML_DECLARATION, "\n"]
    _element(root, value, out)
    out.append("\n")
    return "".join(out).encode()


def to_json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def errors(pairs: list[tuple[int, str]]) -> list[dict[str, Any]]:
    """GeoReport's errors: [{code, description}], the code being the HTTP status."""
    return [{"code": code, "description": description} for code, description in pairs]
