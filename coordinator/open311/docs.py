"""What the OpenAPI document says of GeoReport's operations beyond what a declaration
gives: the spec's own error format instead of problem documents, the XML twin of every
answer, the form a request is posted as, and the query parameters, each as the
specification words it."""

from __future__ import annotations

from typing import Any

from coordinator.open311.formats import JSON_TYPE, XML_TYPE

ERRORS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "description": "GeoReport v2 errors (not RFC 9457: Open311 clients parse this format)",
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {
            "code": {"type": "integer", "description": "The HTTP status"},
            "description": {"type": "string", "description": "What went wrong, for the user"},
        },
    },
}
XML_SCHEMA = {"type": "string", "description": "The same document as XML (Spark convention)"}
STATUS_TEXT = {
    400: "Invalid request (GeoReport: any request that cannot be fulfilled as asked)",
    403: "Missing, unknown or revoked api_key",
    404: "No such service, request or token",
    503: "The database cannot be reached; try again",
}


def _content(fmt: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {JSON_TYPE: {"schema": schema}} if fmt == "json" else {XML_TYPE: {"schema": XML_SCHEMA}}


def _query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or {"type": "string"},
    }


JURISDICTION = _query("jurisdiction_id", "Accepted and ignored: this endpoint serves one")
LANG = _query(
    "lang", "zh (default) or en: names, notes and errors in English", {"enum": ["zh", "en"]}
)
REQUESTS_QUERY = [
    _query(
        "service_request_id",
        "Comma-delimited case numbers; overrides every other argument",
        {"type": "string", "pattern": "^[0-9, ]*$"},
    ),
    _query("service_code", "Comma-delimited service codes (default: all)"),
    _query(
        "start_date",
        "Earliest requested_datetime (W3C, e.g. 2010-01-01T00:00:00Z); default: 90 days "
        "before end_date, or before now",
        {"type": "string", "format": "date-time"},
    ),
    _query(
        "end_date",
        "Latest requested_datetime; default: 90 days after start_date, or now. At most 90 "
        "days after start_date",
        {"type": "string", "format": "date-time"},
    ),
    _query(
        "status",
        "open, closed, or both comma-delimited (default: both)",
        {"type": "string", "pattern": "^((open|closed)(,(open|closed))*)?$"},
    ),
    _query(
        "page_size",
        "Pagination extension: requests per page, 1–1000 (default 1000)",
        {"type": "integer", "minimum": 1, "maximum": 1000},
    ),
    _query(
        "page",
        "Pagination extension: the page, from 1",
        {"type": "integer", "minimum": 1, "maximum": 100000},
    ),
    _query(
        "extensions",
        "true: add extended_attributes (the detailed state, urgency, source, token)",
        {"type": "boolean"},
    ),
]

FORM: dict[str, Any] = {
    "type": "object",
    "required": ["api_key", "service_code"],
    "description": "Also attribute[code]=value for the service's attributes "
    "(attribute[code][]=… repeated for a multivaluelist). A location is required: lat and "
    "long, address_string, or address_id (a building's id).",
    "properties": {
        "api_key": {"type": "string", "description": "An Open311 key (POST /api/v1/open311-keys)"},
        "jurisdiction_id": {"type": "string"},
        "service_code": {"type": "string", "maxLength": 50},
        "lat": {"type": "number", "minimum": -90, "maximum": 90},
        "long": {"type": "number", "minimum": -180, "maximum": 180},
        "address_string": {"type": "string", "maxLength": 300},
        "address_id": {"type": "string", "format": "uuid"},
        "email": {"type": "string", "maxLength": 254},
        "device_id": {"type": "string", "maxLength": 100},
        "account_id": {"type": "string", "maxLength": 100},
        "first_name": {"type": "string", "maxLength": 50},
        "last_name": {"type": "string", "maxLength": 50},
        "phone": {"type": "string", "maxLength": 20},
        "description": {"type": "string", "maxLength": 4000},
        "media_url": {"type": "string", "maxLength": 2000},
    },
    "additionalProperties": {"type": "string"},
}


def spec(
    fmt: str,
    *,
    success: dict[str, Any],
    errors: tuple[int, ...],
    parameters: list[dict[str, Any]],
    form: bool = False,
) -> dict[str, Any]:
    """The OpenAPI members of one GeoReport operation in one format."""
    responses: dict[str, Any] = {
        "200": {"description": "OK", "content": _content(fmt, success)},
    }
    for status in sorted({400, 503, *errors}):
        responses[str(status)] = {
            "description": STATUS_TEXT[status],
            "content": _content(fmt, ERRORS_SCHEMA),
        }
    members: dict[str, Any] = {
        "responses": responses,
        "parameters": [JURISDICTION, LANG, *parameters],
    }
    if form:
        members["requestBody"] = {
            "required": True,
            "content": {"application/x-www-form-urlencoded": {"schema": FORM}},
        }
    return members
