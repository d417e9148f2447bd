"""HTTP for people and teams."""

from __future__ import annotations

from coordinator.http import ApiRoutes

routes = ApiRoutes()
