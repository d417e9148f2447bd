"""Survey campaigns (排摸行动): covering every dwelling of chosen areas within a period, each
block leader walking their blocks' list. A result is made on the phone, perhaps in a
stairwell with no signal, and sent later: its id is made there too (a UUID) and is the
primary key, so a result sent twice is stored once. "Nobody home" puts the dwelling on the
campaign's revisit list (`survey_revisits`, attempts counted; the area lead told once,
after the third)."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from coordinator.housing.models import DwellingState
from coordinator.platform.db import Base, IdMixin, TimestampMixin, utcnow
from coordinator.platform.i18n import Text
from coordinator.registry.models import str_enum

SURVEY_CAMPAIGN = Text("排摸行动", "survey campaign")
SURVEY_RESULT = Text("排摸结果", "survey result")


class ResultCode(enum.StrEnum):
    confirmed = "confirmed"  # 核实无误
    changed = "changed"  # 情况有变
    nobody_home = "nobody_home"  # 无人在家
    refused = "refused"  # 拒绝配合
    moved_out = "moved_out"  # 已搬离


# The codes that cover a dwelling for the campaign (someone answered the door, or it is
# known empty); nobody home leaves it to be visited again.
COVERING = (ResultCode.confirmed, ResultCode.changed, ResultCode.refused, ResultCode.moved_out)


class SurveyCampaign(IdMixin, TimestampMixin, Base):
    __tablename__ = "survey_campaigns"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="period_ordered"),)

    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(1000))


class SurveyCampaignArea(Base):
    """The areas a campaign covers (every dwelling in them)."""

    __tablename__ = "survey_campaign_areas"

    campaign_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("survey_campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    area_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("areas.id", ondelete="RESTRICT"), primary_key=True, index=True
    )


class SurveyResult(Base):
    """What a block leader found at a door. `id` is made on the phone; `base_version` is
    the dwelling's version the phone showed; `change_id` the history row it wrote (a
    conflict when someone else changed the dwelling meanwhile: kept there, flagged)."""

    __tablename__ = "survey_results"
    __table_args__ = (
        Index("ix_survey_results_campaign_dwelling", "campaign_id", "dwelling_id", "received_at"),
        CheckConstraint("occupants IS NULL OR occupants >= 0", name="occupants_not_negative"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    campaign_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("survey_campaigns.id", ondelete="CASCADE")
    )
    dwelling_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("dwellings.id", ondelete="CASCADE"), index=True
    )
    block_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("blocks.id", ondelete="RESTRICT"), index=True
    )
    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("people.id", ondelete="RESTRICT"), index=True
    )
    code: Mapped[ResultCode] = mapped_column(str_enum(ResultCode, "survey_result_code"))
    state: Mapped[DwellingState | None] = mapped_column(str_enum(DwellingState, "dwelling_state"))
    occupants: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(500))
    base_version: Mapped[int] = mapped_column(Integer)
    # When the phone recorded it, and when it reached us.
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), default=utcnow
    )
    change_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("dwelling_states.id", ondelete="SET NULL")
    )
    applied: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    conflict: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    # The dwelling's version once this result was taken in: what the phone bases its next
    # result about the dwelling on (unless this one was a conflict).
    version_after: Mapped[int] = mapped_column(Integer)
    # The dwelling's visits with nobody home in this campaign, this one included.
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))


class SurveyRevisit(Base):
    """A dwelling to visit again in a campaign: how many times nobody was home, when last,
    when the area lead was told (once), when a later result covered it."""

    __tablename__ = "survey_revisits"
    __table_args__ = (
        Index(
            "ix_survey_revisits_open", "campaign_id", postgresql_where=text("cleared_at IS NULL")
        ),
        CheckConstraint("attempts >= 1", name="attempts_positive"),
    )

    campaign_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("survey_campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    dwelling_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("dwellings.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    attempts: Mapped[int] = mapped_column(Integer)
    last_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    lead_told_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
