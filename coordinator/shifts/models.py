"""Posts, recurring series, shifts, signups, checklist ticks, hours and reminders."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column

from coordinator.platform.db import Base, IdMixin, TimestampMixin
from coordinator.registry.models import str_enum

GATE_STEPS = ["拦", "问", "测", "核", "记", "报"]


class ShiftStatus(enum.StrEnum):
    scheduled = "scheduled"
    cancelled = "cancelled"


class SignupStatus(enum.StrEnum):
    signed_up = "signed_up"
    waitlisted = "waitlisted"
    checked_in = "checked_in"
    completed = "completed"
    no_show = "no_show"
    cancelled = "cancelled"


# Statuses that hold a place on the shift (and count towards `filled`).
HOLDING = (SignupStatus.signed_up, SignupStatus.checked_in, SignupStatus.completed)
_HOLDING_SQL = "status IN ('signed_up', 'checked_in', 'completed')"


class HoursStatus(enum.StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class Post(IdMixin, TimestampMixin, Base):
    """A place where volunteers stand duty (岗位), with its checklist."""

    __tablename__ = "posts"
    __table_args__ = (
        CheckConstraint("num_nonnulls(area_id, building_id, address) >= 1", name="has_place"),
    )

    name: Mapped[str] = mapped_column(String(100))
    area_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("areas.id", ondelete="RESTRICT"), index=True
    )
    building_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("buildings.id", ondelete="RESTRICT"), index=True
    )
    address: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    checklist: Mapped[list[str]] = mapped_column(ARRAY(String(100)))
    required_skills: Mapped[list[str]] = mapped_column(ARRAY(String(50)), default=list)
    team_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("teams.id", ondelete="RESTRICT"), index=True
    )


class ShiftSeries(IdMixin, TimestampMixin, Base):
    """A recurring roster: an RRULE over local dates, one shift per date and window."""

    __tablename__ = "shift_series"

    post_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("posts.id", ondelete="RESTRICT"), index=True
    )
    rrule: Mapped[str] = mapped_column(String(500))
    starts_on: Mapped[date] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    # [{"start": "07:00", "end": "09:00"}, ...] in the subdistrict's wall-clock time.
    windows: Mapped[list[dict[str, str]]] = mapped_column(JSONB)
    exdates: Mapped[list[date]] = mapped_column(ARRAY(Date), default=list)
    min_people: Mapped[int] = mapped_column(Integer)
    max_people: Mapped[int] = mapped_column(Integer)
    required_skills: Mapped[list[str]] = mapped_column(ARRAY(String(50)), default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    materialized_until: Mapped[date | None] = mapped_column(Date)


class Shift(IdMixin, TimestampMixin, Base):
    __tablename__ = "shifts"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("min_people >= 0 AND min_people <= max_people", name="min_within_max"),
        CheckConstraint("max_people >= 1", name="max_positive"),
        CheckConstraint("filled >= 0 AND filled <= max_people", name="filled_within_max"),
        CheckConstraint("waiting >= 0", name="waiting_not_negative"),
        UniqueConstraint("series_id", "recurrence_at", name="uq_shifts_occurrence"),
        Index("ix_shifts_starts_at", "starts_at"),
    )

    post_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("posts.id", ondelete="RESTRICT"), index=True
    )
    series_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("shift_series.id", ondelete="SET NULL"), index=True
    )
    # The occurrence's original start, which identifies it within its series for good.
    recurrence_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    min_people: Mapped[int] = mapped_column(Integer)
    max_people: Mapped[int] = mapped_column(Integer)
    filled: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    # Waitlisted signups, changed under the same lock as `filled`: a sign-up joining the
    # waitlist is told its place (waiting + 1) without counting the list.
    waiting: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    required_skills: Mapped[list[str]] = mapped_column(ARRAY(String(50)), default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    status: Mapped[ShiftStatus] = mapped_column(
        str_enum(ShiftStatus, "shift_status"), default=ShiftStatus.scheduled
    )
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    understaffed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Signup(IdMixin, TimestampMixin, Base):
    """A person's place on a shift. The shift's times are copied here so the database
    can refuse overlapping places for one person."""

    __tablename__ = "signups"
    __allow_unmapped__ = True  # for waitlist_position, which is not a column
    __table_args__ = (
        ExcludeConstraint(
            ("person_id", "="),
            (text("tstzrange(starts_at, ends_at)"), "&&"),
            name="ex_signups_person_overlap",
            using="gist",
            where=text(_HOLDING_SQL),
        ),
        Index(
            "uq_signups_shift_person_live",
            "shift_id",
            "person_id",
            unique=True,
            postgresql_where=text("status <> 'cancelled'"),
        ),
        Index("ix_signups_shift_arrival", "shift_id", "arrival"),
        Index("ix_signups_person_starts", "person_id", "starts_at"),
    )

    shift_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("shifts.id", ondelete="CASCADE"))
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"))
    status: Mapped[SignupStatus] = mapped_column(str_enum(SignupStatus, "signup_status"))
    # Taken under the shift's row lock: the order in which the database served sign-ups.
    arrival: Mapped[int] = mapped_column(BigInteger, Identity())
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    swap_offered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    swapped_from_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("signups.id", ondelete="SET NULL")
    )
    checked_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    checked_out_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancel_reason: Mapped[str | None] = mapped_column(String(200))
    # Not stored: the place on the waitlist when the signup was made or read (1, 2, …).
    waitlist_position: int | None = None


class ChecklistTick(IdMixin, Base):
    """One checklist step done on duty, with a note (an incident, if any)."""

    __tablename__ = "checklist_ticks"
    __table_args__ = (UniqueConstraint("signup_id", "step", name="uq_checklist_ticks_step"),)

    signup_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("signups.id", ondelete="CASCADE"))
    step: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(String(1000))
    ticked_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("now()")
    )


class HoursEntry(IdMixin, TimestampMixin, Base):
    """Hours served on one signup, for the lead to approve."""

    __tablename__ = "hours_entries"

    signup_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("signups.id", ondelete="CASCADE"), unique=True
    )
    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("people.id", ondelete="RESTRICT"), index=True
    )
    shift_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("shifts.id", ondelete="CASCADE"))
    team_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    # The volunteer's company when the hours were served, so a month's statement stays
    # the same after they change jobs. RESTRICT: companies with hours on record stay.
    company_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("companies.id", ondelete="RESTRICT"), index=True
    )
    served_on: Mapped[date] = mapped_column(Date, index=True)
    minutes: Mapped[int] = mapped_column(Integer)
    status: Mapped[HoursStatus] = mapped_column(
        str_enum(HoursStatus, "hours_status"), default=HoursStatus.pending
    )
    approved_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ShiftReminder(Base):
    """A reminder raised once per signup, kind and version of the signup."""

    __tablename__ = "shift_reminders"
    __table_args__ = (
        UniqueConstraint("signup_id", "kind", "sequence", name="uq_shift_reminders_once"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    signup_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("signups.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    sequence: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("now()")
    )
