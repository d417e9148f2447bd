"""Every error becomes an RFC 9457 problem document; database rules map to 409/422."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable

import asyncpg
import structlog
from aiohttp import web
from aiohttp.web_protocol import RequestHandler
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from coordinator.platform.db import pg_error, sqlstate
from coordinator.platform.i18n import Text, negotiate
from coordinator.platform.problems import (
    BadRequest,
    Conflict,
    FieldError,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    Problem,
    ServerError,
    ServiceUnavailable,
    TooManyRequests,
    UnsupportedMediaType,
    ValidationFailed,
)
from coordinator.platform.references import RESOURCE_NAMES

log = structlog.get_logger("fumin.http")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# Paths that carry a capability token; never logged in clear.
_SECRET_PATH = re.compile(r"^/(v|me|cal|b|h|r|case-reports|dwelling-board)/[^/]+")


def problem_response(problem: Problem, request: web.Request) -> web.Response:
    lang = negotiate(request.headers.get("Accept-Language"), request.query.get("lang"))
    return web.Response(
        text=json.dumps(problem.body(lang), ensure_ascii=False),
        status=problem.status,
        content_type="application/problem+json",
        headers=problem.headers,
    )


def database_problem(exc: DBAPIError) -> Problem | None:
    """A problem for a database rule the request broke, or None if it is not the caller's."""
    code = sqlstate(exc) or ""
    err = pg_error(exc)
    constraint = getattr(err, "constraint_name", None) or ""
    table = getattr(err, "table_name", None) or ""
    detail = getattr(err, "detail", None) or ""
    if code == "23505":
        return _duplicate(constraint, table, detail)
    if code == "23503":
        # 'Key (area_id)=(…) is not present in table "areas".': the caller named a missing row.
        missing = re.match(r'Key \((\w+)\)=\(.*\) is not present in table "(\w+)"', detail)
        if missing:
            field, target = missing.groups()
            resource = RESOURCE_NAMES.get(target, Text(target, target))
            message = Text("引用的{zh}不存在", "the referenced {en} does not exist").format(
                zh=resource.zh, en=resource.en
            )
            return ValidationFailed(
                message, errors=[FieldError(field, message)], extra={"constraint": constraint}
            )
        return Conflict(
            Text("引用关系不成立", "A reference does not hold ({c})").format(c=constraint),
            extra={"constraint": constraint},
        )
    if code == "23P01":
        return Conflict(
            Text("与已有安排时间重叠", "Overlaps an existing booking ({c})").format(c=constraint),
            extra={"constraint": constraint},
        )
    if code in ("23514", "23502"):
        return ValidationFailed(
            Text("数据不符合规则", "The data breaks a rule ({c})").format(c=constraint),
            extra={"constraint": constraint} if constraint else None,
        )
    if code.startswith("22"):  # a value the database cannot take (out of range, bad text)
        return ValidationFailed(
            Text("有取值超出允许范围或格式不被接受", "A value is out of range or not accepted")
        )
    return None


# Connection states of PostgreSQL that say "try again soon", not "you asked wrongly".
_UNAVAILABLE_STATES = ("08", "53300", "57P01", "57P02", "57P03")
_UNAVAILABLE_ERRORS = (
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.TooManyConnectionsError,
    ConnectionError,
    TimeoutError,
    PoolTimeout,
    RedisConnectionError,
    RedisTimeoutError,
)


def unavailable(exc: BaseException) -> bool:
    """The database or Redis could not be reached or dropped the connection: the request
    may simply be sent again (nothing was committed, or the connection died before it)."""
    if isinstance(exc, DBAPIError):
        code = sqlstate(exc) or ""
        if exc.connection_invalidated or code.startswith(_UNAVAILABLE_STATES):
            return True
        return isinstance(exc.orig, _UNAVAILABLE_ERRORS) or isinstance(
            getattr(exc.orig, "__cause__", None), _UNAVAILABLE_ERRORS
        )
    return isinstance(exc, _UNAVAILABLE_ERRORS)


# Field names as messages call them; others are shown as they are spelled in the API.
_FIELD_LABELS: dict[str, Text] = {
    "credit_code": Text("统一社会信用代码", "credit code"),
    "name": Text("名称", "name"),
    "mobile": Text("手机号码", "mobile number"),
    "email": Text("电子邮件地址", "email address"),
}


