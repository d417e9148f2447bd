"""Liveness and readiness."""

from __future__ import annotations

import asyncio

from aiohttp import web
from pydantic import BaseModel
from sqlalchemy import text

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
    checks: dict[str, str] = {}

    async def database() -> None:
        async with request.app[keys.DATABASE].session() as session:
            await session.execute(text("SELECT 1"))

    async def redis() -> None:
        await request.app[keys.ARQ].ping()

    for name, probe in (("postgresql", database), ("redis", redis)):
        try:
            await asyncio.wait_for(probe(), timeout=2)
            checks[name] = "ok"
        except Exception as exc:  # any failure means not ready
            checks[name] = f"error: {type(exc).__name__}"
    ok = all(v == "ok" for v in checks.values())
    return json_response(
        Health(status="ok" if ok else "unavailable", checks=checks), status=200 if ok else 503
    )
