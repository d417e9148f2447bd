"""The shapes of GeoReport v2 (wiki.open311.org/GeoReport_v2), as the specification writes
them: JSON is the Spark mapping of the XML (a list where the XML has a container of one
kind of element, null where it has an empty element). Times are W3C date-times in UTC
with Z; ids and codes are strings (the v2.1 draft's types)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

DataType = Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]
Format = Literal["json", "xml"]


class Open311Model(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class Service(Open311Model):
    service_code: str = Field(description="The case category's code")
    service_name: str
    description: str | None
    metadata: bool = Field(description="true: read the service definition for its attributes")
    type: Literal["realtime", "batch", "blackbox"] = Field(
        description="Always realtime: a POST answers the service_request_id at once"
    )
    keywords: str | None
    group: str | None


class ServiceList(RootModel[list[Service]]):
    pass


class AttributeValue(Open311Model):
    key: str
    name: str


class Attribute(Open311Model):
    variable: bool
    code: str
    datatype: DataType
    required: bool
    datatype_description: str | None
    order: int
    description: str
    values: list[AttributeValue]


class ServiceDefinition(Open311Model):
    service_code: str
    attributes: list[Attribute]


class AttributeAnswer(Open311Model):
    code: str
    value: str


class ExtendedAttributes(Open311Model):
    """Fumin's own fields (GeoReport v2 Extensions, "Extended Attributes"), sent only when
    asked with `extensions=true`."""

    detailed_status: str = Field(
        description="The case's own state: new, accepted, in_progress, reopened (open); "
        "resolved, closed, rejected, merged (closed)"
    )
    detailed_status_name: str = Field(description="That state in words")
    urgency: str
    source: str
    token: str | None = Field(description="The token tokens/{token} resolves, if filed here")
    merged_into: str | None = Field(description="The service_request_id merged into")
    attributes: list[AttributeAnswer] = Field(description="The attribute answers posted")


class ServiceRequestCore(Open311Model):
    service_request_id: str = Field(description="The case number")
    status: Literal["open", "closed"]
    status_notes: str | None = Field(
        description="The resolution, the reason for rejecting, what it was merged into"
    )
    service_name: str
    service_code: str
    description: str | None
    agency_responsible: str | None = Field(description="The lead department")
    service_notice: str | None = Field(description="How soon it is accepted and resolved")
    requested_datetime: str = Field(json_schema_extra={"format": "date-time"})
    updated_datetime: str = Field(json_schema_extra={"format": "date-time"})
    expected_datetime: str | None = Field(
        description="The resolution deadline", json_schema_extra={"format": "date-time"}
    )
    address: str | None
    address_id: str | None = Field(description="The building's id, where the case has one")
    lat: float | None
    long: float | None
    media_url: str | None


class ServiceRequest(ServiceRequestCore):
    extended_attributes: ExtendedAttributes | None = Field(
        default=None, description="Only with extensions=true"
    )


class ServiceRequestList(RootModel[list[ServiceRequest]]):
    pass


class PostedRequest(Open311Model):
    service_request_id: str
    service_notice: str | None
    account_id: str | None


class PostedRequestList(RootModel[list[PostedRequest]]):
    pass


class TokenAnswer(Open311Model):
    service_request_id: str
    token: str


class TokenAnswerList(RootModel[list[TokenAnswer]]):
    pass


class Open311Error(Open311Model):
    code: int = Field(description="The HTTP status")
    description: str = Field(description="What went wrong, to be shown to the user")


class Open311ErrorList(RootModel[list[Open311Error]]):
    pass


class Endpoint(Open311Model):
    specification: str
    url: str
    changeset: str
    type: Literal["production", "test"]
    formats: list[str]


class Discovery(Open311Model):
    changeset: str
    contact: str
    key_service: str
    endpoints: list[Endpoint]
