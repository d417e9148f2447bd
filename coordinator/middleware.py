"""Every error becomes an RFC 9457 problem document; database rules map to 409/422."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable

import structlog
from aiohttp import web
from sqlalchemy.exc import DBAPIError, IntegrityError

from coordinator.db import pg_error, sqlstate
from coordinator.i18n import Text, negotiate
from coordinator.problems import (
    BadRequest,
    Conflict,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    Problem,
    ServerError,
    ValidationFailed,
)

log = structlog.get_logger("fumin.http")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# Paths that carry a capability token; never logged in clear.
_SECRET_PATH = re.compile(r"^/(v|me|cal)/[^/]+")


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
    if code == "23505":
        return Conflict(
            Text("与已有记录重复（{c}）", "Duplicates an existing record ({c})").format(
                c=constraint
            ),
            extra={"constraint": constraint},
        )
    if code == "23503":
        return Conflict(
            Text("引用关系不成立（{c}）", "A reference does not hold ({c})").format(c=constraint),
            extra={"constraint": constraint},
        )
    if code == "23P01":
        return Conflict(
            Text("与已有安排时间重叠（{c}）", "Overlaps an existing booking ({c})").format(
                c=constraint
            ),
            extra={"constraint": constraint},
        )
    if code in ("23514", "23502") or code.startswith("22"):
        return ValidationFailed(
            Text("数据不符合规则（{c}）", "The data breaks a rule ({c})").format(
                c=constraint or code
            ),
            extra={"constraint": constraint} if constraint else None,
        )
    return None


@web.middleware
async def problems(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except Problem as problem:
        return problem_response(problem, request)
    except web.HTTPNotFound:
        return problem_response(NotFound(Text("没有这个地址", "No such path")), request)
    except web.HTTPMethodNotAllowed as exc:
        response = problem_response(MethodNotAllowed(), request)
        response.headers["Allow"] = ",".join(sorted(exc.allowed_methods))
        return response
    except web.HTTPRequestEntityTooLarge:
        return problem_response(PayloadTooLarge(), request)
    except web.HTTPBadRequest as exc:
        return problem_response(
            BadRequest(Text("请求格式有误", exc.text or "Bad request")), request
        )
    except (IntegrityError, DBAPIError) as exc:
        mapped = database_problem(exc)
        if mapped is None:
            log.exception("database_error", path=_safe_path(request))
            return problem_response(ServerError(), request)
        return problem_response(mapped, request)
    except web.HTTPException:
        raise
    except Exception:
        log.exception("unhandled_error", path=_safe_path(request))
        return problem_response(ServerError(), request)


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
