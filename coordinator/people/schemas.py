"""Request and response shapes of people and teams."""

from __future__ import annotations

import unicodedata
import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from coordinator.notifications.preferences import Channels, QuietHours, email_only
from coordinator.people.models import MemberRole, TeamKind
from coordinator.registry.codes import valid_email, valid_phone
from coordinator.registry.models import Language
from coordinator.web.listing import ListQuery
from coordinator.web.validation import Body

MAX_SKILLS = 30
MAX_MEMBERS_ON_CREATE = 500


def _phone(value: str) -> str:
    """A phone number with full-width digits (１３９…) read as ASCII; other scripts refused."""
    number = valid_phone(unicodedata.normalize("NFKC", value))
    if not number.isascii():  # `\d` in valid_phone also matches e.g. Arabic-Indic digits
        raise PydanticCustomError(
            "phone",
            "must be a mainland China mobile or landline number",
            {"zh": "应为中国大陆手机或固定电话号码"},
        )
    return number


def _no_control_characters(value: str) -> str:
    """Names and skills are one line of text (PostgreSQL refuses NUL in text anyway)."""
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise PydanticCustomError(
            "control_characters",
            "must not contain control characters",
            {"zh": "不能包含控制字符"},
        )
    return value


OneLine = AfterValidator(_no_control_characters)
Name = Annotated[str, Field(min_length=1, max_length=100), OneLine]
Phone = Annotated[str, Field(min_length=1, max_length=25), AfterValidator(_phone)]
Email = Annotated[str, Field(min_length=3, max_length=254), OneLine, AfterValidator(valid_email)]
Skill = Annotated[str, Field(min_length=1, max_length=50), OneLine]


def _distinct(skills: list[str]) -> list[str]:
    """Skills in the order given, each once."""
    return list(dict.fromkeys(skills))


Skills = Annotated[
    list[Skill],
    Field(max_length=MAX_SKILLS, description="short words such as 急救 or 英语; repeats dropped"),
    AfterValidator(_distinct),
]


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# People


class PersonIn(Body):
    name: Name
    phone: Phone | None = None
    email: Email | None = None
    skills: Skills = Field(default_factory=list)
    party_member: bool = False
    preferred_language: Language = Language.zh
    channels: Channels = Field(default_factory=email_only)
    quiet_hours: QuietHours | None = None
    party_branch_id: uuid.UUID | None = Field(
        default=None, description="the party branch of a party member (党员所在支部)"
    )
    company_id: uuid.UUID | None = Field(
        default=None, description="the company the person works for (所在企业)"
    )


class PersonPatch(Body):
    name: Name | None = None
    phone: Phone | None = None
    email: Email | None = None
    skills: Skills | None = None
    party_member: bool | None = None
    preferred_language: Language | None = None
    channels: Channels | None = None
    quiet_hours: QuietHours | None = None
    party_branch_id: uuid.UUID | None = None
    company_id: uuid.UUID | None = None


class PersonOut(Out):
    id: uuid.UUID
    name: str
    phone: str | None
    email: str | None
    skills: list[str]
    party_member: bool
    party_branch_id: uuid.UUID | None
    company_id: uuid.UUID | None
    preferred_language: Language
    channels: list[str]
    quiet_hours: str | None
    created_at: datetime
    updated_at: datetime


class PersonQuery(ListQuery):
    party_branch_id: uuid.UUID | None = None
    company_id: uuid.UUID | None = Field(default=None, description="people of this company")
    team_id: uuid.UUID | None = Field(default=None, description="members of this team")
    skill: str | None = Field(default=None, min_length=1, max_length=50)
    party_member: bool | None = None


# Teams


class MemberIn(Body):
    person_id: uuid.UUID
    role: MemberRole = MemberRole.member


class MemberPatch(Body):
    role: MemberRole


class MemberOut(Out):
    """A member as a team shows it."""

    person_id: uuid.UUID
    name: str
    role: MemberRole


class MembershipOut(MemberOut):
    """A member as the members sub-resource shows it."""

    team_id: uuid.UUID
    created_at: datetime
    updated_at: datetime


class MemberQuery(ListQuery):
    role: MemberRole | None = None


class TeamIn(Body):
    name: Name
    kind: TeamKind
    lead_id: uuid.UUID | None = Field(
        default=None, description="a person; they become a member with role lead"
    )
    members: list[MemberIn] = Field(default_factory=list, max_length=MAX_MEMBERS_ON_CREATE)


class TeamPatch(Body):
    name: Name | None = None
    kind: TeamKind | None = None
    lead_id: uuid.UUID | None = Field(
        default=None, description="the new lead; the previous lead stays on as a member"
    )


class TeamOut(Out):
    id: uuid.UUID
    name: str
    kind: TeamKind
    lead_id: uuid.UUID | None
    members: list[MemberOut] = Field(default_factory=list, description="lead, deputies, members")
    created_at: datetime
    updated_at: datetime


class TeamQuery(ListQuery):
    kind: TeamKind | None = None
    person_id: uuid.UUID | None = Field(default=None, description="teams this person is in")
