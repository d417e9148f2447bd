"""The query and answer of every list (ListQuery, Page); each list is declared once as a
coordinator.platform.listing Listing, whose page PostgreSQL renders."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

from coordinator.web.validation import Query

T = TypeVar("T")


class ListQuery(Query):
    """Parameters every list takes."""

    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=500)
    sort: str | None = Field(default=None, max_length=50)
    q: str | None = Field(default=None, max_length=100, description="text search on names")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None
    total: int
