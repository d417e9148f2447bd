"""Declared API operations: one place for routing, roles, parsing and OpenAPI."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from pydantic import BaseModel

from coordinator.auth.models import Role
from coordinator.labels import label
from coordinator.platform import keys
from coordinator.platform.cache import Kept
from coordinator.platform.changes import CHANGES, Memo
from coordinator.platform.i18n import Lang, Text, negotiate
from coordinator.platform.json_sql import JsonBody
from coordinator.platform.problems import (
    Forbidden,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from coordinator.web.bearer import (
    PRINCIPAL,
    TOKEN_CACHE_SIZE,
    TOKENS,
    authenticated,
)
from coordinator.web.validation import parse_body, parse_query

Handler = Callable[..., Awaitable[web.StreamResponse]]
MAX_BODY = 256 * 1024


@dataclass
class Operation:
    """One API operation as the router and the OpenAPI document see it."""

    method: str
    path: str
    handler: Handler
    summary: str
    tags: tuple[str, ...]
    role: Role | None
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    description: str = ""
    errors: tuple[int, ...] = ()
    content_type: str = "application/json"
    kept: tuple[str, ...] = ()
    # Path parameters that are not ids: name -> JSON schema (a date, a year).
    path_params: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Other success statuses answered with the same body (a PUT that creates: 201).
    also: tuple[int, ...] = ()
    # OpenAPI members the declaration cannot say itself (a body the view reads on its
    # own, answers that are images): `requestBody` and other members replace the
    # generated ones, `responses` replace theirs by status, `parameters` are added.
    spec: dict[str, Any] = field(default_factory=dict)


# Answers of GET operations declared with `kept=(tables...)`: the body of a 200 per path
# and query string, kept while none of those tables has changed (coordinator.platform.changes) and
# for at most KEPT_SECONDS. The caller's token and role are still checked on every
# request; a request with `Cache-Control: no-cache` is answered afresh.
KEPT_SECONDS = 300.0
KEPT_ANSWERS = 512
KEPT: web.AppKey[dict[tuple[str, ...], Memo[bytes]]] = web.AppKey("kept_answers", dict)


@dataclass
class ApiRoutes:
    """Collects operations; `add_to(app)` registers them."""

    operations: list[Operation] = field(default_factory=list)

    def route(
        self,
        method: str,
        path: str,
        *,
        summary: str,
        tags: tuple[str, ...] = (),
        role: Role | None = Role.viewer,
        body: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        response: type[BaseModel] | None = None,
        status: int = 200,
        errors: tuple[int, ...] = (),
        content_type: str = "application/json",
        kept: tuple[str, ...] = (),
        path_params: dict[str, dict[str, Any]] | None = None,
        also: tuple[int, ...] = (),
        spec: dict[str, Any] | None = None,
    ) -> Callable[[Handler], Handler]:
        """Declare an operation; a GET whose answer is read from `kept` tables only may be
        answered from memory while they are unchanged."""
        assert not kept or method == "GET", "only answers to GET are kept"

        def decorate(fn: Handler) -> Handler:
            self.operations.append(
                Operation(
                    method=method,
                    path=path,
                    handler=_wrap(fn, role=role, body=body, query=query, kept=kept),
                    summary=summary,
                    tags=tags,
                    role=role,
                    body=body,
                    query=query,
                    response=response,
                    status=status,
                    description=(fn.__doc__ or "").strip(),
                    errors=errors,
                    content_type=content_type,
                    kept=kept,
                    path_params=path_params or {},
                    also=also,
                    spec=spec or {},
                )
            )
            return fn

        return decorate

    def add_to(self, app: web.Application) -> None:
        clock = app.get(keys.CLOCK, time.monotonic)
        app.setdefault(TOKENS, Kept(TOKEN_CACHE_SIZE, clock=clock))
        memos = app.setdefault(KEPT, {})
        for op in self.operations:
            if op.kept and op.kept not in memos:
                memos[op.kept] = Memo(app[CHANGES], op.kept, size=KEPT_ANSWERS, clock=clock)
            app.router.add_route(op.method, op.path, op.handler)


def _wrap(
    fn: Handler,
    *,
    role: Role | None,
    body: type[BaseModel] | None,
    query: type[BaseModel] | None,
    kept: tuple[str, ...] = (),
) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        if role is not None:
            principal = await authenticated(request)
            if not principal.role.allows(role):
                raise Forbidden(
                    Text("此操作需要{role}角色", "This needs the {role} role").format(
                        role=label(role)
                    )
                )
            request[PRINCIPAL] = principal
        if kept:
            return await _kept(request, kept, answer)
        return await answer(request)

    async def answer(request: web.Request) -> web.StreamResponse:
        kwargs: dict[str, Any] = {}
        if query is not None:
            kwargs["query"] = parse_query(query, _query_params(request, query))
        if body is not None:
            kwargs["body"] = parse_body(body, await read_body(request))
        return await fn(request, **kwargs)

    handler.__name__ = fn.__name__
    return handler


async def _kept(
    request: web.Request,
    tables: tuple[str, ...],
    answer: Callable[[web.Request], Awaitable[web.StreamResponse]],
) -> web.StreamResponse:
    """The kept answer to this path and query, else a fresh one (kept if it is a 200)."""
    memo = request.app[KEPT][tables]
    key = request.rel_url.path_qs
    fresh = "no-cache" in request.headers.get("Cache-Control", "")
    if not fresh and (body := memo.get(key)) is not None:
        return web.Response(body=body, content_type="application/json", charset="utf-8")
    stamp = memo.stamp()  # before reading: a change from now on makes the answer stale
    response = await answer(request)
    if (
        isinstance(response, web.Response)
        and response.status == 200
        and isinstance(response.body, bytes)
        and not response.headers.keys() - {"Content-Type", "Content-Length"}
    ):
        memo.put(key, response.body, stamp, KEPT_SECONDS)
    return response


def _query_params(request: web.Request, query: type[BaseModel]) -> dict[str, str]:
    """The query string, less `lang` (which picks the language of answers everywhere)."""
    params = dict(request.query)
    if "lang" not in query.model_fields:
        params.pop("lang", None)
    return params


async def read_body(request: web.Request) -> bytes:
    content_type = request.content_type
    if request.can_read_body and content_type not in (
        "application/json",
        "application/merge-patch+json",
    ):
        raise UnsupportedMediaType(
            Text(
                "请求头「Content-Type」应为「application/json」",
                "Content-Type must be application/json",
            )
        )
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise PayloadTooLarge()
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise PayloadTooLarge() from None
    if len(raw) > MAX_BODY:
        raise PayloadTooLarge()
    return raw


def lang(request: web.Request) -> Lang:
    return negotiate(request.headers.get("Accept-Language"), request.query.get("lang"))


def _default(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(type(value))


def json_response(
    data: BaseModel | dict[str, Any] | JsonBody,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> web.Response:
    if isinstance(data, JsonBody):  # encoded already (by PostgreSQL, for list pages)
        return web.Response(
            body=data,
            status=status,
            content_type="application/json",
            charset="utf-8",
            headers=headers,
        )
    if isinstance(data, BaseModel):
        text = data.model_dump_json()
    else:
        text = json.dumps(data, ensure_ascii=False, default=_default)
    return web.Response(text=text, status=status, content_type="application/json", headers=headers)


def csv_response(text: str, filename: str) -> web.Response:
    """CSV (coordinator.platform.csv_text) to be saved as `filename`."""
    return web.Response(
        text=text,
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def created(data: BaseModel, location: str) -> web.Response:
    return json_response(data, status=201, headers={"Location": location})


def path_id(request: web.Request, name: str = "id") -> uuid.UUID:
    """A UUID from the path; anything else is simply not found."""
    try:
        return uuid.UUID(request.match_info[name])
    except ValueError:
        raise NotFound(Text("资源不存在", "No such resource")) from None
