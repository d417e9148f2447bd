"""The HTTP side of GeoReport: an answer in the format the path names (`.json` or `.xml`),
errors in the specification's format ([{code, description}], <errors><error>) with the
status it asks for (404 what does not exist, 403 a bad api_key, 400 anything else),
kept answers of GET, and the routes every other path and method under /open311 falls to.

Errors here are deliberately not RFC 9457 problem documents, as they are under /api/v1:
Open311 clients parse the specification's format (README, the OpenAPI description)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from aiohttp import web
from sqlalchemy.exc import DBAPIError

from coordinator.open311.formats import JSON_TYPE, XML_TYPE, errors, to_json, to_xml
from coordinator.platform import keys
from coordinator.platform.changes import CHANGES, Memo
from coordinator.platform.i18n import Lang, Text, negotiate
from coordinator.platform.problems import (
    BadRequest,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    Problem,
    ServiceUnavailable,
)
from coordinator.web.api import ApiRoutes
from coordinator.web.middleware import database_problem, unavailable

log = structlog.get_logger("fumin.open311")
Answer = Callable[[web.Request, Lang], Awaitable[Any]]
# Tables the answers of GET are made of: kept while none of them changes, and (the
# requests window moves with the clock) for at most KEPT_SECONDS.
REQUEST_TABLES = ("cases", "case_categories", "departments", "buildings", "open311_requests")
SERVICE_TABLES = ("case_categories",)
KEPT_SECONDS = 60.0
KEPT_ANSWERS = 512
MEMOS: web.AppKey[dict[tuple[str, ...], Memo[tuple[bytes, str]]]] = web.AppKey(
    "open311_memos", dict
)
NO_PATH = Text("没有这个地址", "No such path")


FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
NOT_A_FORM = Text(
    "请以网页表单格式提交",
    "Post a form (Content-Type: application/x-www-form-urlencoded)",
)
NOT_TEXT = Text(
    "表单只收文本字段；图片请给出「media_url」", "Only text fields; link media by media_url"
)


async def read_form(request: web.Request) -> dict[str, list[str]]:
    """A posted form's fields (each name's values in order), text only, within the app's
    body limit."""
    if request.content_type not in FORMS:
        raise BadRequest(NOT_A_FORM)
    try:
        posted = await request.post()
    except web.HTTPRequestEntityTooLarge:
        raise PayloadTooLarge() from None
    except (ValueError, UnicodeDecodeError, AssertionError):
        raise BadRequest(NOT_A_FORM) from None
    fields: dict[str, list[str]] = {}
    for name, value in posted.items():
        if not isinstance(value, str):
            raise BadRequest(NOT_TEXT)
        fields.setdefault(name, []).append(value)
    return fields


def format_of(path: str) -> str:
    return "xml" if path.endswith(".xml") else "json"


def language(request: web.Request) -> Lang:
    return negotiate(request.headers.get("Accept-Language"), request.query.get("lang"))


def status_of(problem: Problem) -> int:
    """GeoReport's status for a problem: 403 for keys, 404 and 405 as they are, a server's
    own failure as it is, 400 for every other refusal."""
    if problem.status in (401, 403):
        return 403
    if problem.status in (404, 405) or problem.status >= 500:
        return problem.status
    return 400


def descriptions(problem: Problem, lang: Lang) -> list[str]:
    """One description per field at fault (naming it), else the problem's own."""
    if problem.errors:
        return [f"{e.field}: {e.message.render(lang)}" for e in problem.errors]
    return [problem.detail.render(lang)]


def body(value: Any, fmt: str, root: str) -> tuple[bytes, str]:
    """A value as the document of `fmt`: JSON as written (PostgreSQL's, for requests), or
    the same as XML."""
    if fmt == "json":
        return (value if isinstance(value, bytes) else to_json(value)), JSON_TYPE
    parsed = json.loads(value) if isinstance(value, bytes) else value
    return to_xml(parsed, root), XML_TYPE


def respond(payload: bytes, content_type: str, status: int = 200, **kwargs: Any) -> web.Response:
    return web.Response(
        body=payload, status=status, content_type=content_type, charset="utf-8", **kwargs
    )


def error_response(problem: Problem, fmt: str, lang: Lang) -> web.Response:
    status = status_of(problem)
    pairs = [(status, text) for text in descriptions(problem, lang)]
    payload, content_type = body(errors(pairs), fmt, "errors")
    headers = {k: v for k, v in problem.headers.items() if k in ("Allow", "Retry-After")}
    return respond(payload, content_type, status, headers=headers)


def _failure(exc: Exception) -> Problem | None:
    """The problem a database error is (a rule the request broke, or the database out of
    reach), None for a fault of ours."""
    if isinstance(exc, DBAPIError) and (mapped := database_problem(exc)) is not None:
        return mapped
    return ServiceUnavailable() if unavailable(exc) else None


def handler(
    answer: Answer, fmt: str, root: str, *, kept: tuple[str, ...] = ()
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """The aiohttp handler answering `answer`'s value in `fmt` under `root`; a GET of
    `kept` tables answered from memory while they are unchanged."""

    async def serve(request: web.Request) -> web.StreamResponse:
        lang = language(request)
        memo = request.app[MEMOS].get(kept) if kept else None
        key = (fmt, lang, request.rel_url.path_qs)
        if memo is not None and "no-cache" not in request.headers.get("Cache-Control", ""):
            if (hit := memo.get(key)) is not None:
                return respond(*hit)
        stamp = memo.stamp() if memo is not None else None
        try:
            value = await answer(request, lang)
        except Problem as problem:
            return error_response(problem, fmt, lang)
        except Exception as exc:
            if (failure := _failure(exc)) is None:
                raise
            log.warning("open311_refused", path=request.path, error=repr(exc)[:300])
            return error_response(failure, fmt, lang)
        if isinstance(value, web.StreamResponse):
            return value
        payload = body(value, fmt, root)
        if memo is not None:
            memo.put(key, payload, stamp, KEPT_SECONDS)
        return respond(*payload)

    return serve


def _pattern(path: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\{\w+\\}", "[^/]+", re.escape(path)) + "$")


class GeoReportRoutes(ApiRoutes):
    """Declared operations, plus the fallback of /open311: another method on a GeoReport
    path is 405 (with Allow), any other path 404, both in GeoReport's error format."""

    def add_to(self, app: web.Application) -> None:
        super().add_to(app)
        clock = app.get(keys.CLOCK, time.monotonic)
        memos = app.setdefault(MEMOS, {})
        for tables in (REQUEST_TABLES, SERVICE_TABLES):
            memos.setdefault(tables, Memo(app[CHANGES], tables, size=KEPT_ANSWERS, clock=clock))
        patterns = [(_pattern(op.path), op.method) for op in self.operations]

        async def fallback(request: web.Request) -> web.Response:
            allowed = sorted({m for p, m in patterns if p.match(request.path)})
            if allowed:
                problem: Problem = MethodNotAllowed(headers={"Allow": ", ".join(allowed)})
            else:
                problem = NotFound(NO_PATH)
            return error_response(problem, format_of(request.path), language(request))

        app.router.add_route("*", "/open311{tail:(/.*)?}", fallback)
