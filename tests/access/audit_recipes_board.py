"""Recipes for the writes of the dwelling board's legend (see tests/access/audit_recipes.py)."""

from __future__ import annotations

from coordinator.housing.board.colours import LEGEND_ID
from coordinator.housing.models import DwellingState
from tests.access.audit_scene import Call, Scene, recipe


@recipe("PUT /api/v1/dwelling-colours")
async def put_colours(s: Scene) -> Call:
    items = [{"state": state.value, "colour": "#9e9e9e"} for state in DwellingState]
    return Call(
        "PUT",
        "/api/v1/dwelling-colours",
        "update",
        "dwelling_state_colours",
        str(LEGEND_ID),
        {"items": items},
    )
