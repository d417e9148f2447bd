"""People who work in Fumin and the teams they form."""

from __future__ import annotations

import enum
import uuid
from typing import Any

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint, case, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, column_property, mapped_column

from coordinator.platform.db import Base, IdMixin, TimestampMixin
from coordinator.registry.models import str_enum


class TeamKind(enum.StrEnum):
    liaison = "liaison"  # 联络团组
    volunteer = "volunteer"  # 志愿者服务队
    joint_operation = "joint_operation"  # 联动


class MemberRole(enum.StrEnum):
    lead = "lead"
    deputy = "deputy"
    member = "member"


def rank_of(role: Any) -> Any:
    """A member's rank by role: lead 0, deputy 1, member 2."""
    return case((role == MemberRole.lead, 0), (role == MemberRole.deputy, 1), else_=2)


class Person(IdMixin, TimestampMixin, Base):
    __tablename__ = "people"

    name: Mapped[str] = mapped_column(String(100), index=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    skills: Mapped[list[str]] = mapped_column(ARRAY(String(50)), default=list)
    party_member: Mapped[bool] = mapped_column(Boolean, default=False)
    party_branch_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("party_branches.id", ondelete="RESTRICT", use_alter=True), index=True
    )
    # Notification preferences: language, channels, and quiet hours ("22:00-07:00", "off";
    # null means the subdistrict's default).
    preferred_language: Mapped[str] = mapped_column(String(2), default="zh", server_default="zh")
    channels: Mapped[list[str]] = mapped_column(
        ARRAY(String(10)), default=lambda: ["email"], server_default="{email}"
    )
    quiet_hours: Mapped[str | None] = mapped_column(String(11))
    # The company a volunteer works for (they are office workers), for monthly statements.
    # RESTRICT: a company is not deleted while people are on its books (409 names them).
    company_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("companies.id", ondelete="RESTRICT", use_alter=True), index=True
    )


class Team(IdMixin, TimestampMixin, Base):
    __tablename__ = "teams"

    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[TeamKind] = mapped_column(str_enum(TeamKind, "team_kind"))
    lead_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("people.id", ondelete="RESTRICT"), index=True
    )


class TeamMember(IdMixin, TimestampMixin, Base):
    __tablename__ = "team_members"
    __table_args__ = (UniqueConstraint("team_id", "person_id"),)

    team_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("people.id", ondelete="RESTRICT"), index=True
    )
    role: Mapped[MemberRole] = mapped_column(
        str_enum(MemberRole, "member_role"), default=MemberRole.member
    )

    # Read-only expressions, not columns: members are listed and paginated by their
    # person's name or by rank (lead, deputy, member).
    person_name: Mapped[str] = column_property(
        select(Person.name).where(Person.id == person_id).scalar_subquery()
    )
    role_rank: Mapped[int] = column_property(rank_of(role))
