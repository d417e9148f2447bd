"""Every declared API operation, with its path parameters filled in."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import func, select

from coordinator.app import route_tables
from coordinator.models import Base
from coordinator.web.api import Operation

_PARAM = re.compile(r"{(\w+)(?::[^}]*)?}")


def operations() -> list[Operation]:
    return [op for table in route_tables() for op in table.operations]


def concrete(path: str, value: str | None = None) -> str:
    """The path with every parameter replaced (by a fresh UUID unless value is given)."""
    return _PARAM.sub(lambda _: value if value is not None else str(uuid.uuid4()), path)


def op_id(op: Operation) -> str:
    return f"{op.method} {op.path}"


@pytest.fixture
def counts(database):  # type: ignore[no-untyped-def]
    """Rows in every table now, to show a refused request changed nothing."""

    async def count() -> dict[str, int]:
        async with database.session() as session:
            return {
                table.name: await session.scalar(select(func.count()).select_from(table)) or 0
                for table in Base.metadata.sorted_tables
            }

    return count
