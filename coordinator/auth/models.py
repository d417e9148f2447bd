"""API tokens, stored only as hashes, and who a request acts for."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import DateTime, Enum, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from coordinator.platform.db import Base, IdMixin, TimestampMixin


class Role(enum.StrEnum):
    viewer = "viewer"
    coordinator = "coordinator"
    admin = "admin"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


_RANK = {Role.viewer: 0, Role.coordinator: 1, Role.admin: 2}


@dataclass(frozen=True)
class Principal:
    """Who is calling: a token's id, name and role."""

    token_id: uuid.UUID | None
    name: str
    role: Role


class ApiToken(IdMixin, TimestampMixin, Base):
    __tablename__ = "api_tokens"

    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[Role] = mapped_column(
        Enum(Role, name="role", native_enum=False, create_constraint=True, length=20)
    )
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
