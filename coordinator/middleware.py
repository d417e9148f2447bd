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
    FieldError,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    Problem,
    ServerError,
    ValidationFailed,
)
from coordinator.references import RESOURCE_NAMES

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
            Text("与已有记录重复（{c}）", "Duplicates an existing record ({c})").format(
                c=constraint
            ),
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
