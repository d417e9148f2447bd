async def test_registry_operations_are_documented(api):
    document = await api.ok("GET", "/api/openapi.json", role=None)
    paths = document["paths"]
    expected = {
        "/api/v1/buildings": {"get", "post"},
        "/api/v1/buildings/{id}": {"get", "patch", "delete"},
        "/api/v1/party-branches": {"get", "post"},
        "/api/v1/party-branches/{id}": {"get", "patch", "delete"},
        "/api/v1/companies": {"get", "post"},
        "/api/v1/companies/{id}": {"get", "patch", "delete"},
        "/api/v1/companies/{id}/contacts": {"get", "post"},
        "/api/v1/companies/{id}/contacts/{contact_id}": {"get", "patch", "delete"},
    }
    assert {path: set(paths[path]) for path in expected} == expected
    schemas = document["components"]["schemas"]
    assert set(schemas["CompanyIn"]["required"]) == {"name", "credit_code"}
    assert schemas["BuildingIn"]["properties"]["latitude"]["anyOf"][0] == {
        "type": "number",
        "minimum": -90,
        "maximum": 90,
    }
    listed = {p["name"] for p in paths["/api/v1/companies"]["get"]["parameters"]}
    assert {"building_id", "area_id", "status", "party_branch_id", "industry", "q"} <= listed
