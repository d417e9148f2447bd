"""An Open311 client library from PyPI (georeport, which reads GeoReport v2 in JSON and
XML) against Fumin served on a loopback port: it lists the services, reads a service's
definition, the requests and one request, in both formats, and reads back a request
posted with an API key as clients post it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import requests
import xmltodict
from georeport import GeoReport

from coordinator.app import create_app
from tests.open311.conftest import Town, build_town


@pytest.fixture
async def served(aiohttp_server, settings, committed_database) -> tuple[Town, str]:  # type: ignore[no-untyped-def]
    town = await build_town(committed_database)
    server = await aiohttp_server(
        create_app(settings, database=committed_database), host="127.0.0.1"
    )
    return town, str(server.make_url("/open311/v2"))


def listed(value: Any) -> list[Any]:
    """xmltodict gives one element as a dict and several as a list."""
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_the_client_reads_services_definitions_and_requests(served, fmt):
    town, root = served
    client = GeoReport(root, jurisdiction="fumin.test", output_format=fmt)

    services = listed(await asyncio.to_thread(client.get_service_list))
    by_code = {s["service_code"]: s for s in services}
    assert set(by_code) == {town.rental.code, town.bikes.code}
    assert by_code[town.rental.code]["service_name"] == "群租整治"
    assert str(by_code[town.rental.code]["metadata"]).lower() == "true"

    definition = await asyncio.to_thread(client.get_service_definition, town.rental.code)
    attributes = (
        definition["attributes"] if fmt == "json" else listed(definition["attributes"]["attribute"])
    )
    assert [a["code"] for a in attributes] == ["kind", "floor", "signs"]

    requests = listed(
        await asyncio.to_thread(client.get_service_requests, service_code=town.bikes.code)
    )
    assert [r["service_request_id"] for r in requests] == [
        town.number("new"),
        town.number("rejected"),
    ]
    assert requests[1]["status"] == "closed"
    assert requests[1]["status_notes"] == "不属本街道管辖"

    one = await asyncio.to_thread(client.get_service_request, town.number("resolved"))
    assert one["status_notes"] == "已劝离 <全部> 租客 & 拆除隔断"
    assert one["agency_responsible"] == town.housing.name


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_a_request_posted_as_clients_post_it_is_read_back_by_the_client(served, fmt):
    """georeport does not post; the POST is the form the specification's example and
    FixMyStreet send (api_key and jurisdiction_id in the body, attribute[code]=…)."""
    town, root = served
    form = {
        "api_key": town.key,
        "jurisdiction_id": "fumin.test",
        "service_code": town.rental.code,
        "lat": "31.2295",
        "long": "121.4551",
        "description": "群租：隔断 & 上下铺 <十余人>",
        "first_name": "Li",
        "last_name": "Wei",
        "email": "li.wei@example.test",
        "attribute[floor]": "8",
    }
    answer = await asyncio.to_thread(requests.post, f"{root}/requests.{fmt}", data=form, timeout=10)
    assert answer.status_code == 200, answer.text
    if fmt == "json":
        number = answer.json()[0]["service_request_id"]
    else:
        number = xmltodict.parse(answer.content)["service_requests"]["request"][
            "service_request_id"
        ]
    client = GeoReport(root, jurisdiction="fumin.test", output_format=fmt)
    one = await asyncio.to_thread(client.get_service_request, number)
    assert one["service_request_id"] == number and one["status"] == "open"
    assert one["description"].startswith("群租：隔断 & 上下铺 <十余人>")
    assert float(one["lat"]) == 31.2295
    listed_now = listed(
        await asyncio.to_thread(client.get_service_requests, service_request_id=number)
    )
    assert [r["service_request_id"] for r in listed_now] == [number]
