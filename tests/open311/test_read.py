"""GeoReport v2 read over HTTP: services, a service definition, requests and their
filters, one request, tokens, discovery, in JSON and XML as the specification shapes them."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from tests.open311.conftest import Town

V2 = "/open311/v2"


async def get(api, path: str, status: int = 200, **kwargs):  # type: ignore[no-untyped-def]
    response = await api.get(f"{V2}{path}", role=None, **kwargs)
    body = await response.read()
    assert response.status == status, body.decode()
    return response, body


async def get_json(api, path: str, status: int = 200, **kwargs):  # type: ignore[no-untyped-def]
    response, body = await get(api, path, status, **kwargs)
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(body)


async def get_xml(api, path: str, status: int = 200, **kwargs) -> ET.Element:  # type: ignore[no-untyped-def]
    response, body = await get(api, path, status, **kwargs)
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(body)


async def test_services_list_the_public_active_categories(api, town: Town):
    services = await get_json(api, "/services.json")
    by_code = {s["service_code"]: s for s in services}
    assert town.internal.code not in by_code
    assert by_code[town.rental.code] == {
        "service_code": town.rental.code,
        "service_name": "群租整治",
        "description": "群租、日租房屋",
        "metadata": True,
        "type": "realtime",
        "keywords": "群租,日租",
        "group": "房屋租赁",
    }
    assert by_code[town.bikes.code]["metadata"] is False
    english = await get_json(api, "/services.json", headers={"Accept-Language": "en"})
    names = {s["service_code"]: s["service_name"] for s in english}
    assert names[town.rental.code] == "Group rentals" and names[town.bikes.code] == "非机动车乱停放"
    root = await get_xml(api, "/services.xml")
    assert root.tag == "services"
    codes = [s.findtext("service_code") for s in root.findall("service")]
    assert codes == [s["service_code"] for s in services]
    rental = next(s for s in root if s.findtext("service_code") == town.rental.code)
    assert rental.findtext("metadata") == "true" and rental.findtext("group") == "房屋租赁"


async def test_a_service_definition_lists_its_attributes_in_order(api, town: Town):
    definition = await get_json(api, f"/services/{town.rental.code}.json")
    assert definition["service_code"] == town.rental.code
    assert [a["code"] for a in definition["attributes"]] == ["kind", "floor", "signs"]
    kind, floor, _ = definition["attributes"]
    assert kind == {
        "variable": True,
        "code": "kind",
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": None,
        "order": 1,
        "description": "出租形式",
        "values": [{"key": "day", "name": "日租"}, {"key": "group", "name": "群租"}],
    }
    assert floor["required"] is True and floor["values"] == []
    english = await get_json(api, f"/services/{town.rental.code}.json?lang=en")
    assert english["attributes"][1]["description"] == "Floor"
    assert english["attributes"][0]["values"][1]["name"] == "group rental"
    root = await get_xml(api, f"/services/{town.rental.code}.xml")
    assert root.tag == "service_definition"
    attribute = root.find("attributes/attribute")
    assert attribute is not None and attribute.findtext("code") == "kind"
    assert [v.findtext("key") for v in attribute.findall("values/value")] == ["day", "group"]
    assert attribute.find("datatype_description") is not None  # empty, not left out


@pytest.mark.parametrize("code", ["nope", "internal"])
async def test_an_unknown_or_internal_service_is_404_in_both_formats(api, town: Town, code):
    code = town.internal.code if code == "internal" else code
    errors = await get_json(api, f"/services/{code}.json", 404)
    assert errors[0]["code"] == 404 and code in errors[0]["description"]
    root = await get_xml(api, f"/services/{code}.xml", 404)
    assert root.tag == "errors" and root.findtext("error/code") == "404"


async def test_requests_are_the_last_90_days_of_public_cases_newest_first(api, town: Town):
    requests = await get_json(api, "/requests.json")
    numbers = [r["service_request_id"] for r in requests]
    ours = [town.number(n) for n in ("new", "master", "merged", "resolved", "rejected")]
    assert [n for n in numbers if n in [*ours, town.number("old"), town.number("secret")]] == ours
    new = next(r for r in requests if r["service_request_id"] == town.number("new"))
    assert list(new) == [
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "lat",
        "long",
        "media_url",
    ]
    row = town.cases["new"]
    assert new["status"] == "open" and new["status_notes"] is None
    assert new["service_code"] == town.bikes.code and new["service_name"] == "非机动车乱停放"
    assert new["requested_datetime"] == row.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert new["expected_datetime"] == row.resolution_due_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert new["service_notice"] == "2.5个工作小时内受理，2个工作日内办结"
    assert (new["lat"], new["long"], new["address_id"]) == (31.2301, 121.4602, None)
    master = next(r for r in requests if r["service_request_id"] == town.number("master"))
    assert master["agency_responsible"] == town.housing.name
    assert master["address"] == "南京西路1000号" and master["address_id"] == str(town.building.id)
    assert (master["lat"], master["long"]) == (31.229, 121.455)


async def test_closed_requests_say_why_in_status_notes(api, town: Town):
    requests = await get_json(api, "/requests.json?status=closed")
    notes = {r["service_request_id"]: r["status_notes"] for r in requests}
    assert {r["status"] for r in requests} == {"closed"}
    assert notes[town.number("resolved")] == "已劝离 <全部> 租客 & 拆除隔断"
    assert notes[town.number("rejected")] == "不属本街道管辖"
    assert notes[town.number("merged")] == f"已并入案件 {town.number('master')}"
    assert town.number("new") not in notes
    english = await get_json(api, "/requests.json?status=closed", headers={"Accept-Language": "en"})
    merged = next(r for r in english if r["service_request_id"] == town.number("merged"))
    assert merged["status_notes"] == f"Merged into request {town.number('master')}"


async def test_requests_filter_by_code_status_and_window(api, town: Town):
    def ours(requests: list[dict]) -> set[str]:  # type: ignore[type-arg]
        mine = {town.number(n) for n in town.cases}
        return {r["service_request_id"] for r in requests} & mine

    by_code = await get_json(api, f"/requests.json?service_code={town.bikes.code}")
    assert ours(by_code) == {town.number("new"), town.number("rejected")}
    both = await get_json(
        api, f"/requests.json?service_code={town.bikes.code},{town.rental.code}&status=open"
    )
    assert ours(both) == {town.number("new"), town.number("master")}
    repeated = await get_json(api, "/requests.json?status=open&status=closed")
    assert ours(repeated) == ours(await get_json(api, "/requests.json"))
    start = (town.cases["old"].created_at).strftime("%Y-%m-%dT%H:%M:%SZ")
    window = await get_json(api, f"/requests.json?start_date={start}")
    assert ours(window) == {town.number("old")}
    end = town.cases["resolved"].created_at.isoformat()
    until = await get_json(api, "/requests.json", params={"end_date": end})
    assert ours(until) == {town.number("resolved"), town.number("rejected")}
    empty = await get_json(api, "/requests.json?service_code=&status=")  # empty: not given
    assert ours(empty) == ours(await get_json(api, "/requests.json"))


async def test_ids_override_every_other_argument(api, town: Town):
    ids = ",".join(town.number(n) for n in ("old", "new", "secret", "resolved"))
    found = await get_json(api, f"/requests.json?service_request_id={ids}&status=open")
    # The old one is outside the 90 days and resolved is closed: ids override both;
    # the internal category's case is never public.
    assert [r["service_request_id"] for r in found] == [
        town.number(n) for n in ("new", "resolved", "old")
    ]


async def test_pages_of_requests(api, town: Town):
    first = await get_json(api, f"/requests.json?service_code={town.rental.code}&page_size=2")
    second = await get_json(
        api, f"/requests.json?service_code={town.rental.code}&page_size=2&page=2"
    )
    assert [r["service_request_id"] for r in first + second] == [
        town.number(n) for n in ("master", "merged", "resolved")
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=pending", "status"),
        ("start_date=yesterday", "start_date"),
        ("start_date=2026-01-01T00:00:00Z&end_date=2026-05-01T00:00:00Z", "end_date"),
        ("start_date=2026-05-01T00:00:00Z&end_date=2026-01-01T00:00:00Z", "end_date"),
        ("service_request_id=12,abc", "service_request_id"),
        ("page_size=1001", "page_size"),
        ("page=0", "page"),
        ("service_code=%00", "service_code"),
    ],
)
async def test_a_bad_argument_is_400_naming_it(api, query, field):
    errors = await get_json(api, f"/requests.json?{query}", 400)
    assert len(errors) == 1 and errors[0]["code"] == 400
    assert errors[0]["description"].startswith(f"{field}: ")
    root = await get_xml(api, f"/requests.xml?{query}", 400)
    assert root.findtext("error/description", "").startswith(f"{field}: ")


async def test_one_request_by_its_number(api, town: Town):
    (one,) = await get_json(api, f"/requests/{town.number('resolved')}.json")
    assert one["status"] == "closed" and one["agency_responsible"] == town.housing.name
    root = await get_xml(api, f"/requests/{town.number('resolved')}.xml")
    assert root.tag == "service_requests"
    (request,) = root.findall("request")
    assert request.findtext("status_notes") == "已劝离 <全部> 租客 & 拆除隔断"
    assert request.findtext("lat") == "" and request.find("media_url") is not None
    for missing in ("999999999", "abc", town.number("secret")):
        errors = await get_json(api, f"/requests/{missing}.json", 404)
        assert errors[0]["code"] == 404


async def test_extensions_add_the_detailed_state(api, town: Town):
    (merged,) = await get_json(api, f"/requests/{town.number('merged')}.json?extensions=true")
    assert merged["extended_attributes"] == {
        "detailed_status": "merged",
        "detailed_status_name": "已合并",
        "urgency": "normal",
        "source": "coordinator",
        "token": None,
        "merged_into": town.number("master"),
        "attributes": [],
    }
    root = await get_xml(api, f"/requests/{town.number('master')}.xml?extensions=true")
    assert root.findtext("request/extended_attributes/detailed_status") == "in_progress"
    assert root.findtext("request/extended_attributes/detailed_status_name") == "办理中"


async def test_unknown_tokens_paths_and_methods_answer_georeport_errors(api):
    errors = await get_json(api, "/tokens/not-a-token.json", 404)
    assert errors[0]["code"] == 404
    errors = await get_json(api, "/tokens/7b1f3c1e-0000-4000-8000-000000000000.json", 404)
    assert errors[0]["code"] == 404
    root = await get_xml(api, "/nothing-here.xml", 404)
    assert root.findtext("error/code") == "404"
    await get_json(api, "/nothing-here", 404)
    response = await api.request("DELETE", f"{V2}/services.json", role=None)
    assert response.status == 405 and response.headers["Allow"] == "GET"
    assert (await response.json())[0]["code"] == 405


async def test_discovery_names_this_endpoint_and_its_formats(api, settings):
    discovery = await get_json(api, "/discovery.json")
    (endpoint,) = discovery["endpoints"]
    assert endpoint == {
        "specification": "http://wiki.open311.org/GeoReport_v2",
        "url": "http://fumin.test/open311/v2",
        "changeset": discovery["changeset"],
        "type": "test",
        "formats": ["text/xml", "application/json"],
    }
    assert "12345" in discovery["contact"]
    root = await get_xml(api, "/discovery.xml")
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]
