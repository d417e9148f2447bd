"""The README runs as written: every sh block, in order, against the demo subdistrict."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import sys
from pathlib import Path

from coordinator.app import create_app
from coordinator.auth.models import Role
from coordinator.auth.service import create_token
from coordinator.ops.demo_load import load_demo
from coordinator.platform.settings import load_settings
from tests.docs import readme

README = Path(__file__).resolve().parents[2] / "README.md"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def test_every_sh_block_runs_and_answers_what_its_comments_say(
    aiohttp_server, servers, committed_database, tmp_path
) -> None:
    assert shutil.which("curl") and shutil.which("bash"), "the README's examples need bash and curl"
    port = free_port()
    settings = load_settings(
        FUMIN_ENV="test",
        DATABASE_URL=servers.database_url,
        REDIS_URL=servers.redis_url,
        FUMIN_PUBLIC_URL=f"http://127.0.0.1:{port}",
        FUMIN_LOG_LEVEL="warning",
        FUMIN_DATA_DIR=str(tmp_path / "data"),
    )
    assert await load_demo(committed_database, settings) is not None
    async with committed_database.sessionmaker.begin() as session:
        _, token = await create_token(session=session, name="fumin up", role=Role.admin)
    # what `make run` leaves for the README's first block: var/admin_token, PORT
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "admin_token").write_text(token)
    await aiohttp_server(
        create_app(settings, database=committed_database), host="127.0.0.1", port=port
    )
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "PORT": str(port),
    }
    problems = await asyncio.to_thread(readme.run, README, env, tmp_path)
    assert not problems, "\n".join(problems)


def test_comments_that_promise_are_found_and_checked() -> None:
    """The checker itself: a status, a Location and full values are promises; … is not."""
    found = readme.blocks(
        "```sh\ncurl -s x\n# 201, Location: /api/v1/things/…\n"
        '# {"id": "…", "name": "青禾", "count": 3, "gone": null}\necho "# 200 not a promise"\n'
        "```\n```console\nmake run\n```\n"
    )
    assert [block.runs for block in found] == [True, False]
    text, promises = readme.script(found)
    assert "__promise 3" in text and "__promise 4" not in text
    assert 'echo "# 200 not a promise"' in text
    call = readme.Call(
        number=1,
        args="-s x",
        status=201,
        headers={"location": "http://h/api/v1/things/1"},
        body='{"id": "1", "name": "青禾", "count": 3, "gone": null}',
    )
    assert readme.broken(promises[3], call) == []
    worse = readme.Call(
        number=1,
        args="-s x",
        status=200,
        headers={"location": "/elsewhere"},
        body='{"name": "青禾", "count": 4}',
    )
    assert readme.broken(promises[3], worse) == [
        "status 200, not 201",
        "Location '/elsewhere' lacks '/api/v1/things/'",
        "no count: 3 in the answer",
        "no gone: null in the answer",
    ]
