"""`fumin worker --check` and `fumin planner --check`: whether a worker of the kind has
recorded its health on Fumin's own Redis lately."""

from __future__ import annotations

import asyncio
import sys

from arq.constants import default_queue_name
from redis.exceptions import RedisError

from coordinator.campaigns.queue import PLANNING_QUEUE
from coordinator.ops.embedded import running_redis_url
from coordinator.platform.settings import load_settings
from workers.run import health


def check(kind: str) -> int:
    """Exit 0 when a worker of this kind (worker or planner) recorded its health on
    Fumin's Redis (REDIS_URL, else the embedded one that a `fumin up` runs in
    FUMIN_DATA_DIR) within its interval; else say why and exit 1."""
    settings = load_settings()
    url = running_redis_url(settings)
    if url is None:
        where = settings.data_dir.resolve() / "redis"
        return _say(f"{kind}: no REDIS_URL, and no embedded Redis runs in {where}", 1)
    queue = PLANNING_QUEUE if kind == "planner" else default_queue_name
    try:
        recorded = asyncio.run(health(url, queue))
    except (OSError, RedisError) as exc:
        return _say(f"{kind}: Redis at {url} does not answer ({exc})", 1)
    if recorded is None:
        return _say(f"{kind}: no {kind} has recorded its health on {url} lately", 1)
    return _say(f"{kind} healthy on {url}: {recorded}", 0)


def _say(line: str, status: int) -> int:
    print(f"fumin: {line}", file=sys.stderr if status else sys.stdout, flush=True)
    return status
