"""Request and response shapes of the registry."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from coordinator.notifications.preferences import Channels, QuietHours, email_and_sms
from coordinator.registry.codes import valid_credit_code, valid_email, valid_mobile, valid_phone
from coordinator.registry.models import (
    AreaKind,
    BranchKind,
    BuildingKind,
    CompanyStatus,
    Language,
)
from coordinator.web.listing import ListQuery
from coordinator.web.validation import Body

Name = Annotated[str, Field(min_length=1, max_length=100)]
LongName = Annotated[str, Field(min_length=1, max_length=200)]
CreditCode = Annotated[str, Field(min_length=1, max_length=30), AfterValidator(valid_credit_code)]
Mobile = Annotated[str, Field(min_length=1, max_length=20), AfterValidator(valid_mobile)]
Phone = Annotated[str, Field(min_length=1, max_length=25), AfterValidator(valid_phone)]
Email = Annotated[str, Field(min_length=3, max_length=254), AfterValidator(valid_email)]
Floor = Annotated[str, Field(min_length=1, max_length=20)]
Unit = Annotated[str, Field(min_length=1, max_length=50)]


def _coordinate(limit: int) -> Any:
    """A JSON number within ±limit with at most 6 decimal places (strings refused, as for ints)."""

    def check(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise PydanticCustomError("coordinate", "must be a number", {"zh": "应为数字"})
        number = Decimal(str(value))
        if not number.is_finite() or abs(number) > limit:
            raise PydanticCustomError(
                "coordinate",
                "must be between -{limit} and {limit}",
                {"limit": limit, "zh": f"应在 -{limit} 到 {limit} 之间"},
            )
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -6:
            raise PydanticCustomError(
                "coordinate", "at most 6 decimal places", {"zh": "最多 6 位小数"}
            )
        return float(number)

    return BeforeValidator(check)


Latitude = Annotated[
    float,
    _coordinate(90),
    WithJsonSchema({"type": "number", "minimum": -90, "maximum": 90}),
]
Longitude = Annotated[
    float,
    _coordinate(180),
    WithJsonSchema({"type": "number", "minimum": -180, "maximum": 180}),
]


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# Areas


class AreaIn(Body):
    name: Name
    kind: AreaKind


class AreaPatch(Body):
    name: Name | None = None
    kind: AreaKind | None = None


class AreaOut(Out):
    id: uuid.UUID
    name: str
    kind: AreaKind
    created_at: datetime
    updated_at: datetime


class AreaQuery(ListQuery):
    kind: AreaKind | None = None


# Buildings


class BuildingIn(Body):
    name: Name
    address: LongName
    area_id: uuid.UUID | None = None
    kind: BuildingKind
    floors: int | None = Field(default=None, ge=1, le=200)
    property_manager_name: Name | None = None
    property_manager_phone: Phone | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None


class BuildingPatch(Body):
    name: Name | None = None
    address: LongName | None = None
    area_id: uuid.UUID | None = None
    kind: BuildingKind | None = None
    floors: int | None = Field(default=None, ge=1, le=200)
    property_manager_name: Name | None = None
    property_manager_phone: Phone | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None


class BuildingOut(Out):
    id: uuid.UUID
    name: str
    address: str
    area_id: uuid.UUID | None
    kind: BuildingKind
    floors: int | None
    property_manager_name: str | None
    property_manager_phone: str | None
    latitude: float | None
    longitude: float | None
    created_at: datetime
    updated_at: datetime


class BuildingQuery(ListQuery):
    area_id: uuid.UUID | None = None
    kind: BuildingKind | None = None


# Party branches


class PartyBranchIn(Body):
    name: Name
    kind: BranchKind
    parent_id: uuid.UUID | None = None
    secretary_id: uuid.UUID | None = None
    building_ids: list[uuid.UUID] = Field(default_factory=list, max_length=500)


class PartyBranchPatch(Body):
    name: Name | None = None
    kind: BranchKind | None = None
    parent_id: uuid.UUID | None = None
    secretary_id: uuid.UUID | None = None
    building_ids: list[uuid.UUID] | None = Field(default=None, max_length=500)


class PartyBranchOut(Out):
    id: uuid.UUID
    name: str
    kind: BranchKind
    parent_id: uuid.UUID | None
    secretary_id: uuid.UUID | None
    building_ids: list[uuid.UUID]
    created_at: datetime
    updated_at: datetime


class PartyBranchQuery(ListQuery):
    kind: BranchKind | None = None
    parent_id: uuid.UUID | None = None
    building_id: uuid.UUID | None = None


# Companies


class CompanyIn(Body):
    name: LongName
    credit_code: CreditCode
    building_id: uuid.UUID | None = None
    floor: Floor | None = None
    unit: Unit | None = None
    street_address: LongName | None = None
    industry: Name | None = None
    headcount: int | None = Field(default=None, ge=0, le=1_000_000)
    status: CompanyStatus = CompanyStatus.operating
    party_branch_id: uuid.UUID | None = None


class CompanyPatch(Body):
    name: LongName | None = None
    credit_code: CreditCode | None = None
    building_id: uuid.UUID | None = None
    floor: Floor | None = None
    unit: Unit | None = None
    street_address: LongName | None = None
    industry: Name | None = None
    headcount: int | None = Field(default=None, ge=0, le=1_000_000)
    status: CompanyStatus | None = None
    party_branch_id: uuid.UUID | None = None


class CompanyOut(Out):
    id: uuid.UUID
    name: str
    credit_code: str
    building_id: uuid.UUID | None
    floor: str | None
    unit: str | None
    street_address: str | None
    industry: str | None
    headcount: int | None
    status: CompanyStatus
    party_branch_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime


class CompanyQuery(ListQuery):
    building_id: uuid.UUID | None = None
    area_id: uuid.UUID | None = None
    status: CompanyStatus | None = None
    party_branch_id: uuid.UUID | None = None
    industry: str | None = Field(default=None, max_length=100)


# Contacts


class ContactIn(Body):
    name: Name
    mobile: Mobile
    email: Email | None = None
    preferred_language: Language = Language.zh
    channels: Channels = Field(default_factory=email_and_sms)
    quiet_hours: QuietHours | None = None


class ContactPatch(Body):
    name: Name | None = None
    mobile: Mobile | None = None
    email: Email | None = None
    preferred_language: Language | None = None
    channels: Channels | None = None
    quiet_hours: QuietHours | None = None


class ContactOut(Out):
    id: uuid.UUID
    company_id: uuid.UUID
    name: str
    mobile: str
    email: str | None
    preferred_language: Language
    channels: list[str]
    quiet_hours: str | None
    created_at: datetime
    updated_at: datetime


class ContactQuery(ListQuery):
    pass
