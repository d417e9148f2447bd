"""The steps a task's clock has taken: its reminder before the due time and each rung of
its category's escalation ladder after it, each once per plan of the task's due time."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from coordinator.platform.db import Base, IdMixin, utcnow


class StepKind(enum.StrEnum):
    remind = "remind"  # 到期提醒
    escalate = "escalate"  # 逾期督办


class CaseStep(IdMixin, Base):
    """One step taken for a task at one plan (`sequence`) of its due time: unique, so a
    repeated or concurrent sweep raises nothing twice, and a task given a new due time
    (reopened, sent again) starts afresh. `step` is 0 for the reminder, the rung's place
    in the category's ladder for an escalation."""

    __tablename__ = "case_steps"
    __table_args__ = (
        UniqueConstraint("task_id", "kind", "step", "sequence", name="uq_case_steps_step"),
    )

    task_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_tasks.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    step: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    # The due time it was taken against, and the moment it fell due in working time.
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    planned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), default=utcnow
    )
