"""How a person or contact wants to be reached: channels and quiet hours (schema types)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from coordinator.platform.settings import parse_quiet_hours


def _quiet_hours(value: str) -> str:
    try:
        parse_quiet_hours(value)
    except ValueError as exc:
        raise PydanticCustomError(
            "quiet_hours",
            "must look like 21:00-08:00, or off",
            {"zh": "格式应为 21:00-08:00，或「off」（不设免打扰）"},
        ) from exc
    return value


def _unique(values: list[str]) -> list[str]:
    return sorted(set(values))


Channels = Annotated[
    list[Literal["email", "sms"]],
    Field(max_length=2, description="how to reach them: email and/or sms"),
    AfterValidator(_unique),
]
QuietHours = Annotated[
    str,
    Field(max_length=11, description='e.g. "22:00-07:00", or "off"; null means the default'),
    AfterValidator(_quiet_hours),
]


ChannelName = Literal["email", "sms"]


def email_only() -> list[ChannelName]:
    return ["email"]


def email_and_sms() -> list[ChannelName]:
    return ["email", "sms"]
