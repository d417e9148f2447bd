"""Areas, buildings, party branches, companies and their contacts."""

from __future__ import annotations

import enum
import uuid

from sqlalchemy import (
    CheckConstraint,
    Column,
    Enum,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
)
from sqlalchemy import Text as SqlText
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from coordinator.platform.db import Base, IdMixin, TimestampMixin
from coordinator.platform.i18n import Text

# What people call each resource, in the problems that name one.
AREA = Text("片区", "area")
BUILDING = Text("楼宇", "building")
PARTY_BRANCH = Text("党支部", "party branch")
COMPANY = Text("企业", "company")
CONTACT = Text("联系人", "contact")


def str_enum(kind: type[enum.StrEnum], name: str) -> Enum:
    """Enums stored as plain strings with a CHECK, so new values need no type change."""
    return Enum(
        kind,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=30,
        values_callable=lambda members: [m.value for m in members],
    )


class AreaKind(enum.StrEnum):
    residential = "residential"  # 居民区
    block = "block"  # 片区


class BuildingKind(enum.StrEnum):
    office = "office"
    residential = "residential"
    mixed = "mixed"


class BranchKind(enum.StrEnum):
    building_joint = "building_joint"  # 楼宇联合党支部
    company = "company"  # 企业党支部
    residential_general = "residential_general"  # 居民区党总支


class CompanyStatus(enum.StrEnum):
    operating = "operating"
    resuming = "resuming"
    suspended = "suspended"
    closed = "closed"


class Language(enum.StrEnum):
    zh = "zh"
    en = "en"


class Area(IdMixin, TimestampMixin, Base):
    __tablename__ = "areas"

    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[AreaKind] = mapped_column(str_enum(AreaKind, "area_kind"))


class Building(IdMixin, TimestampMixin, Base):
    __tablename__ = "buildings"
    __table_args__ = (
        CheckConstraint(
            "(latitude IS NULL) = (longitude IS NULL)", name="coordinates_both_or_neither"
        ),
        CheckConstraint("floors IS NULL OR floors BETWEEN 1 AND 200", name="floors_range"),
    )

    name: Mapped[str] = mapped_column(String(100), unique=True)
    address: Mapped[str] = mapped_column(String(200))
    area_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("areas.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[BuildingKind] = mapped_column(str_enum(BuildingKind, "building_kind"))
    floors: Mapped[int | None] = mapped_column(Integer)
    property_manager_name: Mapped[str | None] = mapped_column(String(100))
    property_manager_phone: Mapped[str | None] = mapped_column(String(20))
    # Floats in Python (exact to 6 places in the column) so rows stay JSON-friendly for the audit.
    latitude: Mapped[float | None] = mapped_column(Numeric(9, 6, asdecimal=False))
    longitude: Mapped[float | None] = mapped_column(Numeric(9, 6, asdecimal=False))


party_branch_buildings = Table(
    "party_branch_buildings",
    Base.metadata,
    Column(
        "party_branch_id",
        ForeignKey("party_branches.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "building_id",
        ForeignKey("buildings.id", ondelete="RESTRICT"),
        primary_key=True,
        index=True,
    ),
)


class PartyBranch(IdMixin, TimestampMixin, Base):
    __tablename__ = "party_branches"

    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[BranchKind] = mapped_column(str_enum(BranchKind, "branch_kind"))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("party_branches.id", ondelete="RESTRICT"), index=True
    )
    secretary_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("people.id", ondelete="RESTRICT"), index=True
    )


class Company(IdMixin, TimestampMixin, Base):
    __tablename__ = "companies"
    __table_args__ = (
        CheckConstraint(
            "building_id IS NOT NULL OR street_address IS NOT NULL", name="has_a_place"
        ),
        CheckConstraint("headcount IS NULL OR headcount >= 0", name="headcount_not_negative"),
        Index("ix_companies_building_name", "building_id", "name", "id"),
    )

    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    building_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("buildings.id", ondelete="RESTRICT")
    )
    floor: Mapped[str | None] = mapped_column(String(20))
    unit: Mapped[str | None] = mapped_column(String(50))
    street_address: Mapped[str | None] = mapped_column(String(200))
    industry: Mapped[str | None] = mapped_column(String(100))
    headcount: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[CompanyStatus] = mapped_column(
        str_enum(CompanyStatus, "company_status"), index=True
    )
    party_branch_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("party_branches.id", ondelete="RESTRICT"), index=True
    )
    # The designated liaison (一对一联络员); assigned through coordinator/visits.
    liaison_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("people.id", ondelete="RESTRICT"), index=True
    )
    # The company as the list shows it (CompanyOut's JSON), written by PostgreSQL on every
    # insert and update (migration 0024's trigger), so a page of the list joins stored
    # text instead of rendering each item. Never loaded with the row.
    list_item: Mapped[str] = mapped_column(SqlText, deferred=True)


class Contact(IdMixin, TimestampMixin, Base):
    __tablename__ = "contacts"

    company_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    mobile: Mapped[str] = mapped_column(String(11))
    email: Mapped[str | None] = mapped_column(String(254))
    preferred_language: Mapped[Language] = mapped_column(
        str_enum(Language, "language"), default=Language.zh
    )
    channels: Mapped[list[str]] = mapped_column(
        ARRAY(String(10)), default=lambda: ["email", "sms"], server_default="{email,sms}"
    )
    quiet_hours: Mapped[str | None] = mapped_column(String(11))
