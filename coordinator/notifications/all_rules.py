"""Imports every module that registers notification rules (`@rule`), so planning an
event sees them all whichever process runs it. Add a line per feature."""

from coordinator.notifications import rules as _team_rules  # noqa: F401
from coordinator.shifts import notify as _shifts  # noqa: F401
from coordinator.visits import notify as _visits  # noqa: F401
