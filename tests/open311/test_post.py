"""POST requests: a GeoReport request filed as a case through the cases' filing, by the
Open311 key that posted it, read back in JSON and XML; every refusal in GeoReport's error
format with the status the specification gives it."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select

from coordinator.audit.models import AuditEntry
from coordinator.cases.models import Case
from coordinator.events.models import OutboxEvent
from coordinator.open311.models import Open311Key, Open311Request
from tests.open311.conftest import Town
from tests.open311.errors import georeport_errors

V2 = "/open311/v2"
DESCRIPTION = '1203 室疑似群租 <约 12 人> & "上下铺"\r\n晚上很吵'


def form(town: Town, **extra: str) -> dict[str, str]:
    return {
        "api_key": town.key,
        "jurisdiction_id": "fumin.test",
        "service_code": town.rental.code,
        "address_id": str(town.building.id),
        "description": DESCRIPTION,
        "first_name": "三",
        "last_name": "张",
        "phone": "13912345678",
        "email": "zhang.san@example.test",
        "account_id": "u-42",
        "device_id": "ios-7",
        "media_url": "https://img.example.test/a.jpg",
        "attribute[floor]": "12",
        "attribute[kind]": "group",
        **extra,
    }


async def post(api, path: str, data, status: int = 200):  # type: ignore[no-untyped-def]
    response = await api.client.post(f"{V2}{path}", data=data)
    body = await response.read()
    assert response.status == status, body.decode()
    if status >= 400:
        return georeport_errors(status, response.headers["Content-Type"], body)
    return response, body


async def test_a_posted_request_is_a_case_read_back_as_filed(api, database, town: Town):
    data = [*form(town).items(), ("attribute[signs][]", "noise"), ("attribute[signs][]", "beds")]
    response, body = await post(api, "/requests.json", data)
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    (posted,) = json.loads(body)
    assert posted == {
        "service_request_id": posted["service_request_id"],
        "service_notice": "4个工作小时内受理，5个工作日内办结",
        "account_id": "u-42",
    }
    number = int(posted["service_request_id"])
    async with database.session() as session:
        case = await session.scalar(select(Case).where(Case.number == number))
        assert case is not None
        extra = await session.get(Open311Request, case.id)
        key = await session.scalar(select(Open311Key).where(Open311Key.name == "随申办"))
        audit = list(
            await session.scalars(select(AuditEntry).where(AuditEntry.entity_id == case.id))
        )
        events = list(
            await session.scalars(select(OutboxEvent).where(OutboxEvent.subject_id == case.id))
        )
    assert case.source == "open311" and case.status == "new"
    assert case.reporter_name == "张三" and case.reporter_phone == "13912345678"
    assert case.building_id == town.building.id and case.category_id == town.rental.id
    assert case.description.startswith(DESCRIPTION) and "所在楼层：12" in case.description
    assert (
        "出租形式：群租" in case.description
        and case.title == '1203 室疑似群租 <约 12 人> & "上下铺"'
    )
    assert extra is not None and key is not None and extra.key_id == key.id
    assert (extra.account_id, extra.device_id) == ("u-42", "ios-7")
    assert extra.attributes == [
        {"code": "floor", "value": "12"},
        {"code": "kind", "value": "group"},
        {"code": "signs", "value": "noise"},
        {"code": "signs", "value": "beds"},
    ]
    assert {(e.action, e.entity_type) for e in audit} >= {
        ("create", "case"),
        ("create", "open311_request"),
    }
    assert {e.actor_token_id for e in audit} == {key.id}
    assert "case.created" in {e.type for e in events}

    read = await api.get(f"{V2}/requests/{number}.json?extensions=true", role=None)
    (request,) = await read.json()
    assert request["status"] == "open" and request["service_code"] == town.rental.code
    assert request["media_url"] == "https://img.example.test/a.jpg"
    assert request["address_id"] == str(town.building.id)
    extended = request["extended_attributes"]
    assert extended["detailed_status"] == "new" and extended["source"] == "open311"
    assert extended["attributes"][0] == {"code": "floor", "value": "12"}
    token = await api.get(f"{V2}/tokens/{extended['token']}.json", role=None)
    assert await token.json() == [{"service_request_id": str(number), "token": extended["token"]}]

    xml = await api.get(f"{V2}/requests/{number}.xml", role=None)
    root = ET.fromstring(await xml.read())
    # The carriage return survives as &#13;, the markup characters as text.
    assert root.findtext("request/description", "").startswith(DESCRIPTION)


async def test_posting_in_xml_answers_xml(api, town: Town):
    fields = form(town, description="楼道堆物 & 电瓶车充电")
    del fields["attribute[kind]"]
    response, body = await post(api, "/requests.xml", fields)
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(body)
    assert root.tag == "service_requests"
    assert root.findtext("request/service_request_id", "").isdigit()
    assert root.findtext("request/account_id") == "u-42"


async def test_coordinates_or_an_address_are_a_location(api, town: Town):
    fields = form(town, lat="31.2295", long="121.4551", description="共享单车堵门")
    del fields["address_id"]
    await post(api, "/requests.json", fields)
    fields = form(town, address_string="石门一路 & 北京西路路口")
    del fields["address_id"]
    await post(api, "/requests.json", fields)


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"api_key": None}, 403, None),
        ({"api_key": "o311_not-a-key"}, 403, None),
        ({"service_code": None}, 400, "service_code"),
        ({"service_code": "no-such"}, 404, None),
        ({"address_id": None}, 400, "address_string"),
        ({"address_id": "00000000-0000-4000-8000-000000000000"}, 400, "address_id"),
        ({"address_id": "不是编号"}, 400, "address_id"),
        ({"address_id": None, "lat": "31.2"}, 400, "long"),
        ({"address_id": None, "lat": "95", "long": "121.4"}, 400, "lat"),
        ({"attribute[floor]": None}, 400, "attribute[floor]"),
        ({"attribute[floor]": "十二"}, 400, "attribute[floor]"),
        ({"attribute[kind]": "hotel"}, 400, "attribute[kind]"),
        ({"phone": "12"}, 400, "phone"),
        ({"email": "not-an-address"}, 400, "email"),
        ({"description": "x" * 4001}, 400, "description"),
        ({"first_name": "\x00"}, 400, "first_name"),
    ],
)
async def test_a_refused_request_names_why(api, town: Town, change, status, field):
    fields = form(town)
    for name, value in change.items():
        if value is None:
            fields.pop(name, None)
        else:
            fields[name] = value
    for fmt in ("json", "xml"):
        errors = await post(api, f"/requests.{fmt}", fields, status)
        if field is not None:
            assert errors[0][1].startswith(f"{field}: "), errors


async def test_a_revoked_key_or_another_content_type_is_refused(api, town: Town):
    await post(api, "/requests.json", form(town))
    keys_page = await api.ok("GET", "/api/v1/open311-keys")
    (key,) = [k for k in keys_page["items"] if k["name"] == "随申办"]
    await api.ok("POST", f"/api/v1/open311-keys/{key['id']}/revoke")
    await post(api, "/requests.json", form(town), 403)
    response = await api.client.post(f"{V2}/requests.json", json=form(town))
    assert response.status == 400
    (error,) = await response.json()
    assert error["code"] == 400 and "表单" in error["description"]