def _duplicate(constraint: str, table: str, detail: str) -> Conflict:
    """409 naming the field(s) of a unique constraint `uq_<table>_<column>` that a row repeats."""
    # PostgreSQL's detail names every column of the key: 'Key (credit_code)=(…) already exists.'
    # (an expression index shows an expression there; then the constraint's name tells.)
    key = re.match(r"Key \((\w+(?:, \w+)*)\)=\(.*\) already exists", detail)
    if key:
        fields = [name.strip() for name in key.group(1).split(",")]
    elif table and constraint.startswith(f"uq_{table}_"):
        fields = [constraint.removeprefix(f"uq_{table}_")]
    else:
        return Conflict(
            Text("与已有记录重复", "Duplicates an existing record ({c})").format(c=constraint),
            extra={"constraint": constraint},
        )
    resource = RESOURCE_NAMES.get(table, Text(table, table))
    labels = [_FIELD_LABELS.get(f, Text(f, f)) for f in fields]
    label = Text("、".join(x.zh for x in labels), " and ".join(x.en for x in labels))
    message = Text(
        f"{label.zh}已被其他{resource.zh}使用，不能重复",
        f"the {label.en} is already taken by another entry in {resource.en}",
    )
    return Conflict(
        message,
        errors=[FieldError(field, message) for field in fields],
        extra={"constraint": constraint},
    )


@web.middleware
async def problems(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except Problem as problem:
        return problem_response(problem, request)
    except (IntegrityError, DBAPIError) as exc:
        mapped = database_problem(exc)
        if mapped is not None:
            return problem_response(mapped, request)
        if unavailable(exc):
            log.warning("database_unavailable", path=_safe_path(request), error=str(exc))
            return problem_response(ServiceUnavailable(), request)
        log.exception("database_error", path=_safe_path(request))
        return problem_response(ServerError(), request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return _refusal(request, exc)
    except Exception as exc:
        if unavailable(exc):
            log.warning("service_unavailable", path=_safe_path(request), error=repr(exc))
            return problem_response(ServiceUnavailable(), request)
        log.exception("unhandled_error", path=_safe_path(request))
        return problem_response(ServerError(), request)


# aiohttp's own refusals (no route, wrong method, body too large …) as problems.
_REFUSALS: dict[int, Problem] = {
    400: BadRequest(),
    404: NotFound(Text("没有这个地址", "No such path")),
    405: MethodNotAllowed(),
    413: PayloadTooLarge(),
    415: UnsupportedMediaType(),
    429: TooManyRequests(),
}


def _refusal_body(status: int, accept_language: str | None) -> str:
    problem = _REFUSALS.get(status) or (BadRequest() if status < 500 else ServerError())
    body = problem.body(negotiate(accept_language, None))
    body["status"] = status  # an unusual 4xx (431, 414 …) keeps its own code
    return json.dumps(body, ensure_ascii=False)


def _refusal(request: web.Request, exc: web.HTTPException) -> web.Response:
    headers = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
    return web.Response(
        text=_refusal_body(exc.status, request.headers.get("Accept-Language")),
        status=exc.status,
        content_type="application/problem+json",
        headers=headers,
    )


def _safe_path(request: web.Request) -> str:
    return _SECRET_PATH.sub(lambda m: f"/{m.group(1)}/***", request.path)


@web.middleware
async def access_log(request: web.Request, handler: Handler) -> web.StreamResponse:
    started = time.perf_counter()
    response = await handler(request)
    if request.app.get("access_log", True) is not False:
        log.debug(
            "request",
            method=request.method,
            path=_safe_path(request),
            status=response.status,
            ms=round((time.perf_counter() - started) * 1000, 1),
        )
    return response


# Requests aiohttp refuses before any handler runs (a request line or header too long, a
# malformed request) are answered by its protocol handler, as plain text and past every
# middleware. aiohttp has no hook for them, so its answer is rewritten here as a problem.
_plain_error = RequestHandler.handle_error


def _problem_error(
    self: RequestHandler,
    request: web.BaseRequest,
    status: int = 500,
    exc: BaseException | None = None,
    message: str | None = None,
) -> web.StreamResponse:
    response = _plain_error(self, request, status, exc, message)
    if not 400 <= status < 600 or response.content_type != "text/plain":
        return response
    answer = web.Response(
        text=_refusal_body(status, request.headers.get("Accept-Language")),
        status=status,
        content_type="application/problem+json",
    )
    answer.force_close()
    return answer


def answer_refusals_as_problems() -> None:
    """Make aiohttp's own refusals of malformed requests problem documents (idempotent)."""
    RequestHandler.handle_error = _problem_error  # type: ignore[method-assign]
