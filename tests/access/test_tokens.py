import hashlib

import pytest
from sqlalchemy import text

from coordinator.auth.models import Role
from tests.conftest import make_api

from .conftest import concrete, op_id, operations

PROTECTED = [op for op in operations() if op.role is not None]
WRITES = [op for op in PROTECTED if op.role is not None and op.role != Role.viewer]


async def test_no_token_is_401_with_www_authenticate(api):
    response = await api.get("/api/v1/people", role=None)
    assert response.status == 401
    assert response.content_type == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    problem = await response.json()
    assert problem["status"] == 401
    assert problem["type"].endswith("/unauthorized")


@pytest.mark.parametrize("op", PROTECTED, ids=op_id)
async def test_every_protected_operation_needs_a_token(api, op):
    response = await api.request(op.method, concrete(op.path), role=None, json={})
    assert response.status == 401
    assert "WWW-Authenticate" in response.headers
    assert response.content_type == "application/problem+json"


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNzd29yZA==",
        "Token fmn_abc",
        "fmn_abc",
        "Bearer fmn_not-a-real-token",
        "Bearer not-even-the-prefix",
        "Bearer fmn_" + "x" * 500,
        "Bearer 令牌",
    ],
)
async def test_malformed_or_unknown_token_is_401(api, authorization):
    response = await api.get("/api/v1/people", role=None, headers={"Authorization": authorization})
    assert response.status == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.content_type == "application/problem+json"


async def test_scheme_is_case_insensitive(api):
    token = api.tokens[Role.viewer]
    response = await api.get(
        "/api/v1/people", role=None, headers={"Authorization": f"bearer {token}"}
    )
    assert response.status == 200


@pytest.mark.parametrize("op", WRITES, ids=op_id)
async def test_viewer_cannot_write(api, op):
    response = await api.request(op.method, concrete(op.path), role=Role.viewer, json={})
    assert response.status == 403
    assert response.content_type == "application/problem+json"
    assert (await response.json())["status"] == 403


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/audit-log"),
        ("GET", "/api/v1/tokens"),
        ("POST", "/api/v1/tokens"),
        ("POST", "/api/v1/tokens/00000000-0000-0000-0000-000000000000/revoke"),
    ],
)
async def test_coordinator_cannot_read_audit_log_or_manage_tokens(api, method, path):
    response = await api.request(
        method, path, role=Role.coordinator, json={"name": "x", "role": "viewer"}
    )
    assert response.status == 403
    response = await api.request(
        method, path, role=Role.viewer, json={"name": "x", "role": "viewer"}
    )
    assert response.status == 403


async def test_admin_reads_audit_log_and_lists_tokens(api):
    await api.ok("GET", "/api/v1/audit-log")
    page = await api.ok("GET", "/api/v1/tokens?sort=name")
    assert [t["name"] for t in page["items"]] == ["test admin", "test coordinator", "test viewer"]
    assert all("token" not in t and "token_hash" not in t for t in page["items"])


async def test_created_token_is_shown_once_works_and_revoking_makes_it_401(api):
    response = await api.post("/api/v1/tokens", json={"name": "街道办 值班", "role": "coordinator"})
    assert response.status == 201
    created = await response.json()
    assert response.headers["Location"] == f"/api/v1/tokens/{created['id']}"
    secret = created["token"]
    assert secret.startswith("fmn_")
    assert created["role"] == "coordinator"
    assert created["revoked_at"] is None

    # Never shown again.
    listed = await api.ok("GET", "/api/v1/tokens")
    mine = next(t for t in listed["items"] if t["id"] == created["id"])
    assert "token" not in mine
    assert secret not in await (await api.get("/api/v1/tokens")).text()

    bearer = {"Authorization": f"Bearer {secret}"}
    response = await api.post("/api/v1/people", role=None, headers=bearer, json={"name": "值班员"})
    assert response.status == 201
    response = await api.get("/api/v1/audit-log", role=None, headers=bearer)
    assert response.status == 403

    revoked = await api.ok("POST", f"/api/v1/tokens/{created['id']}/revoke")
    assert revoked["revoked_at"] is not None
    response = await api.get("/api/v1/people", role=None, headers=bearer)
    assert response.status == 401
    assert "invalid_token" in response.headers["WWW-Authenticate"]

    assert (await api.ok("GET", "/api/v1/tokens?revoked=true"))["total"] == 1
    assert (await api.ok("GET", "/api/v1/tokens?revoked=false"))["total"] == 3


async def test_revoking_through_the_api_bites_at_once_even_with_the_token_cache(
    aiohttp_client, settings, database
):
    """Outside tests a process caches valid tokens; the one that revokes forgets them."""
    cached = await make_api(
        aiohttp_client, settings.model_copy(update={"env": "development"}), database
    )
    created = await cached.ok(
        "POST", "/api/v1/tokens", 201, json={"name": "临时", "role": "viewer"}
    )
    bearer = {"Authorization": f"Bearer {created['token']}"}
    assert (await cached.get("/api/v1/people", role=None, headers=bearer)).status == 200
    await cached.ok("POST", f"/api/v1/tokens/{created['id']}/revoke")
    response = await cached.get("/api/v1/people", role=None, headers=bearer)
    assert response.status == 401


async def test_revoked_fixture_token_is_401(api, database):
    """A token revoked elsewhere (say by the CLI) stops working too."""
    async with database.sessionmaker.begin() as session:
        await session.execute(
            text("UPDATE api_tokens SET revoked_at = now() WHERE name = 'test viewer'")
        )
    response = await api.get("/api/v1/people", role=Role.viewer)
    assert response.status == 401


async def test_revoking_an_unknown_token_is_404(api):
    response = await api.post("/api/v1/tokens/00000000-0000-0000-0000-000000000000/revoke")
    assert response.status == 404
    assert response.content_type == "application/problem+json"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "role": "root"}, "role"),
        ({"name": "", "role": "viewer"}, "name"),
        ({"role": "viewer"}, "name"),
        ({"name": "x", "role": "viewer", "token": "fmn_chosen"}, "token"),
    ],
)
async def test_bad_token_request_is_422(api, body, field):
    response = await api.post("/api/v1/tokens", json=body)
    assert response.status == 422
    assert field in [e["field"] for e in (await response.json())["errors"]]


async def test_tokens_are_stored_only_as_hashes(api, database):
    created = await api.ok("POST", "/api/v1/tokens", 201, json={"name": "集成", "role": "viewer"})
    secret = created["token"]
    async with database.session() as session:
        rows = (await session.execute(text("SELECT * FROM api_tokens"))).mappings().all()
        audit = (
            await session.execute(text("SELECT before::text, after::text FROM audit_log"))
        ).all()
    assert len(rows) == 4
    for row in rows:
        for value in row.values():
            assert secret not in str(value)
            if isinstance(value, bytes | memoryview):
                assert secret.encode() not in bytes(value)
    mine = next(row for row in rows if str(row["id"]) == created["id"])
    assert bytes(mine["token_hash"]) == hashlib.sha256(secret.encode()).digest()
    # Every fixture token too: none is stored in clear.
    for role, token in api.tokens.items():
        row = next(r for r in rows if r["name"] == f"test {role.value}")
        assert bytes(row["token_hash"]) == hashlib.sha256(token.encode()).digest()
    assert all(secret not in (before or "") + (after or "") for before, after in audit)
