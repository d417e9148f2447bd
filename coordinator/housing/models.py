"""Residential survey (排摸): dwellings, the blocks their leaders walk, every state had.

Where a dwelling is: an area of the registry (a residential area, 居民区) → a compound (小区,
or a street of shops) → a building (幢/号) → a unit (单元, '' where there is none) → a floor →
a room. Blocks (块/包干区) are cut by building and unit: `block_units` gives each unit of a
building exactly one block, and a dwelling's (building, unit) must be one of those rows, so
the database itself keeps every dwelling in exactly one block."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime, time

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    String,
    Time,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from coordinator.platform.db import Base, IdMixin, TimestampMixin, utcnow
from coordinator.platform.i18n import Text
from coordinator.registry.models import str_enum

COMPOUND = Text("小区", "compound")
HOUSING_BUILDING = Text("楼栋", "building")
BLOCK = Text("块", "block")
DWELLING = Text("房屋", "dwelling")


class CompoundKind(enum.StrEnum):
    compound = "compound"  # 小区
    street = "street"  # 沿街商铺所在街道


class DwellingUse(enum.StrEnum):
    residential = "residential"  # 住宅
    shop = "shop"  # 沿街商铺
    office = "office"  # 办公
    mixed = "mixed"  # 混合


class DwellingState(enum.StrEnum):
    unsurveyed = "unsurveyed"  # 未排摸
    owner_occupied = "owner_occupied"  # 自住
    rented_whole = "rented_whole"  # 整租
    rented_shared = "rented_shared"  # 合租
    suspected_group_rental = "suspected_group_rental"  # 疑似群租
    suspected_day_rental = "suspected_day_rental"  # 疑似日租
    vacant = "vacant"  # 空置
    renovating = "renovating"  # 装修中


# The states that open a "1+4" case at the dwelling.
SUSPECT_STATES = ("suspected_group_rental", "suspected_day_rental")


class StateSource(enum.StrEnum):
    coordinator = "coordinator"  # 协调员
    survey = "survey"  # 排摸结果
    case = "case"  # 案件办结
    import_ = "import"  # 导入


class BlockRole(enum.StrEnum):
    leader = "leader"  # 块长
    deputy = "deputy"  # 副块长


class AreaSurvey(TimestampMixin, Base):
    """How a residential area runs its survey: its lead (told of overdue rounds and of a
    dwelling's third unanswered visit), its blocks walked at least `rounds_per_day` times
    between `rounds_from` and `rounds_until` with no gap over `max_gap_minutes`, and the
    days unseen after which a dwelling shows as stale."""

    __tablename__ = "area_surveys"
    __table_args__ = (
        CheckConstraint("rounds_per_day BETWEEN 0 AND 24", name="rounds_per_day_range"),
        CheckConstraint("rounds_until > rounds_from", name="rounds_window"),
        CheckConstraint("max_gap_minutes > 0", name="max_gap_positive"),
        CheckConstraint("stale_days > 0", name="stale_days_positive"),
    )

    area_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True
    )
    lead_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    rounds_per_day: Mapped[int] = mapped_column(Integer, default=3, server_default=text("3"))
    rounds_from: Mapped[time] = mapped_column(Time, default=time(7), server_default="07:00")
    rounds_until: Mapped[time] = mapped_column(Time, default=time(21), server_default="21:00")
    max_gap_minutes: Mapped[int] = mapped_column(Integer, default=300, server_default=text("300"))
    stale_days: Mapped[int] = mapped_column(Integer, default=30, server_default=text("30"))


class Compound(IdMixin, TimestampMixin, Base):
    __tablename__ = "compounds"
    __table_args__ = (UniqueConstraint("area_id", "name", name="uq_compounds_area_name"),)

    area_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("areas.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[CompoundKind] = mapped_column(
        str_enum(CompoundKind, "compound_kind"), default=CompoundKind.compound
    )
    address: Mapped[str | None] = mapped_column(String(200))
    # Walking order among the area's compounds.
    position: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))


class HousingBuilding(IdMixin, TimestampMixin, Base):
    """A building of a compound (幢/号). `building_id` ties it to the registry's building
    where there is one (cases route by it)."""

    __tablename__ = "housing_buildings"
    __table_args__ = (
        UniqueConstraint("compound_id", "name", name="uq_housing_buildings_compound_name"),
    )

    compound_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("compounds.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(50))
    position: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    floors: Mapped[int | None] = mapped_column(Integer)
    building_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("buildings.id", ondelete="SET NULL"), index=True
    )


class Block(IdMixin, TimestampMixin, Base):
    """A block (块/包干区) of an area, walked by its leader; `qr_secret` makes the code
    posted at the block (a round started by scanning it is proven)."""

    __tablename__ = "blocks"
    __table_args__ = (UniqueConstraint("area_id", "name", name="uq_blocks_area_name"),)

    area_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("areas.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    qr_secret: Mapped[str] = mapped_column(String(64))


class BlockUnit(Base):
    """Which block a unit of a building belongs to: one row per (building, unit), so one
    block each. Moving a unit to another block updates `block_id` (audited)."""

    __tablename__ = "block_units"

    building_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("housing_buildings.id", ondelete="CASCADE"), primary_key=True
    )
    unit: Mapped[str] = mapped_column(String(20), primary_key=True)
    block_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("blocks.id", ondelete="RESTRICT"), index=True
    )


class BlockPerson(IdMixin, Base):
    """Who leads a block and who deputises, over time: a reassignment ends the row
    (`until`) and starts another, so the history stays. One live leader per block."""

    __tablename__ = "block_people"
    __table_args__ = (
        Index(
            "uq_block_people_live_leader",
            "block_id",
            unique=True,
            postgresql_where=text("role = 'leader' AND until IS NULL"),
        ),
        Index(
            "uq_block_people_live_person",
            "block_id",
            "person_id",
            unique=True,
            postgresql_where=text("until IS NULL"),
        ),
        Index("ix_block_people_person", "person_id", postgresql_where=text("until IS NULL")),
        CheckConstraint("until IS NULL OR until >= since", name="until_after_since"),
    )

    block_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("blocks.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"))
    role: Mapped[BlockRole] = mapped_column(str_enum(BlockRole, "block_role"))
    since: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), default=utcnow
    )
    until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Dwelling(IdMixin, TimestampMixin, Base):
    """A dwelling (房屋) and its present state. Personal data is kept minimal: occupants
    as a count, a contact name and phone only where given (masked in lists, read whole
    only by the area's coordinators, every such read audited). `version` rises with every
    change, so a phone's result about a dwelling changed meanwhile is seen as a conflict."""

    __tablename__ = "dwellings"
    __table_args__ = (
        UniqueConstraint("building_id", "unit", "room", name="uq_dwellings_place"),
        ForeignKeyConstraint(
            ["building_id", "unit"],
            ["block_units.building_id", "block_units.unit"],
            name="fk_dwellings_block_unit",
            ondelete="RESTRICT",
        ),
        CheckConstraint("occupants IS NULL OR occupants >= 0", name="occupants_not_negative"),
        CheckConstraint("version >= 1", name="version_positive"),
        Index("ix_dwellings_area_state", "area_id", "state"),
        Index("ix_dwellings_area_surveyed", "area_id", "surveyed_at"),
    )

    # Denormalised from the building's compound, for the board and the area's lists.
    area_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("areas.id", ondelete="RESTRICT"))
    building_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("housing_buildings.id", ondelete="RESTRICT"), index=True
    )
    unit: Mapped[str] = mapped_column(String(20), default="", server_default=text("''"))
    floor: Mapped[int] = mapped_column(Integer)
    room: Mapped[str] = mapped_column(String(20))
    use: Mapped[DwellingUse] = mapped_column(
        str_enum(DwellingUse, "dwelling_use"), default=DwellingUse.residential
    )
    state: Mapped[DwellingState] = mapped_column(
        str_enum(DwellingState, "dwelling_state"), default=DwellingState.unsurveyed
    )
    state_evidence: Mapped[str | None] = mapped_column(String(500))
    state_set_by: Mapped[str | None] = mapped_column(String(100))
    state_set_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When someone last saw it (a survey result or a coordinator's check).
    surveyed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    occupants: Mapped[int | None] = mapped_column(Integer)
    contact_name: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    # A street shop's company in the registry.
    company_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("companies.id", ondelete="SET NULL"), index=True
    )
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))


