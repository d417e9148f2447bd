"""Real outside parts for worker tests: an SMTP server (aiosmtpd), a webhook receiver,
and arq workers run as processes that can be killed."""

from __future__ import annotations

import asyncio
import email
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
from aiohttp import web
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from coordinator.notifications import webhooks
from coordinator.ops.embedded import free_port

ROOT = Path(__file__).resolve().parents[2]


class MailHandler:
    """Keeps every accepted message; refuses addresses listed in `rejected` with 550."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.rejected: set[str] = set()

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.rejected:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.messages.append(email.message_from_bytes(content))
        return "250 Message accepted"


@dataclass
class MailServer:
    handler: MailHandler = field(default_factory=MailHandler)
    port: int = field(default_factory=free_port)
    controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?starttls=false"

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def by_recipient(self) -> dict[str, list[Message]]:
        grouped: dict[str, list[Message]] = {}
        for message in self.handler.messages:
            grouped.setdefault(str(message["To"]), []).append(message)
        return grouped


@pytest.fixture
def mail() -> Iterator[MailServer]:
    server = MailServer()
    server.start()
    yield server
    server.stop()


@dataclass
class Receiver:
    """A webhook receiver that checks signatures the way an integrator would."""

    secret: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    bad_signatures: int = 0
    fail_next: int = 0
    url: str = ""

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        if self.fail_next > 0:
            self.fail_next -= 1
            return web.Response(status=503)
        if not webhooks.verify(
            self.secret, request.headers.get(webhooks.SIGNATURE_HEADER, ""), body
        ):
            self.bad_signatures += 1
            return web.Response(status=400)
        payload = await request.json()
        assert request.headers["Idempotency-Key"] == payload["id"]
        self.received.append(payload)
        return web.Response(status=204)


@pytest.fixture
async def receiver(aiohttp_server) -> Receiver:  # type: ignore[no-untyped-def]
    hook = Receiver()
    app = web.Application()
    app.router.add_post("/hook", hook.handle)
    server = await aiohttp_server(app, host="127.0.0.1")
    hook.url = str(server.make_url("/hook"))
    return hook


class Workers:
    """arq worker processes with the test's settings in their environment."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, settings: str = "workers.settings.WorkerSettings") -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [sys.executable, "-m", "arq", settings],
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=open(self.env["FUMIN_DATA_DIR"] + "/worker.log", "ab"),
        )
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
async def redis_client(servers) -> AsyncIterator[aioredis.Redis]:  # type: ignore[no-untyped-def]
    client = aioredis.from_url(servers.redis_url)
    await client.flushall()
    yield client
    await client.flushall()
    await client.aclose()


@pytest.fixture
def worker_env(servers, mail, tmp_path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FUMIN_", "SMTP_"))}
    env.update(
        {
            "FUMIN_ENV": "test",
            "DATABASE_URL": servers.database_url,
            "REDIS_URL": servers.redis_url,
            "SMTP_URL": mail.url,
            "FUMIN_DATA_DIR": str(tmp_path),
            "FUMIN_LOG_LEVEL": "warning",
            "FUMIN_RELAY_POLL_SECONDS": "0.2",
            "FUMIN_REDELIVER_AFTER_SECONDS": "2",
            "FUMIN_RETRY_BASE_SECONDS": "0.3",
            "FUMIN_DELIVERY_MAX_ATTEMPTS": "6",
            "FUMIN_JOB_TIMEOUT_SECONDS": "5",
            "FUMIN_QUIET_HOURS": "off",
        }
    )
    return env


@pytest.fixture
def workers(worker_env, redis_client) -> Iterator[Workers]:  # type: ignore[no-untyped-def]
    group = Workers(worker_env)
    yield group
    group.stop_all()


async def eventually(
    check: Callable[[], Awaitable[bool]],
    *,
    timeout: float = 60,
    interval: float = 0.2,
    what: str = "",
) -> None:
    """Wait until check() is true, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        if await check():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        await asyncio.sleep(interval)
