"""Answers that keep their word, checked over the whole OpenAPI document: every Location
answers GET, every list has the same shape, a null for a required field is a 422."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import update

from coordinator.platform.db import utcnow
from coordinator.visits.models import Visit, VisitStatus
from tests.api.conftest import Everything

_PARAM = re.compile(r"{\w+}")


def _matches(template: str, path: str) -> bool:
    return re.fullmatch(_PARAM.sub(r"[^/]+", template), path) is not None


async def _document(api) -> dict:  # type: ignore[no-untyped-def]
    return await api.ok("GET", "/api/openapi.json")


async def _completed_visit(everything: Everything, database) -> str:  # type: ignore[no-untyped-def]
    """The visit, moved to have happened (as if confirmed and held), with its outcome."""
    visit_id = everything.made["visit"]["id"]
    async with database.sessionmaker.begin() as session:
        await session.execute(
            update(Visit)
            .where(Visit.id == visit_id)
            .values(
                status=VisitStatus.confirmed,
                starts_at=utcnow() - timedelta(hours=2),
                ends_at=utcnow() - timedelta(hours=1),
            )
        )
    await everything.api.ok(
        "POST", f"/api/v1/visits/{visit_id}/outcome", json={"status": "completed", "notes": "好"}
    )
    return visit_id


async def test_every_location_header_names_a_route_that_answers_get(everything, database):
    visit_id = await _completed_visit(everything, database)
    await everything.create(
        "need", f"/api/v1/visits/{visit_id}/needs", {"category": "rent", "description": "房租减免"}
    )
    document = await _document(everything.api)
    creating = [
        path
        for path, ops in document["paths"].items()
        if "post" in ops and "201" in ops["post"]["responses"]
    ]
    answered = {path for path, _ in everything.locations}
    # The personal links are capabilities shown once (no-store), not resources to read again.
    unread = {
        "/api/v1/people/{id}/link",
        "/api/v1/people/{id}/handler-link",
        "/api/v1/people/{id}/block-leader-link",
    }
    for template in creating:
        if template in unread:
            continue
        assert any(_matches(template, path) for path in answered), f"no 201 from {template}"
    for (path, key), location in everything.locations.items():
        read = await everything.api.get(location)
        body = await read.text()
        assert read.status == 200, f"{path} answered Location {location}: GET {read.status} {body}"
        made = everything.made[key]
        known_by = "person_id" if key in ("member", "department_member") else "id"
        answer = await read.json()
        # A block's deputy is one row of the block's people: its Location is that list.
        rows = answer["items"] if key == "deputy" else [answer]
        assert made[known_by] in [row[known_by] for row in rows], location
        get_ops = [t for t in document["paths"] if _matches(t, location.split("?")[0])]
        assert any("get" in document["paths"][t] for t in get_ops), location


async def test_every_list_answers_items_next_cursor_and_total(everything):
    document = await _document(everything.api)
    schemas = document["components"]["schemas"]
    made = everything.made
    ids = {
        "/api/v1/teams/{id}": made["team"]["id"],
        "/api/v1/people/{id}": made["person"]["id"],
        "/api/v1/shifts/{id}": made["shift"]["id"],
        "/api/v1/companies/{id}": made["company"]["id"],
        "/api/v1/webhooks/{id}": made["webhook"]["id"],
        "/api/v1/campaigns/{id}": made["campaign"]["id"],
        "/api/v1/departments/{id}": made["department"]["id"],
    }
    # The events feed is read with `after` (a position), not pages; its own shape. A day's
    # round compliance is one board whose items are the area's blocks, not a page of them.
    exempt = {"/api/v1/events", "/api/v1/areas/{id}/round-compliance"}
    lists = 0
    for template, ops in document["paths"].items():
        get = ops.get("get")
        if get is None or template in exempt:
            continue
        content = get["responses"]["200"].get("content", {}).get("application/json")
        if not content or "$ref" not in content.get("schema", {}):
            continue
        schema = schemas[content["schema"]["$ref"].rsplit("/", 1)[-1]]
        if "items" not in schema.get("properties", {}):
            continue
        lists += 1
        assert {"items", "next_cursor", "total"} <= set(schema["properties"]), template
        assert {"items", "next_cursor", "total"} <= set(schema.get("required", [])), template
        path = template
        for prefix, value in ids.items():
            path = path.replace(prefix, prefix.replace("{id}", value))
        if "{" in path:
            continue
        page = await everything.api.ok("GET", path)
        assert set(page) == {"items", "next_cursor", "total"}, (path, sorted(page))
        assert page["total"] >= len(page["items"])
    assert lists >= 20


async def test_the_signups_of_a_shift_are_a_list(everything):
    shift_id = everything.made["shift"]["id"]
    page = await everything.api.ok("GET", f"/api/v1/shifts/{shift_id}/signups")
    assert page["total"] == 2 and page["next_cursor"] is None
    assert [s["waitlist_position"] for s in page["items"]] == [None, 1]


async def test_null_for_a_required_field_is_a_422_naming_it_on_every_patch(everything):
    made = everything.made
    document = await _document(everything.api)
    schemas = document["components"]["schemas"]
    targets = {
        "/api/v1/areas/{id}": f"/api/v1/areas/{made['area']['id']}",
        "/api/v1/buildings/{id}": f"/api/v1/buildings/{made['building']['id']}",
        "/api/v1/party-branches/{id}": f"/api/v1/party-branches/{made['branch']['id']}",
        "/api/v1/companies/{id}": f"/api/v1/companies/{made['company']['id']}",
        "/api/v1/companies/{id}/contacts/{contact_id}": (
            f"/api/v1/companies/{made['company']['id']}/contacts/{made['contact']['id']}"
        ),
        "/api/v1/people/{id}": f"/api/v1/people/{made['person']['id']}",
        "/api/v1/teams/{id}": f"/api/v1/teams/{made['team']['id']}",
        "/api/v1/teams/{id}/members/{person_id}": (
            f"/api/v1/teams/{made['team']['id']}/members/{made['person']['id']}"
        ),
        "/api/v1/posts/{id}": f"/api/v1/posts/{made['post']['id']}",
        "/api/v1/shifts/{id}": f"/api/v1/shifts/{made['shift']['id']}",
        "/api/v1/webhooks/{id}": f"/api/v1/webhooks/{made['webhook']['id']}",
        "/api/v1/departments/{id}": f"/api/v1/departments/{made['department']['id']}",
        "/api/v1/departments/{id}/members/{person_id}": (
            f"/api/v1/departments/{made['department']['id']}/members/{made['person']['id']}"
        ),
        "/api/v1/case-categories/{id}": f"/api/v1/case-categories/{made['category']['id']}",
        "/api/v1/case-routes/{id}": f"/api/v1/case-routes/{made['route']['id']}",
        "/api/v1/compounds/{id}": f"/api/v1/compounds/{made['compound']['id']}",
        "/api/v1/housing-buildings/{id}": (
            f"/api/v1/housing-buildings/{made['housing_building']['id']}"
        ),
        "/api/v1/blocks/{id}": f"/api/v1/blocks/{made['block']['id']}",
        "/api/v1/dwellings/{id}": f"/api/v1/dwellings/{made['dwelling']['id']}",
        "/api/v1/survey-campaigns/{id}": (
            f"/api/v1/survey-campaigns/{made['survey_campaign']['id']}"
        ),
    }
    # Plan items exist only once a worker has planned the campaign (tests/campaigns).
    untested = {"/api/v1/campaigns/{id}/items/{item_id}"}
    patches = {p for p, ops in document["paths"].items() if "patch" in ops}
    assert patches == set(targets) | untested
    tried = 0
    for template, path in targets.items():
        body_ref = document["paths"][template]["patch"]["requestBody"]["content"][
            "application/json"
        ]["schema"]["$ref"]
        for name in schemas[body_ref.rsplit("/", 1)[-1]]["properties"]:
            response = await everything.api.patch(path, json={name: None})
            text = await response.text()
            assert response.status in (200, 422), f"PATCH {path} {name}=null: {text}"
            if response.status == 422:
                fields = [e["field"] for e in (await response.json()).get("errors", [])]
                assert name in fields, f"PATCH {path} {name}=null: {text}"
            tried += 1
            await everything.api.ok("GET", path)
    assert tried > 40
