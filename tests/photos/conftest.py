"""Photo tests keep their photos in a data directory of their own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from coordinator.platform.settings import Settings, load_settings
from tests.conftest import Servers


def photo_settings(servers: Servers, data_dir: Path, **overrides: Any) -> Settings:
    return load_settings(
        FUMIN_ENV="test",
        DATABASE_URL=servers.database_url,
        REDIS_URL=servers.redis_url,
        FUMIN_PUBLIC_URL="http://fumin.test",
        FUMIN_LOG_LEVEL="warning",
        FUMIN_DATA_DIR=str(data_dir),
        **overrides,
    )


@pytest.fixture
def settings(servers: Servers, tmp_path: Path) -> Settings:
    return photo_settings(servers, tmp_path / "var")


async def problem(response: Any, status: int) -> dict[str, Any]:
    """The problem document of a response, after checking its status and media type."""
    body = await response.text()
    assert response.status == status, body
    assert response.content_type == "application/problem+json"
    document: dict[str, Any] = await response.json(content_type="application/problem+json")
    assert document["status"] == status
    return document


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []
