"""Sending walk list results as the page does: JSON, the page's CSRF token in a header."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from tests.housing.surveys.conftest import Estate


async def csrf_of(client: Any, estate: Estate) -> str:
    response = await client.get(estate.walk)
    assert response.status == 200
    found = re.search(r'data-csrf="([0-9a-f]+)"', await response.text())
    assert found
    return found.group(1)


def result(
    campaign: dict[str, Any], dwelling_id: uuid.UUID, code: str, **extra: Any
) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "campaign_id": campaign["id"],
        "dwelling_id": str(dwelling_id),
        "code": code,
        "base_version": 1,
        "recorded_at": datetime.now(UTC).isoformat(),
        **extra,
    }


async def send(
    client: Any, estate: Estate, csrf: str, body: dict[str, Any], status: int = 201
) -> dict[str, Any]:
    response = await client.post(
        f"{estate.walk}/results", json=body, headers={"X-CSRF-Token": csrf}
    )
    text = await response.text()
    assert response.status == status, text
    answer: dict[str, Any] = await response.json(content_type=None)
    return answer
