"""Visits of a liaison to a company and their reminders; the words of the needs companies
raise (a need is a case filed from a visit: coordinator.cases)."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Computed,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column

from coordinator.platform.db import Base, IdMixin, TimestampMixin, utcnow
from coordinator.registry.models import str_enum


class VisitStatus(enum.StrEnum):
    proposed = "proposed"
    confirmed = "confirmed"
    declined = "declined"
    reschedule_requested = "reschedule_requested"
    cancelled = "cancelled"
    completed = "completed"
    no_show = "no_show"


class NeedCategory(enum.StrEnum):
    epidemic_supplies = "epidemic_supplies"  # 防疫物资
    policy = "policy"  # 政策咨询
    hiring = "hiring"  # 招工用工
    rent = "rent"  # 房租
    legal_help = "legal_help"  # 法律援助
    property_management = "property_management"  # 物业管理
    other = "other"


class NeedStatus(enum.StrEnum):
    open = "open"
    assigned = "assigned"
    resolved = "resolved"
    closed = "closed"


class Department(enum.StrEnum):
    """The "1+4" joint-operation departments."""

    urban_management = "urban_management"  # 城管
    city_appearance = "city_appearance"  # 市容
    housing_office = "housing_office"  # 房办
    residential_area = "residential_area"  # 居民区


class Visit(IdMixin, TimestampMixin, Base):
    __tablename__ = "visits"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("sequence >= 0", name="sequence_not_negative"),
        # A liaison never holds two overlapping proposed-or-confirmed visits.
        ExcludeConstraint(
            ("liaison_id", "="),
            (text("tstzrange(starts_at, ends_at)"), "&&"),
            name="ex_visits_liaison_overlap",
            using="gist",
            where=text("active"),
        ),
        Index("ix_visits_starts_at", "starts_at"),
        Index("ix_visits_liaison_starts", "liaison_id", "starts_at"),
        Index("ix_visits_company_starts", "company_id", "starts_at"),
        Index("ix_visits_status_starts", "status", "starts_at"),
    )

    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("companies.id", ondelete="RESTRICT"))
    contact_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("contacts.id", ondelete="RESTRICT"), index=True
    )
    liaison_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"))
    team_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    place: Mapped[str] = mapped_column(String(300))
    purpose: Mapped[str] = mapped_column(String(500))
    status: Mapped[VisitStatus] = mapped_column(
        str_enum(VisitStatus, "visit_status"), default=VisitStatus.proposed
    )
    active: Mapped[bool] = mapped_column(
        Boolean, Computed("status IN ('proposed', 'confirmed')", persisted=True)
    )
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    proposed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), default=utcnow
    )
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decline_reason: Mapped[str | None] = mapped_column(String(500))
    reschedule_windows: Mapped[list[dict[str, str]] | None] = mapped_column(JSONB)
    reschedule_note: Mapped[str | None] = mapped_column(String(500))
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    outcome_notes: Mapped[str | None] = mapped_column(Text)
    outcome_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class VisitReminder(IdMixin, Base):
    """One reminder or escalation step taken for a visit at one sequence: unique, so a
    repeated sweep sends nothing twice, and a moved visit (new sequence) starts afresh."""

    __tablename__ = "visit_reminders"
    __table_args__ = (
        UniqueConstraint("visit_id", "kind", "sequence", name="uq_visit_reminders_step"),
    )

    visit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    sequence: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), default=utcnow
    )
