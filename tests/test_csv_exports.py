"""Every CSV export opens in Excel with its Chinese names: UTF-8 with a BOM, and says so."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

# Each CSV route of the API document, with what it needs to answer.
MONTH = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
QUERIES = {
    "/api/v1/exports/visits.csv": "",
    "/api/v1/exports/needs.csv": "",
    "/api/v1/exports/coverage.csv": "",
    "/api/v1/hours/statement": f"?month={MONTH}",
    "/api/v1/case-reports/departments.csv": f"?month={MONTH}",
    "/api/v1/case-reports/places.csv": "",
    "/api/v1/areas/{id}/round-compliance.csv": "",  # {id}: a residential area made here
}


async def test_every_csv_export_starts_with_a_bom_and_says_utf_8(api):
    document = await api.ok("GET", "/api/openapi.json")
    csv_routes = {
        path
        for path, operations in document["paths"].items()
        for operation in operations.values()
        if isinstance(operation, dict)
        and "text/csv" in operation.get("responses", {}).get("200", {}).get("content", {})
    }
    assert csv_routes == set(QUERIES)  # a new CSV route is checked here too
    area = await api.ok(
        "POST", "/api/v1/areas", 201, json={"name": "威海居民区", "kind": "residential"}
    )
    for path, query in QUERIES.items():
        response = await api.get(path.replace("{id}", area["id"]) + query)
        assert response.status == 200, path
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8", path
        body = await response.read()
        assert body.startswith(b"\xef\xbb\xbf"), path
        assert body[3:].decode()[:1].isalpha(), path  # one BOM, then the header row
