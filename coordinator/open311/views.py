"""GeoReport v2 at /open311/v2: every resource in JSON and in XML (the path's suffix
says which), no token needed to read; posting a request takes an Open311 `api_key`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web
from pydantic import BaseModel

from coordinator.open311 import docs, filing, service
from coordinator.open311.params import requests_query
from coordinator.open311.reading import read_requests
from coordinator.open311.schemas import (
    Discovery,
    PostedRequestList,
    ServiceDefinition,
    ServiceList,
    ServiceRequestList,
    TokenAnswerList,
)
from coordinator.open311.web import (
    REQUEST_TABLES,
    SERVICE_TABLES,
    Answer,
    GeoReportRoutes,
    handler,
    read_form,
)
from coordinator.platform import keys
from coordinator.platform.db import utcnow
from coordinator.platform.i18n import Lang, Text
from coordinator.platform.json_sql import JsonBody
from coordinator.platform.problems import NotFound

routes = GeoReportRoutes()
TAGS = ("open311",)
BASE = "/open311/v2"
NO_REQUEST = Text("没有编号为「{n}」的公开案件", "There is no public request numbered {n}")
STRING = {"type": "string"}


def georeport(
    method: str,
    path: str,
    *,
    name: str,
    summary: str,
    root: str,
    model: type[BaseModel],
    errors: tuple[int, ...] = (),
    parameters: tuple[dict[str, Any], ...] = (),
    kept: tuple[str, ...] = (),
    form: bool = False,
) -> Callable[[Answer], Answer]:
    """Declare one GeoReport resource twice, as `path`.json and `path`.xml."""

    def declare(answer: Answer) -> Answer:
        for fmt in ("json", "xml"):
            serve = handler(answer, fmt, root, kept=kept if method == "GET" else ())
            serve.__name__ = f"{name}_{fmt}"
            serve.__doc__ = answer.__doc__
            success = {"$ref": f"#/components/schemas/{model.__name__}"}
            routes.route(
                method,
                f"{path}.{fmt}",
                summary=f"{summary} ({fmt.upper()})",
                tags=TAGS,
                role=None,
                response=model,
                path_params={p: STRING for p in ("service_code", "service_request_id", "token")},
                spec=docs.spec(
                    fmt, success=success, errors=errors, parameters=list(parameters), form=form
                ),
            )(serve)
        return answer

    return declare


@georeport(
    "GET",
    f"{BASE}/discovery",
    name="open311_discovery",
    summary="Open311 service discovery",
    root="discovery",
    model=Discovery,
    kept=SERVICE_TABLES,
)
async def discovery(request: web.Request, lang: Lang) -> Any:
    """The endpoint, its formats, and when its services last changed."""
    async with request.app[keys.DATABASE].session() as session:
        return await service.discovery(
            session=session, settings=request.app[keys.SETTINGS], lang=lang
        )


@georeport(
    "GET",
    f"{BASE}/services",
    name="open311_services",
    summary="GeoReport services: the public case categories",
    root="services",
    model=ServiceList,
    kept=SERVICE_TABLES,
)
async def services(request: web.Request, lang: Lang) -> Any:
    """Every public, active case category: service_code is its code, metadata true when
    it has attributes (read its service definition), type always realtime."""
    async with request.app[keys.DATABASE].session() as session:
        return await service.list_services(session=session, lang=lang)


@georeport(
    "GET",
    f"{BASE}/services/{{service_code}}",
    name="open311_service_definition",
    summary="GeoReport service definition: a category's attributes",
    root="service_definition",
    model=ServiceDefinition,
    errors=(404,),
    kept=SERVICE_TABLES,
)
async def service_definition(request: web.Request, lang: Lang) -> Any:
    """The attributes a request of this service may (or must) answer, in order."""
    code = request.match_info["service_code"]
    async with request.app[keys.DATABASE].session() as session:
        return await service.service_definition(session=session, code=code, lang=lang)


@georeport(
    "GET",
    f"{BASE}/requests",
    name="open311_requests",
    summary="GeoReport requests: the cases of public categories",
    root="service_requests",
    model=ServiceRequestList,
    parameters=tuple(docs.REQUESTS_QUERY),
    kept=REQUEST_TABLES,
)
async def list_requests(request: web.Request, lang: Lang) -> JsonBody:
    """Newest requested first: by default those of the last 90 days, 1000 at most
    (`page_size` and `page` page on). status is open (new, accepted, in progress,
    reopened) or closed (resolved, closed, rejected, merged); `extensions=true` adds the
    detailed state."""
    settings = request.app[keys.SETTINGS]
    query = requests_query(_query(request), now=utcnow(), zone=settings.zone)
    return await read_requests(request.app[keys.DATABASE], query, lang)


@georeport(
    "POST",
    f"{BASE}/requests",
    name="open311_post_request",
    summary="GeoReport: post a service request (files a case)",
    root="service_requests",
    model=PostedRequestList,
    errors=(403, 404),
    form=True,
)
async def post_request(request: web.Request, lang: Lang) -> Any:
    """Files a case (source open311) through the cases' filing, routed and on the clock,
    by the Open311 key given as `api_key` (in the form, or the query). A location is
    required: lat and long, address_string, or address_id (a building's id). Answers
    the case number at once (every service is realtime)."""
    form = await read_form(request)
    given = form.get("api_key") or request.query.getall("api_key", [])
    api_key = given[-1] if given else None
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        return await filing.post_request(
            session=session,
            settings=request.app[keys.SETTINGS],
            form=form,
            api_key=api_key,
            lang=lang,
        )


@georeport(
    "GET",
    f"{BASE}/requests/{{service_request_id}}",
    name="open311_request",
    summary="GeoReport request: one case by its number",
    root="service_requests",
    model=ServiceRequestList,
    errors=(404,),
    parameters=(docs.REQUESTS_QUERY[-1],),
    kept=REQUEST_TABLES,
)
async def read_request(request: web.Request, lang: Lang) -> JsonBody:
    """The case numbered service_request_id, if its category is public."""
    number = request.match_info["service_request_id"]
    settings = request.app[keys.SETTINGS]
    if not number.isdigit() or len(number) > 18:
        raise NotFound(NO_REQUEST.format(n=number[:40]))
    given = {"service_request_id": [number], "extensions": request.query.getall("extensions", [])}
    query = requests_query(given, now=utcnow(), zone=settings.zone)
    found = await read_requests(request.app[keys.DATABASE], query, lang)
    if found == b"[]":
        raise NotFound(NO_REQUEST.format(n=number))
    return found


@georeport(
    "GET",
    f"{BASE}/tokens/{{token}}",
    name="open311_token",
    summary="GeoReport token: the service_request_id of a token",
    root="service_requests",
    model=TokenAnswerList,
    errors=(404,),
    kept=REQUEST_TABLES,
)
async def token(request: web.Request, lang: Lang) -> Any:
    """Every service is realtime (a POST answers the service_request_id); the token kept
    with a request filed here (extended_attributes.token) resolves too."""
    async with request.app[keys.DATABASE].session() as session:
        return await service.request_of_token(session=session, token=request.match_info["token"])


def _query(request: web.Request) -> dict[str, list[str]]:
    return {name: request.query.getall(name) for name in request.query.keys()}
