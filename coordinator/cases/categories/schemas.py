"""Request and response shapes of case categories (事项类型) and routing rules (派单规则).

A category's attributes are Open311 attribute definitions (GeoReport v2, service
definition); its escalation ladder says who hears of an overdue task, and when."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from itertools import pairwise
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    WithJsonSchema,
)

from coordinator.cases.categories.attributes import Attribute, Attributes, problem
from coordinator.cases.models import Urgency
from coordinator.departments.models import DepartmentKind
from coordinator.web.listing import ListQuery
from coordinator.web.validation import Body, Query

MAX_STEPS = 10
MAX_HELPERS = 20

Code = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9_\-]{1,50}$",
        description="the Open311 service_code: lower-case letters, digits, _ and -",
        examples=["group_rental"],
    ),
]


# Who hears of an overdue task: its department's lead, the subdistrict's coordinators, the
# lead of the Fumin team the department is.
EscalationTarget = Literal["department_lead", "coordinators", "team_lead"]


def _hundredths(value: float) -> float:
    """Working hours to two decimal places at most (the column holds no more)."""
    exponent = Decimal(str(value)).as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise problem("decimal_places", "at most 2 decimal places", "最多 2 位小数")
    return value


Hours = Annotated[float, Field(gt=0, le=9999), AfterValidator(_hundredths)]


class EscalationStepIn(Body):
    after_hours: float = Field(ge=0, le=1000, description="working hours past the task's due time")
    to: EscalationTarget


def _ascending(steps: list[EscalationStepIn]) -> list[EscalationStepIn]:
    hours = [step.after_hours for step in steps]
    if any(later <= earlier for earlier, later in pairwise(hours)):
        raise problem(
            "escalation_order",
            "steps must come in strictly ascending after_hours",
            "各级须按「after_hours」从小到大排列，且不能相同",
        )
    return steps


Escalation = Annotated[
    list[EscalationStepIn], Field(max_length=MAX_STEPS), AfterValidator(_ascending)
]
Factor = Annotated[float, Field(ge=0.05, le=10)]


def _factors_schema(bounds: dict[str, float]) -> WithJsonSchema:
    """An object with a property per urgency (Swagger UI's OpenAPI 3.0 has no propertyNames)."""
    number = {"type": "number", **bounds}
    return WithJsonSchema(
        {
            "type": "object",
            "properties": {urgency.value: number for urgency in Urgency},
            "additionalProperties": False,
            "description": "a factor per urgency applied to both deadlines, e.g. "
            '{"urgent": 0.25, "low": 2}',
        }
    )


UrgencyFactors = Annotated[dict[Urgency, Factor], _factors_schema({"minimum": 0.05, "maximum": 10})]
FactorsOut = Annotated[dict[Urgency, float], _factors_schema({})]


class CategoryIn(Body):
    code: Code
    name: str = Field(min_length=1, max_length=100)
    name_en: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, min_length=1, max_length=1000)
    group: str | None = Field(default=None, min_length=1, max_length=100)
    keywords: str | None = Field(default=None, min_length=1, max_length=300)
    response_hours: Hours = Field(description="working hours to accept (受理)")
    resolution_days: int = Field(ge=1, le=365, description="working days to resolve (办结)")
    urgency_factors: UrgencyFactors | None = None
    escalation: Escalation = Field(default_factory=list)
    photo_required: bool = False
    reply_days: int = Field(default=3, ge=1, le=60, description="days to answer the follow-up")
    attributes: Attributes = Field(default_factory=list)
    public: bool = True
    active: bool = True


class CategoryPatch(Body):
    code: Code | None = None
    name: str | None = Field(default=None, min_length=1, max_length=100)
    name_en: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, min_length=1, max_length=1000)
    group: str | None = Field(default=None, min_length=1, max_length=100)
    keywords: str | None = Field(default=None, min_length=1, max_length=300)
    response_hours: Hours | None = None
    resolution_days: int | None = Field(default=None, ge=1, le=365)
    urgency_factors: UrgencyFactors | None = None
    escalation: Escalation | None = None
    photo_required: bool | None = None
    reply_days: int | None = Field(default=None, ge=1, le=60)
    attributes: Attributes | None = None
    public: bool | None = None
    active: bool | None = None


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class EscalationStep(Out):
    after_hours: float
    to: EscalationTarget


class CategoryOut(Out):
    id: uuid.UUID
    code: str
    name: str
    name_en: str | None
    description: str | None
    group: str | None
    keywords: str | None
    response_hours: float
    resolution_days: int
    urgency_factors: FactorsOut | None
    escalation: list[EscalationStep]
    photo_required: bool
    reply_days: int
    attributes: list[Attribute]
    public: bool
    active: bool
    created_at: datetime
    updated_at: datetime


class CategoryQuery(ListQuery):
    active: bool | None = None
    public: bool | None = None
    group: str | None = Field(default=None, max_length=100)


# Routing rules


class RouteIn(Body):
    category_id: uuid.UUID
    area_id: uuid.UUID | None = Field(default=None, description="the rule of an area")
    building_id: uuid.UUID | None = Field(default=None, description="the rule of a building")
    lead_department_id: uuid.UUID
    helper_department_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=MAX_HELPERS, description="the co-handlers (协办)"
    )


class RoutePatch(Body):
    area_id: uuid.UUID | None = None
    building_id: uuid.UUID | None = None
    lead_department_id: uuid.UUID | None = None
    helper_department_ids: list[uuid.UUID] | None = Field(default=None, max_length=MAX_HELPERS)


class RouteOut(Out):
    id: uuid.UUID
    category_id: uuid.UUID
    area_id: uuid.UUID | None
    building_id: uuid.UUID | None
    lead_department_id: uuid.UUID
    helper_department_ids: list[uuid.UUID]
    created_at: datetime
    updated_at: datetime


class RouteQuery(ListQuery):
    category_id: uuid.UUID | None = None
    area_id: uuid.UUID | None = None
    building_id: uuid.UUID | None = None
    department_id: uuid.UUID | None = Field(
        default=None, description="rules the department leads or co-handles"
    )


class ResolveQuery(Query):
    category: str = Field(min_length=1, max_length=50, description="the category's code")
    building_id: uuid.UUID | None = None
    area_id: uuid.UUID | None = None


class DepartmentBrief(Out):
    id: uuid.UUID
    name: str
    kind: DepartmentKind
    active: bool


class ResolvedOut(BaseModel):
    category_id: uuid.UUID
    category: str
    matched: Literal["building", "area", "category"] | None = Field(
        description="which rule applies: the building's, an area's, the category's own; "
        "null: none (the case waits for a coordinator)"
    )
    route_id: uuid.UUID | None
    area_id: uuid.UUID | None
    building_id: uuid.UUID | None
    lead_department: DepartmentBrief | None
    helpers: list[DepartmentBrief]
