"""Case categories (事项类型) and their routing rules: what kind of problem a case is, how
fast it must be answered and resolved, and which departments lead and co-handle it where."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from coordinator.platform.db import Base, IdMixin, TimestampMixin
from coordinator.platform.i18n import Text

CATEGORY = Text("事项类型", "case category")
ROUTE = Text("派单规则", "routing rule")


class CaseCategory(IdMixin, TimestampMixin, Base):
    __tablename__ = "case_categories"
    __table_args__ = (
        CheckConstraint("response_hours > 0", name="response_positive"),
        CheckConstraint("resolution_days > 0", name="resolution_positive"),
        CheckConstraint("reply_days > 0", name="reply_positive"),
    )

    # The Open311 service_code, and what the API and reports name it by.
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(1000))
    # Open311's group: the family a category belongs to (e.g. 房屋租赁, 市容环境).
    group: Mapped[str | None] = mapped_column(String(100))
    keywords: Mapped[str | None] = mapped_column(String(300))
    # Working hours to accept (受理), working days to resolve (办结), before urgency.
    response_hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    resolution_days: Mapped[int] = mapped_column(Integer)
    # Factors by urgency applied to both deadlines, e.g. {"urgent": 0.25, "low": 2};
    # none: the subdistrict's defaults.
    urgency_factors: Mapped[dict[str, float] | None] = mapped_column(JSONB)
    # Who hears of an overdue task, and when: [{"after_hours": 0, "to": "department_lead"},
    # {"after_hours": 8, "to": "coordinators"}], counted in working hours past the due time.
    escalation: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )
    photo_required: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    # Days the reporter has to answer the follow-up (回访) before the case closes itself.
    reply_days: Mapped[int] = mapped_column(Integer, default=3, server_default=text("3"))
    # Open311 attributes (service definition): [{"code", "datatype", "required", ...}].
    attributes: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )
    # Listed to the public (Open311 services.json) and accepted from it.
    public: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))


class CaseRoute(IdMixin, TimestampMixin, Base):
    """Category × place → lead and co-handling departments. The most specific rule wins: a
    building's, else its area's, else the category's own (no place)."""

    __tablename__ = "case_routes"
    __table_args__ = (
        UniqueConstraint(
            "category_id",
            "area_id",
            "building_id",
            name="uq_case_routes_place",
            postgresql_nulls_not_distinct=True,
        ),
        CheckConstraint("area_id IS NULL OR building_id IS NULL", name="one_place"),
    )

    category_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case_categories.id", ondelete="CASCADE"), index=True
    )
    area_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("areas.id", ondelete="CASCADE"), index=True
    )
    building_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("buildings.id", ondelete="CASCADE"), index=True
    )
    lead_department_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("departments.id", ondelete="RESTRICT"), index=True
    )


class CaseRouteHelper(IdMixin, Base):
    """A co-handling department of a routing rule."""

    __tablename__ = "case_route_helpers"
    __table_args__ = (UniqueConstraint("route_id", "department_id"),)

    route_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_routes.id", ondelete="CASCADE"))
    department_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("departments.id", ondelete="RESTRICT"), index=True
    )
