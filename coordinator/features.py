"""The features of Fumin, and what each contributes to the whole: the modules that declare
its API and page routes, its notification rules, its cron jobs and its calendar feed
sources. The app reads the routes, the workers the rules and the cron jobs; the calendars
are given the feed sources. A new feature is one more entry here (ARCHITECTURE.md).

Routes are named by module, not imported: the workers read this list too, and must not
load the HTTP side."""

from __future__ import annotations

from dataclasses import dataclass

from arq.cron import CronJob

from coordinator.calendars.models import Source
from coordinator.cases import notify as case_notify
from coordinator.cases.clock import jobs as case_clock_jobs
from coordinator.cases.feeds import CASE_TASKS
from coordinator.housing.rounds import jobs as round_jobs
from coordinator.housing.rounds import notify as round_notify
from coordinator.housing.rounds.feeds import ROUNDS
from coordinator.housing.rules import notify as housing_rules
from coordinator.housing.surveys import notify as survey_notify
from coordinator.notifications.rules import Rule, Rules
from coordinator.notifications.rules import rule_book as gather
from coordinator.people import notify as people_notify
from coordinator.shifts import jobs as shift_jobs
from coordinator.shifts import notify as shift_notify
from coordinator.shifts.feeds import SHIFTS
from coordinator.visits import jobs as visit_jobs
from coordinator.visits import notify as visit_notify
from coordinator.visits.feeds import VISITS


@dataclass(frozen=True)
class Feature:
    name: str
    # Modules with a `routes = ApiRoutes()`, in the order the API docs list them.
    views: tuple[str, ...] = ()
    # Who hears of the feature's events (its notify.py).
    rules: Rules | None = None
    # What the workers run on a schedule (its jobs.py).
    cron_jobs: tuple[CronJob, ...] = ()
    # What it puts in calendar feeds (its feeds.py), in the order a feed lists them.
    feeds: tuple[Source, ...] = ()


FEATURES: tuple[Feature, ...] = (
    Feature(
        "registry",
        views=(
            "coordinator.registry.areas.views",
            "coordinator.registry.buildings.views",
            "coordinator.registry.branches.views",
            "coordinator.registry.companies.views",
            "coordinator.registry.contacts.views",
        ),
    ),
    Feature("people", views=("coordinator.people.views",), rules=people_notify.rules),
    Feature(
        "visits",
        views=(
            "coordinator.visits.liaisons.views",
            "coordinator.visits.views",
            "coordinator.visits.needs.views",
            "coordinator.visits.reports.views",
            "coordinator.visits.contact.pages",
        ),
        rules=visit_notify.rules,
        cron_jobs=tuple(visit_jobs.CRON_JOBS),
        feeds=(VISITS,),
    ),
    Feature("campaigns", views=("coordinator.campaigns.views",)),
    Feature("worktime", views=("coordinator.worktime.views",)),
    Feature(
        "cases",
        views=(
            "coordinator.cases.views",
            "coordinator.cases.tasks.views",
            "coordinator.cases.followup.views",
            "coordinator.cases.merging.views",
            "coordinator.cases.notes.views",
            "coordinator.cases.clock.views",
            "coordinator.cases.handler.views",
            "coordinator.cases.handler.pages",
            "coordinator.cases.followup.pages",
        ),
        rules=case_notify.rules,
        cron_jobs=tuple(case_clock_jobs.CRON_JOBS),
        feeds=(CASE_TASKS,),
    ),
    Feature("departments", views=("coordinator.departments.views",)),
    Feature(
        "housing-places",
        views=(
            "coordinator.housing.places.views",
            "coordinator.housing.blocks.views",
            "coordinator.housing.dwellings.views",
        ),
        rules=housing_rules.rules,
    ),
    Feature("case categories", views=("coordinator.cases.categories.views",)),
    Feature(
        "shifts",
        views=(
            "coordinator.shifts.posts.views",
            "coordinator.shifts.views",
            "coordinator.shifts.series.views",
            "coordinator.shifts.signups.views",
            "coordinator.shifts.duty.views",
            "coordinator.shifts.me.views",
            "coordinator.shifts.me.pages",
        ),
        rules=shift_notify.rules,
        cron_jobs=tuple(shift_jobs.CRON_JOBS),
        feeds=(SHIFTS,),
    ),
    Feature(
        "housing-rounds",
        views=("coordinator.housing.rounds.views", "coordinator.housing.rounds.pages"),
        rules=round_notify.rules,
        cron_jobs=tuple(round_jobs.CRON_JOBS),
        feeds=(ROUNDS,),
    ),
    Feature("photos", views=("coordinator.photos.views",)),
    Feature(
        "housing-surveys",
        views=("coordinator.housing.surveys.views", "coordinator.housing.surveys.pages"),
        rules=survey_notify.rules,
    ),
    Feature(
        "case_reports",
        views=("coordinator.cases.reports.views", "coordinator.cases.reports.pages"),
    ),
    Feature(
        "housing-board",
        views=("coordinator.housing.board.views", "coordinator.housing.board.pages"),
    ),
    Feature("calendars", views=("coordinator.calendars.views", "coordinator.calendars.feed.views")),
    Feature(
        "open311",
        views=("coordinator.open311.views", "coordinator.open311.keys.views"),
    ),
    Feature("events", views=("coordinator.events.views",)),
    Feature("notifications", views=("coordinator.notifications.views",)),
    Feature("auth", views=("coordinator.auth.views",)),
    Feature("audit", views=("coordinator.audit.views",)),
    Feature("health", views=("coordinator.health.views",)),
)


def view_modules() -> list[str]:
    """Every module that declares routes, in the order the docs list them."""
    return [module for feature in FEATURES for module in feature.views]


def rule_book() -> dict[str, list[Rule]]:
    """Every feature's notification rules, by event type."""
    return gather(*(feature.rules for feature in FEATURES if feature.rules is not None))


def cron_jobs() -> list[CronJob]:
    """Every feature's cron jobs."""
    return [job for feature in FEATURES for job in feature.cron_jobs]


def feed_sources() -> list[Source]:
    """Every feature's part of a calendar feed, in the order a feed lists them."""
    return [source for feature in FEATURES for source in feature.feeds]
