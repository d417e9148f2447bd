"""Request and response shapes of designated liaisons."""

from __future__ import annotations

import uuid

from pydantic import Field

from coordinator.visits.schemas import Out
from coordinator.web.validation import Body


class LiaisonIn(Body):
    person_id: uuid.UUID


class LiaisonOut(Out):
    company_id: uuid.UUID
    liaison_id: uuid.UUID | None
    previous_liaison_id: uuid.UUID | None
    team_id: uuid.UUID | None


class BulkLiaisonIn(Body):
    """Assign one liaison to every company of a building or of a party branch."""

    person_id: uuid.UUID
    building_id: uuid.UUID | None = None
    party_branch_id: uuid.UUID | None = None


class BulkLiaisonOut(Out):
    liaison_id: uuid.UUID
    assigned: int = Field(description="companies whose liaison changed")
    unchanged: int
