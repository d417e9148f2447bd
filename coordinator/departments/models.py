"""Departments and forces (部门/力量) that handle cases: the "1+4" of urban management,
city appearance, the housing office and the residential committee, and anyone else the
subdistrict works with. A department may be one of Fumin's teams."""

from __future__ import annotations

import enum
import uuid

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from coordinator.platform.db import Base, IdMixin, TimestampMixin
from coordinator.platform.i18n import Text
from coordinator.registry.models import str_enum

DEPARTMENT = Text("部门", "department")


class DepartmentKind(enum.StrEnum):
    urban_management = "urban_management"  # 城管
    city_appearance = "city_appearance"  # 市容
    housing_office = "housing_office"  # 房办
    residential_committee = "residential_committee"  # 居委会
    police = "police"  # 派出所
    market_supervision = "market_supervision"  # 市场监管
    property_manager = "property_manager"  # 物业
    other = "other"


class Department(IdMixin, TimestampMixin, Base):
    __tablename__ = "departments"

    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[DepartmentKind] = mapped_column(str_enum(DepartmentKind, "department_kind"))
    # The Fumin team that is this department, if any (its members hear of its tasks).
    team_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("teams.id", ondelete="RESTRICT"), unique=True
    )
    # The area a residential committee or property manager serves.
    area_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("areas.id", ondelete="RESTRICT"), index=True
    )
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    # Working periods of its days, e.g. "08:30-11:30,13:00-17:00"; none: the subdistrict's.
    work_hours: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))


class DepartmentMember(IdMixin, TimestampMixin, Base):
    __tablename__ = "department_members"
    __table_args__ = (
        UniqueConstraint("department_id", "person_id"),
        # One lead per department, at most.
        Index(
            "uq_department_members_one_lead",
            "department_id",
            unique=True,
            postgresql_where=text("is_lead"),
        ),
    )

    department_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE")
    )
    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("people.id", ondelete="RESTRICT"), index=True
    )
    is_lead: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
