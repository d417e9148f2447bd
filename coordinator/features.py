"""The features of Fumin, and what each contributes to the whole: the modules that declare
its API and page routes, its notification rules, its cron jobs and its calendar feed
sources. The app reads the routes, the workers the rules and the cron jobs; the calendars
are given the feed sources. A new feature is one more entry here (ARCHITECTURE.md).

Routes are named by module, not imported: the workers read this list too, and must not
load the HTTP side."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Feature:
    name: str
    # Modules with a `routes = ApiRoutes()`, in the order the API docs list them.
    views: tuple[str, ...] = ()


FEATURES: tuple[Feature, ...] = (
    Feature("registry", views=("coordinator.registry.views",)),
    Feature("people", views=("coordinator.people.views",)),
    Feature("visits", views=("coordinator.visits.views", "coordinator.visits.pages")),
    Feature("campaigns", views=("coordinator.campaigns.views",)),
    Feature(
        "shifts",
        views=(
            "coordinator.shifts.views",
            "coordinator.shifts.signup_views",
            "coordinator.shifts.pages",
        ),
    ),
    Feature("calendars", views=("coordinator.calendars.views",)),
    Feature("events", views=("coordinator.events.views",)),
    Feature("notifications", views=("coordinator.notifications.views",)),
    Feature("auth", views=("coordinator.auth.views",)),
    Feature("audit", views=("coordinator.audit.views",)),
    Feature("health", views=("coordinator.health.views",)),
)


def view_modules() -> list[str]:
    """Every module that declares routes, in the order the docs list them."""
    return [module for feature in FEATURES for module in feature.views]
