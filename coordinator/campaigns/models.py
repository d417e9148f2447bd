"""Visit campaigns (走访行动): their liaison pool and the plan's items."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Time,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from coordinator.platform.db import Base, IdMixin, TimestampMixin
from coordinator.registry.models import str_enum


class CampaignStatus(enum.StrEnum):
    draft = "draft"
    planning = "planning"
    planned = "planned"
    cancelled = "cancelled"  # planning stopped; the best plan found so far is kept
    failed = "failed"


class Campaign(IdMixin, TimestampMixin, Base):
    __tablename__ = "campaigns"

    name: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(500))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    weekdays: Mapped[list[int]] = mapped_column(ARRAY(SmallInteger))  # ISO: 1 = Monday
    windows: Mapped[list[dict[str, str]]] = mapped_column(JSONB)  # [{"start", "end"}] HH:MM
    visit_minutes: Mapped[int] = mapped_column(Integer)
    filters: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    company_windows: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    travel: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    time_limit_seconds: Mapped[int] = mapped_column(Integer, default=30)
    status: Mapped[CampaignStatus] = mapped_column(
        str_enum(CampaignStatus, "campaign_status"), default=CampaignStatus.draft
    )
    # Each POST .../plan starts a new run; a job writes only while its run is current.
    plan_run: Mapped[int] = mapped_column(Integer, default=0)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    progress: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    report: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    planned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CampaignLiaison(IdMixin, Base):
    """A person in the campaign's pool and when they can visit."""

    __tablename__ = "campaign_liaisons"
    __table_args__ = (UniqueConstraint("campaign_id", "person_id"),)

    campaign_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("people.id", ondelete="RESTRICT"), index=True
    )
    weekdays: Mapped[list[int]] = mapped_column(ARRAY(SmallInteger))
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    max_per_day: Mapped[int] = mapped_column(Integer)


class CampaignPlanItem(IdMixin, TimestampMixin, Base):
    """One planned visit; pinned items survive re-planning; visit_id once approved."""

    __tablename__ = "campaign_plan_items"
    __table_args__ = (
        UniqueConstraint("campaign_id", "company_id"),
        Index("ix_campaign_plan_items_liaison", "campaign_id", "liaison_id", "starts_at"),
    )

    campaign_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    company_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    liaison_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("people.id", ondelete="RESTRICT"), index=True
    )
    building_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("buildings.id", ondelete="SET NULL")
    )
    day: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    preferred_hit: Mapped[bool] = mapped_column(Boolean, default=False)
    visit_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("visits.id", ondelete="SET NULL"), unique=True
    )
