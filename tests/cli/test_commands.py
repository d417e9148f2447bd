"""The small `fumin` commands, run as real processes."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import select

from coordinator.auth.models import ApiToken, Role
from coordinator.auth.service import authenticate
from tests.conftest import Servers


def fumin(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    return subprocess.run(
        [sys.executable, "-m", "coordinator.ops.cli", *args],
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_bad_settings_print_which_setting_and_exit_2(tmp_path) -> None:
    result = fumin("up", PORT="abc", FUMIN_DATA_DIR=str(tmp_path))
    assert result.returncode == 2
    assert "invalid settings" in result.stderr
    assert "PORT:" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []  # nothing was started


def test_admin_token_without_prefix_is_refused(tmp_path) -> None:
    result = fumin("up", FUMIN_ADMIN_TOKEN="secret", FUMIN_DATA_DIR=str(tmp_path))
    assert result.returncode == 2
    assert "FUMIN_ADMIN_TOKEN: must start with 'fmn_'" in result.stderr


async def test_token_create_prints_a_token_stored_only_as_a_hash(
    servers: Servers, committed_database
) -> None:
    result = fumin(
        "token",
        "create",
        "--role",
        "viewer",
        "--name",
        "city dashboard",
        DATABASE_URL=servers.database_url,
    )
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert token.startswith("fmn_")

    async with committed_database.session() as session:
        principal = await authenticate(session=session, token=token)
        assert principal is not None
        assert (principal.name, principal.role) == ("city dashboard", Role.viewer)
        hashes = (await session.scalars(select(ApiToken.token_hash))).all()
    assert all(token.encode() not in h for h in hashes)


def test_token_create_refuses_an_unknown_role() -> None:
    result = fumin("token", "create", "--role", "owner")
    assert result.returncode == 2
    assert "invalid choice: 'owner'" in result.stderr


def test_worker_check_without_a_running_fumin_says_so_and_exits_1(tmp_path) -> None:
    result = fumin("worker", "--check", FUMIN_DATA_DIR=str(tmp_path))
    assert result.returncode == 1
    assert f"no embedded Redis runs in {tmp_path.resolve() / 'redis'}" in result.stderr


def test_worker_check_on_redis_url_without_a_worker_exits_1(servers: Servers, tmp_path) -> None:
    result = fumin("worker", "--check", REDIS_URL=servers.redis_url, FUMIN_DATA_DIR=str(tmp_path))
    assert result.returncode == 1
    assert f"no worker has recorded its health on {servers.redis_url}" in result.stderr
