"""Open311 attribute definitions of a case category (GeoReport v2 service definitions):
what a report of the category may or must say besides its description."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from coordinator.web.validation import Body

MAX_ATTRIBUTES = 30
MAX_VALUES = 100


def problem(kind: str, english: str, chinese: str) -> PydanticCustomError:
    """A validation error in both languages."""
    return PydanticCustomError(kind, english, {"zh": chinese})


# Open311 attribute datatypes.
AttributeType = Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]


LISTS = ("singlevaluelist", "multivaluelist")


class AttributeValueIn(Body):
    key: str = Field(min_length=1, max_length=50)
    name: str = Field(min_length=1, max_length=100)


class AttributeIn(Body):
    """An Open311 attribute definition."""

    variable: bool = Field(default=True, description="false: shown only, nothing to answer")
    code: str = Field(pattern=r"^[A-Za-z0-9_\-]{1,50}$")
    datatype: AttributeType
    required: bool = False
    datatype_description: str | None = Field(default=None, min_length=1, max_length=200)
    order: int = Field(ge=1, le=1000)
    description: str = Field(min_length=1, max_length=500)
    values: list[AttributeValueIn] = Field(default_factory=list, max_length=MAX_VALUES)

    @model_validator(mode="after")
    def _values_fit_the_type(self) -> AttributeIn:
        if self.datatype in LISTS and not self.values:
            raise problem(
                "attribute_values", "a list attribute needs values", "列表类属性须给出「values」"
            )
        if self.datatype not in LISTS and self.values:
            raise problem(
                "attribute_values",
                "only singlevaluelist and multivaluelist take values",
                "只有「singlevaluelist」和「multivaluelist」类属性才有「values」",
            )
        keys = [value.key for value in self.values]
        if len(set(keys)) != len(keys):
            raise problem("attribute_values", "value keys must differ", "选项的「key」不能重复")
        return self


def _distinct_attributes(attributes: list[AttributeIn]) -> list[AttributeIn]:
    for name in ("code", "order"):
        seen = [getattr(attribute, name) for attribute in attributes]
        if len(set(seen)) != len(seen):
            raise problem(
                "attribute_repeated",
                f"each attribute needs its own {name}",
                f"各属性的「{name}」不能重复",
            )
    return sorted(attributes, key=lambda attribute: attribute.order)


Attributes = Annotated[
    list[AttributeIn], Field(max_length=MAX_ATTRIBUTES), AfterValidator(_distinct_attributes)
]


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class AttributeValue(Out):
    key: str
    name: str


class Attribute(Out):
    variable: bool
    code: str
    datatype: AttributeType
    required: bool
    datatype_description: str | None
    order: int
    description: str
    values: list[AttributeValue]
