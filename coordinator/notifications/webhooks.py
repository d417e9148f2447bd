"""Signed webhooks: HMAC-SHA256 over timestamp and body, the event id as idempotency key."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import aiohttp

from coordinator.notifications.errors import PermanentError, TransientError

SIGNATURE_HEADER = "Fumin-Signature"
TIMESTAMP_HEADER = "Fumin-Timestamp"
EVENT_ID_HEADER = "Fumin-Event-Id"
EVENT_TYPE_HEADER = "Fumin-Event-Type"
TOLERANCE_SECONDS = 300


def body_for(event: dict[str, Any]) -> bytes:
    """`{id, type, occurred_at, data}` as compact UTF-8 JSON."""
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(
    secret: str,
    signature: str,
    body: bytes,
    *,
    now: float | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:
    """What a receiver does: check the MAC and refuse old timestamps (replays)."""
    try:
        fields = dict(part.split("=", 1) for part in signature.split(","))
        timestamp = int(fields["t"])
        given = fields["v1"]
    except (ValueError, KeyError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, given)


async def post(
    http: aiohttp.ClientSession,
    *,
    url: str,
    secret: str,
    event: dict[str, Any],
    timeout: float = 10,
) -> int:
    """POST one event; return the status, or raise TransientError / PermanentError."""
    body = body_for(event)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Fumin-Webhooks/1",
        SIGNATURE_HEADER: sign(secret, timestamp, body),
        TIMESTAMP_HEADER: str(timestamp),
        EVENT_ID_HEADER: str(event["id"]),
        EVENT_TYPE_HEADER: str(event["type"]),
        "Idempotency-Key": str(event["id"]),
    }
    try:
        async with http.post(
            url,
            data=body,
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=timeout),
            allow_redirects=False,
        ) as response:
            status = response.status
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        raise TransientError(f"{type(exc).__name__}: {exc}") from exc
    if 200 <= status < 300:
        return status
    if status in (408, 409, 425, 429) or status >= 500:
        raise TransientError(f"HTTP {status}", status=status)
    raise PermanentError(f"HTTP {status}", status=status)
