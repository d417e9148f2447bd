"""Liveness, readiness and metrics."""

from __future__ import annotations

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import BaseModel

from coordinator.health import service
from coordinator.platform import keys
from coordinator.web.api import ApiRoutes, json_response

routes = ApiRoutes()


class Health(BaseModel):
    status: str
    checks: dict[str, str] = {}


@routes.route(
    "GET",
    "/healthz",
    summary="The process is alive",
    tags=("operations",),
    role=None,
    response=Health,
)
async def healthz(request: web.Request) -> web.Response:
    return json_response(Health(status="ok"))


@routes.route(
    "GET",
    "/readyz",
    summary="PostgreSQL and Redis answer",
    tags=("operations",),
    role=None,
    response=Health,
    errors=(503,),
)
async def readyz(request: web.Request) -> web.Response:
    checks = await service.readiness(request.app[keys.DATABASE], request.app[keys.ARQ])
    ok = all(v == "ok" for v in checks.values())
    return json_response(
        Health(status="ok" if ok else "unavailable", checks=checks), status=200 if ok else 503
    )


@routes.route(
    "GET",
    "/metrics",
    summary="Prometheus metrics",
    tags=("operations",),
    role=None,
    content_type="text/plain",
)
async def metrics(request: web.Request) -> web.Response:
    body = await service.metrics(request.app[keys.DATABASE], request.app[keys.ARQ])
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
