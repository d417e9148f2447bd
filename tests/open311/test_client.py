"""An Open311 client library from PyPI (georeport, which reads GeoReport v2 in JSON and
XML) against Fumin served on a loopback port: it lists the services, reads a service's
definition, the requests and one request, in both formats."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
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
