"""The RFC 9457 problem document as the OpenAPI document describes it, and the error
answers every operation shares."""

from __future__ import annotations

from typing import Any

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

PROBLEM: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "description": (
        "RFC 9457 problem details, the body of every 4xx and 5xx answer "
        "(Content-Type application/problem+json), in the language of Accept-Language "
        "or ?lang=. Members not listed here are extensions and may be added."
    ),
    "properties": {
        "type": {
            "type": "string",
            "format": "uri",
            "description": "Identifies the kind of problem; stable, compare it rather than title",
            "examples": ["https://fumin.example/problems/validation-failed"],
        },
        "title": {
            "type": "string",
            "description": "Short summary of the kind of problem",
        },
        "status": {
            "type": "integer",
            "minimum": 400,
            "maximum": 599,
            "description": "Always the HTTP status code of the answer",
        },
        "detail": {
            "type": "string",
            "description": "What went wrong with this request",
        },
        "errors": {
            "type": "array",
            "description": "One entry per field that was refused (422, and 409 for duplicates)",
            "items": {"$ref": "#/components/schemas/FieldProblem"},
        },
        "current": {
            "type": "string",
            "description": "For a state conflict (409): the state the resource is in",
            "examples": ["cancelled"],
        },
        "allowed": {
            "type": "array",
            "items": {"type": "string"},
            "description": (
                "For a state conflict (409): the states the resource may move to from "
                "`current` (empty when none)"
            ),
            "examples": [[]],
        },
        "constraint": {
            "type": "string",
            "description": "The database rule a 409 or 422 broke, when one did",
        },
    },
    "required": ["type", "title", "status", "detail"],
    "additionalProperties": True,
}

FIELD_PROBLEM: dict[str, Any] = {
    "type": "object",
    "title": "FieldProblem",
    "properties": {
        "field": {
            "type": "string",
            "description": "Dotted path of the field (`body` for the whole body)",
        },
        "message": {"type": "string"},
    },
    "required": ["field", "message"],
}

STATUS_TEXT = {
    400: "Malformed request: unreadable JSON, a body not an object, a URL or header too long",
    401: "No token, or a token that is invalid or revoked",
    403: "The token's role may not do this",
    404: "Not found (also any id in the path that is not a UUID)",
    405: "Method not allowed on this path (the Allow header lists those that are)",
    409: "Conflict with the current state",
    413: "Request body too large",
    415: "Content-Type is not application/json",
    422: "Well-formed but invalid; `errors` names each field",
    503: "Temporarily unavailable (the database or Redis); try again after Retry-After",
}

_HEADERS: dict[int, dict[str, Any]] = {
    401: {
        "WWW-Authenticate": {
            "description": "The Bearer challenge",
            "schema": {"type": "string"},
        }
    },
    405: {
        "Allow": {
            "description": "The methods this path answers",
            "schema": {"type": "string"},
        }
    },
    503: {
        "Retry-After": {
            "description": "Seconds to wait before trying again",
            "schema": {"type": "integer"},
        }
    },
}


def problem_response(status: int) -> dict[str, Any]:
    """The response object for an error status, a problem document."""
    response: dict[str, Any] = {
        "description": STATUS_TEXT.get(status, "Error"),
        "content": {"application/problem+json": {"schema": PROBLEM_REF}},
    }
    if status in _HEADERS:
        response["headers"] = _HEADERS[status]
    return response
