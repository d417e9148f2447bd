"""Cases (案件): anything the footwork finds, followed by one lead department and its
co-handlers, each on a task of its own, until the reporter is satisfied."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    Sequence,
    String,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from coordinator.platform.db import Base, IdMixin, TimestampMixin, utcnow
from coordinator.platform.i18n import Text
from coordinator.registry.models import str_enum

CASE = Text("案件", "case")
TASK = Text("任务", "task")
CASE_NUMBERS = Sequence("case_numbers", start=1)


class Urgency(enum.StrEnum):
    low = "low"
    normal = "normal"
    high = "high"
    urgent = "urgent"


class CaseStatus(enum.StrEnum):
    new = "new"  # 新建
    accepted = "accepted"  # 已受理
    in_progress = "in_progress"  # 办理中
    resolved = "resolved"  # 已办结
    closed = "closed"  # 已闭环
    reopened = "reopened"  # 重新办理
    rejected = "rejected"  # 不予受理
    merged = "merged"  # 已合并


OPEN_STATES = ("new", "accepted", "in_progress", "reopened")


class CaseSource(enum.StrEnum):
    visit = "visit"  # 走访
    survey = "survey"  # 排摸
    post_report = "post_report"  # 点位上报
    hotline = "hotline"  # 12345 热线
    coordinator = "coordinator"  # 协调员
    open311 = "open311"  # 公众上报


class CaseOutcome(enum.StrEnum):
    """What a resolved case found, beside the free-text resolution: a place put right, or
    nothing found to put right. Other features read it (a dwelling rectified)."""

    rectified = "rectified"  # 已整改
    unfounded = "unfounded"  # 查无此事


class TaskRole(enum.StrEnum):
    lead = "lead"  # 牵头
    co = "co"  # 协办


class TaskStatus(enum.StrEnum):
    pending = "pending"  # 待接单
    accepted = "accepted"  # 办理中
    done = "done"  # 已完成
    returned = "returned"  # 已退回
    dropped = "dropped"  # 已撤销


class Case(IdMixin, TimestampMixin, Base):
    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint(
            "(latitude IS NULL) = (longitude IS NULL)", name="coordinates_both_or_neither"
        ),
        CheckConstraint("reopened_count >= 0", name="reopened_not_negative"),
        CheckConstraint("(status = 'merged') = (merged_into_id IS NOT NULL)", name="merged_into"),
        CheckConstraint("merged_into_id <> id", name="not_merged_into_itself"),
        # The open cases of a place, and what is due, without reading the closed ones.
        Index(
            "ix_cases_open_due",
            "resolution_due_at",
            postgresql_where=text("status IN ('new', 'accepted', 'in_progress', 'reopened')"),
        ),
        Index("ix_cases_status_created", "status", "created_at"),
        Index("ix_cases_category_created", "category_id", "created_at"),
        Index("ix_cases_updated", "updated_at", "id"),
    )

    # The number people quote (and Open311's service_request_id).
    number: Mapped[int] = mapped_column(
        BigInteger, CASE_NUMBERS, server_default=CASE_NUMBERS.next_value(), unique=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(4000))
    category_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case_categories.id", ondelete="RESTRICT")
    )
    urgency: Mapped[Urgency] = mapped_column(str_enum(Urgency, "urgency"), default=Urgency.normal)
    status: Mapped[CaseStatus] = mapped_column(
        str_enum(CaseStatus, "case_status"), default=CaseStatus.new
    )
    source: Mapped[CaseSource] = mapped_column(str_enum(CaseSource, "case_source"))
    # Where: a building, an area, a company, a dwelling, or an address with coordinates.
    area_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("areas.id", ondelete="RESTRICT"), index=True
    )
    building_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("buildings.id", ondelete="RESTRICT"), index=True
    )
    company_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("companies.id", ondelete="RESTRICT"), index=True
    )
    dwelling_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("dwellings.id", ondelete="RESTRICT"), index=True
    )
    address: Mapped[str | None] = mapped_column(String(300))
    latitude: Mapped[float | None] = mapped_column(Numeric(9, 6, asdecimal=False))
    longitude: Mapped[float | None] = mapped_column(Numeric(9, 6, asdecimal=False))
    # Where it came from.
    visit_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("visits.id", ondelete="RESTRICT"), index=True
    )
    hotline_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    hotline_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Who reported it: a person, a company contact, or a citizen by name and phone.
    reporter_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("people.id", ondelete="RESTRICT"), index=True
    )
    reporter_contact_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="RESTRICT"), index=True
    )
    reporter_name: Mapped[str | None] = mapped_column(String(100))
    reporter_phone: Mapped[str | None] = mapped_column(String(20))
    reporter_email: Mapped[str | None] = mapped_column(String(254))
    # Who leads it, and its clocks (computed in working time at filing and reopening).
    lead_department_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("departments.id", ondelete="RESTRICT"), index=True
    )
    response_due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resolution_due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolution: Mapped[str | None] = mapped_column(String(2000))
    outcome: Mapped[CaseOutcome | None] = mapped_column(str_enum(CaseOutcome, "case_outcome"))
    rejected_reason: Mapped[str | None] = mapped_column(String(500))
    # The follow-up with the reporter (回访): answer due by, and what they said.
    reply_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    satisfied: Mapped[bool | None] = mapped_column(Boolean)
    feedback: Mapped[str | None] = mapped_column(String(1000))
    # confirmed (the reporter), unanswered (closed by itself), coordinator.
    closed_by: Mapped[str | None] = mapped_column(String(20))
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("cases.id", ondelete="RESTRICT"), index=True
    )
    reopened_count: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    # Handed to an Open311 client that posted it, to read it back by (tokens/{id}).
    open311_token: Mapped[uuid.UUID | None] = mapped_column(unique=True)
    created_by: Mapped[str] = mapped_column(String(100))


CLOCK_AT = (
    "CASE WHEN status IN ('pending', 'accepted') THEN"
    " CASE WHEN clock_due_at IS DISTINCT FROM due_at THEN '-infinity'::timestamptz"
    " ELSE next_step_at END END"
)


class CaseTask(IdMixin, TimestampMixin, Base):
    """One department's part of a case, on its own clock."""

    __tablename__ = "case_tasks"
    __table_args__ = (
        # A department holds one live task on a case (a dropped one may be added again).
        Index(
            "uq_case_tasks_live_department",
            "case_id",
            "department_id",
            unique=True,
            postgresql_where=text("status <> 'dropped'"),
        ),
        # The overdue sweep reads only the tasks still being worked.
        Index(
            "ix_case_tasks_open_due",
            "due_at",
            postgresql_where=text("status IN ('pending', 'accepted')"),
        ),
        # The clock's sweep (cases/clock) reads only open tasks it has something to do for.
        Index("ix_case_tasks_clock", "clock_at", postgresql_where=text("clock_at IS NOT NULL")),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    department_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("departments.id", ondelete="RESTRICT"), index=True
    )
    role: Mapped[TaskRole] = mapped_column(str_enum(TaskRole, "task_role"))
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("people.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[TaskStatus] = mapped_column(
        str_enum(TaskStatus, "task_status"), default=TaskStatus.pending
    )
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(String(2000))
    return_reason: Mapped[str | None] = mapped_column(String(500))
    # The clock's plan (cases/clock), written by its sweep: the due time its steps were
    # planned for, which plan of the task that is (a new due time starts afresh), and
    # when its next reminder or escalation falls (none left: null).
    clock_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    clock_sequence: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    next_step_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When the sweep is to look at the task: at once while its due time has no plan,
    # else at its next step; never once it is no longer open. Kept by PostgreSQL, so
    # every writer keeps it true, and its statistics are those of the sweep's question.
    clock_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), Computed(CLOCK_AT, persisted=True), deferred=True
    )


class CaseNote(IdMixin, Base):
    """A progress note on a case or one of its tasks (append only)."""

    __tablename__ = "case_notes"
    __table_args__ = (Index("ix_case_notes_case_created", "case_id", "created_at"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    task_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("case_tasks.id", ondelete="CASCADE"), index=True
    )
    author: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), default=utcnow
    )


class CasePhoto(IdMixin, Base):
    """A photo attached to a case as filed, to a task (its evidence of work done), or to a
    progress note. The photo itself lives in `photos` and never changes."""

    __tablename__ = "case_photos"
    __table_args__ = (
        UniqueConstraint(
            "case_id",
            "task_id",
            "note_id",
            "photo_id",
            name="uq_case_photos_attached",
            postgresql_nulls_not_distinct=True,
        ),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    task_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("case_tasks.id", ondelete="CASCADE"), index=True
    )
    note_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("case_notes.id", ondelete="CASCADE"), index=True
    )
    # Typed here: the photos table may not be known yet when this module is read.
    photo_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("photos.id", ondelete="RESTRICT"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), default=utcnow
    )
