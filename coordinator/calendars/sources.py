"""Every feature's part of a calendar feed, in the order a feed lists them: the list the
feed service is given."""

from __future__ import annotations

from coordinator.calendars.models import Source
from coordinator.shifts.feeds import SHIFTS
from coordinator.visits.feeds import VISITS

SOURCES: list[Source] = [VISITS, SHIFTS]