class DwellingStateChange(Base):
    """Every state a dwelling has had, with its evidence and who set it. A phone's result
    that arrived after someone else changed the dwelling is kept here flagged
    (`conflict`), whether or not it was applied, for a coordinator to review."""

    __tablename__ = "dwelling_states"
    __table_args__ = (
        Index("ix_dwelling_states_dwelling", "dwelling_id", "id"),
        Index("ix_dwelling_states_conflicts", "dwelling_id", postgresql_where=text("conflict")),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    dwelling_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("dwellings.id", ondelete="CASCADE"))
    state: Mapped[DwellingState] = mapped_column(str_enum(DwellingState, "dwelling_state"))
    previous_state: Mapped[DwellingState | None] = mapped_column(
        str_enum(DwellingState, "previous_state")
    )
    source: Mapped[StateSource] = mapped_column(str_enum(StateSource, "state_source"))
    evidence: Mapped[str | None] = mapped_column(String(500))
    set_by: Mapped[str] = mapped_column(String(100))
    set_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), default=utcnow
    )
    # What it came from: a case (rectified), a survey result (its phone-made id).
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    result_id: Mapped[uuid.UUID | None]
    applied: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    conflict: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class StateColour(Base):
    """The colour board's legend, per subdistrict: which colour marks each state. Data,
    not code; seeded with the usual colours by the migration."""

    __tablename__ = "dwelling_state_colours"
    __table_args__ = (CheckConstraint("colour ~ '^#[0-9a-f]{6}$'", name="colour_hex"),)

    state: Mapped[DwellingState] = mapped_column(
        str_enum(DwellingState, "dwelling_state"), primary_key=True
    )
    colour: Mapped[str] = mapped_column(String(7))
    position: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
